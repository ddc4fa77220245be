import Foundation
import Logging
import SQLKit

public enum PaymentError: Error, Equatable {
    case declined(code: String)
    /// The provider failed; nothing was charged.
    case providerUnavailable
    /// The provider did not answer; the attempt is `unknown` until the provider is asked.
    case outcomeUnknown
    /// Another payment of this order is being processed.
    case inProgress
}

/// Paying orders exactly once. An attempt is written before the provider is called, and the provider gets the
/// attempt's id as its idempotency key; an attempt left `unknown` is settled by asking the provider, never by
/// charging again. An order holds at most one open attempt (`orders.payment_lock`).
public struct Payments: Sendable {
    let orders: Orders
    let store: PaymentStore
    let gateway: any PaymentGateway
    /// How long a provider call may take before its attempt counts as `unknown`.
    var callTimeout: Duration = .seconds(10)
    /// An open attempt older than this is settled by the sweeper asking the provider: a `started` one belongs to
    /// a request that died, an `unknown` one to a client that did not retry (a retry settles it at once).
    let staleAfter: Duration
    let logger: Logger

    init(orders: Orders, gateway: any PaymentGateway, staleAfter: Duration, logger: Logger) {
        self.orders = orders
        self.store = PaymentStore(database: orders.store.database)
        self.gateway = gateway
        self.staleAfter = staleAfter
        self.logger = logger
    }

    var database: Database { orders.store.database }

    public func pay(orderId: String, userId: String, card: Card) async throws -> Order {
        try card.validate()
        for _ in 0..<3 {
            switch try await claim(orderId: orderId, userId: userId, card: card) {
            case .attempt(let attemptId, let amount):
                if let order = try await charge(attemptId: attemptId, orderId: orderId, amount: amount, card: card) {
                    return order
                }
                return try await orders.order(id: orderId, userId: userId)
            case .busy(let attemptId):
                // Settle the open attempt first (a retry after a timeout lands here): never charge beside it.
                switch try await reconcile(attemptId: attemptId) {
                case .captured: return try await orders.order(id: orderId, userId: userId)
                case .inFlight: throw PaymentError.inProgress
                case .settled: continue
                }
            }
        }
        throw PaymentError.inProgress
    }

    private enum Claim: Sendable {
        case attempt(id: String, amount: Money)
        case busy(attemptId: String)
    }

    /// Records a `started` attempt and takes the order's payment lock, in one transaction.
    private func claim(orderId: String, userId: String, card: Card) async throws -> Claim {
        enum Outcome: Sendable {
            case claim(Claim)
            case expired
        }
        if database.engine == .postgres {
            // The usual case in one round trip: the guarded lock and its attempt in one statement.
            let attemptId = Identifier.make("pay")
            let lock = OrderStore.lockPayment(
                orderId: orderId, userId: userId, attemptId: attemptId, now: Database.nowMillis())
            if let amount = try await database.autocommit({ sql in
                try await store.lockAndInsertAttempt(id: attemptId, lock: lock, card: card, in: sql)
            }) {
                return .attempt(id: attemptId, amount: amount)
            }
            // Not taken: the transaction below tries once more, and says why not.
        }
        let outcome = try await database.transaction { sql -> Outcome in
            let attemptId = Identifier.make("pay")
            let now = Database.nowMillis()
            // The usual case, in two statements: the guarded lock, then its attempt.
            if let row = try await orders.store.lockPayment(
                orderId: orderId, userId: userId, attemptId: attemptId, now: now, in: sql)
            {
                let amount = Money(amount: row.totalAmount, currency: row.currency)
                try await store.insertAttempt(id: attemptId, orderId: orderId, amount: amount, card: card, in: sql)
                return .claim(.attempt(id: attemptId, amount: amount))
            }
            // Why the lock was not taken.
            guard let row = try await orders.store.row(id: orderId, in: sql), row.userId == userId else {
                throw OrderError.notFound
            }
            guard row.orderStatus == .pendingPayment else {
                if row.orderStatus == .cancelled, try await orders.store.expiredByTimeout(orderId: orderId, in: sql) {
                    throw OrderError.expired
                }
                throw OrderError.invalidTransition(from: row.orderStatus, to: .confirmed)
            }
            if let lock = row.paymentLock { return .claim(.busy(attemptId: lock)) }
            if row.reservationExpiresAt <= now { return .expired }
            throw PaymentError.inProgress  // locked and released between the two statements
        }
        switch outcome {
        case .claim(let claim): return claim
        case .expired:
            try await orders.expire(id: orderId)
            throw OrderError.expired
        }
    }

    /// The order as its capture left it, or nil when another node settled the attempt first.
    private func charge(attemptId: String, orderId: String, amount: Money, card: Card) async throws -> Order? {
        let outcome: ChargeOutcome
        do {
            outcome = try await withTimeout(callTimeout) { [gateway] in
                try await gateway.charge(amount: amount, card: card, idempotencyKey: attemptId)
            }
        } catch GatewayError.timedOut {
            try await database.transaction { sql in try await store.markUnknown(attemptId: attemptId, in: sql) }
            throw PaymentError.outcomeUnknown
        } catch {
            try await release(attemptId: attemptId, orderId: orderId, status: "failed")
            if !(error is GatewayError) {
                logger.error("payment provider call failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            throw PaymentError.providerUnavailable
        }
        switch outcome {
        case .approved(let reference):
            // On PostgreSQL the request's answer is stored with the capture, a round trip fewer (reconciling
            // elsewhere answers no request). The confirmed order is made inside the transaction, and SQLite's writer
            // thread runs that: rendering and sealing the answer there would slow every write, so the middleware
            // stores it after the commit, in the writer's next group.
            let recording = database.engine == .postgres ? IdempotentResponse.current : nil
            return try await capture(attemptId: attemptId, orderId: orderId, reference: reference, recording: recording)
        case .declined(let code):
            try await release(attemptId: attemptId, orderId: orderId, status: "declined", declineCode: code)
            throw PaymentError.declined(code: code)
        }
    }

    /// The provider charged: the attempt is captured, the order confirmed and its reservation becomes a sale. Returns
    /// the confirmed order, read in the same transaction (on SQLite a reader would first drop its page cache, which
    /// the commit just made stale), or nil when another node settled the attempt first.
    @discardableResult
    private func capture(
        attemptId: String, orderId: String, reference: String, recording: IdempotentResponse? = nil
    ) async throws -> Order? {
        // A deadlock over stock rows with another node's statement is run again: every step is guarded.
        try await database.transaction(attempts: 3) { sql -> Order? in
            recording?.forget()
            let settle = PaymentStore.settle(attemptId: attemptId, status: "captured", providerRef: reference)
            switch try await orders.confirmPaid(id: orderId, attemptId: attemptId, settle: settle, in: sql) {
            case nil:
                return nil  // another node settled it first
            case .confirmed(let order):
                try await recording?.record(order, in: sql)
                return order
            case .notPayable:
                // Cannot happen while the lock holds off cancels; if it does, the money goes back.
                logger.error(
                    "captured a payment for an order that is no longer payable", metadata: ["order": "\(orderId)"])
                try await orders.store.unlockPayment(orderId: orderId, attemptId: attemptId, in: sql)
                try await store.issueRefund(orderId: orderId, in: sql)
                return nil
            }
        }
    }

    private func release(attemptId: String, orderId: String, status: String, declineCode: String? = nil) async throws {
        try await database.transaction { sql in
            try await store.settle(attemptId: attemptId, status: status, declineCode: declineCode, in: sql)
            try await orders.store.unlockPayment(orderId: orderId, attemptId: attemptId, in: sql)
        }
    }

    enum Reconciled: Sendable {
        case captured
        case settled
        case inFlight
    }

    /// Settles an open attempt by asking the provider what happened to it.
    func reconcile(attemptId: String) async throws -> Reconciled {
        guard let attempt = try await database.read({ try await store.attempt(id: attemptId, in: $0) }) else {
            return .inFlight  // the lock is written with its attempt; not committed yet
        }
        switch attempt.status {
        case "captured": return .captured
        case "started" where Database.nowMillis() - attempt.createdAt < Int(callTimeout / .milliseconds(1)) * 3:
            return .inFlight
        case "started", "unknown": break
        default:
            try await release(attemptId: attemptId, orderId: attempt.orderId, status: attempt.status)
            return .settled
        }
        let lookup: ChargeLookup
        do {
            lookup = try await withTimeout(callTimeout) { [gateway] in
                try await gateway.lookup(idempotencyKey: attemptId)
            }
        } catch {
            throw PaymentError.outcomeUnknown
        }
        switch lookup {
        case .approved(let reference):
            try await capture(attemptId: attemptId, orderId: attempt.orderId, reference: reference)
            return .captured
        case .declined(let code):
            try await release(attemptId: attemptId, orderId: attempt.orderId, status: "declined", declineCode: code)
            return .settled
        case .notFound:
            try await release(attemptId: attemptId, orderId: attempt.orderId, status: "failed")
            return .settled
        }
    }

    /// Sends the order's pending refund to the provider, right after its cancel (the sweeper retries it if the
    /// provider does not answer now).
    public func settleRefund(orderId: String) async throws {
        try await settle(try await database.read { try await store.pendingRefunds(orderId: orderId, in: $0) })
    }

    /// Sends every pending refund to the provider, oldest first (the sweeper, until the provider answers).
    func settleRefunds(limit: Int = 50) async throws {
        try await settle(try await database.read { try await store.pendingRefunds(limit: limit, in: $0) })
    }

    private func settle(_ pending: [PaymentStore.PendingRefund]) async throws {
        for refund in pending {
            guard
                let attempt = try await database.read({ try await store.attempt(id: refund.attemptId, in: $0) }),
                let charge = attempt.providerRef
            else { continue }
            let reference: String
            do {
                reference = try await withTimeout(callTimeout) { [gateway] in
                    try await gateway.refund(
                        reference: charge, amount: Money(amount: refund.amount, currency: refund.currency),
                        idempotencyKey: refund.id)
                }
            } catch {
                logger.warning("refund not settled yet", metadata: ["refund": "\(refund.id)"])
                continue
            }
            try await database.transaction { sql in
                guard try await store.markRefunded(refund, providerRef: reference, in: sql),
                    let row = try await orders.store.row(id: refund.orderId, in: sql)
                else { return }
                try await Outbox.append(
                    "order.refunded", aggregateId: refund.orderId, payload: Orders.event(row, status: row.orderStatus),
                    in: sql)
            }
        }
    }
}

/// Runs `body`, or throws `GatewayError.timedOut` when it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw GatewayError.timedOut
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
