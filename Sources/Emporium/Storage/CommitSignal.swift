import Synchronization

/// Counts this node's commits, so the event dispatcher handles local events at once instead of at the next poll.
final class CommitSignal: Sendable {
    private let generation = Atomic<Int>(0)

    /// How often a waiter looks at the count. Every waiter of the process looks at the same instants (multiples of
    /// `tick` since `origin`), so the consumers that one commit wakes wake together, stand at the same position and
    /// share one read of the log (`EventLog`); under load a read then covers every commit of the last tick. On
    /// PostgreSQL each read is a round trip: with waiters ticking on their own (every 5 ms) the background read
    /// the log about three times per order (issue 21).
    static let tick: Duration = .milliseconds(10)
    private static let origin = ContinuousClock.now

    var current: Int { generation.load(ordering: .acquiring) }

    func signal() {
        generation.add(1, ordering: .releasing)
    }

    /// Returns at the first tick after a commit that happened after `seen` (never before the next tick, so that a
    /// consumer busy with its last batch falls back in step with the others), or when `timeout` has passed, or on
    /// cancellation.
    func wait(after seen: Int, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        repeat {
            try? await Task.sleep(until: Self.nextTick(), tolerance: .zero, clock: .continuous)
        } while current == seen && ContinuousClock.now < deadline && !Task.isCancelled
    }

    /// The first multiple of `tick` after now, counted from `origin`.
    static func nextTick() -> ContinuousClock.Instant {
        let elapsed = ContinuousClock.now - origin
        let ticks = elapsed.nanoseconds / tick.nanoseconds + 1
        return origin + tick * Int(ticks)
    }
}

extension Duration {
    /// The whole nanoseconds of this duration.
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
