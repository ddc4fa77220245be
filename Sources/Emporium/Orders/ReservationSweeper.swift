import Logging
import ServiceLifecycle

/// Runs on every node: cancels unpaid orders whose reservation ran out (their stock returns), settles payment
/// attempts left `unknown` by asking the provider, and retries refunds the provider has not confirmed. Several
/// nodes sweeping at once is safe: every change is a guarded UPDATE, so each happens once.
struct ReservationSweeper: Service {
    let orders: Orders
    let payments: Payments
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await sweep()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("reservation sweep failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func sweep() async throws {
        for id in try await orders.expiredOrderIds(limit: 200) {
            if try await orders.expire(id: id) {
                logger.info("order expired unpaid", metadata: ["order": "\(id)"])
            }
        }
        let staleBefore = Database.nowMillis() - Int(payments.staleAfter / .milliseconds(1))
        let unsettled = try await payments.database.read { try await PaymentStore.unsettled(staleBefore: staleBefore, limit: 50, in: $0) }
        for attemptId in unsettled {
            _ = try? await payments.reconcile(attemptId: attemptId)
        }
        try await payments.settleRefunds()
    }
}
