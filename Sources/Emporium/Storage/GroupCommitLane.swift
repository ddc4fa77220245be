import Synchronization

/// Requests waiting for group commit in one lane. The first request of a batch starts the drain; the drain waits
/// `window` for others to arrive, hands up to `maxBatch` of them to `settle` (which answers each), and goes on
/// until the lane is empty. Used by the reservation batcher (checkout) and the flash-purchase batcher.
final class GroupCommitLane<Item: Sendable>: Sendable {
    private struct State {
        var queue: [Item] = []
        var flushing = false
    }

    private let state = Mutex(State())
    let window: Duration
    let maxBatch: Int

    init(window: Duration, maxBatch: Int) {
        self.window = window
        self.maxBatch = maxBatch
    }

    /// Queues `item` for the next batch; starts the drain, handing batches to `settle`, unless one runs already.
    func submit(_ item: Item, settle: @escaping @Sendable ([Item]) async -> Void) {
        let startDrain = state.withLock { state -> Bool in
            state.queue.append(item)
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if startDrain { Task { await self.drain(settle) } }
    }

    private func drain(_ settle: @Sendable ([Item]) async -> Void) async {
        while true {
            try? await Task.sleep(for: window)
            let batch = state.withLock { state -> [Item] in
                let batch = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            await settle(batch)
        }
    }
}
