import Foundation
import SQLKit

/// The SQL of payments: one row per attempt (written before the provider is called) and one per refund.
struct PaymentStore: OrderRefunds {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "payments.1",
            [
                """
                CREATE TABLE payment_attempts (id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (id),
                    status TEXT NOT NULL, amount BIGINT NOT NULL, currency TEXT NOT NULL, brand TEXT NOT NULL,
                    last4 TEXT NOT NULL, provider_ref TEXT, decline_code TEXT, created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX payment_attempts_order ON payment_attempts (order_id)",
                "CREATE INDEX payment_attempts_status ON payment_attempts (status)",
                """
                CREATE TABLE refunds (id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (id),
                    attempt_id TEXT NOT NULL REFERENCES payment_attempts (id), amount BIGINT NOT NULL, currency TEXT NOT NULL,
                    status TEXT NOT NULL, provider_ref TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX refunds_status ON refunds (status)",
            ])
    ]

    /// Attempt states: `started` (provider being called), `unknown` (no answer), then `captured`, `declined` or `failed`.
    struct Attempt: Decodable, Sendable {
        let id: String
        let orderId: String
        let status: String
        let amount: Int
        let currency: String
        let providerRef: String?
        let createdAt: Int
    }

    func insertAttempt(id: String, orderId: String, amount: Money, card: Card, in sql: any SQLDatabase)
        async throws
    {
        let now = Database.nowMillis()
        try await sql.raw(
            """
            INSERT INTO payment_attempts (id, order_id, status, amount, currency, brand, last4, created_at, updated_at)
            VALUES (\(bind: id), \(bind: orderId), 'started', \(bind: amount.amount), \(bind: amount.currency),
                \(bind: card.brand), \(bind: card.last4), \(bind: now), \(bind: now))
            """
        ).run()
    }

    /// PostgreSQL: takes the order's payment lock (`lock`, the guarded UPDATE of `OrderStore.lockPayment`) and
    /// records its `started` attempt in one statement, so in one round trip and atomically without a transaction.
    /// The amount charged, or nil when the lock was not taken (and nothing was written).
    func lockAndInsertAttempt(id: String, lock: SQLQueryString, card: Card, in sql: any SQLDatabase) async throws
        -> Money?
    {
        let now = Database.nowMillis()
        return try await sql.raw(
            """
            WITH locked AS (\(lock))
            INSERT INTO payment_attempts (id, order_id, status, amount, currency, brand, last4, created_at, updated_at)
            SELECT \(bind: id), locked.id, 'started', locked.total_amount, locked.currency, \(bind: card.brand),
                \(bind: card.last4), \(bind: now), \(bind: now)
            FROM locked
            RETURNING amount, currency
            """
        ).first(decoding: Money.self)
    }

    func attempt(id: String, in sql: any SQLDatabase) async throws -> Attempt? {
        try await sql.raw(
            "SELECT id, order_id, status, amount, currency, provider_ref, created_at FROM payment_attempts WHERE id = \(bind: id)"
        ).first(decoding: Attempt.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Moves an open attempt (`started` or `unknown`) to `status`; the attempt as an order shows it, or nil when it was settled already.
    @discardableResult
    func settle(
        attemptId: String,
        status: String,
        providerRef: String? = nil,
        declineCode: String? = nil,
        in sql: any SQLDatabase
    ) async throws -> PaymentSummary? {
        try await sql.raw(
            Self.settle(attemptId: attemptId, status: status, providerRef: providerRef, declineCode: declineCode)
        ).first(decoding: PaymentSummary.self)
    }

    /// The guarded UPDATE of `settle` (the rule "an attempt is settled once"), which a PostgreSQL capture runs
    /// inside the statement that confirms its order.
    static func settle(attemptId: String, status: String, providerRef: String? = nil, declineCode: String? = nil)
        -> SQLQueryString
    {
        """
        UPDATE payment_attempts SET status = \(bind: status), provider_ref = \(bind: providerRef),
            decline_code = \(bind: declineCode), updated_at = \(bind: Database.nowMillis())
        WHERE id = \(bind: attemptId) AND status IN ('started', 'unknown') RETURNING id, status, last4, brand
        """
    }

    /// Attempts still open at `staleBefore`: `unknown` ones, and `started` ones (a node died while calling the provider).
    func unsettled(staleBefore: Int, limit: Int, in sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw(
            """
            SELECT id FROM payment_attempts
            WHERE status IN ('unknown', 'started') AND updated_at < \(bind: staleBefore)
            ORDER BY created_at LIMIT \(bind: limit)
            """
        ).all().map { try $0.decode(column: "id", as: String.self) }
    }

    /// The payment each order shows: its captured attempt, else its latest one.
    func summaries(orderIds: [String], in sql: any SQLDatabase) async throws -> [String: PaymentSummary] {
        var summaries: [String: PaymentSummary] = [:]
        let rows = try await sql.raw(
            """
            SELECT order_id, id, status, last4, brand FROM payment_attempts WHERE order_id IN (\(binds: orderIds))
            ORDER BY order_id, created_at, id
            """
        ).all()
        for row in rows {
            let orderId = try row.decode(column: "order_id", as: String.self)
            let status = try row.decode(column: "status", as: String.self)
            if summaries[orderId]?.status == "captured" || summaries[orderId]?.status == "refunded" { continue }
            summaries[orderId] = PaymentSummary(
                id: try row.decode(column: "id", as: String.self),
                status: status,
                last4: try row.decode(column: "last4", as: String.self),
                brand: try row.decode(column: "brand", as: String.self)
            )
        }
        return summaries
    }

    func insertRefund(id: String, orderId: String, attempt: Attempt, in sql: any SQLDatabase) async throws {
        let now = Database.nowMillis()
        try await sql.raw(
            """
            INSERT INTO refunds (id, order_id, attempt_id, amount, currency, status, created_at, updated_at)
            VALUES (\(bind: id), \(bind: orderId), \(bind: attempt.id), \(bind: attempt.amount), \(bind: attempt.currency),
                'pending', \(bind: now), \(bind: now))
            """
        ).run()
    }

    func capturedAttempt(orderId: String, in sql: any SQLDatabase) async throws -> Attempt? {
        try await sql.raw(
            """
            SELECT id, order_id, status, amount, currency, provider_ref, created_at FROM payment_attempts
            WHERE order_id = \(bind: orderId) AND status = 'captured'
            """
        ).first(decoding: Attempt.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    struct PendingRefund: Decodable, Sendable {
        let id: String
        let orderId: String
        let attemptId: String
        let amount: Int
        let currency: String
    }

    func pendingRefunds(limit: Int, in sql: any SQLDatabase) async throws -> [PendingRefund] {
        try await sql.raw(
            "SELECT id, order_id, attempt_id, amount, currency FROM refunds WHERE status = 'pending' ORDER BY created_at LIMIT \(bind: limit)"
        ).all(decoding: PendingRefund.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// The pending refunds of one order (none, or one: an order is paid once).
    func pendingRefunds(orderId: String, in sql: any SQLDatabase) async throws -> [PendingRefund] {
        try await sql.raw(
            """
            SELECT id, order_id, attempt_id, amount, currency FROM refunds
            WHERE order_id = \(bind: orderId) AND status = 'pending' ORDER BY created_at
            """
        ).all(decoding: PendingRefund.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// A `started` attempt whose provider call timed out: `unknown` until the provider is asked.
    func markUnknown(attemptId: String, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE payment_attempts SET status = 'unknown', updated_at = \(bind: Database.nowMillis())
            WHERE id = \(bind: attemptId) AND status = 'started'
            """
        ).run()
    }

    /// The provider confirmed the refund: it and its attempt are `refunded`. False if it was settled already.
    func markRefunded(_ refund: PendingRefund, providerRef: String, in sql: any SQLDatabase) async throws -> Bool {
        let now = Database.nowMillis()
        let done = try await sql.raw(
            """
            UPDATE refunds SET status = 'refunded', provider_ref = \(bind: providerRef), updated_at = \(bind: now)
            WHERE id = \(bind: refund.id) AND status = 'pending' RETURNING id
            """
        ).first()
        guard done != nil else { return false }
        try await sql.raw(
            "UPDATE payment_attempts SET status = 'refunded', updated_at = \(bind: now) WHERE id = \(bind: refund.attemptId)"
        ).run()
        return true
    }

    /// The refund of the order's captured payment, `pending` until the provider confirms it; nothing for an order
    /// that was never captured.
    func issueRefund(orderId: String, in sql: any SQLDatabase) async throws {
        guard let attempt = try await capturedAttempt(orderId: orderId, in: sql) else { return }
        try await insertRefund(id: Identifier.make("rf"), orderId: orderId, attempt: attempt, in: sql)
    }
}
