import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(2)))
struct PaymentTests {
    @Test(arguments: engines)
    func concurrentDuplicatePayCallsWithOneKeyChargeOnce(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "LENS-1", price: 45000, stock: 5)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "LENS-1", as: shopper)
            let key = UUID().uuidString
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let response = try await client.pay(order, as: shopper, key: key)
                        return (response.status.code, String(buffer: response.body))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.0 == 200 }, "\(answers.map(\.0))")
            #expect(Set(answers.map(\.1)).count == 1, "every duplicate gets the first answer")
            #expect(try await providerCharges(node, orderId: order) == 1)

            // Other keys for a paid order charge nothing more.
            let others = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 { group.addTask { try await client.pay(order, as: shopper).status.code } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(others.allSatisfy { $0 == 409 })
            #expect(try await providerCharges(node, orderId: order) == 1)
            let paid = try await client.cartRequest(.get, "/api/v1/orders/\(order)", as: shopper)
            #expect(paid["status"] as? String == "confirmed")
            #expect((paid["payment"] as? [String: Any])?["last4"] as? String == "4242")
            #expect((paid["payment"] as? [String: Any])?["status"] as? String == "captured")
            let stock = try await node.inventory.level(sku: "LENS-1")
            #expect(stock.onHand == 4 && stock.reserved == 0)
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func concurrentPayCallsWithDifferentKeysChargeOnce(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine, configure: { $0.paymentFaults.latency = .milliseconds(20) }) {
            client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "DRONE-1", price: 99000, stock: 5)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "DRONE-1", as: shopper)
            let codes = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await client.pay(order, as: shopper).status.code } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.filter { $0 == 200 }.count >= 1)
            #expect(codes.allSatisfy { $0 == 200 || $0 == 409 }, "\(codes)")
            #expect(try await providerCharges(node, orderId: order) == 1)
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func theTimeoutAfterChargeCardChargesOnceHoweverOftenItIsRetried(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "WATCH-1", price: 25000, stock: 3)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "WATCH-1", as: shopper)
            let key = UUID().uuidString

            let first = try await client.pay(order, card: TestCard.timesOutAfterCharging, as: shopper, key: key)
            #expect(first.status == .serviceUnavailable)
            #expect(try first.problemCode() == "payment_pending")
            #expect(first.headers[.retryAfter] != nil)
            #expect(try await providerCharges(node, orderId: order) == 1)

            for _ in 0..<3 {
                let retry = try await client.pay(order, card: TestCard.timesOutAfterCharging, as: shopper, key: key)
                #expect(retry.status == .ok)
                #expect(try retry.jsonObject()["status"] as? String == "confirmed")
            }
            let otherKey = try await client.pay(order, card: TestCard.timesOutAfterCharging, as: shopper)
            #expect(otherKey.status == .conflict)
            #expect(try await providerCharges(node, orderId: order) == 1)
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func anUnknownPaymentIsSettledByTheSweeperWithoutARetry(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(
            engine,
            configure: {
                $0.sweepInterval = .milliseconds(50)
                $0.paymentSettleAfter = .zero
            }
        ) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "RING-1", price: 5000, stock: 3)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "RING-1", as: shopper)
            #expect(
                try await client.pay(order, card: TestCard.timesOutAfterCharging, as: shopper).status
                    == .serviceUnavailable)
            #expect(
                try await eventually(poll: .milliseconds(50)) {
                    try await client.cartRequest(.get, "/api/v1/orders/\(order)/status", as: shopper)["status"]
                        as? String == "confirmed"
                })
            #expect(try await providerCharges(node, orderId: order) == 1)
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func aDeclinedOrFailedPaymentLeavesTheOrderPayable(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "BOOT-1", price: 12000, stock: 3)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "BOOT-1", as: shopper)

            let declined = try await client.pay(order, card: TestCard.declined, as: shopper)
            #expect(declined.status.code == 402)
            #expect(try declined.problemCode() == "payment_declined")
            #expect(try declined.jsonObject()["declineCode"] as? String == "card_declined")
            let funds = try await client.pay(order, card: TestCard.insufficientFunds, as: shopper)
            #expect(try funds.jsonObject()["declineCode"] as? String == "insufficient_funds")
            let providerError = try await client.pay(order, card: TestCard.providerError, as: shopper)
            #expect(providerError.status == .badGateway)
            #expect(try providerError.problemCode() == "payment_provider_error")

            let paid = try await client.pay(order, as: shopper)
            #expect(paid.status == .ok)
            #expect(try paid.jsonObject()["status"] as? String == "confirmed")
            #expect(try await providerCharges(node, orderId: order) == 1)
            try await expectAuditPasses(node)
        }
    }
}
