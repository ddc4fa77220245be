import Logging
import ServiceLifecycle

/// Runs on every node: cancels unpaid orders whose reservation ran out (their stock returns), settles payment
/// attempts left `unknown` by asking the provider, and retries refunds the provider has not confirmed. Several
/// nodes sweeping at once is safe: every change is a guarded UPDATE, so each happens once (and on PostgreSQL
/// expiry takes an advisory lock, so one node at a time does it).
struct ReservationSweeper: Service {
    let orders: Orders
    let payments: Payments
    let interval: Duration
    /// Waits for the migrations: the sweep reads tables.
    var prepare: @Sendable () async throws -> Void = {}
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            guard (try? await prepare()) != nil else { return }
            while !Task.isCancelled {
                var backlog = false
                do {
                    backlog = try await sweep()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("reservation sweep failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                // A full page of expired orders (a flash sale's unpaid thousands): go on without pausing.
                if !backlog { try? await Task.sleep(for: interval) }
            }
        }
    }

    /// One pass; true when more expired orders may be waiting.
    @discardableResult
    func sweep() async throws -> Bool {
        let page = 200
        let due = try await orders.expiredOrderIds(limit: page)
        var cancelled = 0
        // Up to 100 orders per transaction: one commit, and one hold of a flash sale's row, for many.
        for start in stride(from: 0, to: due.count, by: 100) {
            let expired = try await orders.expire(ids: Array(due[start..<min(start + 100, due.count)]))
            cancelled += expired.count
            if expired.count <= 5 {
                for id in expired { logger.info("order expired unpaid", metadata: ["order": "\(id)"]) }
            }
        }
        if cancelled > 5 { logger.info("orders expired unpaid", metadata: ["count": "\(cancelled)"]) }
        let staleBefore = Database.nowMillis() - Int(payments.staleAfter / .milliseconds(1))
        let unsettled = try await payments.database.read {
            try await payments.store.unsettled(staleBefore: staleBefore, limit: 50, in: $0)
        }
        for attemptId in unsettled {
            _ = try? await payments.reconcile(attemptId: attemptId)
        }
        try await payments.settleRefunds()
        return due.count == page && cancelled > 0
    }
}
