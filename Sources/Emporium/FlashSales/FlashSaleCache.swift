import DequeModule
import Foundation
import Synchronization

/// This node's memory of its sales: enough to refuse a sold-out, not-live or over-the-limit purchase without the
/// database, and to tell a buyer who may be retrying a winning purchase (they go to the database for their order)
/// from everyone else. Filled from the database on a miss and kept fresh by `flash_sale.changed` events.
final class FlashSaleCache: Sendable {
    struct Entry: Sendable {
        var sale: FlashSaleStore.Row
        /// The units each buyer holds (0 once their order lapsed); everyone listed has won at least once.
        var buyers: [String: Int]
    }

    let store: FlashSaleStore
    private let entries = Mutex<[String: Entry]>([:])
    private let loads = Mutex<[String: Task<Entry?, any Error>]>([:])

    init(store: FlashSaleStore) {
        self.store = store
    }

    /// The sale and the units this user holds in it (nil if they never won); from memory, or the database on a miss.
    func lookup(_ saleId: String, userId: String) async throws -> (sale: FlashSaleStore.Row, units: Int?)? {
        if let known = entries.withLock({ $0[saleId].map { ($0.sale, $0.buyers[userId]) } }) { return known }
        guard let loaded = try await load(saleId) else { return nil }
        return (loaded.sale, loaded.buyers[userId])
    }

    /// The sale as this node knows it, without asking the database.
    func remembered(_ saleId: String) -> FlashSaleStore.Row? {
        entries.withLock { $0[saleId]?.sale }
    }

    /// Reads the sale and its buyers from the database (one read at a time per sale, however many ask).
    @discardableResult
    func load(_ saleId: String) async throws -> Entry? {
        let task = loads.withLock { loads in
            if let running = loads[saleId] { return running }
            let task = Task { try await self.fetch(saleId) }
            loads[saleId] = task
            return task
        }
        defer { loads.withLock { if $0[saleId] == task { $0[saleId] = nil } } }
        return try await task.value
    }

    private func fetch(_ saleId: String) async throws -> Entry? {
        // The sale before its buyers: every purchase the row counts is then among the buyers read.
        let loaded = try await store.database.read { [store] sql -> Entry? in
            guard let sale = try await store.row(id: saleId, in: sql) else { return nil }
            return Entry(sale: sale, buyers: try await store.buyers(saleId: saleId, in: sql))
        }
        guard let loaded else { return nil }
        return entries.withLock { entries in
            if let known = entries[saleId], known.sale.version > loaded.sale.version { return known }
            entries[saleId] = loaded
            return loaded
        }
    }

    /// A fresher row read by someone else (`GET /flash-sales/{id}`).
    func refresh(_ sale: FlashSaleStore.Row) {
        entries.withLock { entries in
            guard var known = entries[sale.id], known.sale.version < sale.version else { return }
            known.sale = sale
            entries[sale.id] = known
        }
    }

    /// Applies an event; older news than what is known is ignored.
    func apply(_ change: FlashSaleChanged) {
        entries.withLock { entries in
            guard var known = entries[change.saleId], known.sale.version < change.version else { return }
            known.sale.remaining = change.remaining
            known.sale.version = change.version
            if change.closed, known.sale.closedAt == nil { known.sale.closedAt = known.sale.endsAt }
            known.buyers.merge(change.buyers) { _, new in new }
            entries[change.saleId] = known
        }
    }
}

/// One sale's queue on one node: at most `maxInFlight` purchases settle at once and `depth` more wait, first come
/// first served; anyone beyond is told to come back later instead of making everyone wait longer.
final class AdmissionQueue: Sendable {
    private struct State {
        var running = 0
        var waiting = Deque<CheckedContinuation<Bool, Never>>()
    }

    let maxInFlight: Int
    let depth: Int
    private let state = Mutex(State())

    init(maxInFlight: Int, depth: Int) {
        self.maxInFlight = max(1, maxInFlight)
        self.depth = max(0, depth)
    }

    /// Runs `body` once a place is free; `FlashSaleError.overloaded` when the queue is full.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let admitted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answer = state.withLock { state -> Bool? in
                if state.running < maxInFlight {
                    state.running += 1
                    return true
                }
                guard state.waiting.count < depth else { return false }
                state.waiting.append(continuation)
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
        guard admitted else { throw FlashSaleError.overloaded }
        defer { leave() }
        return try await body()
    }

    /// The place passes to the first one waiting, or becomes free.
    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let next = state.waiting.popFirst() else {
                state.running -= 1
                return nil
            }
            return next
        }
        next?.resume(returning: true)
    }

    var waitingCount: Int { state.withLock { $0.waiting.count } }
}
