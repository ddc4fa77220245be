import Logging
import NIOCore
import NIOPosix
import SQLKit
import Synchronization

/// SQLite in one file, WAL mode: one writer connection behind a FIFO lock, a few reader connections.
///
/// Statements run synchronously on the calling thread (`SQLiteConnectionDirect`), not on sqlite-nio's thread
/// pool: a write transaction of 60 statements costs a few hundred microseconds instead of ~10 ms of thread hops.
final class SQLiteBackend: DatabaseBackend {
    private let writer: SQLiteConnectionDirect
    private let readers: [SQLiteConnectionDirect]
    private let logger: Logger
    private let eventLoop: any EventLoop
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let isClosed = Atomic<Bool>(false)

    private init(writer: SQLiteConnectionDirect, readers: [SQLiteConnectionDirect], logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.logger = logger
        self.eventLoop = MultiThreadedEventLoopGroup.singleton.any()
    }

    static func open(path: String, readerCount: Int = 3, logger: Logger) async throws -> SQLiteBackend {
        var opened: [SQLiteConnectionDirect] = []
        do {
            for index in 0...readerCount {
                let connection = try SQLiteConnectionDirect(path: path)
                opened.append(connection)
                if index == 0 {
                    // WAL lets readers run beside the writer. NORMAL: a power cut may lose the last commits,
                    // never corrupt the file; a process crash loses nothing.
                    try connection.execute("PRAGMA journal_mode=WAL", []) { _ in }
                    try connection.execute("PRAGMA synchronous=NORMAL", []) { _ in }
                }
                // A reader waits (rarely: WAL readers block only on recovery) inside SQLite; the writer never
                // does, since that would hold a thread the lock holder may need: `begin()` waits asleep instead.
                try connection.execute("PRAGMA busy_timeout=\(index == 0 ? 0 : 1000)", []) { _ in }
                try connection.execute("PRAGMA foreign_keys=ON", []) { _ in }
                // Pages from memory, not copied out of the OS cache by read(2) for every miss.
                try connection.execute("PRAGMA mmap_size=268435456", []) { _ in }
                try connection.execute("PRAGMA cache_size=-32768", []) { _ in }
            }
        } catch {
            for connection in opened { connection.close() }
            throw error
        }
        return SQLiteBackend(writer: opened[0], readers: Array(opened.dropFirst()), logger: logger)
    }

    func withReader<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await body(database(readers[index % readers.count]))
    }

    func withTransaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            try await begin()
            return try await database(writer).committing(body)
        }
    }

    /// `BEGIN IMMEDIATE`, waiting asleep while another process or node holds SQLite's write lock.
    private func begin() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                try writer.execute("BEGIN IMMEDIATE", []) { _ in }
                return
            } catch let failure as SQLiteFailure where failure.isBusy && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    private func database(_ connection: SQLiteConnectionDirect) -> any SQLDatabase {
        SQLiteDirectDatabase(connection: connection, logger: logger, eventLoop: eventLoop)
    }

    func run() async throws {
        await waitUntilCancelledOrShutdown()
        await close()
    }

    func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await writeLock.withLock {
            for connection in readers + [writer] { connection.close() }
        }
    }
}
