import Foundation
import SQLKit

/// The SQL of webhooks: endpoints, one delivery row per (endpoint, event) by a unique key, and the attempt log.
struct WebhookStore: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "webhooks.1",
            [
                """
                CREATE TABLE webhook_endpoints (id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL,
                    secret TEXT NOT NULL, enabled BIGINT NOT NULL, from_event BIGINT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE webhook_deliveries (id TEXT PRIMARY KEY, endpoint_id TEXT NOT NULL, event_id BIGINT NOT NULL,
                    event_type TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL,
                    next_attempt_at BIGINT NOT NULL, give_up_at BIGINT NOT NULL, last_response_status BIGINT,
                    last_error TEXT, delivered_at BIGINT, created_at BIGINT NOT NULL, UNIQUE (endpoint_id, event_id))
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, status, next_attempt_at)",
                "CREATE INDEX webhook_deliveries_list ON webhook_deliveries (endpoint_id, id)",
                """
                CREATE TABLE webhook_attempts (delivery_id TEXT NOT NULL, attempt BIGINT NOT NULL, at BIGINT NOT NULL,
                    response_status BIGINT, error TEXT, duration_ms BIGINT NOT NULL, PRIMARY KEY (delivery_id, attempt))
                """,
                "CREATE INDEX webhook_attempts_at ON webhook_attempts (at)",
            ])
    ]

    /// What the sender needs of an endpoint.
    struct Target: Sendable, Equatable {
        let id: String
        let url: String
        let secret: String
    }

    /// What the fan-out needs of an endpoint.
    struct Subscription: Sendable {
        let id: String
        let events: [String]
        let fromEvent: Int
    }

    /// A delivery claimed for sending.
    struct Due: Sendable {
        let id: String
        let eventType: String
        let body: String
        let attempts: Int
        let giveUpAt: Int
    }

    /// One delivery row to write.
    struct NewDelivery: Sendable {
        let endpointId: String
        let eventId: Int
        let eventType: String
        let body: String
    }

    // MARK: Endpoints

    func insertEndpoint(id: String, url: String, events: [String], secret: String, now: Int) async throws
        -> WebhookEndpoint
    {
        try await database.transaction { sql in
            let head =
                try await sql.raw("SELECT COALESCE(MAX(id), 0) AS head FROM events").first()?
                .decode(column: "head", as: Int.self) ?? 0
            try await sql.raw(
                """
                INSERT INTO webhook_endpoints (id, url, events, secret, enabled, from_event, created_at)
                VALUES (\(bind: id), \(bind: url), \(bind: Self.encode(events)), \(bind: secret), 1, \(bind: head), \(bind: now))
                """
            ).run()
        }
        return WebhookEndpoint(
            id: id, url: url, events: events, enabled: true, createdAt: Timestamp.rfc3339(now), secret: secret)
    }

    func endpoints(limit: Int, after: String?) async throws -> (items: [WebhookEndpoint], next: String?) {
        try await database.read { sql in
            var query: SQLQueryString = "SELECT id, url, events, enabled, created_at FROM webhook_endpoints"
            if let after { query = query + " WHERE id > \(bind: after)" }
            let rows = try await sql.raw(query + " ORDER BY id LIMIT \(bind: limit + 1)").all()
            let items = try rows.prefix(limit).map { row in
                WebhookEndpoint(
                    id: try row.decode(column: "id", as: String.self),
                    url: try row.decode(column: "url", as: String.self),
                    events: Self.decode(try row.decode(column: "events", as: String.self)),
                    enabled: try row.decode(column: "enabled", as: Int.self) != 0,
                    createdAt: Timestamp.rfc3339(try row.decode(column: "created_at", as: Int.self)))
            }
            return (items, rows.count > limit ? items.last?.id : nil)
        }
    }

    /// Deletes the endpoint with its deliveries and their log; false when there was none.
    func deleteEndpoint(id: String) async throws -> Bool {
        try await database.transaction { sql in
            try await sql.raw(
                """
                DELETE FROM webhook_attempts WHERE delivery_id IN
                    (SELECT id FROM webhook_deliveries WHERE endpoint_id = \(bind: id))
                """
            ).run()
            try await sql.raw("DELETE FROM webhook_deliveries WHERE endpoint_id = \(bind: id)").run()
            return try await sql.raw("DELETE FROM webhook_endpoints WHERE id = \(bind: id) RETURNING id").first() != nil
        }
    }

    func endpointExists(id: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT id FROM webhook_endpoints WHERE id = \(bind: id)").first() != nil
        }
    }

    func targets() async throws -> [Target] {
        try await database.read { sql in
            try await sql.raw("SELECT id, url, secret FROM webhook_endpoints WHERE enabled = 1 ORDER BY id").all().map {
                Target(
                    id: try $0.decode(column: "id", as: String.self),
                    url: try $0.decode(column: "url", as: String.self),
                    secret: try $0.decode(column: "secret", as: String.self))
            }
        }
    }

    // MARK: Fan-out (inside the consumer's transaction)

    func subscriptions(in sql: any SQLDatabase) async throws -> [Subscription] {
        try await sql.raw("SELECT id, events, from_event FROM webhook_endpoints WHERE enabled = 1").all().map {
            Subscription(
                id: try $0.decode(column: "id", as: String.self),
                events: Self.decode(try $0.decode(column: "events", as: String.self)),
                fromEvent: try $0.decode(column: "from_event", as: Int.self))
        }
    }

    /// Writes the deliveries; one already written for the same endpoint and event is left as it is.
    func insertDeliveries(_ deliveries: [NewDelivery], now: Int, giveUpAt: Int, in sql: any SQLDatabase) async throws {
        for chunk in stride(from: 0, to: deliveries.count, by: 100).map({
            deliveries[$0..<min($0 + 100, deliveries.count)]
        }) {
            let values: [SQLQueryString] = chunk.map { delivery in
                """
                (\(bind: Identifier.make("whd", now: now)), \(bind: delivery.endpointId), \(bind: delivery.eventId),
                 \(bind: delivery.eventType), \(bind: delivery.body), 'pending', 0, \(bind: now), \(bind: giveUpAt), \(bind: now))
                """
            }
            try await sql.raw(
                """
                INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, body, status, attempts,
                    next_attempt_at, give_up_at, created_at)
                VALUES \(values.joined(separator: ", ")) ON CONFLICT (endpoint_id, event_id) DO NOTHING
                """
            ).run()
        }
    }

    // MARK: Sending

    /// Takes up to `limit` of the endpoint's due deliveries, holding each until `until` (so another sender, after a
    /// takeover, sends it only once that has passed).
    func claimDue(endpointId: String, limit: Int, now: Int, until: Int) async throws -> [Due] {
        // Looked for on a reader first: an idle endpoint's poll costs no write transaction.
        let ids = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id FROM webhook_deliveries WHERE endpoint_id = \(bind: endpointId) AND status = 'pending'
                    AND next_attempt_at <= \(bind: now) ORDER BY next_attempt_at, id LIMIT \(bind: limit)
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
        }
        guard !ids.isEmpty else { return [] }
        return try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE webhook_deliveries SET next_attempt_at = \(bind: until)
                WHERE id IN (\(SQLList(ids.map { SQLBind($0) }))) AND status = 'pending' AND next_attempt_at <= \(bind: now)
                    AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = \(bind: endpointId))
                RETURNING id, event_type, body, attempts, give_up_at
                """
            ).all().map {
                Due(
                    id: try $0.decode(column: "id", as: String.self),
                    eventType: try $0.decode(column: "event_type", as: String.self),
                    body: try $0.decode(column: "body", as: String.self),
                    attempts: try $0.decode(column: "attempts", as: Int.self),
                    giveUpAt: try $0.decode(column: "give_up_at", as: Int.self))
            }
        }
    }

    /// What became of one attempt: the delivery's new state, and the attempt's line in the log.
    struct Outcome: Sendable {
        let deliveryId: String
        let at: Int
        let responseStatus: Int?
        let error: String?
        let durationMs: Int
        /// `.delivered`, `.failed` (given up), or `.pending` with the time of the next attempt.
        let status: WebhookDelivery.Status
        let nextAttemptAt: Int
    }

    func record(_ outcomes: [Outcome]) async throws {
        guard !outcomes.isEmpty else { return }
        try await database.transaction { sql in
            for outcome in outcomes {
                // A success counts even if another sender marked it meanwhile; a failure never undoes a success.
                let guardClause: SQLQueryString = outcome.status == .delivered ? "" : " AND status = 'pending'"
                let attempt = try await sql.raw(
                    """
                    UPDATE webhook_deliveries SET status = \(bind: outcome.status.rawValue), attempts = attempts + 1,
                        last_response_status = \(bind: outcome.responseStatus), last_error = \(bind: outcome.error),
                        next_attempt_at = \(bind: outcome.nextAttemptAt),
                        delivered_at = \(bind: outcome.status == .delivered ? outcome.at : nil)
                    WHERE id = \(bind: outcome.deliveryId)
                    """ + guardClause + " RETURNING attempts"
                ).first()?.decode(column: "attempts", as: Int.self)
                guard let attempt else { continue }
                try await sql.raw(
                    """
                    INSERT INTO webhook_attempts (delivery_id, attempt, at, response_status, error, duration_ms)
                    VALUES (\(bind: outcome.deliveryId), \(bind: attempt), \(bind: outcome.at),
                        \(bind: outcome.responseStatus), \(bind: outcome.error), \(bind: outcome.durationMs))
                    ON CONFLICT (delivery_id, attempt) DO NOTHING
                    """
                ).run()
            }
        }
    }

    /// Sends the delivery again now (and retries it for another `retryFor`); false when the endpoint has no such
    /// delivery.
    func redeliver(endpointId: String, deliveryId: String, now: Int, giveUpAt: Int) async throws -> Bool {
        try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = \(bind: now), give_up_at = \(bind: giveUpAt)
                WHERE id = \(bind: deliveryId) AND endpoint_id = \(bind: endpointId) RETURNING id
                """
            ).first() != nil
        }
    }

    /// Forgets attempts older than `before`, and finished deliveries created before it.
    func purge(before: Int) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM webhook_attempts WHERE at < \(bind: before)").run()
            try await sql.raw(
                "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < \(bind: before)"
            ).run()
        }
    }

    static func encode(_ events: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(events)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decode(_ events: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(events.utf8))) ?? []
    }
}
