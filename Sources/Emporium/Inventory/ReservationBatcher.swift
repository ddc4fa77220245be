import Foundation
import SQLKit
import Synchronization

/// Group commit for reservations: requests arriving within `window` are settled in one transaction, first come
/// first served, each inside its own savepoint so one request's shortfall or failure undoes only its own work.
/// SKUs found sold out are remembered, and later requests for them are refused without touching the database,
/// until an `inventory.changed` event says stock came back.
final class ReservationBatcher: Sendable {
    typealias Work = @Sendable (any SQLDatabase) async throws -> any Sendable

    private struct Pending: Sendable {
        let lines: [StockRequest]
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var flushing = false
        var soldOut: Set<String> = []
    }

    let database: Database
    let window: Duration
    let maxBatch = 256
    private let state = Mutex(State())

    init(database: Database, window: Duration) {
        self.database = database
        self.window = window
    }

    func submit(_ lines: [StockRequest], work: @escaping Work) async throws -> any Sendable {
        let known = state.withLock { $0.soldOut }
        let soldOut = lines.filter { known.contains($0.sku) }
        if !soldOut.isEmpty {
            throw ReservationError.insufficientStock(soldOut.map { Shortfall(sku: $0.sku, requested: $0.quantity, available: 0) })
        }
        return try await withCheckedThrowingContinuation { continuation in
            let startFlush = state.withLock { state -> Bool in
                state.queue.append(Pending(lines: lines, work: work, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if startFlush {
                // The first request of a batch drives it; the others wait on their continuations.
                Task { await self.drain() }
            }
        }
    }

    /// Stock came back for these SKUs: let requests reach the database again.
    func restocked(_ sku: String) {
        state.withLock { _ = $0.soldOut.remove(sku) }
    }

    var soldOutCount: Int { state.withLock { $0.soldOut.count } }

    private func drain() async {
        while true {
            try? await Task.sleep(for: window)
            let batch = state.withLock { state -> [Pending] in
                let batch = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            await settle(batch)
        }
    }

    private func settle(_ batch: [Pending]) async {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let outcomes = try await database.transaction { sql in try await self.run(batch, in: sql) }
                var soldOut: [String] = []
                for (pending, outcome) in zip(batch, outcomes) {
                    switch outcome {
                    case .success(let value): pending.continuation.resume(returning: value)
                    case .failure(let error):
                        if case ReservationError.insufficientStock(let short) = error {
                            soldOut += short.filter { $0.available == 0 }.map(\.sku)
                        }
                        pending.continuation.resume(throwing: error)
                    }
                }
                if !soldOut.isEmpty { state.withLock { $0.soldOut.formUnion(soldOut) } }
                return
            } catch {
                // A deadlock with another node's batch aborts the whole transaction: settle it again.
                if attempt < 3, Self.isRetryable(error) { continue }
                for pending in batch { pending.continuation.resume(throwing: error) }
                return
            }
        }
    }

    private func run(_ batch: [Pending], in sql: any SQLDatabase) async throws -> [Result<any Sendable, any Error>] {
        var outcomes: [Result<any Sendable, any Error>] = []
        var touched: Set<String> = []
        for (index, pending) in batch.enumerated() {
            let savepoint = "r\(index)"
            try await sql.control("SAVEPOINT \(savepoint)")
            do {
                try await StockReservations.reserveGuarded(pending.lines, in: sql)
                let value = try await pending.work(sql)
                try await sql.control("RELEASE SAVEPOINT \(savepoint)")
                touched.formUnion(pending.lines.map(\.sku))
                outcomes.append(.success(value))
            } catch {
                try await sql.control("ROLLBACK TO SAVEPOINT \(savepoint)")
                try await sql.control("RELEASE SAVEPOINT \(savepoint)")
                outcomes.append(.failure(error))
            }
        }
        try await StockReservations.announce(touched, in: sql)
        return outcomes
    }

    static func isRetryable(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        return text.contains("40P01") || text.contains("40001")
    }
}
