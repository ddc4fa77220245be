import Dispatch
import Logging
import NIOCore
import SQLKit
import SQLiteKit
import Synchronization
import VaporCSQLite

/// One SQLite connection whose statements run synchronously on the calling thread, with prepared statements
/// cached by their SQL text.
///
/// sqlite-nio runs every statement on a thread pool and hands every row back through the event loop: three
/// thread hops per statement, about 150 µs each on this machine, against a few µs for the statement itself.
/// A checkout is ~60 statements on one writer, so those hops, not SQLite, bounded orders per second. Here a
/// statement is a mutex, a cached `sqlite3_stmt`, its binds and its steps. Statements are short (the writer is
/// one connection in WAL mode, so it never waits for a lock held by a reader), so running them on the caller's
/// thread costs less than handing them to another.
final class SQLiteConnectionDirect: Sendable {
    private struct State: ~Copyable {
        var handle: OpaquePointer?
        /// Prepared statements by their SQL text.
        var cache: [String: OpaquePointer] = [:]

        mutating func finalizeCached() {
            for statement in cache.values { sqlite_nio_sqlite3_finalize(statement) }
            cache = [:]
        }
    }

    /// Statements kept prepared; past this the cache is emptied (schema-shaped SQL repeats, so it rarely is).
    private static let cacheLimit = 512
    /// Statements with more binds than this are multi-row ones, whose text changes with their row count.
    private static let cachedBindLimit = 64
    /// How long statements may run back to back on one thread before the caller yields it.
    private static let yieldAfterNanoseconds: UInt64 = 2_000_000
    private let state: Mutex<State>
    private let lastYield = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite_nio_sqlite3_close(handle)
            throw SQLiteFailure(code: status, message: "\(message) (\(path))")
        }
        self.state = Mutex(State(handle: handle))
    }

    /// Runs one statement; `onRow` sees each row after the statement finished and the connection is free again.
    func execute(_ sql: String, _ binds: [SQLiteData], onRow: (SQLiteDirectRow) throws -> Void) throws {
        let rows = try state.withLock { state -> [SQLiteDirectRow] in
            guard let handle = state.handle else {
                throw SQLiteFailure(code: SQLITE_MISUSE, message: "connection closed")
            }
            if binds.count > Self.cachedBindLimit {
                // Multi-row statements differ by their row count: prepared for this run only, not cached.
                let statement = try Self.prepare(sql, handle: handle)
                defer { sqlite_nio_sqlite3_finalize(statement) }
                return try Self.run(statement, binds, handle: handle)
            }
            do {
                return try Self.run(Self.prepared(sql, in: &state, handle: handle), binds, handle: handle)
            } catch let failure as SQLiteFailure where failure.code & 0xff == SQLITE_SCHEMA {
                // Another connection changed the schema since this statement was prepared: prepare it again, once.
                Self.forget(sql, in: &state)
                return try Self.run(Self.prepared(sql, in: &state, handle: handle), binds, handle: handle)
            }
        }
        for row in rows { try onRow(row) }
    }

    private static func run(_ statement: OpaquePointer, _ binds: [SQLiteData], handle: OpaquePointer) throws
        -> [SQLiteDirectRow]
    {
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        try bind(binds, to: statement, handle: handle)
        var rows: [SQLiteDirectRow] = []
        var columns: SQLiteDirectRow.Columns?
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return rows }
            guard status == SQLITE_ROW else {
                // Legacy-prepared statements report the specific error from reset, not from step.
                let specific = sqlite_nio_sqlite3_reset(statement)
                throw SQLiteFailure(code: specific == SQLITE_OK ? status : specific, handle: handle)
            }
            let names = columns ?? SQLiteDirectRow.Columns(statement)
            columns = names
            rows.append(SQLiteDirectRow(columns: names, values: try values(of: statement, count: names.names.count)))
        }
    }

    /// Whether statements have run for a while since this last answered true: time for the caller to yield.
    func hasRunLong() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        let last = lastYield.load(ordering: .relaxed)
        guard now &- last > Self.yieldAfterNanoseconds else { return false }
        lastYield.store(now, ordering: .relaxed)
        return true
    }

    /// Whether a transaction is open (SQLite ends one on its own after some errors: I/O, full disk, out of memory).
    var isInTransaction: Bool {
        state.withLock { state in state.handle.map { sqlite_nio_sqlite3_get_autocommit($0) == 0 } ?? false }
    }

    /// Closes the connection; later statements fail. Idempotent.
    func close() {
        state.withLock { state in
            state.finalizeCached()
            if let handle = state.handle { sqlite_nio_sqlite3_close_v2(handle) }
            state.handle = nil
        }
    }

    deinit {
        close()
    }

    private static func prepared(_ sql: String, in state: inout State, handle: OpaquePointer) throws -> OpaquePointer {
        if let cached = state.cache[sql] { return cached }
        let statement = try prepare(sql, handle: handle)
        if state.cache.count >= cacheLimit { state.finalizeCached() }
        state.cache[sql] = statement
        return statement
    }

    private static func prepare(_ sql: String, handle: OpaquePointer) throws -> OpaquePointer {
        var statement: OpaquePointer?
        // The legacy prepare, on purpose: v2/v3 statements recompile whenever a bound value could change the
        // plan, which SQLite decided was every run for several hot statements (7% of a checkout's CPU). A schema
        // change by another connection surfaces as SQLITE_SCHEMA instead, handled in `execute`.
        let status = sqlite_nio_sqlite3_prepare(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw SQLiteFailure(code: status, handle: handle) }
        return statement
    }

    private static func forget(_ sql: String, in state: inout State) {
        if let statement = state.cache.removeValue(forKey: sql) { sqlite_nio_sqlite3_finalize(statement) }
    }

    private static func bind(_ binds: [SQLiteData], to statement: OpaquePointer, handle: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let integer):
                status = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
            case .float(let double):
                status = sqlite_nio_sqlite3_bind_double(statement, index, double)
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(
                    statement, index, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
            case .blob(let buffer):
                status = buffer.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
                }
            case .null:
                status = sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw SQLiteFailure(code: status, handle: handle) }
        }
    }

    private static func values(of statement: OpaquePointer, count: Int) throws -> [SQLiteData] {
        var values: [SQLiteData] = []
        values.reserveCapacity(count)
        for column in 0..<Int32(count) {
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                values.append(.integer(Int(sqlite_nio_sqlite3_column_int64(statement, column))))
            case SQLITE_FLOAT:
                values.append(.float(sqlite_nio_sqlite3_column_double(statement, column)))
            case SQLITE_TEXT:
                let bytes = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                if let text = sqlite_nio_sqlite3_column_text(statement, column) {
                    values.append(
                        .text(String(decoding: UnsafeBufferPointer(start: text, count: bytes), as: UTF8.self)))
                } else {
                    values.append(.text(""))
                }
            case SQLITE_BLOB:
                let bytes = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                var buffer = ByteBufferAllocator().buffer(capacity: bytes)
                if let blob = sqlite_nio_sqlite3_column_blob(statement, column) {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: blob, count: bytes))
                }
                values.append(.blob(buffer))
            default:
                values.append(.null)
            }
        }
        return values
    }
}

/// SQLite's "copy the bound value now" destructor.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A failed SQLite call: its result code and the connection's message.
struct SQLiteFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(code: Int32, handle: OpaquePointer) {
        self.code = code
        self.message = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "SQLite error \(code)"
    }

    /// Another connection holds the lock (`SQLITE_BUSY` and its extended codes).
    var isBusy: Bool { code & 0xff == SQLITE_BUSY }

    var description: String { "SQLite error \(code): \(message)" }
}

/// The SQLKit face of a `SQLiteConnectionDirect`: SQLite's dialect, binds encoded like sqlite-kit's.
struct SQLiteDirectDatabase: SQLDatabase {
    let connection: SQLiteConnectionDirect
    let logger: Logger
    let eventLoop: any EventLoop
    /// Counts the statements run through this face (not transaction control).
    var tally: StatementTally?

    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
        // Statements don't suspend, so a long run of them (seeding, a big batch) would keep this thread from
        // every other task: give it back now and then.
        if connection.hasRunLong() { await Task.yield() }
    }

    /// Runs a statement without binds or rows (transaction control).
    func run(_ statement: String) throws {
        try connection.execute(statement, []) { _ in }
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        tally?.add()
        let (sql, binds) = serialize(query)
        let encoder = SQLiteDataEncoder()
        try connection.execute(sql, try binds.map { try encoder.encode($0) }) { onRow($0) }
    }
}
