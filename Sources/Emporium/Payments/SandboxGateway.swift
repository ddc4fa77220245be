import Foundation
import SQLKit

/// The built-in test provider. It keeps its own ledger (table `sandbox_ledger`, standing in for the provider's
/// database, shared by every node as a real provider would be) and answers by test card:
/// 4242… approved, …0002 declined, …9995 insufficient funds, …0119 provider error, …3220 charged then timed out.
/// Latency and random faults can be added for tests and benchmarks.
public struct SandboxGateway: PaymentGateway {
    public struct Faults: Sendable {
        public var latency: Duration = .zero
        /// Share of calls that fail with a provider error before charging.
        public var errorRate = 0.0
        /// Share of charges that succeed but whose answer is lost.
        public var timeoutRate = 0.0

        public init() {}
    }

    let database: Database
    let faults: Faults

    static let migrations: [Migration] = [
        Migration(
            "sandbox.1",
            [
                """
                CREATE TABLE sandbox_ledger (idempotency_key TEXT PRIMARY KEY, kind TEXT NOT NULL, amount BIGINT NOT NULL,
                    currency TEXT NOT NULL, reference TEXT NOT NULL, outcome TEXT NOT NULL, created_at BIGINT NOT NULL)
                """
            ])
    ]

    public func charge(amount: Money, card: Card, idempotencyKey: String) async throws -> ChargeOutcome {
        try await simulateLatency()
        if Double.random(in: 0..<1) < faults.errorRate { throw GatewayError.unavailable }
        let digits = card.digits
        let outcome: String
        var loseAnswer = Double.random(in: 0..<1) < faults.timeoutRate
        switch digits {
        case "4000000000000002": outcome = "card_declined"
        case "4000000000009995": outcome = "insufficient_funds"
        case "4000000000000119": throw GatewayError.unavailable
        case "4000000000003220":
            outcome = "approved"
            loseAnswer = true
        default: outcome = "approved"
        }
        let recorded = try await record(kind: "charge", amount: amount, outcome: outcome, key: idempotencyKey)
        if loseAnswer { throw GatewayError.timedOut }
        return recorded.outcome == "approved"
            ? .approved(reference: recorded.reference) : .declined(code: recorded.outcome)
    }

    public func lookup(idempotencyKey: String) async throws -> ChargeLookup {
        try await simulateLatency()
        guard
            let row = try await database.read({ sql in
                try await sql.raw(
                    "SELECT reference, outcome FROM sandbox_ledger WHERE idempotency_key = \(bind: idempotencyKey) AND kind = 'charge'"
                ).first()
            })
        else { return .notFound }
        let outcome = try row.decode(column: "outcome", as: String.self)
        return outcome == "approved"
            ? .approved(reference: try row.decode(column: "reference", as: String.self)) : .declined(code: outcome)
    }

    public func refund(reference: String, amount: Money, idempotencyKey: String) async throws -> String {
        try await simulateLatency()
        if Double.random(in: 0..<1) < faults.errorRate { throw GatewayError.unavailable }
        return try await record(kind: "refund", amount: amount, outcome: "refunded:" + reference, key: idempotencyKey)
            .reference
    }

    /// Stores the first answer for a key; a repeated call gets that same answer.
    private func record(kind: String, amount: Money, outcome: String, key: String) async throws -> (
        reference: String, outcome: String
    ) {
        let reference = Identifier.make(kind == "charge" ? "ch" : "re")
        // The repeated key's update changes nothing; it is there so that RETURNING gives the stored answer.
        let row = try await database.autocommit { sql in
            try await sql.raw(
                """
                INSERT INTO sandbox_ledger (idempotency_key, kind, amount, currency, reference, outcome, created_at)
                VALUES (\(bind: key), \(bind: kind), \(bind: amount.amount), \(bind: amount.currency), \(bind: reference),
                    \(bind: outcome), \(bind: Database.nowMillis()))
                ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = excluded.idempotency_key
                RETURNING reference, outcome
                """
            ).first()!
        }
        return (
            try row.decode(column: "reference", as: String.self), try row.decode(column: "outcome", as: String.self)
        )
    }

    private func simulateLatency() async throws {
        if faults.latency > .zero { try await Task.sleep(for: faults.latency) }
    }
}
