import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct RefundTests {
    /// A customer's cancel sends that order's refund to the provider, and no other order's: a refund left pending by
    /// a provider outage is the sweeper's to retry, not a side effect of someone else's request.
    @Test(arguments: engines)
    func cancellingAnOrderSettlesThatOrdersRefundOnly(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine, configure: { $0.sweepInterval = .seconds(3600) }) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "CHAIR-7", price: 12000, stock: 5)
            let alice = try await client.customer()
            let bob = try await client.customer()
            let waiting = try await client.pendingOrder(sku: "CHAIR-7", as: alice)
            #expect(try await client.pay(waiting, as: alice).status == .ok)
            let cancelled = try await client.pendingOrder(sku: "CHAIR-7", as: bob)
            #expect(try await client.pay(cancelled, as: bob).status == .ok)
            // Alice's refund is pending, as after a provider outage (written the way a cancel writes it).
            let store = node.payments.store
            try await node.database.transaction { try await store.issueRefund(orderId: waiting, in: $0) }

            let answer = try await client.cartRequest(.post, "/api/v1/orders/\(cancelled)/cancel", as: bob)
            #expect(answer["status"] as? String == "cancelled")

            let pending = try await node.database.read { sql in
                (
                    try await store.pendingRefunds(orderId: waiting, in: sql).count,
                    try await store.pendingRefunds(orderId: cancelled, in: sql).count
                )
            }
            #expect(pending.0 == 1, "another order's refund was settled by this cancel")
            #expect(pending.1 == 0, "the cancelled order's refund was not sent at once")
        }
    }
}
