import Foundation
import SQLKit

/// The SQL of orders: the order row, its items (prices snapshotted at checkout) and its status history.
struct OrderStore: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "orders.1",
            [
                """
                CREATE TABLE orders (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL,
                    subtotal_amount BIGINT NOT NULL, shipping_amount BIGINT NOT NULL, total_amount BIGINT NOT NULL,
                    shipping_address TEXT NOT NULL, reservation_expires_at BIGINT NOT NULL, payment_lock TEXT,
                    carrier TEXT, tracking_number TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX orders_user ON orders (user_id, id)",
                "CREATE INDEX orders_status ON orders (status, reservation_expires_at)",
                """
                CREATE TABLE order_items (order_id TEXT NOT NULL REFERENCES orders (id), position BIGINT NOT NULL,
                    sku TEXT NOT NULL, product_id TEXT NOT NULL, title TEXT NOT NULL, quantity BIGINT NOT NULL,
                    unit_amount BIGINT NOT NULL, PRIMARY KEY (order_id, position))
                """,
                """
                CREATE TABLE order_history (order_id TEXT NOT NULL REFERENCES orders (id), seq BIGINT NOT NULL,
                    status TEXT NOT NULL, note TEXT, at BIGINT NOT NULL, PRIMARY KEY (order_id, seq))
                """,
            ]),
        // The dashboard's sales by day read this index alone: one range of a period per paid status, with the totals.
        // (Led by created_at, SQLite without statistics preferred orders_status and read every row: 337 ms on 100,000.)
        // The admin's newest orders of a status (those waiting to ship) come off orders_by_status without a sort.
        Migration(
            "orders.2",
            [
                "CREATE INDEX orders_paid_by_day ON orders (status, created_at, total_amount)",
                "CREATE INDEX orders_by_status ON orders (status, id)",
            ]),
    ]

    struct Row: Sendable {
        let id: String
        let userId: String
        let status: String
        let currency: String
        let subtotalAmount: Int
        let shippingAmount: Int
        let totalAmount: Int
        let shippingAddress: String
        let reservationExpiresAt: Int
        let paymentLock: String?
        let carrier: String?
        let trackingNumber: String?
        let createdAt: Int

        var orderStatus: OrderStatus { OrderStatus(rawValue: status) ?? .cancelled }
    }

    static let columns = """
        id, user_id, status, currency, subtotal_amount, shipping_amount, total_amount, shipping_address,
        reservation_expires_at, payment_lock, carrier, tracking_number, created_at
        """

    /// How many orders are in each status (from the status index).
    func countsByStatus(in sql: any SQLDatabase) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM orders GROUP BY status").all() {
            counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    func insert(_ row: Row, items: [OrderItem], in sql: any SQLDatabase) async throws {
        try await Self.insertNew([(row, items)], in: sql)
    }

    /// New `pending_payment` orders with their items and first history entry: three statements for all of them
    /// (one checkout, or a flash-sale batch).
    static func insertNew(_ orders: [(row: Row, items: [OrderItem])], in sql: any SQLDatabase) async throws {
        guard !orders.isEmpty else { return }
        let rows = orders.map { order -> SQLQueryString in
            let row = order.row
            return """
                (\(bind: row.id), \(bind: row.userId), \(bind: row.status), \(bind: row.currency), \(bind: row.subtotalAmount),
                \(bind: row.shippingAmount), \(bind: row.totalAmount), \(bind: row.shippingAddress),
                \(bind: row.reservationExpiresAt), \(bind: row.createdAt), \(bind: row.createdAt))
                """
        }
        try await sql.raw(
            """
            INSERT INTO orders (id, user_id, status, currency, subtotal_amount, shipping_amount, total_amount,
                shipping_address, reservation_expires_at, created_at, updated_at)
            VALUES \(rows.joined(separator: ", "))
            """
        ).run()
        let items = orders.flatMap { order in
            order.items.enumerated().map { position, item -> SQLQueryString in
                "(\(bind: order.row.id), \(bind: position), \(bind: item.sku), \(bind: item.productId), \(bind: item.title), \(bind: item.quantity), \(bind: item.unitPrice.amount))"
            }
        }
        try await sql.raw(
            "INSERT INTO order_items (order_id, position, sku, product_id, title, quantity, unit_amount) VALUES \(items.joined(separator: ", "))"
        ).run()
        let history = orders.map { order -> SQLQueryString in
            "(\(bind: order.row.id), 1, \(bind: OrderStatus.pendingPayment.rawValue), NULL, \(bind: order.row.createdAt))"
        }
        try await sql.raw(
            "INSERT INTO order_history (order_id, seq, status, note, at) VALUES \(history.joined(separator: ", "))"
        ).run()
    }

    func row(id: String, in sql: any SQLDatabase) async throws -> Row? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM orders WHERE id = \(bind: id)")
            .first().map(Row.init)
    }

    /// The full order as `sql` sees it now (inside a transaction: with its own changes), or nil.
    func order(id: String, in sql: any SQLDatabase) async throws -> Order? {
        guard let row = try await row(id: id, in: sql) else { return nil }
        return try await orders([row], in: sql).first
    }

    /// Moves the order from one of `from` to `to` if it is still there (and, with `unpaying`, no payment holds
    /// it; with `unlocking`, only while that payment attempt holds it, and the lock is given back), in one guarded
    /// UPDATE; the row as it is after the move, or nil.
    func transition(
        id: String,
        from: [OrderStatus],
        to: OrderStatus,
        note: String?,
        unpaying: Bool = false,
        unlocking attemptId: String? = nil,
        in sql: any SQLDatabase
    ) async throws -> Row? {
        let now = Database.nowMillis()
        guard
            let moved = try await sql.raw(
                Self.transition(id: id, from: from, to: to, unpaying: unpaying, unlocking: attemptId, now: now)
            ).first().map(Row.init)
        else { return nil }
        try await appendHistory(orderId: id, status: to, note: note, at: now, in: sql)
        return moved
    }

    /// The guarded UPDATE of `transition` (the rule "only these transitions"), which a PostgreSQL capture also runs
    /// inside the statement that settles its payment; `also` adds a condition.
    static func transition(
        id: String, from: [OrderStatus], to: OrderStatus, unpaying: Bool = false, unlocking attemptId: String? = nil,
        now: Int, also: SQLQueryString = ""
    ) -> SQLQueryString {
        var payment: SQLQueryString = unpaying ? " AND payment_lock IS NULL" : ""
        var unlock: SQLQueryString = ""
        if let attemptId {
            payment = " AND payment_lock = \(bind: attemptId)"
            unlock = ", payment_lock = NULL"
        }
        return """
            UPDATE orders SET status = \(bind: to.rawValue), updated_at = \(bind: now)\(unlock)
            WHERE id = \(bind: id) AND status IN (\(binds: from.map(\.rawValue)))\(payment)\(also)
            RETURNING \(unsafeRaw: Self.columns)
            """
    }

    /// Takes the order's payment lock for `attemptId` if the order is `userId`'s, unpaid, unlocked and its
    /// reservation still runs at `now`, in one guarded UPDATE; the locked row, or nil (`row(id:)` then says why).
    func lockPayment(orderId: String, userId: String, attemptId: String, now: Int, in sql: any SQLDatabase)
        async throws -> Row?
    {
        try await sql.raw(Self.lockPayment(orderId: orderId, userId: userId, attemptId: attemptId, now: now))
            .first().map(Row.init)
    }

    /// The guarded UPDATE of `lockPayment`, which PostgreSQL also runs inside a statement that records the attempt.
    static func lockPayment(orderId: String, userId: String, attemptId: String, now: Int) -> SQLQueryString {
        """
        UPDATE orders SET payment_lock = \(bind: attemptId)
        WHERE id = \(bind: orderId) AND user_id = \(bind: userId) AND status = 'pending_payment'
            AND payment_lock IS NULL AND reservation_expires_at > \(bind: now)
        RETURNING \(unsafeRaw: columns)
        """
    }

    /// Gives the order's payment lock back, if this attempt still holds it.
    func unlockPayment(orderId: String, attemptId: String, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "UPDATE orders SET payment_lock = NULL WHERE id = \(bind: orderId) AND payment_lock = \(bind: attemptId)"
        ).run()
    }

    /// True when the system cancelled the order because its reservation ran out unpaid.
    func expiredByTimeout(orderId: String, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            "SELECT 1 AS one FROM order_history WHERE order_id = \(bind: orderId) AND note = 'payment_timeout'"
        ).first() != nil
    }

    /// Unpaid orders whose reservation has run out at `now`, oldest first.
    func expiredIds(now: Int, limit: Int, in sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw(
            """
            SELECT id FROM orders WHERE status = 'pending_payment' AND payment_lock IS NULL
                AND reservation_expires_at <= \(bind: now)
            ORDER BY reservation_expires_at LIMIT \(bind: limit)
            """
        ).all().map { try $0.decode(column: "id", as: String.self) }
    }

    func setShipment(id: String, carrier: String, trackingNumber: String, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "UPDATE orders SET carrier = \(bind: carrier), tracking_number = \(bind: trackingNumber) WHERE id = \(bind: id)"
        ).run()
    }

    func appendHistory(orderId: String, status: OrderStatus, note: String?, at: Int, in sql: any SQLDatabase)
        async throws
    {
        try await sql.raw(
            """
            INSERT INTO order_history (order_id, seq, status, note, at)
            SELECT \(bind: orderId), COALESCE(MAX(seq), 0) + 1, \(bind: status.rawValue), \(bind: note), \(bind: at)
            FROM order_history WHERE order_id = \(bind: orderId)
            """
        ).run()
    }

    /// Orders newest first, after `cursor` (an order id), of one user or (admin) of everyone, optionally by status.
    func list(userId: String?, status: OrderStatus?, limit: Int, before cursor: String?, in sql: any SQLDatabase)
        async throws -> [Row]
    {
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM orders WHERE 1 = 1"
        if let userId { query = query + " AND user_id = \(bind: userId)" }
        if let status { query = query + " AND status = \(bind: status.rawValue)" }
        if let cursor { query = query + " AND id < \(bind: cursor)" }
        query = query + " ORDER BY id DESC LIMIT \(bind: limit)"
        return try await sql.raw(query).all().map(Row.init)
    }
}

extension OrderStore.Row {
    /// Column by column: through `Decodable` and `convertFromSnakeCase`, decoding this row was a tenth of the SQLite
    /// writer's time (payment and capture read it in their transactions).
    init(_ row: any SQLRow) throws {
        self.init(
            id: try row.decode(column: "id", as: String.self),
            userId: try row.decode(column: "user_id", as: String.self),
            status: try row.decode(column: "status", as: String.self),
            currency: try row.decode(column: "currency", as: String.self),
            subtotalAmount: try row.decode(column: "subtotal_amount", as: Int.self),
            shippingAmount: try row.decode(column: "shipping_amount", as: Int.self),
            totalAmount: try row.decode(column: "total_amount", as: Int.self),
            shippingAddress: try row.decode(column: "shipping_address", as: String.self),
            reservationExpiresAt: try row.decode(column: "reservation_expires_at", as: Int.self),
            paymentLock: try row.decode(column: "payment_lock", as: String?.self),
            carrier: try row.decode(column: "carrier", as: String?.self),
            trackingNumber: try row.decode(column: "tracking_number", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int.self)
        )
    }
}

extension OrderStore {
    func hasBought(userId: String, productId: String, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            SELECT 1 AS found FROM orders o JOIN order_items i ON i.order_id = o.id
            WHERE o.user_id = \(bind: userId) AND i.product_id = \(bind: productId)
                AND o.status IN ('confirmed', 'shipped', 'delivered')
            LIMIT 1
            """
        ).first() != nil
    }
}
