import SQLKit

/// Session consistency: a caller's reads reflect their own writes, on any node.
///
/// A write whose effects reach readers through a cluster consumer (the product's rating, kept by the review
/// aggregator) records, in its own transaction, the event-log position it produced, under the caller and a scope
/// (`product:<id>`). A read by that caller of that scope within `window` first waits, bounded, until the consumer's
/// stored position has passed it, then reads the database rather than the node's caches. Everyone else reads the
/// caches and follows within a second.
public struct SessionPositions: Sendable {
    let database: Database
    /// How long after a write its author's reads bypass the caches: far beyond the consumers' usual lag.
    let window: Duration
    /// How long a read waits for a stalled consumer before answering with what is there.
    let patience: Duration

    static let migrations: [Migration] = [
        Migration(
            "sessions.1",
            [
                """
                CREATE TABLE session_positions (user_id TEXT NOT NULL, scope TEXT NOT NULL, consumer TEXT NOT NULL,
                    position BIGINT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (user_id, scope))
                """
            ])
    ]

    public init(database: Database, window: Duration = .seconds(60), patience: Duration = .seconds(2)) {
        self.database = database
        self.window = window
        self.patience = patience
    }

    /// Records, in the writer's transaction, that `userId`'s reads of `scope` must wait for `consumer` to pass
    /// `position`.
    func record(userId: String, scope: String, consumer: String, position: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO session_positions (user_id, scope, consumer, position, at)
            VALUES (\(bind: userId), \(bind: scope), \(bind: consumer), \(bind: position), \(bind: Database.nowMillis()))
            ON CONFLICT (user_id, scope) DO UPDATE SET consumer = excluded.consumer, position = excluded.position,
                at = excluded.at
            """
        ).run()
    }

    /// Whether `userId` wrote to `scope` within the window; if so, waits (at most `patience`) until the consumer
    /// named with the write has stored a position at or past it. True means: read the database, not a cache.
    public func catchUp(userId: String, scope: String) async throws -> Bool {
        let since = Database.nowMillis() - Int(window / .milliseconds(1))
        let pending = try await database.read { sql in
            try await sql.raw(
                """
                SELECT s.consumer, s.position, COALESCE(c.position, 0) AS applied FROM session_positions s
                LEFT JOIN event_consumers c ON c.name = s.consumer
                WHERE s.user_id = \(bind: userId) AND s.scope = \(bind: scope) AND s.at >= \(bind: since)
                """
            ).first().map {
                (
                    consumer: try $0.decode(column: "consumer", as: String.self),
                    position: try $0.decode(column: "position", as: Int.self),
                    applied: try $0.decode(column: "applied", as: Int.self)
                )
            }
        }
        guard let pending else { return false }
        guard pending.applied < pending.position else { return true }
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            let applied = try await database.read { sql in
                try await sql.raw("SELECT position FROM event_consumers WHERE name = \(bind: pending.consumer)")
                    .first()?.decode(column: "position", as: Int.self) ?? 0
            }
            if applied >= pending.position { return true }
        }
        return true
    }
}
