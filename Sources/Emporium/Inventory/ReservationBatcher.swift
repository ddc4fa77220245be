import Foundation
import SQLKit

/// Group commit for reservations: requests arriving within `window` are settled in one transaction, first come
/// first served, each inside its own savepoint so one request's shortfall or failure undoes only its own work.
/// Requests are spread over lanes by their first SKU, so all buyers of one hot SKU share a lane (and its batches)
/// while other SKUs settle beside them on other connections. PostgreSQL only: there a transaction costs round trips
/// to another process, and one per batch pays; on SQLite the writer already groups transactions into one commit.
final class ReservationBatcher: Sendable {
    typealias Work = @Sendable (any SQLDatabase) async throws -> any Sendable

    private struct Pending: Sendable {
        let lines: [StockRequest]
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
        /// Earlier batches this request was in that PostgreSQL aborted for a deadlock with another node's.
        var deadlocks = 0
    }

    let inventory: Inventory
    private let lanes: [GroupCommitLane<Pending>]

    init(inventory: Inventory, window: Duration, lanes: Int = 8, maxBatch: Int = 64) {
        self.inventory = inventory
        self.lanes = (0..<lanes).map { _ in GroupCommitLane(window: window, maxBatch: maxBatch) }
    }

    /// Reserves `lines` (guarded), then runs `work`, in the next batch of the lane of the first line's SKU.
    func submit(_ lines: [StockRequest], work: @escaping Work) async throws -> any Sendable {
        let lane = lanes[Self.laneIndex(of: lines.first?.sku ?? "", count: lanes.count)]
        return try await withCheckedThrowingContinuation { continuation in
            self.submit(Pending(lines: lines, work: work, continuation: continuation), to: lane)
        }
    }

    private func submit(_ pending: Pending, to lane: GroupCommitLane<Pending>) {
        // The first request of a batch drives it; the others wait on their continuations.
        lane.submit(pending) { batch in await self.settle(batch, lane: lane) }
    }

    private static func laneIndex(of sku: String, count: Int) -> Int {
        // FNV-1a: stable across processes, unlike `hashValue`.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sku.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(count))
    }

    private func settle(_ batch: [Pending], lane: GroupCommitLane<Pending>) async {
        // Single-line orders (most) take their stock rows in SKU order, as every other batch does, so two nodes'
        // batches do not wait on each other's rows crosswise. Requests for one SKU keep their order.
        let batch = batch.enumerated().sorted {
            ($0.element.lines.first?.sku ?? "", $0.offset) < ($1.element.lines.first?.sku ?? "", $1.offset)
        }.map(\.element)
        do {
            // A deadlock with another node's batch aborts the whole transaction: it is settled again.
            let outcomes = try await inventory.database.transaction(attempts: 3) { sql in
                try await self.run(batch, in: sql)
            }
            for (pending, outcome) in zip(batch, outcomes) {
                // A multi-line order can still cross another node's batch; its savepoint rolled back alone, so it
                // goes into a later batch (a few times) instead of failing.
                if case .failure(let error) = outcome, PostgresBackend.isRetryable(error), pending.deadlocks < 3 {
                    var again = pending
                    again.deadlocks += 1
                    submit(again, to: lane)
                } else {
                    pending.continuation.resume(with: outcome)
                }
            }
        } catch {
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }

    private func run(_ batch: [Pending], in sql: any SQLDatabase) async throws -> [Result<any Sendable, any Error>] {
        if batch.count == 1 {
            // Alone in its batch, a request needs no savepoint: its failure rolls back a transaction that holds
            // nothing else (and the error reaches it through `settle`).
            let taken = try await inventory.reserve(batch[0].lines, in: sql)
            let value = try await batch[0].work(sql)
            try await inventory.announce(taken, in: sql)
            return [.success(value)]
        }
        var outcomes: [Result<any Sendable, any Error>] = []
        // Each SKU's row as the last request that kept its reservation left it; work does not move stock.
        var touched: [String: StockChanged] = [:]
        for (index, pending) in batch.enumerated() {
            let outcome = try await sql.inSavepoint("r\(index)") {
                let taken = try await inventory.reserve(pending.lines, in: sql)
                return (taken, try await pending.work(sql))
            }
            switch outcome {
            case .success(let (taken, value)):
                for row in taken { touched[row.sku] = row }
                outcomes.append(.success(value))
            case .failure(let error):
                outcomes.append(.failure(error))
            }
        }
        try await inventory.announce(touched.sorted { $0.key < $1.key }.map(\.value), in: sql)
        return outcomes
    }
}
