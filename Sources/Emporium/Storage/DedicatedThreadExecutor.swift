import DequeModule
import Foundation

/// A task executor with one OS thread of its own: tasks that prefer it run their nonisolated code there.
///
/// SQLite's writer runs its transactions back to back and never suspends between statements. On the
/// cooperative pool (two threads on two cores) it held one of them for its whole batch, and so had to yield
/// every few milliseconds and then wait behind every queued request task while its transaction stayed open.
/// On a thread of its own it never waits for the pool, and the kernel shares the cores between it and the pool.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    /// Guards `jobs` and `stopped`; the thread sleeps on it while there are none.
    private let condition = NSCondition()
    private var jobs: Deque<UnownedJob> = []
    private var stopped = false

    init(name: String) {
        // Named from inside, through the kernel's own file: on Linux a name set before `start` does not reach the
        // OS thread (perf, top -H), and `Thread.current.name` set inside races with `start` and is lost now and
        // then, leaving the name inherited from the creating thread.
        Thread { [self] in
            try? String(name.prefix(15)).write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            runJobs()
        }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs already queued have run. Jobs enqueued later never run, so call it only
    /// when no task prefers this executor any more.
    func shutdown() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            guard let job = jobs.popFirst() else {
                condition.unlock()
                return
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
