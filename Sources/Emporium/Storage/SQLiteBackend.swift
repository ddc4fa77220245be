import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite in one file, WAL mode: one writer connection behind a FIFO lock, a few reader connections.
final class SQLiteBackend: DatabaseBackend {
    private let threadPool: NIOThreadPool
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let isClosed = Atomic<Bool>(false)

    private init(threadPool: NIOThreadPool, writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.threadPool = threadPool
        self.writer = writer
        self.readers = readers
    }

    static func open(path: String, readerCount: Int = 3, logger: Logger) async throws -> SQLiteBackend {
        // Own threads, one more than connections, so a blocked statement never starves the writer of a thread.
        let threadPool = NIOThreadPool(numberOfThreads: readerCount + 2)
        threadPool.start()
        var opened: [SQLiteConnection] = []
        do {
            for index in 0...readerCount {
                let connection = try await SQLiteConnection.open(
                    storage: .file(path: path),
                    threadPool: threadPool,
                    logger: logger,
                    on: MultiThreadedEventLoopGroup.singleton.any()
                ).get()
                opened.append(connection)
                let sql = connection.sql()
                if index == 0 {
                    // WAL lets readers run beside the writer. NORMAL: a power cut may lose the last commits,
                    // never corrupt the file; a process crash loses nothing.
                    try await sql.raw("PRAGMA journal_mode=WAL").run()
                    try await sql.raw("PRAGMA synchronous=NORMAL").run()
                }
                // Replaces sqlite-nio's spinning busy handler with a sleeping one.
                try await sql.raw("PRAGMA busy_timeout=10000").run()
                try await sql.raw("PRAGMA foreign_keys=ON").run()
            }
        } catch {
            for connection in opened { try? await connection.close() }
            try? await threadPool.shutdownGracefully()
            throw error
        }
        return SQLiteBackend(threadPool: threadPool, writer: opened[0], readers: Array(opened.dropFirst()))
    }

    func withReader<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await body(readers[index % readers.count].sql())
    }

    func withTransaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            try await writer.sql().inTransaction(begin: "BEGIN IMMEDIATE", body)
        }
    }

    func run() async throws {
        await waitUntilCancelledOrShutdown()
        await close()
    }

    /// Closes through futures, not the async API: that refuses to start in a cancelled task, and closing
    /// happens exactly there, at shutdown.
    func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await writeLock.withLock {
            for connection in readers + [writer] { try? await connection.close().get() }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            threadPool.shutdownGracefully { _ in continuation.resume() }
        }
    }
}
