import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(3)))
struct FlashSaleTests {
    @Test(arguments: engines)
    func theClockMovesASaleFromScheduledToLiveToEndedAndTheUnsoldUnitsGoBack(engine: DatabaseEngine) async throws {
        let configure: (inout AppConfiguration) -> Void = {
            $0.sweepInterval = .milliseconds(50)
            $0.flashSales.reservationLifetime = .seconds(14)
        }
        try await TestStore.withApp(engine, configure: configure) { client, node in
            let admin = try await client.adminToken(node)
            let shopper = try await client.customer()
            let later = try await client.createFlashSale(admin, startsIn: 3600)
            #expect(later["status"] as? String == "scheduled")
            let early = try await client.purchase(try #require(later["id"] as? String), as: shopper)
            #expect(try outcome(early) == (403, "sale_not_live"))
            #expect(try early.jsonObject()["saleStatus"] as? String == "scheduled")

            // Live in 5 s for 10 s: no event makes it live or ended, the clock does.
            let created = try await client.createFlashSale(
                admin, sku: "WIN-1", stock: 10, quantity: 5, limit: 1, startsIn: 5, lasting: 10)
            let sale = try #require(created["id"] as? String)
            #expect(try await node.inventory.level(sku: "WIN-1").available == 5, "the sale's units are set aside")
            let live = try await client.waitForFlashSale(sale) { $0["status"] as? String == "live" }
            #expect(live["status"] as? String == "live")
            #expect(try await client.purchase(sale, as: shopper).status == .created)

            let ended = try await client.waitForFlashSale(sale) {
                $0["status"] as? String == "ended" && $0["remaining"] as? Int == 0
            }
            #expect(ended["status"] as? String == "ended")
            let late = try await client.purchase(sale, as: try await client.customer())
            #expect(try outcome(late) == (403, "sale_not_live"))
            #expect(try late.jsonObject()["saleStatus"] as? String == "ended")
            var stock = try await node.inventory.level(sku: "WIN-1")
            #expect(
                stock.available == 9 && stock.reserved == 1,
                "the 4 unsold units are back; the unpaid order still holds 1")
            try await expectAuditPasses(node)

            // The order lapses after the sale closed: its unit goes back to the SKU, not to the sale.
            _ = try await eventually(timeout: .seconds(20), poll: .milliseconds(50)) {
                stock = try await node.inventory.level(sku: "WIN-1")
                return stock.reserved == 0
            }
            #expect(stock.available == 10 && stock.reserved == 0)
            #expect(try await client.flashSale(sale)["remaining"] as? Int == 0)
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func aSoldOutSaleAnswersFromMemoryAndStoresNothing(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(try await client.createFlashSale(admin, stock: 3, quantity: 1)["id"] as? String)
            #expect(try await client.purchase(sale, as: try await client.customer()).status == .created)
            let (orders, keys, purchases) = (
                try await count("orders", in: node), try await count("idempotency_keys", in: node),
                try await count("flash_sale_purchases", in: node)
            )
            for _ in 0..<20 {
                let refused = try await client.purchase(sale, as: try await client.customer())
                #expect(try outcome(refused) == (409, "sold_out"))
                #expect(try refused.jsonObject()["remaining"] as? Int == 0)
                #expect(refused.headers[.contentType] == "application/problem+json")
            }
            #expect(try await count("orders", in: node) == orders)
            #expect(try await count("idempotency_keys", in: node) == keys, "a refusal stores no idempotency row")
            #expect(try await count("flash_sale_purchases", in: node) == purchases)
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"emporium_flash_sale_admissions_total{outcome="sold_out"}"#))
            #expect(try await client.flashSale(sale)["status"] as? String == "sold_out")
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func aRetryGetsTheSameOrderBackEvenAfterTheSaleSoldOut(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(
                try await client.createFlashSale(admin, stock: 2, quantity: 2, limit: 1)["id"] as? String)
            let winner = try await client.customer()
            let first = try await client.purchase(sale, as: winner, key: "k-1", address: true)
            #expect(first.status == .created)
            let order = try first.jsonObject()
            let orderId = try #require(order["id"] as? String)
            #expect(order["status"] as? String == "pending_payment")
            #expect((order["total"] as? [String: Any])?["amount"] as? Int == 999 + 499)
            #expect((order["shippingAddress"] as? [String: Any])?["city"] as? String == "London")
            let again = try await client.purchase(sale, as: winner, key: "k-1", address: true)
            #expect(again.status == .created)
            #expect(try again.jsonObject()["id"] as? String == orderId)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(
                try outcome(try await client.purchase(sale, quantity: 1, as: winner, key: "k-1")) == (
                    422, "idempotency_key_reused"
                ))
            #expect(try outcome(try await client.purchase(sale, as: winner, key: "k-2")) == (409, "limit_exceeded"))
            let elsewhere = try #require(try await client.createFlashSale(admin)["id"] as? String)
            #expect(
                try outcome(try await client.purchase(elsewhere, as: winner, key: "k-1")) == (
                    422, "idempotency_key_reused"
                ))

            #expect(try await client.purchase(sale, as: try await client.customer()).status == .created)
            #expect(try outcome(try await client.purchase(sale, as: try await client.customer())) == (409, "sold_out"))
            let late = try await client.purchase(sale, as: winner, key: "k-1", address: true)
            #expect(late.status == .created)
            #expect(try late.jsonObject()["id"] as? String == orderId)

            // A node that never saw the purchase learns the winners with the sale.
            try await TestStore.withSecondApp(of: node) { otherClient, _ in
                let retried = try await otherClient.purchase(sale, as: winner, key: "k-1", address: true)
                #expect(retried.status == .created)
                #expect(try retried.jsonObject()["id"] as? String == orderId)
                #expect(
                    try outcome(try await otherClient.purchase(sale, as: try await otherClient.customer())) == (
                        409, "sold_out"
                    ))
            }
            #expect(try await count("orders", in: node) == 2)
            #expect(try await client.flashSale(elsewhere)["remaining"] as? Int == 5, "the reused key bought nothing")
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func unpaidUnitsGoBackToTheSaleAndSellAgain(engine: DatabaseEngine) async throws {
        let configure: (inout AppConfiguration) -> Void = {
            $0.flashSales.reservationLifetime = .seconds(3)
            $0.sweepInterval = .milliseconds(50)
        }
        try await TestStore.withApp(engine, configure: configure) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(
                try await client.createFlashSale(admin, sku: "BACK-1", stock: 4, quantity: 1)["id"] as? String)
            // Both signed up first: the second buyer must arrive while the first one's reservation still holds.
            let first = try await client.customer()
            let second = try await client.customer()
            let lapsed = try #require(try await client.purchase(sale, as: first).jsonObject()["id"] as? String)
            #expect(try outcome(try await client.purchase(sale, as: second)) == (409, "sold_out"))

            let back = try await client.waitForFlashSale(sale) { $0["remaining"] as? Int == 1 }
            #expect(back["status"] as? String == "live")
            let cancelled = try await client.cartRequest(.get, "/api/v1/orders/\(lapsed)", as: first)
            #expect(cancelled["status"] as? String == "cancelled")
            let stock = try await node.inventory.level(sku: "BACK-1")
            #expect(stock.available == 3 && stock.reserved == 1, "the unit went back to the sale, not to the SKU")
            // Every node hears it (events), so the sold-out memory lets buyers through again.
            var bought: TestResponse?
            _ = try await eventually(timeout: .seconds(2), poll: .milliseconds(50)) {
                bought = try await client.purchase(sale, as: second)
                return bought?.status == .created
            }
            #expect(bought?.status == .created)
            #expect(
                try await count("flash_sale_buyers", in: node, where: "units = 0") == 1,
                "the lapsed buyer may buy again")
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func aFlashOrderIsPaidLikeAnyOther(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(
                try await client.createFlashSale(admin, sku: "PAY-1", stock: 5, quantity: 3, limit: 2, price: 3000)[
                    "id"] as? String)
            let shopper = try await client.customer()
            let created = try await client.purchase(sale, quantity: 2, as: shopper)
            #expect(created.status == .created)
            let order = try created.jsonObject()
            let id = try #require(order["id"] as? String)
            #expect((order["items"] as? [[String: Any]])?.first?["quantity"] as? Int == 2)
            #expect(
                (order["total"] as? [String: Any])?["amount"] as? Int == 6000, "sale price, free shipping from 50.00")
            #expect(order["shippingAddress"] is NSNull)
            let paid = try await client.pay(id, as: shopper)
            #expect(paid.status == .ok, "\(String(buffer: paid.body))")
            #expect(try paid.jsonObject()["status"] as? String == "confirmed")
            let stock = try await node.inventory.level(sku: "PAY-1")
            #expect(stock.onHand == 3 && stock.reserved == 1 && stock.available == 2)
            #expect(try await client.flashSale(sale)["remaining"] as? Int == 1)
            let tooMany = try await client.purchase(sale, quantity: 2, as: try await client.customer())
            #expect(try outcome(tooMany) == (409, "sold_out"))
            #expect(try tooMany.jsonObject()["remaining"] as? Int == 1)
            try await expectAuditPasses(node)
        }
    }
}
