import SQLKit

/// A cluster consumer's row: its position, and which node holds it until when.
struct ConsumerLease: Sendable {
    let database: Database
    let consumer: String
    let owner: String
    let duration: Duration

    private var durationMillis: Int { Int(duration / .milliseconds(1)) }

    func register() async throws {
        try await database.autocommit { sql in
            try await sql.raw(
                """
                INSERT INTO event_consumers (name, position, owner, lease_until)
                VALUES (\(bind: consumer), 0, '', 0) ON CONFLICT (name) DO NOTHING
                """
            ).run()
        }
    }

    /// Takes or renews the lease; the stored position when this node holds it, nil when another node does.
    func claim() async throws -> Int? {
        let now = Database.nowMillis()
        return try await database.autocommit { sql in
            try await sql.raw(
                """
                UPDATE event_consumers SET owner = \(bind: owner), lease_until = \(bind: now + durationMillis)
                WHERE name = \(bind: consumer) AND (owner = \(bind: owner) OR lease_until < \(bind: now))
                RETURNING position
                """
            ).first()?.decode(column: "position", as: Int.self)
        }
    }

    /// Stores the position if this node still holds the lease.
    func advance(to position: Int) async throws -> Bool {
        try await database.autocommit { sql in try await advance(to: position, in: sql) }
    }

    /// Stores the position inside the caller's transaction, if this node still holds the lease.
    func advance(to position: Int, in sql: any SQLDatabase) async throws -> Bool {
        let now = Database.nowMillis()
        return try await sql.raw(
            """
            UPDATE event_consumers SET position = \(bind: position), lease_until = \(bind: now + durationMillis)
            WHERE name = \(bind: consumer) AND owner = \(bind: owner) RETURNING name
            """
        ).first() != nil
    }

    func park(_ event: OutboxEvent, attempts: Int, error: String) async throws {
        try await database.autocommit { sql in
            try await sql.raw(
                """
                INSERT INTO parked_events (consumer, event_id, attempts, error, parked_at)
                VALUES (\(bind: consumer), \(bind: event.id), \(bind: attempts), \(bind: error), \(bind: Database.nowMillis()))
                ON CONFLICT (consumer, event_id) DO NOTHING
                """
            ).run()
        }
    }
}
