import Logging
import Metrics
import SQLKit
import ServiceLifecycle

/// Something that reacts to events of the log.
public struct EventConsumer: Sendable {
    /// Who runs a consumer: exactly one node of the cluster (by lease), or every node for itself.
    public enum Scope: Sendable {
        /// Position stored in the database and claimed by lease; another node takes over within seconds.
        case cluster
        /// Position kept in memory; starts at the position `start` returns (by default the log's head).
        case node(start: (@Sendable () async throws -> Int)? = nil)
    }

    public let name: String
    public let scope: Scope
    /// Event types (or prefixes ending in `.`) this consumer handles; other events only advance its position.
    public let types: [String]
    public let handle: @Sendable (OutboxEvent) async throws -> Void
    /// Handles several wanted events at once (in one transaction, say); when it throws, the events are handed to
    /// `handle` one by one, so a bad event is retried and parked alone.
    public let handleBatch: (@Sendable ([OutboxEvent]) async throws -> Void)?
    /// A cluster consumer's handler that writes in the transaction that also stores its position: what it writes
    /// for an event is written exactly once, however often the event is read (a takeover re-reads from the stored
    /// position).
    public let handleInTransaction: (@Sendable ([OutboxEvent], any SQLDatabase) async throws -> Void)?
    /// Asked before a transactional batch: false when `handleInTransaction` would write nothing for these events
    /// (a webhook fan-out with no endpoint for them), so the batch costs one read instead of a transaction, and
    /// the position moves as for events nobody wanted.
    public let writesAnything: (@Sendable ([OutboxEvent]) async throws -> Bool)?

    public init(
        name: String,
        scope: Scope,
        types: [String],
        handleBatch: (@Sendable ([OutboxEvent]) async throws -> Void)? = nil,
        handle: @escaping @Sendable (OutboxEvent) async throws -> Void
    ) {
        self.name = name
        self.scope = scope
        self.types = types
        self.handleBatch = handleBatch
        self.handleInTransaction = nil
        self.writesAnything = nil
        self.handle = handle
    }

    /// A cluster consumer whose writes and position commit together (see `handleInTransaction`).
    public init(
        name: String,
        scope: Scope,
        types: [String],
        writesAnything: (@Sendable ([OutboxEvent]) async throws -> Bool)? = nil,
        handleInTransaction: @escaping @Sendable ([OutboxEvent], any SQLDatabase) async throws -> Void
    ) {
        self.name = name
        self.scope = scope
        self.types = types
        self.handleBatch = nil
        self.handleInTransaction = handleInTransaction
        self.writesAnything = writesAnything
        self.handle = { _ in throw ConfigurationError("\(name) handles its events in a transaction") }
    }

    func wants(_ event: OutboxEvent) -> Bool {
        types.contains { $0.hasSuffix(".") ? event.type.hasPrefix($0) : event.type == $0 }
    }
}

/// Timings of the dispatcher; tests shorten them.
public struct DispatcherOptions: Sendable {
    public var pollInterval: Duration = .milliseconds(200)
    public var leaseDuration: Duration = .seconds(5)
    public var batchSize = 200
    public var maxAttempts = 5
    public var firstRetryDelay: Duration = .milliseconds(100)

    public init() {}
}

/// Feeds the event log to every consumer: a `Service` that runs one loop per consumer.
public final class EventDispatcher: Service {
    let database: Database
    let nodeId: String
    let consumers: [EventConsumer]
    let options: DispatcherOptions
    let prepare: @Sendable () async throws -> Void
    let logger: Logger
    let log: EventLog
    let positions: ConsumerPositions

    /// `prepare` runs before the first consumer starts (waiting for the migrations, so the tables exist); every
    /// consumer's position is kept in `positions` (for the outbox lag gauges).
    public init(
        database: Database,
        nodeId: String,
        consumers: [EventConsumer],
        options: DispatcherOptions,
        prepare: @escaping @Sendable () async throws -> Void = {},
        positions: ConsumerPositions = ConsumerPositions(),
        logger: Logger
    ) {
        self.database = database
        self.nodeId = nodeId
        self.consumers = consumers
        self.options = options
        self.prepare = prepare
        self.positions = positions
        self.logger = logger
        self.log = EventLog(database: database)
    }

    public func run() async throws {
        // A service that returns would end the whole group, so one with nothing to do waits for shutdown.
        guard !consumers.isEmpty else { return await waitUntilCancelledOrShutdown() }
        try await cancelWhenGracefulShutdown {
            try await self.prepare()
            await withDiscardingTaskGroup { group in
                for consumer in self.consumers {
                    group.addTask { await self.runUntilCancelled(consumer) }
                }
            }
        }
    }

    private func runUntilCancelled(_ consumer: EventConsumer) async {
        var logger = self.logger
        logger[metadataKey: "consumer"] = .string(consumer.name)
        while !Task.isCancelled {
            do {
                switch consumer.scope {
                case .cluster: try await runClusterConsumer(consumer, logger: logger)
                case .node(let start): try await runNodeConsumer(consumer, start: start, logger: logger)
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.error("event consumer failed; restarting", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: options.pollInterval)
            }
        }
    }

    private func runNodeConsumer(
        _ consumer: EventConsumer,
        start: (@Sendable () async throws -> Int)?,
        logger: Logger
    ) async throws {
        var position = if let start { try await start() } else { try await log.head() }
        var gap: EventLog.Gap?
        while !Task.isCancelled {
            let seen = database.commitSignal.current
            let events = try await log.next(after: position, limit: options.batchSize, gap: &gap)
            let batched = try await deliverBatch(events, to: consumer, logger: logger)
            for event in events {
                if !batched { try await deliver(event, to: consumer, logger: logger) }
                position = event.id
            }
            recordLag(consumer, position: position)
            if events.count < options.batchSize {
                await database.commitSignal.wait(after: seen, timeout: options.pollInterval)
            }
        }
    }

    private func runClusterConsumer(_ consumer: EventConsumer, logger: Logger) async throws {
        let lease = ConsumerLease(
            database: database, consumer: consumer.name, owner: nodeId, duration: options.leaseDuration)
        try await lease.register()
        var gap: EventLog.Gap?
        // While the lease is fresh the position in memory is the truth: the lease is renewed at half its life,
        // and the position stored when a handled event moved it or a second has passed, so a busy log costs the
        // single writer a few writes a second, not one per commit. A node taking over re-reads from the stored
        // position; handlers are idempotent.
        var held: (position: Int, renewAt: ContinuousClock.Instant)?
        var stored = 0
        var storedAt = ContinuousClock.now
        while !Task.isCancelled {
            if held == nil || ContinuousClock.now >= held!.renewAt {
                let asked = ContinuousClock.now
                guard let position = try await lease.claim() else {
                    held = nil
                    positions.forget(consumer.name)
                    gap = nil
                    try await Task.sleep(for: options.leaseDuration / 2)
                    continue
                }
                // Our own unsaved position wins over the stored one while we kept the lease.
                held = (max(position, held?.position ?? 0), asked + options.leaseDuration / 2)
                stored = position
            }
            var position = held!.position
            let seen = database.commitSignal.current
            let events = try await log.next(after: position, limit: options.batchSize, gap: &gap)
            var handled = false
            if consumer.handleInTransaction != nil {
                switch try await deliverInTransaction(events, to: consumer, lease: lease, logger: logger) {
                case .leaseLost:
                    logger.warning("lost the lease; another node continues")
                    held = nil
                    positions.forget(consumer.name)
                    continue
                case .stored(let at):
                    stored = at
                    storedAt = ContinuousClock.now
                    held!.renewAt = storedAt + options.leaseDuration / 2
                case .nothingWanted: break
                }
                position = events.last?.id ?? position
            } else {
                let batched = try await deliverBatch(events, to: consumer, logger: logger)
                for event in events {
                    if consumer.wants(event) { handled = true }
                    if !batched, let failure = try await deliver(event, to: consumer, logger: logger) {
                        try await lease.park(event, attempts: options.maxAttempts, error: failure)
                    }
                    position = event.id
                }
            }
            held!.position = position
            if position != stored, handled || ContinuousClock.now - storedAt >= .seconds(1) {
                let asked = ContinuousClock.now
                guard try await lease.advance(to: position) else {
                    logger.warning("lost the lease; another node continues")
                    held = nil
                    positions.forget(consumer.name)
                    continue
                }
                stored = position
                storedAt = asked
                held!.renewAt = asked + options.leaseDuration / 2
            }
            recordLag(consumer, position: position)
            if events.count < options.batchSize {
                await database.commitSignal.wait(after: seen, timeout: options.pollInterval)
            }
        }
    }

    /// Hands the wanted events of a batch to a consumer's batch handler in one call; true when it took them all.
    /// False (nothing handled) without a batch handler, for fewer than two wanted events, or when it threw: then
    /// `deliver` hands them over one by one.
    private func deliverBatch(_ events: [OutboxEvent], to consumer: EventConsumer, logger: Logger) async throws -> Bool
    {
        guard let handleBatch = consumer.handleBatch else { return false }
        let wanted = events.filter(consumer.wants)
        guard wanted.count > 1 else { return false }
        do {
            try await handleBatch(wanted)
            return true
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            logger.warning(
                "batch handler failed; handling its events one by one",
                metadata: ["events": "\(wanted.count)", "error": "\(error)"])
            return false
        }
    }

    /// Hands one event to a consumer, retrying with exponential backoff; returns the last error if it never took.
    /// Shutting down is not a failure: it throws `CancellationError`, so the event is neither parked nor passed and
    /// the next run (or another node) delivers it.
    @discardableResult
    private func deliver(_ event: OutboxEvent, to consumer: EventConsumer, logger: Logger) async throws -> String? {
        guard consumer.wants(event) else { return nil }
        var delay = options.firstRetryDelay
        for attempt in 1...options.maxAttempts {
            do {
                try await consumer.handle(event)
                return nil
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                if attempt == options.maxAttempts {
                    logger.error(
                        "event handler failed; event parked",
                        metadata: ["event_id": "\(event.id)", "event_type": "\(event.type)", "error": "\(error)"]
                    )
                    Counter(label: "emporium_outbox_parked_total", dimensions: [("consumer", consumer.name)])
                        .increment()
                    return String(describing: error)
                }
                logger.warning(
                    "event handler failed; retrying", metadata: ["event_id": "\(event.id)", "attempt": "\(attempt)"])
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
        return nil
    }

    private func recordLag(_ consumer: EventConsumer, position: Int) {
        Gauge(label: "emporium_outbox_position", dimensions: [("consumer", consumer.name)]).record(position)
        positions.record(consumer.name, at: position)
    }
}
