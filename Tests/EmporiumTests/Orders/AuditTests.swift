import Foundation
import SQLKit
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct AuditTests {
    /// An unpaid order must hold every unit it wants: one whose reservation went missing could be paid for units
    /// that were sold to someone else meanwhile.
    @Test(arguments: engines)
    func anUnpaidOrderWithoutItsReservationIsABreach(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "KETTLE-2", price: 3000, stock: 3)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "KETTLE-2", as: shopper)
            try await expectAuditPasses(node)

            try await node.database.transaction { sql in
                try await sql.raw("UPDATE reservations SET state = 'released' WHERE order_id = \(bind: order)").run()
            }
            let breaches = try await StoreAudit(database: node.database).breaches()
            #expect(breaches.contains { $0.hasPrefix("unpaid order \(order) wants 1 of KETTLE-2") }, "\(breaches)")
        }
    }
}
