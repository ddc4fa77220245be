import Foundation
import Logging
import NIOCore
import SQLKit

/// Which SQL engine a store runs on.
public enum DatabaseEngine: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }
}

/// The one handle every module's store uses: reads, and write transactions, on either engine.
///
/// On SQLite every write transaction goes through one writer (`SQLiteWriter`): SQLite allows one writer at a time
/// anyway, and one thread that owns the write connection can group the transactions waiting for it into one
/// commit (one fsync for many), with no lock waits and no busy retries between connections. On PostgreSQL each
/// transaction takes a pooled connection.
public final class Database: Sendable {
    public let engine: DatabaseEngine
    let backend: any DatabaseBackend
    let commitSignal: CommitSignal

    init(engine: DatabaseEngine, backend: any DatabaseBackend) {
        self.engine = engine
        self.backend = backend
        self.commitSignal = CommitSignal()
    }

    /// Runs `body` with a connection for reads that need no transaction.
    public func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let tally = StatementTally()
        defer { account(tally, transaction: false) }
        return try await backend.withReader(tally: tally, body)
    }

    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await write { tally in try await backend.withTransaction(tally: tally, body) }
    }

    /// Runs `body`'s writes without a surrounding transaction: each statement commits on its own. For work where
    /// every statement is whole by itself (one guarded `INSERT ... ON CONFLICT`, an `UPDATE ... WHERE` that checks
    /// its own condition, a read then such a write): on PostgreSQL it saves the BEGIN and COMMIT round trips; on
    /// SQLite it is a transaction on the writer, which commits its transactions in groups anyway.
    public func autocommit<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await write { tally in try await backend.withAutocommit(tally: tally, body) }
    }

    /// Counts a write's statements and, once it committed, wakes the event consumers.
    private func write<T: Sendable>(_ run: (StatementTally) async throws -> T) async throws -> T {
        let tally = StatementTally()
        defer { account(tally, transaction: true) }
        let value = try await run(tally)
        commitSignal.signal()
        return value
    }

    /// Adds a read's or a transaction's statements to the request that ran it, or to `background`.
    private func account(_ tally: StatementTally, transaction: Bool) {
        if let work = RequestDatabaseWork.current {
            work.add(statements: tally.count, transaction: transaction)
        } else {
            RequestDatabaseWork.record(
                engine: engine, operation: "background", statements: tally.count, transactions: transaction ? 1 : 0)
        }
    }

    /// `transaction`, run again (up to `attempts` in all) when PostgreSQL aborted it for a deadlock or a
    /// serialization failure, as happens to two nodes' batches taking the same rows.
    func transaction<T: Sendable>(attempts: Int, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await transaction(body)
            } catch  where attempt < attempts && PostgresBackend.isRetryable(error) {
                attempt += 1
            }
        }
    }

    /// Closes every connection. Idempotent.
    public func close() async {
        await backend.close()
    }

    /// Opens the database the configuration names: PostgreSQL when a URL is given, else SQLite in `dataDirectory`.
    public static func open(
        postgresURL: String?,
        postgresSchema: String? = nil,
        postgresPoolSize: Int = 20,
        sqlitePath: String,
        logger: Logger
    ) async throws -> Database {
        if let postgresURL {
            let backend = try PostgresBackend(
                url: postgresURL, schema: postgresSchema, maxConnections: postgresPoolSize, logger: logger)
            return Database(engine: .postgres, backend: backend)
        }
        let backend = try await SQLiteBackend.open(path: sqlitePath, logger: logger)
        return Database(engine: .sqlite, backend: backend)
    }
}

/// What a backend gives `Database`: one engine's connections and transactions.
protocol DatabaseBackend: Sendable {
    /// `tally` counts the statements `body` runs.
    func withReader<T: Sendable>(tally: StatementTally, _ body: (any SQLDatabase) async throws -> T) async throws -> T
    func withTransaction<T: Sendable>(tally: StatementTally, _ body: (any SQLDatabase) async throws -> T) async throws
        -> T
    /// `body`'s statements each committing on their own (see `Database.autocommit`).
    func withAutocommit<T: Sendable>(tally: StatementTally, _ body: (any SQLDatabase) async throws -> T) async throws
        -> T
    /// Runs until shutdown for engines that need a running client (PostgreSQL's pool).
    func run() async throws
    func close() async
}

extension Database {
    /// Runs the backend's client for the life of the process (PostgreSQL), then closes the connections.
    func run() async throws {
        try await backend.run()
    }

    /// The current time in UTC milliseconds since 1970, the unit of every stored time.
    public static func nowMillis() -> Int {
        Int((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

extension SQLDatabase {
    /// Runs `body` between `begin` and COMMIT on this connection; ROLLBACK when it throws.
    nonisolated(nonsending) func inTransaction<T>(begin: String, _ body: (any SQLDatabase) async throws -> T)
        async throws -> T
    {
        try await control(begin)
        return try await committing(body)
    }

    /// Runs `body` in the transaction this connection has begun, then COMMIT; ROLLBACK when it throws.
    nonisolated(nonsending) func committing<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            let value = try await body(self)
            try await control("COMMIT")
            return value
        } catch {
            try? await control("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in a savepoint: released when it returns, rolled back to when it throws, so only its own work is
    /// undone. Its error is the result's; a failing SAVEPOINT, RELEASE or ROLLBACK TO throws.
    nonisolated(nonsending) func inSavepoint<T>(_ name: String, _ body: () async throws -> T) async throws -> Result<
        T, any Error
    > {
        try await control("SAVEPOINT \(name)")
        let pending = (self as? CountingSQLDatabase)?.pending
        let mark = pending?.mark
        do {
            let value = try await body()
            try await control("RELEASE SAVEPOINT \(name)")
            return .success(value)
        } catch {
            if let pending, let mark { pending.drop(after: mark) }  // what it held goes with its writes
            try await control("ROLLBACK TO SAVEPOINT \(name)")
            try await control("RELEASE SAVEPOINT \(name)")
            return .failure(error)
        }
    }

    /// Runs a transaction-control statement through the future API, which, unlike the async one, still runs in a
    /// cancelled task: a COMMIT or ROLLBACK skipped there would leave the connection inside the transaction.
    func control(_ statement: String) async throws {
        // The direct SQLite driver runs a statement synchronously, cancelled task or not: awaiting its (already
        // completed) future would only cost two thread hops, on the writer's path.
        if let direct = self as? SQLiteDirectDatabase { return try direct.run(statement) }
        let done: EventLoopFuture<Void> = execute(sql: SQLRaw(statement)) { _ in }
        try await done.get()
    }
}

/// The cluster-wide locks of the store, one per job that one node at a time should do (PostgreSQL advisory locks,
/// per schema, so stores sharing a server do not block each other).
enum ClusterLock: Int32, Sendable {
    case migrations = 72_690_001
    case expiry = 72_690_002
}

extension SQLDatabase {
    /// Takes `lock` until this transaction ends, waiting for it. SQLite has one writer: nothing to take.
    func acquire(_ lock: ClusterLock) async throws {
        guard engine == .postgres else { return }
        try await raw("SELECT pg_advisory_xact_lock(\(bind: lock.rawValue), hashtext(current_schema()))").run()
    }

    /// Takes `lock` until this transaction ends if it is free; false when another transaction holds it.
    func tryAcquire(_ lock: ClusterLock) async throws -> Bool {
        guard engine == .postgres else { return true }
        let row = try await raw(
            "SELECT pg_try_advisory_xact_lock(\(bind: lock.rawValue), hashtext(current_schema())) AS locked"
        ).first()
        return try row?.decode(column: "locked", as: Bool.self) == true
    }
}
