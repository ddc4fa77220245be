import Logging
import Metrics
import SQLKit

extension EventDispatcher {
    /// What a transactional handler did with a batch.
    enum TransactionalOutcome {
        /// Nothing in the batch was wanted: the position moves as for any consumer.
        case nothingWanted
        /// Handled, and the position stored at this id in the same transactions.
        case stored(Int)
        /// Another node holds the consumer now; nothing of this batch was committed by us after that.
        case leaseLost
    }

    private struct LeaseLost: Error {}

    /// Hands the wanted events to the consumer's `handleInTransaction` in one transaction that also stores the
    /// position past the whole batch. If that throws, the events go one by one (each with its position), retried
    /// with backoff; one that never takes is parked, and the position passes it.
    func deliverInTransaction(
        _ events: [OutboxEvent], to consumer: EventConsumer, lease: ConsumerLease, logger: Logger
    ) async throws -> TransactionalOutcome {
        guard let handle = consumer.handleInTransaction, let last = events.last else { return .nothingWanted }
        let wanted = events.filter(consumer.wants)
        guard !wanted.isEmpty else { return .nothingWanted }
        if let writesAnything = consumer.writesAnything, try await !writesAnything(wanted) { return .nothingWanted }
        do {
            try await commit(wanted, through: last.id, handle: handle, lease: lease)
            return .stored(last.id)
        } catch is LeaseLost {
            return .leaseLost
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            logger.warning(
                "transactional handler failed; handling its events one by one",
                metadata: ["events": "\(wanted.count)", "error": "\(error)"])
        }
        for event in wanted {
            var delay = options.firstRetryDelay
            for attempt in 1...options.maxAttempts {
                do {
                    try await commit([event], through: event.id, handle: handle, lease: lease)
                    break
                } catch is LeaseLost {
                    return .leaseLost
                } catch {
                    if Task.isCancelled || error is CancellationError { throw CancellationError() }
                    guard attempt < options.maxAttempts else {
                        logger.error(
                            "event handler failed; event parked",
                            metadata: ["event_id": "\(event.id)", "event_type": "\(event.type)", "error": "\(error)"])
                        Counter(label: "emporium_outbox_parked_total", dimensions: [("consumer", consumer.name)])
                            .increment()
                        try await lease.park(event, attempts: attempt, error: String(describing: error))
                        break
                    }
                    try await Task.sleep(for: delay)
                    delay *= 2
                }
            }
        }
        guard try await lease.advance(to: last.id) else { return .leaseLost }
        return .stored(last.id)
    }

    private func commit(
        _ events: [OutboxEvent], through position: Int,
        handle: @Sendable ([OutboxEvent], any SQLDatabase) async throws -> Void, lease: ConsumerLease
    ) async throws {
        try await database.transaction { sql in
            try await handle(events, sql)
            guard try await lease.advance(to: position, in: sql) else { throw LeaseLost() }
        }
    }
}
