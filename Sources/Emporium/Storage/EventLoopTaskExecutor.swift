import NIOCore
import NIOPosix

/// Runs a task's jobs on one of NIO's event loops. `PostgresBackend` runs the statements of a connection it
/// leases on that connection's loop: each statement is written, its answer read and the caller resumed on one
/// thread, where otherwise every round trip would wake a loop to write and a thread of Swift's task pool to go on.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let loop: any EventLoop

    private init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    /// One executor for each loop of NIO's shared group, on which postgres-nio opens its connections.
    private static let byLoop = Dictionary(
        uniqueKeysWithValues: MultiThreadedEventLoopGroup.singleton.makeIterator().map {
            (ObjectIdentifier($0), EventLoopTaskExecutor($0))
        })

    /// The executor of `loop`, if it is one of the shared group's.
    static func of(_ loop: any EventLoop) -> EventLoopTaskExecutor? {
        byLoop[ObjectIdentifier(loop)]
    }
}
