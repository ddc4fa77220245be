import Foundation
import SQLKit
import Synchronization

/// One row of the event log: a state change that other modules or nodes react to.
public struct OutboxEvent: Sendable, Equatable {
    public let id: Int
    public let type: String
    public let aggregateId: String
    public let payload: String
    public let createdAt: Int

    /// Decodes the JSON payload.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(payload.utf8))
    }
}

/// The transactional outbox: events are written in the same transaction as the change they describe.
public enum Outbox {
    static let migrations: [Migration] = [
        Migration(
            "outbox.1",
            [
                """
                CREATE TABLE events (id {serial}, type TEXT NOT NULL, aggregate_id TEXT NOT NULL,
                    payload TEXT NOT NULL, created_at BIGINT NOT NULL, txid TEXT)
                """,
                """
                CREATE TABLE event_consumers (name TEXT PRIMARY KEY, position BIGINT NOT NULL,
                    owner TEXT NOT NULL, lease_until BIGINT NOT NULL)
                """,
                """
                CREATE TABLE parked_events (consumer TEXT NOT NULL, event_id BIGINT NOT NULL, attempts BIGINT NOT NULL,
                    error TEXT NOT NULL, parked_at BIGINT NOT NULL, PRIMARY KEY (consumer, event_id))
                """,
            ])
    ]

    /// Appends an event inside the caller's transaction `tx`.
    public static func append(
        _ type: String,
        aggregateId: String,
        payload: some Encodable & Sendable,
        in tx: any SQLDatabase
    ) async throws {
        try await appendAll([(type, aggregateId, payload)], in: tx)
    }

    /// Appends an event inside the caller's transaction `tx` and returns its position in the log (its id), for a
    /// write whose author's next reads wait for it (`SessionPositions`).
    static func appendReturningPosition(
        _ type: String,
        aggregateId: String,
        payload: some Encodable & Sendable,
        in tx: any SQLDatabase
    ) async throws -> Int {
        try await appendAll([(type, aggregateId, payload)], in: tx)
        try await flush(in: tx)
        // The id this connection just took: SQLite's last row id, PostgreSQL's sequence value of this session.
        let last: SQLQueryString =
            switch tx.engine {
            case .sqlite: "SELECT last_insert_rowid() AS id"
            case .postgres: "SELECT currval('events_id_seq') AS id"
            }
        guard let id = try await tx.raw(last).first()?.decode(column: "id", as: Int.self) else {
            throw ConfigurationError("the event log gave no id for \(type)")
        }
        return id
    }

    /// Appends events inside the caller's transaction `tx`, in the order given (one event, or a flash-sale batch's
    /// orders). On PostgreSQL they wait in the transaction's `PendingWrites` and are written at its commit with
    /// every other event it appended, in one statement.
    static func appendAll(
        _ events: [(type: String, aggregateId: String, payload: any Encodable & Sendable)], in tx: any SQLDatabase
    )
        async throws
    {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var encoded: [PendingWrites.Event] = []
        for event in events {
            let json = String(decoding: try encoder.encode(event.payload), as: UTF8.self)
            encoded.append(PendingWrites.Event(type: event.type, aggregateId: event.aggregateId, payload: json))
        }
        if let pending = (tx as? CountingSQLDatabase)?.pending {
            pending.append(encoded)
        } else {
            try await write(encoded, in: tx)
        }
    }

    /// Writes what `tx` holds back (its events, see `appendAll`, and its writes through `atCommit`) in one
    /// statement; called before its COMMIT, and before anything that needs their ids or their rows.
    static func flush(in tx: any SQLDatabase) async throws {
        guard let pending = (tx as? CountingSQLDatabase)?.pending else { return }
        let (events, statements) = pending.take()
        guard !statements.isEmpty else { return try await write(events, in: tx) }
        // PostgreSQL runs every data-modifying statement of a WITH clause once and to the end, whether or not the
        // main statement reads it: the held writes become CTEs of the events' INSERT (or of the last write).
        var ctes = statements.enumerated().map { index, statement -> SQLQueryString in
            "w\(unsafeRaw: String(index)) AS (\(statement))"
        }
        let main: SQLQueryString
        if events.isEmpty {
            main = "\(statements[statements.count - 1])"
            ctes.removeLast()
        } else {
            ctes.append(xidCTE)
            main = insertEvents(events)
        }
        let with: SQLQueryString = ctes.isEmpty ? "" : "WITH \(ctes.joined(separator: ", ")) "
        try await tx.raw(with + main).run()
    }

    /// The transaction's xid, taken before the events' sequence numbers, so that a reader that finds a gap can
    /// tell when every transaction that could still fill it has ended (see EventLog.settle).
    private static let xidCTE: SQLQueryString = "x AS MATERIALIZED (SELECT pg_current_xact_id()::text AS xid)"

    /// PostgreSQL's INSERT of `events`, after `xidCTE`.
    private static func insertEvents(_ events: [PendingWrites.Event]) -> SQLQueryString {
        """
        INSERT INTO events (id, type, aggregate_id, payload, created_at, txid)
        SELECT nextval('events_id_seq'), v.type, v.aggregate_id, v.payload, \(bind: Database.nowMillis()), x.xid
        FROM x, (VALUES \(values(events))) AS v (position, type, aggregate_id, payload)
        ORDER BY v.position::int
        """
    }

    /// The events as VALUES rows: position, type, aggregate id, payload.
    private static func values(_ events: [PendingWrites.Event]) -> SQLQueryString {
        events.enumerated().map { position, event -> SQLQueryString in
            "(\(bind: position), \(bind: event.type), \(bind: event.aggregateId), \(bind: event.payload))"
        }.joined(separator: ", ")
    }

    /// The one INSERT of the event log, for any number of events.
    private static func write(_ events: [PendingWrites.Event], in tx: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        switch tx.engine {
        case .sqlite:
            try await tx.raw(
                """
                INSERT INTO events (type, aggregate_id, payload, created_at)
                SELECT v.column2, v.column3, v.column4, \(bind: Database.nowMillis()) FROM (VALUES \(values(events))) AS v
                ORDER BY v.column1
                """
            ).run()
        case .postgres:
            try await tx.raw("WITH \(xidCTE) " + insertEvents(events)).run()
        }
    }
}

/// Reads the event log in id order without ever skipping an event that is still to commit.
///
/// On PostgreSQL an id is taken before commit, so event 11 can be visible before event 10 commits. A gap
/// is held until every transaction that was writing to this store's event log when it was seen has ended;
/// then it is re-read, and what is still missing was rolled back. Only those writers count, found by their
/// lock on the `events` table: a long transaction elsewhere in the cluster (another store's schema, a
/// report, a migration) does not hold the log back. On SQLite writers are serialized, so ids commit in order.
struct EventLog: Sendable {
    let database: Database
    /// Consumers woken by one commit ask for the same events at once (they stand at the same position): one query
    /// answers them all (on PostgreSQL each is a round trip; a node runs a dozen consumers).
    private let reads = SharedWork<[OutboxEvent]>()
    /// Likewise the consumers that meet one gap: one look at who writes the log, one at whether they are done.
    private let writerReads = SharedWork<[String]>()
    private let settledReads = SharedWork<Bool>()

    init(database: Database) {
        self.database = database
    }

    /// A gap being waited on: the first missing id, and the transactions (xids) that were writing events when it
    /// was seen.
    struct Gap: Equatable {
        var firstMissing: Int
        var writers: [String]
    }

    func head() async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COALESCE(MAX(id), 0) AS head FROM events").first()?
                .decode(column: "head", as: Int.self) ?? 0
        }
    }

    /// The next events after `position` that can be handled in order; empty while waiting on a gap.
    func next(after position: Int, limit: Int, gap: inout Gap?) async throws -> [OutboxEvent] {
        var settledGap: Int?
        for _ in 0..<2 {
            let events = try await fetch(after: position, limit: limit)
            var accepted: [OutboxEvent] = []
            var expected = position + 1
            var needsReread = false
            for event in events {
                if event.id != expected, database.engine == .postgres, settledGap != expected {
                    if accepted.isEmpty, let known = gap, known.firstMissing == expected {
                        if try await isSettled(known.writers) {
                            settledGap = expected
                            needsReread = true
                        }
                    } else if accepted.isEmpty || gap?.firstMissing != expected {
                        gap = Gap(firstMissing: expected, writers: try await writers(missing: expected))
                    }
                    break
                }
                accepted.append(event)
                expected = event.id + 1
            }
            if !needsReread {
                if !accepted.isEmpty, gap.map({ $0.firstMissing <= accepted.last!.id }) == true { gap = nil }
                return accepted
            }
        }
        return []
    }

    private func fetch(after position: Int, limit: Int) async throws -> [OutboxEvent] {
        // Keyed by the commit signal too: a caller woken by a commit joins only a query begun after it.
        let key = "\(position):\(limit):\(database.commitSignal.current)"
        return try await reads.run(key) { [database] in try await Self.query(database, after: position, limit: limit) }
    }

    private static func query(_ database: Database, after position: Int, limit: Int) async throws -> [OutboxEvent] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, type, aggregate_id, payload, created_at FROM events
                WHERE id > \(bind: position) ORDER BY id LIMIT \(bind: limit)
                """
            ).all().map { row in
                OutboxEvent(
                    id: try row.decode(column: "id", as: Int.self),
                    type: try row.decode(column: "type", as: String.self),
                    aggregateId: try row.decode(column: "aggregate_id", as: String.self),
                    payload: try row.decode(column: "payload", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: Int.self)
                )
            }
        }
    }

    /// The xids of the transactions writing to `events` now: a transaction that took an event id takes its xid
    /// first (see `Outbox.appendAll`) and holds its lock on the table until it ends, so whatever fills a gap seen
    /// now is one of them. Consumers that meet the same gap share the look: the gap was there before it began.
    private func writers(missing: Int) async throws -> [String] {
        try await writerReads.run(String(missing)) { [database] in try await Self.writers(database) }
    }

    private static func writers(_ database: Database) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT DISTINCT x.transactionid::text AS xid FROM pg_locks t
                JOIN pg_locks x ON x.pid = t.pid AND x.locktype = 'transactionid' AND x.granted
                WHERE t.locktype = 'relation' AND t.relation = 'events'::regclass AND t.mode = 'RowExclusiveLock'
                    AND t.pid <> pg_backend_pid()
                """
            ).all().map { try $0.decode(column: "xid", as: String.self) }
        }
    }

    /// True once none of `writers` is still running (each holds the lock on its own xid until it ends).
    private func isSettled(_ writers: [String]) async throws -> Bool {
        guard !writers.isEmpty else { return true }
        let key = writers.joined(separator: ",") + ":\(database.commitSignal.current)"
        return try await settledReads.run(key) { [database] in try await Self.isSettled(writers, database) }
    }

    private static func isSettled(_ writers: [String], _ database: Database) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT COUNT(*) AS running FROM pg_locks
                WHERE locktype = 'transactionid' AND transactionid::text IN (\(SQLList(writers.map { SQLBind($0) })))
                """
            ).first()?.decode(column: "running", as: Int.self) == 0
        }
    }
}
