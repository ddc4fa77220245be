import Foundation
import SQLKit

/// Checks the store's invariants straight from the tables; every breach is one line. Run by `emporium audit`,
/// at the end of tests and of load tests.
public struct StoreAudit: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func breaches() async throws -> [String] {
        try await database.read { sql in
            var found: [String] = []
            for check in Self.checks {
                for row in try await sql.raw(SQLQueryString(check.query)).all() {
                    found.append(check.describe(row))
                }
            }
            return found
        }
    }

    private struct Check: Sendable {
        let query: String
        let describe: @Sendable (any SQLRow) -> String
    }

    private static func text(_ row: any SQLRow, _ column: String) -> String {
        // Numbers first: PostgreSQL hands a BIGINT to a String decode as its raw bytes.
        if let value = try? row.decode(column: column, as: Int.self) { return String(value) }
        if let value = try? row.decode(column: column, as: String.self) { return value }
        return "?"
    }

    private static let paid = "('confirmed', 'shipped', 'delivered')"

    private static let checks: [Check] = [
        Check(query: "SELECT sku, on_hand, reserved FROM stock WHERE reserved < 0 OR on_hand < reserved") { row in
            "stock \(text(row, "sku")): onHand \(text(row, "on_hand")) < reserved \(text(row, "reserved")) or reserved < 0"
        },
        Check(
            query: """
                SELECT s.sku, s.reserved, COALESCE(r.held, 0) + COALESCE(f.held, 0) AS held FROM stock s
                LEFT JOIN (SELECT sku, CAST(SUM(quantity) AS BIGINT) AS held FROM reservations WHERE state = 'active' GROUP BY sku) r
                    ON r.sku = s.sku
                LEFT JOIN (SELECT sku, CAST(SUM(remaining) AS BIGINT) AS held FROM flash_sales GROUP BY sku) f ON f.sku = s.sku
                WHERE s.reserved <> COALESCE(r.held, 0) + COALESCE(f.held, 0)
                """
        ) { row in
            "stock \(text(row, "sku")): reserved \(text(row, "reserved")) but active reservations and open flash sales hold "
                + text(row, "held")
        },
        Check(
            query: """
                SELECT s.sku, s.on_hand, s.reserved, COALESCE(m.stocked, 0) AS stocked, COALESCE(m.sold, 0) AS sold,
                    COALESCE(o.ordered, 0) AS ordered
                FROM stock s
                LEFT JOIN (SELECT sku, CAST(SUM(CASE WHEN reason IN ('sale', 'restock') THEN 0 ELSE delta END) AS BIGINT) AS stocked,
                        CAST(-SUM(CASE WHEN reason IN ('sale', 'restock') THEN delta ELSE 0 END) AS BIGINT) AS sold
                    FROM stock_movements GROUP BY sku) m ON m.sku = s.sku
                LEFT JOIN (SELECT i.sku, CAST(SUM(i.quantity) AS BIGINT) AS ordered FROM order_items i
                    JOIN orders o ON o.id = i.order_id WHERE o.status IN \(paid) GROUP BY i.sku) o ON o.sku = s.sku
                WHERE COALESCE(m.stocked, 0) <> COALESCE(m.sold, 0) + s.on_hand
                    OR COALESCE(m.sold, 0) <> COALESCE(o.ordered, 0)
                """
        ) { row in
            "stock \(text(row, "sku")): stocked \(text(row, "stocked")) ≠ sold \(text(row, "sold")) + reserved \(text(row, "reserved")) "
                + "+ available (onHand \(text(row, "on_hand")) - reserved), or sold ≠ \(text(row, "ordered")) units in paid orders"
        },
        Check(
            query: """
                SELECT o.id, o.status, COUNT(a.id) AS captured FROM orders o
                LEFT JOIN payment_attempts a ON a.order_id = o.id AND a.status = 'captured'
                WHERE o.status IN \(paid) GROUP BY o.id, o.status HAVING COUNT(a.id) <> 1
                """
        ) { row in
            "order \(text(row, "id")) is \(text(row, "status")) with \(text(row, "captured")) captured payments (must be exactly 1)"
        },
        Check(
            query: """
                SELECT o.id, o.status, COUNT(l.idempotency_key) AS charges FROM orders o
                JOIN payment_attempts a ON a.order_id = o.id
                JOIN sandbox_ledger l ON l.idempotency_key = a.id AND l.kind = 'charge' AND l.outcome = 'approved'
                GROUP BY o.id, o.status HAVING COUNT(l.idempotency_key) > 1
                """
        ) { row in
            "order \(text(row, "id")) was charged \(text(row, "charges")) times by the provider"
        },
        Check(
            query: """
                SELECT o.id, o.status FROM orders o JOIN payment_attempts a ON a.order_id = o.id AND a.status IN ('captured', 'refunded')
                WHERE o.status = 'pending_payment'
                    OR (o.status = 'cancelled' AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.attempt_id = a.id))
                """
        ) { row in
            "order \(text(row, "id")) is \(text(row, "status")) but holds a captured payment with no refund"
        },
        Check(
            query: """
                SELECT o.id, o.status FROM orders o JOIN payment_attempts a ON a.order_id = o.id AND a.status = 'refunded'
                WHERE NOT EXISTS (SELECT 1 FROM refunds r WHERE r.attempt_id = a.id AND r.status = 'refunded')
                """
        ) { row in
            "order \(text(row, "id")) shows a refunded payment the provider has not refunded"
        },
        Check(
            query:
                "SELECT r.id, o.status FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.status <> 'cancelled'"
        ) { row in
            "refund \(text(row, "id")) belongs to an order that is \(text(row, "status")), not cancelled"
        },
        Check(
            query:
                "SELECT id, quantity, remaining FROM flash_sales WHERE remaining < 0 OR remaining > quantity OR returned < 0"
        ) { row in
            "flash sale \(text(row, "id")): remaining \(text(row, "remaining")) outside 0...\(text(row, "quantity"))"
        },
        Check(
            query: """
                SELECT f.id, f.quantity, f.remaining, f.returned, COALESCE(r.units, 0) AS ordered FROM flash_sales f
                LEFT JOIN (SELECT sale_id, CAST(SUM(quantity) AS BIGINT) AS units FROM reservations
                    WHERE sale_id IS NOT NULL AND state IN ('active', 'converted') GROUP BY sale_id) r ON r.sale_id = f.id
                WHERE COALESCE(r.units, 0) > f.quantity OR f.quantity <> f.remaining + f.returned + COALESCE(r.units, 0)
                """
        ) { row in
            "flash sale \(text(row, "id")): \(text(row, "ordered")) units held or sold by orders + \(text(row, "remaining")) remaining "
                + "+ \(text(row, "returned")) returned to stock ≠ quantity \(text(row, "quantity")) (or sold more than the quantity)"
        },
        Check(
            query: """
                SELECT r.sale_id, o.user_id, CAST(SUM(r.quantity) AS BIGINT) AS units, f.per_customer_limit FROM reservations r
                JOIN orders o ON o.id = r.order_id JOIN flash_sales f ON f.id = r.sale_id
                WHERE r.state IN ('active', 'converted')
                GROUP BY r.sale_id, o.user_id, f.per_customer_limit HAVING SUM(r.quantity) > f.per_customer_limit
                """
        ) { row in
            "flash sale \(text(row, "sale_id")): customer \(text(row, "user_id")) holds \(text(row, "units")) units, over the limit "
                + text(row, "per_customer_limit")
        },
        Check(
            query: """
                SELECT b.sale_id, b.user_id, b.units, COALESCE(h.units, 0) AS ordered FROM flash_sale_buyers b
                LEFT JOIN (SELECT r.sale_id, o.user_id, CAST(SUM(r.quantity) AS BIGINT) AS units FROM reservations r
                    JOIN orders o ON o.id = r.order_id WHERE r.sale_id IS NOT NULL AND r.state IN ('active', 'converted')
                    GROUP BY r.sale_id, o.user_id) h ON h.sale_id = b.sale_id AND h.user_id = b.user_id
                WHERE b.units <> COALESCE(h.units, 0)
                """
        ) { row in
            "flash sale \(text(row, "sale_id")): customer \(text(row, "user_id")) is counted for \(text(row, "units")) units "
                + "but their orders hold \(text(row, "ordered"))"
        },
        Check(
            query: """
                SELECT r.order_id, r.sku, COALESCE(o.status, 'missing') AS status FROM reservations r
                LEFT JOIN orders o ON o.id = r.order_id
                WHERE r.state = 'active' AND (o.id IS NULL OR o.status <> 'pending_payment')
                """
        ) { row in
            "reservation of \(text(row, "sku")) outlives order \(text(row, "order_id")) (\(text(row, "status")))"
        },
        Check(
            query: """
                SELECT i.order_id, i.sku, i.quantity, COALESCE(r.quantity, 0) AS held FROM order_items i
                JOIN orders o ON o.id = i.order_id
                LEFT JOIN reservations r ON r.order_id = i.order_id AND r.sku = i.sku AND r.state = 'active'
                WHERE o.status = 'pending_payment' AND COALESCE(r.quantity, 0) <> i.quantity
                """
        ) { row in
            "unpaid order \(text(row, "order_id")) wants \(text(row, "quantity")) of \(text(row, "sku")) "
                + "but its reservation holds \(text(row, "held"))"
        },
    ]
}
