import Foundation
import SQLKit

/// In-app notifications of a customer's orders, produced from the event log by one node of the cluster.
public struct Notifications: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "notifications.1",
            [
                """
                CREATE TABLE notifications (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, type TEXT NOT NULL, order_id TEXT,
                    message TEXT NOT NULL, event_id BIGINT NOT NULL UNIQUE, created_at BIGINT NOT NULL, read_at BIGINT)
                """,
                "CREATE INDEX notifications_user ON notifications (user_id, id)",
            ])
    ]

    public struct Item: Codable, Sendable, Equatable {
        public let id: String
        public let type: String
        public let orderId: String?
        public let message: String
        public let createdAt: String
        public let read: Bool
    }

    static let types = ["order.confirmed", "order.shipped", "order.delivered", "order.cancelled", "order.refunded"]

    /// The cluster consumer: at least once, so the insert is keyed by the event id. A batch of events is one
    /// INSERT (on PostgreSQL one round trip for every order the batch confirmed).
    var consumer: EventConsumer {
        EventConsumer(
            name: "notifications", scope: .cluster, types: Self.types,
            handleBatch: { events in try await insert(events) },
            handle: { event in try await insert([event]) })
    }

    /// Writes the notifications of `events`, skipping those written before; one statement, whole by itself, so
    /// no BEGIN and COMMIT around it.
    private func insert(_ events: [OutboxEvent]) async throws {
        let rows = try events.map { event -> SQLQueryString in
            let order = try event.decode(OrderEvent.self)
            let message = Self.message(event.type, order)
            return """
                (\(bind: Identifier.make("ntf", now: event.createdAt)), \(bind: order.userId), \(bind: event.type),
                \(bind: order.orderId), \(bind: message), \(bind: event.id), \(bind: event.createdAt))
                """
        }
        guard !rows.isEmpty else { return }
        try await database.autocommit { sql in
            try await sql.raw(
                """
                INSERT INTO notifications (id, user_id, type, order_id, message, event_id, created_at)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (event_id) DO NOTHING
                """
            ).run()
        }
    }

    private static func message(_ type: String, _ order: OrderEvent) -> String {
        let total = format(order.total)
        let number = order.orderId.suffix(8).uppercased()
        switch type {
        case "order.confirmed": return "Order \(number) is confirmed: \(total) paid."
        case "order.shipped": return "Order \(number) has shipped."
        case "order.delivered": return "Order \(number) was delivered."
        case "order.cancelled" where order.note == "payment_timeout":
            return "Order \(number) was cancelled: it was not paid in time."
        case "order.cancelled": return "Order \(number) was cancelled."
        default: return "\(total) for order \(number) was refunded."
        }
    }

    /// A page of the user's notifications, newest first.
    public func list(userId: String, limit: Int, cursor: String?) async throws -> (items: [Item], next: String?) {
        try await database.read { sql in
            var query: SQLQueryString =
                "SELECT id, type, order_id, message, created_at, read_at FROM notifications WHERE user_id = \(bind: userId)"
            if let cursor { query = query + " AND id < \(bind: cursor)" }
            query = query + " ORDER BY id DESC LIMIT \(bind: limit + 1)"
            let rows = try await sql.raw(query).all()
            let items = try rows.prefix(limit).map(Self.item)
            return (items, rows.count > limit ? items.last?.id : nil)
        }
    }

    /// Marks the user's notification read (once: a second call keeps the first time); nil when they have none
    /// of that id.
    public func markRead(id: String, userId: String) async throws -> Item? {
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE notifications SET read_at = COALESCE(read_at, \(bind: Database.nowMillis()))
                WHERE id = \(bind: id) AND user_id = \(bind: userId)
                RETURNING id, type, order_id, message, created_at, read_at
                """
            ).first().map(Self.item)
        }
    }

    private static func item(_ row: any SQLRow) throws -> Item {
        Item(
            id: try row.decode(column: "id", as: String.self),
            type: try row.decode(column: "type", as: String.self),
            orderId: try row.decode(column: "order_id", as: String?.self),
            message: try row.decode(column: "message", as: String.self),
            createdAt: Timestamp.rfc3339(try row.decode(column: "created_at", as: Int.self)),
            read: try row.decode(column: "read_at", as: Int?.self) != nil
        )
    }

    static func format(_ money: Money) -> String {
        let sign = money.amount < 0 ? "-" : ""
        let amount = abs(money.amount)
        return "\(sign)\(money.currency) \(amount / 100).\(String(format: "%02d", amount % 100))"
    }
}
