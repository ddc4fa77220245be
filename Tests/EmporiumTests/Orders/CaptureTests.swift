import Foundation
import HummingbirdTesting
import SQLKit
import Testing

@testable import Emporium

/// `Orders.confirmPaid`: a captured payment confirms its order once. On PostgreSQL one statement settles the
/// attempt, confirms the order and ends its holds, each only if the one before moved; SQLite runs them in turn.
@Suite(.timeLimit(.minutes(2)))
struct CaptureTests {
    @Test(arguments: engines)
    func aCaptureConfirmsTheOrderOnlyIfItsAttemptSettles(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "CAP-1", price: 3000, stock: 4)
            let shopper = try await client.customer()
            let orderId = try await client.pendingOrder(sku: "CAP-1", quantity: 2, as: shopper)
            try await node.database.transaction { sql in
                for attempt in ["pay_other", "pay_mine"] {
                    try await sql.raw(
                        """
                        INSERT INTO payment_attempts (id, order_id, status, amount, currency, brand, last4, created_at,
                            updated_at)
                        VALUES (\(bind: attempt), \(bind: orderId), 'started', 1, 'USD', 'visa', '4242', 0, 0)
                        """
                    ).run()
                }
                try await sql.raw("UPDATE orders SET payment_lock = 'pay_mine' WHERE id = \(bind: orderId)").run()
            }
            struct RolledBack: Error {}
            func capture(_ attemptId: String, in sql: any SQLDatabase) async throws -> Orders.Capture? {
                try await node.orders.confirmPaid(
                    id: orderId, attemptId: attemptId,
                    settle: PaymentStore.settle(attemptId: attemptId, status: "captured", providerRef: "ref"), in: sql)
            }

            // An attempt that is not the order's lock settles, and the order, its holds and its stock stay.
            await #expect(throws: RolledBack.self) {
                try await node.database.transaction { sql in
                    guard case .notPayable = try await capture("pay_other", in: sql) else {
                        Issue.record("expected notPayable")
                        throw RolledBack()
                    }
                    let status = try await sql.raw("SELECT status FROM orders WHERE id = \(bind: orderId)").first()?
                        .decode(column: "status", as: String.self)
                    #expect(status == "pending_payment")
                    let active = try await sql.raw(
                        "SELECT COUNT(*) AS n FROM reservations WHERE order_id = \(bind: orderId) AND state = 'active'"
                    ).first()?.decode(column: "n", as: Int.self)
                    #expect(active == 1)
                    throw RolledBack()
                }
            }

            // The lock's own attempt confirms the order; what it answers is what a read finds after the commit.
            let captured = try await node.database.transaction { sql in try await capture("pay_mine", in: sql) }
            guard case .confirmed(let order) = captured else {
                Issue.record("expected the order confirmed, got \(String(describing: captured))")
                return
            }
            #expect(order.status == .confirmed)
            #expect(order.statusHistory.map(\.status) == [.pendingPayment, .confirmed])
            #expect(order.payment?.status == "captured")
            #expect(try await node.orders.order(id: orderId, userId: nil) == order)
            let stock = try await node.inventory.level(sku: "CAP-1")
            #expect(stock.onHand == 2 && stock.reserved == 0)

            // Settled once: the same attempt again changes nothing.
            #expect(try await node.database.transaction { sql in try await capture("pay_mine", in: sql) } == nil)
            #expect(try await node.orders.order(id: orderId, userId: nil) == order)
            #expect(try await node.inventory.level(sku: "CAP-1").onHand == 2)
        }
    }
}
