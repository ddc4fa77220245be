import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

// Serialized: six cases of 200 concurrent buyers at once would starve the rest of the suite of both cores.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CheckoutTests {
    static let cases = engines.flatMap { engine in ReservationStrategy.allCases.map { (engine, $0) } }

    @Test(arguments: cases)
    func concurrentCheckoutsNeverSellMoreThanTheStock(engine: DatabaseEngine, strategy: ReservationStrategy)
        async throws
    {
        try await TestStore.withApp(engine, configure: { $0.reservationStrategy = strategy }) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "HOT-1", price: 1000, stock: 50)
            let shoppers = try await withThrowingTaskGroup(of: Shopper.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        let shopper = try await client.customer()
                        try await client.addToCart("HOT-1", 1, as: shopper)
                        return shopper
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for shopper in shoppers {
                    group.addTask {
                        let response = try await client.checkout(as: shopper)
                        let code = response.status == .created ? nil : try response.jsonObject()["code"] as? String
                        return (response.status.code, code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 50)
            #expect(statuses.filter { $0 == (409, "insufficient_stock") }.count == 150)
            let stock = try await node.inventory.level(sku: "HOT-1")
            #expect(stock.reserved == 50 && stock.available == 0)
            try await expectAuditPasses(node)
        }
    }

    /// Two nodes' reservation batches take the same stock rows: single-line orders take them in SKU order and a
    /// batch's multi-line order that still deadlocks goes into a later batch, so every checkout of a store with
    /// stock enough succeeds (a deadlock reached the customer as a 500 before).
    @Test(.enabled(if: TestStore.postgresURL != nil, "batches are PostgreSQL's"))
    func twoNodesCheckingOutTheSameSkusAtOnceAllSucceed() async throws {
        try await TestStore.withApp(.postgres) { client, node in
            let admin = try await client.adminToken(node)
            let skus = (1...12).map { "MIX-\($0)" }
            for sku in skus { _ = try await client.createProduct(admin, sku: sku, price: 500, stock: 1000) }
            try await TestStore.withSecondApp(of: node) { other, _ in
                let shoppers = try await withThrowingTaskGroup(of: Shopper.self) { group in
                    for index in 0..<120 {
                        group.addTask {
                            let shopper = try await client.customer()
                            // Most carts hold one SKU; every fifth holds two, listed high first.
                            try await client.addToCart(skus[(index * 7) % skus.count], 1, as: shopper)
                            if index % 5 == 0 { try await client.addToCart(skus[index % skus.count], 1, as: shopper) }
                            return shopper
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for (index, shopper) in shoppers.enumerated() {
                        group.addTask {
                            try await (index % 2 == 0 ? client : other).checkout(as: shopper).status.code
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 201 }, "\(statuses.filter { $0 != 201 })")
            }
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func checkoutReservesEveryLineOrNoneAndEmptiesTheCart(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, title: "Kettle", sku: "KET-1", price: 3000, stock: 5)
            _ = try await client.createProduct(admin, title: "Toaster", sku: "TOA-1", price: 2500, stock: 1)
            _ = try await client.createProduct(admin, title: "Scale", sku: "SCA-1", price: 1500, stock: 0)
            let shopper = try await client.customer()
            try await client.addToCart("KET-1", 2, as: shopper)
            try await client.addToCart("TOA-1", 2, as: shopper)
            try await client.addToCart("SCA-1", 1, as: shopper)

            let refused = try await client.checkout(as: shopper)
            #expect(refused.status == .conflict)
            #expect(try refused.problemCode() == "insufficient_stock")
            let short = try #require(try refused.jsonObject()["items"] as? [[String: Any]])
            #expect(Set(short.compactMap { $0["sku"] as? String }) == ["TOA-1", "SCA-1"])
            #expect(
                short.contains {
                    $0["sku"] as? String == "TOA-1" && $0["requested"] as? Int == 2 && $0["available"] as? Int == 1
                })
            #expect(try await node.inventory.level(sku: "KET-1").reserved == 0, "nothing is held when a line is short")
            #expect(quantity(of: "KET-1", in: try await client.cartRequest(.get, as: shopper)) == 2, "the cart is kept")

            try await client.cartRequest(.put, "/api/v1/cart/items/TOA-1", as: shopper, json: #"{"quantity": 1}"#)
            try await client.cartRequest(.delete, "/api/v1/cart/items/SCA-1", as: shopper)
            let created = try await client.checkout(as: shopper)
            #expect(created.status == .created)
            let order = try created.jsonObject()
            #expect(order["status"] as? String == "pending_payment")
            #expect((order["subtotal"] as? [String: Any])?["amount"] as? Int == 2 * 3000 + 2500)
            #expect((order["shipping"] as? [String: Any])?["amount"] as? Int == 0)
            #expect((order["total"] as? [String: Any])?["amount"] as? Int == 8500)
            #expect((order["items"] as? [[String: Any]])?.count == 2)
            #expect(order["payment"] is NSNull)
            #expect(order["reservationExpiresAt"] is String)
            #expect((order["shippingAddress"] as? [String: Any])?["city"] as? String == "London")
            #expect((try await client.cartRequest(.get, as: shopper)["items"] as? [Any])?.isEmpty == true)
            #expect(try await node.inventory.level(sku: "KET-1").reserved == 2)
            #expect(try await node.inventory.level(sku: "TOA-1").available == 0)

            let empty = try await client.checkout(as: shopper)
            #expect(empty.status == .conflict)
            #expect(try empty.problemCode() == "cart_empty")

            // Paying sells both lines in one statement: each leaves on hand and reserved together.
            let paid = try await client.pay(try #require(order["id"] as? String), as: shopper)
            #expect(paid.status == .ok)
            let kettle = try await node.inventory.level(sku: "KET-1")
            #expect(kettle.onHand == 3 && kettle.reserved == 0)
            let toaster = try await node.inventory.level(sku: "TOA-1")
            #expect(toaster.onHand == 0 && toaster.reserved == 0)
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func badCheckoutAndPaymentInputGetsClearProblems(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "BOX-1", price: 700, stock: 10)
            let shopper = try await client.customer()
            try await client.addToCart("BOX-1", 1, as: shopper)

            let noKey = try await client.send(
                .post, "/api/v1/checkout", json: #"{"shippingAddress": \#(testAddress)}"#, headers: shopper.headers)
            #expect(noKey.status == .badRequest)
            #expect(try noKey.problemCode() == "idempotency_key_required")
            let guest = try await client.send(
                .post, "/api/v1/checkout", json: #"{"shippingAddress": \#(testAddress)}"#,
                headers: [.idempotencyKeyHeader: "k1"]
            )
            #expect(guest.status == .unauthorized)
            let badAddress = try await client.send(
                .post,
                "/api/v1/checkout",
                json:
                    #"{"shippingAddress": {"name": "", "line1": "x", "city": "y", "postalCode": "1", "country": "Britain"}}"#,
                headers: shopper.headers + [.idempotencyKeyHeader: "k2"]
            )
            #expect(badAddress.status == .unprocessableContent)
            let fields =
                (try badAddress.jsonObject()["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
            #expect(Set(fields) == ["shippingAddress.name", "shippingAddress.country"])
            let missing = try await client.send(
                .post, "/api/v1/checkout", json: #"{}"#, headers: shopper.headers + [.idempotencyKeyHeader: "k3"])
            #expect(missing.status == .badRequest)

            let order = try await client.pendingOrder(sku: "BOX-1", as: shopper)
            for (number, field) in [("4242424242424241", "card.number"), ("9876 5432", "card.number")] {
                let response = try await client.pay(order, card: number, as: shopper)
                #expect(response.status == .unprocessableContent)
                #expect((try response.jsonObject()["errors"] as? [[String: Any]])?.first?["field"] as? String == field)
                #expect(!String(buffer: response.body).contains(number), "a card number is never echoed")
            }
            let expired = try await client.send(
                .post,
                "/api/v1/orders/\(order)/pay",
                json: #"{"card": {"number": "4242424242424242", "expMonth": 1, "expYear": 2020, "cvc": "123"}}"#,
                headers: shopper.headers + [.idempotencyKeyHeader: "k4"]
            )
            #expect(expired.status == .unprocessableContent)
            #expect(
                try await client.send(.get, "/api/v1/orders?limit=0", headers: shopper.headers).status == .badRequest)
            #expect(
                try await client.send(.get, "/api/v1/orders?cursor=%%%", headers: shopper.headers).status == .badRequest
            )
            try await expectAuditPasses(node)
        }
    }
}
