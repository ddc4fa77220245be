import DequeModule
import Metrics
import SQLKit
import Synchronization
import VaporCSQLite

/// The one SQLite writer, with group commit: write transactions queue here, and one task runs the queued ones back
/// to back, each in its own savepoint, under a single `BEGIN IMMEDIATE` ... `COMMIT`.
///
/// SQLite has one writer, so write transactions run one at a time whatever we do. Behind a lock, each one paid for
/// its own BEGIN and COMMIT, and the lock sat idle between holders while the next waiter's task was scheduled.
/// Here the writer task never waits for a scheduler between transactions, and a batch commits once. Callers see
/// nothing of it: `perform` returns after the COMMIT that made its work durable, with its body's value or error,
/// and a body that throws is rolled back to its savepoint, so only its own work is undone.
final class SQLiteWriter: Sendable {
    private struct State: ~Copyable {
        var queue: Deque<WriteJob> = []
        var draining = false
        var closed = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// The writer task's own thread: it runs without waiting for the cooperative pool, nor holding one of its threads.
    private let executor = DedicatedThreadExecutor(name: "sqlite-writer")
    private let connection: SQLiteConnectionDirect
    private let database: SQLiteDirectDatabase
    /// The most transactions one COMMIT takes: a batch holds its callers until its end.
    let maxBatch: Int
    /// Transactions over commits is the mean group size.
    private let transactions: Counter
    private let commits: Counter
    /// Time the writer spent running batches: its busy share of the wall clock says how close SQLite's one writer
    /// is to being the bottleneck.
    private let busySeconds: FloatingPointCounter

    init(connection: SQLiteConnectionDirect, database: SQLiteDirectDatabase, maxBatch: Int = 64) {
        self.connection = connection
        self.database = database
        self.maxBatch = maxBatch
        // The database opens before the routes: the metrics backend must be in place before these are made.
        _ = MetricsRegistry.shared
        self.transactions = Counter(label: "emporium_sqlite_transactions_total")
        self.commits = Counter(label: "emporium_sqlite_commits_total")
        self.busySeconds = FloatingPointCounter(label: "emporium_sqlite_writer_busy_seconds_total")
    }

    /// Runs `body` in a write transaction: returns its value once committed; throws its error, its work undone.
    func perform<T: Sendable>(tally: StatementTally? = nil, _ body: (any SQLDatabase) async throws -> T) async throws
        -> T
    {
        // The writer task runs `body` while this call waits for it, and lets go of it before answering, so `body`
        // does not really escape (withoutActuallyEscaping checks that).
        try await withoutActuallyEscaping(body) { body in
            let outcome = OutcomeBox<T>()
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = WriteJob(
                    run: { database in
                        do {
                            var counted = database
                            if let tally, var direct = database as? SQLiteDirectDatabase {
                                direct.tally = tally
                                counted = direct
                            }
                            outcome.value = .success(try await body(counted))
                            return true
                        } catch {
                            outcome.value = .failure(error)
                            return false
                        }
                    },
                    complete: { failure in
                        if let failure {
                            continuation.resume(throwing: failure)
                        } else {
                            continuation.resume(with: outcome.value ?? .failure(SQLiteWriterError.notRun))
                        }
                    }
                )
                submit(job)
            }
        }
    }

    /// Stops taking transactions, and returns once the queued ones have run.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                state.closed = true
                guard state.draining else { return true }
                state.closeWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        executor.shutdown()
    }

    deinit {
        executor.shutdown()
    }

    private func submit(_ job: WriteJob) {
        enum Next { case refuse, start, queued }
        let next = state.withLock { state -> Next in
            if state.closed { return .refuse }
            state.queue.append(job)
            guard !state.draining else { return .queued }
            state.draining = true
            return .start
        }
        switch next {
        case .refuse: job.finish(SQLiteWriterError.closed)
        case .start: Task(executorPreference: executor) { await self.drain() }
        case .queued: break
        }
    }

    private func drain() async {
        while true {
            let (batch, waiters) = state.withLock { state -> ([WriteJob], [CheckedContinuation<Void, Never>]) in
                let batch = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(batch.count)
                guard batch.isEmpty else { return (batch, []) }
                state.draining = false
                defer { state.closeWaiters = [] }
                return ([], state.closeWaiters)
            }
            if batch.isEmpty {
                for waiter in waiters { waiter.resume() }
                return
            }
            let started = ContinuousClock.now
            await run(batch)
            busySeconds.increment(by: (ContinuousClock.now - started) / .seconds(1))
        }
    }

    private func run(_ batch: [WriteJob]) async {
        do {
            try await begin()
        } catch {
            for job in batch { job.finish(error) }
            return
        }
        var failure: (any Error)?
        if batch.count == 1 {
            // Alone in its batch: no savepoint needed; its own error rolls back the transaction.
            if await !batch[0].execute(database) {
                try? database.run("ROLLBACK")
                transactions.increment()
                batch[0].finish(nil)
                return
            }
        } else {
            for job in batch {
                do {
                    // A body that throws is rolled back to its savepoint; its error waits in its outcome.
                    _ = try await database.inSavepoint("job") {
                        if await !job.execute(database) { throw SQLiteWriterError.bodyThrew }
                    }
                    // An I/O error, a full disk or lack of memory ends the whole transaction inside SQLite.
                    guard connection.isInTransaction else { throw SQLiteWriterError.rolledBack }
                } catch {
                    failure = error
                    break
                }
            }
        }
        if failure == nil {
            do {
                try database.run("COMMIT")
            } catch {
                failure = error
            }
        }
        if failure != nil, connection.isInTransaction { try? database.run("ROLLBACK") }
        transactions.increment(by: batch.count)
        if failure == nil { commits.increment() }
        for job in batch { job.finish(failure) }
    }

    /// `BEGIN IMMEDIATE`, waiting asleep while another process or node holds SQLite's write lock.
    private func begin() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                try database.run("BEGIN IMMEDIATE")
                return
            } catch let failure as SQLiteFailure where failure.isBusy && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }
}

enum SQLiteWriterError: Error, CustomStringConvertible {
    case closed
    case rolledBack
    case notRun
    /// Inside the writer only: the body threw, and its own error is what its caller gets.
    case bodyThrew

    var description: String {
        switch self {
        case .closed: "the database is closed"
        case .rolledBack:
            "SQLite rolled the transaction back (I/O error, full disk or out of memory); nothing was written"
        case .notRun: "the transaction did not run"
        case .bodyThrew: "the transaction's body threw"
        }
    }
}

/// One queued transaction. Only the writer task touches it between `submit` and `finish`.
private final class WriteJob: @unchecked Sendable {
    /// The caller's body, held only until it has run (its caller's `withoutActuallyEscaping` checks it was let go).
    private var run: ((any SQLDatabase) async -> Bool)?
    private let complete: ((any Error)?) -> Void

    init(run: @escaping (any SQLDatabase) async -> Bool, complete: @escaping ((any Error)?) -> Void) {
        self.run = run
        self.complete = complete
    }

    /// Runs the body once; true when it returned, false when it threw (its error is kept for `finish`).
    func execute(_ database: any SQLDatabase) async -> Bool {
        guard let body = run else { return false }
        run = nil
        return await body(database)
    }

    /// Answers the caller: its body's outcome, or `failure` when the batch did not commit.
    func finish(_ failure: (any Error)?) {
        run = nil
        complete(failure)
    }
}

/// The body's outcome, written and read by the writer task only.
private final class OutcomeBox<T: Sendable>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
