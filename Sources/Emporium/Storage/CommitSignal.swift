import Synchronization

/// Counts this node's commits, so the event dispatcher handles local events at once instead of at the next poll.
final class CommitSignal: Sendable {
    private let generation = Atomic<Int>(0)

    var current: Int { generation.load(ordering: .acquiring) }

    func signal() {
        generation.add(1, ordering: .releasing)
    }

    /// Returns once a commit happened after `seen`, or when `timeout` has passed, or on cancellation.
    func wait(after seen: Int, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while current == seen, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
