import Foundation
import SQLKit

extension OrderStore {
    /// Paid orders (confirmed, shipped, delivered) placed from `since` to before `until` (Unix ms), counted and
    /// summed per UTC day (`day` is days since 1970): a range of `orders_paid_by_day` per status, never the order
    /// rows.
    func dailySales(since: Int, until: Int, in sql: any SQLDatabase) async throws -> [(
        day: Int, orders: Int, revenue: Int
    )] {
        try await sql.raw(
            """
            SELECT created_at / 86400000 AS day, COUNT(*) AS orders, CAST(SUM(total_amount) AS BIGINT) AS revenue
            FROM orders WHERE created_at >= \(bind: since) AND created_at < \(bind: until)
                AND status IN ('confirmed', 'shipped', 'delivered')
            GROUP BY created_at / 86400000
            """
        ).all().map { row in
            (
                try row.decode(column: "day", as: Int.self), try row.decode(column: "orders", as: Int.self),
                try row.decode(column: "revenue", as: Int.self)
            )
        }
    }

    /// How many orders are in `status` (from the status index).
    func count(status: OrderStatus, in sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM orders WHERE status = \(bind: status.rawValue)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
