import Synchronization

/// The shoppers watching a sale on this node (`GET /flash-sales/{id}/events`). Every node's `flash-sale-memory`
/// consumer wakes them when a `flash_sale.changed` event of the log reaches it, so a purchase anywhere reaches them.
final class FlashSaleFeed: Sendable {
    private let listeners = Mutex<[String: [Int: Listener]]>([:])
    private let nextId = Atomic<Int>(0)

    /// One stream's subscription: wakes (coalesced) whenever its sale may have changed.
    final class Listener: Sendable {
        let wakes: AsyncStream<Void>
        fileprivate let continuation: AsyncStream<Void>.Continuation

        init() {
            (wakes, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        }

        func wake() { continuation.yield() }

        /// Ends the subscription; the feed forgets it.
        func stop() { continuation.finish() }
    }

    func listen(saleId: String) -> Listener {
        let listener = Listener()
        let id = nextId.add(1, ordering: .relaxed).newValue
        listeners.withLock { $0[saleId, default: [:]][id] = listener }
        listener.continuation.onTermination = { [weak self] _ in
            self?.listeners.withLock { all in
                all[saleId]?[id] = nil
                if all[saleId]?.isEmpty == true { all[saleId] = nil }
            }
        }
        return listener
    }

    func publish(saleId: String) {
        let targets = listeners.withLock { $0[saleId].map { Array($0.values) } ?? [] }
        for listener in targets { listener.wake() }
    }

    var listenerCount: Int { listeners.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
