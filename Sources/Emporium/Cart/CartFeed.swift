import Synchronization

/// The devices listening on this node for changes of their cart (`GET /cart/events`). Every node's
/// `cart-feed` consumer publishes the `cart.changed` events of the log, so a change made anywhere reaches them.
public final class CartFeed: Sendable {
    private let listeners = Mutex<[String: [Int: Listener]]>([:])
    private let nextId = Atomic<Int>(0)

    public init() {}

    /// One device's subscription: wakes (coalesced) whenever its cart may have a newer version.
    public final class Listener: Sendable {
        public let wakes: AsyncStream<Void>
        fileprivate let continuation: AsyncStream<Void>.Continuation
        private let latest = Mutex(0)

        init() {
            (wakes, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        }

        /// The newest version heard of so far.
        public var version: Int { latest.withLock { $0 } }

        public func offer(_ version: Int) {
            latest.withLock { $0 = max($0, version) }
            continuation.yield()
        }

        /// Wakes the listener without a new version (for keep-alive comments).
        public func ping() { continuation.yield() }

        /// Ends the subscription; the feed forgets it.
        public func stop() { continuation.finish() }

    }

    public func listen(cartId: String) -> Listener {
        let listener = Listener()
        let id = nextId.add(1, ordering: .relaxed).newValue
        listeners.withLock { $0[cartId, default: [:]][id] = listener }
        listener.continuation.onTermination = { [weak self] _ in
            self?.listeners.withLock { all in
                all[cartId]?[id] = nil
                if all[cartId]?.isEmpty == true { all[cartId] = nil }
            }
        }
        return listener
    }

    public func publish(_ change: CartChanged) {
        let targets = listeners.withLock { $0[change.cartId].map { Array($0.values) } ?? [] }
        for listener in targets { listener.offer(change.version) }
    }

    var listenerCount: Int { listeners.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// The node consumer that feeds this node's listeners from the event log.
    func consumer(start: @escaping @Sendable () async throws -> Int) -> EventConsumer {
        EventConsumer(name: "cart-feed", scope: .node(start: start), types: ["cart.changed"]) { [self] event in
            publish(try event.decode(CartChanged.self))
        }
    }
}
