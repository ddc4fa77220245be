import Foundation
import SQLKit
import Synchronization

/// Group commit for flash-sale purchases, set-based: the purchases of one sale arriving within `window` are
/// settled by a fixed number of statements whatever their count (lock the sale row, one multi-row upsert of the
/// buyers within their limit, one guarded UPDATE of `remaining`, one multi-row INSERT each for key records,
/// orders, items, history, reservations and events). A savepoint per purchase would cost about ten round trips
/// per buyer instead, and three nodes' batches take the sale row in turn.
///
/// First come first served: units go to the batch's purchases in arrival order; a purchase over its buyer's limit
/// frees its units for the next. What the set-based step cannot settle on its own (two purchases of one buyer or
/// one key in a batch, a key recorded meanwhile by another node) falls back to one savepoint per purchase, the
/// same SQL as the `conditional` strategy, so correctness never rests on the fast path.
final class FlashPurchaseBatcher: Sendable {
    /// One purchase to settle: what it writes when it wins, and its per-purchase fallback.
    struct Purchase: Sendable {
        let key: PurchaseKey
        let quantity: Int
        let order: OrderStore.Row
        let item: OrderItem
        let orderCreated: OrderEvent
        /// The purchase on its own (`conditional`'s SQL), returning the buyer's units after it.
        let fallback: @Sendable (any SQLDatabase) async throws -> Int
    }

    private struct Pending: Sendable {
        let purchase: Purchase
        let continuation: CheckedContinuation<Int, any Error>
    }

    /// The set-based step met something only the per-purchase path settles: roll back and take that path.
    private struct NeedsFallback: Error {}

    let store: FlashSaleStore
    let inventory: Inventory
    let window: Duration
    let maxBatch: Int
    private let lanes = Mutex<[String: GroupCommitLane<Pending>]>([:])

    init(store: FlashSaleStore, inventory: Inventory, window: Duration) {
        self.store = store
        self.inventory = inventory
        self.window = window
        self.maxBatch = store.database.engine == .sqlite ? 512 : 256
    }

    var database: Database { store.database }

    /// Settles `purchase` of `saleId` with the others arriving now; the buyer's units in the sale after it.
    func submit(_ purchase: Purchase, saleId: String) async throws -> Int {
        let lane = lanes.withLock { lanes in
            if let lane = lanes[saleId] { return lane }
            let lane = GroupCommitLane<Pending>(window: window, maxBatch: maxBatch)
            lanes[saleId] = lane
            return lane
        }
        return try await withCheckedThrowingContinuation { continuation in
            lane.submit(Pending(purchase: purchase, continuation: continuation)) { batch in
                await self.settle(batch, saleId: saleId)
            }
        }
    }

    private func settle(_ batch: [Pending], saleId: String) async {
        let purchases = batch.map(\.purchase)
        do {
            // A deadlock with another node's transaction aborts this one: it is settled again.
            let outcomes: [Result<Int, any Error>]
            do {
                outcomes = try await database.transaction(attempts: 3) { sql in
                    try await self.settleTogether(purchases, saleId: saleId, in: sql)
                }
            } catch is NeedsFallback {
                outcomes = try await database.transaction(attempts: 3) { sql in
                    try await self.settleOneByOne(purchases, saleId: saleId, in: sql)
                }
            }
            for (pending, outcome) in zip(batch, outcomes) { pending.continuation.resume(with: outcome) }
        } catch {
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }

    /// One savepoint per purchase, each running its own SQL: for batches the set-based step cannot settle.
    private func settleOneByOne(_ purchases: [Purchase], saleId: String, in sql: any SQLDatabase) async throws
        -> [Result<Int, any Error>]
    {
        var outcomes: [Result<Int, any Error>] = []
        var buyers: [String: Int] = [:]
        for (index, purchase) in purchases.enumerated() {
            let outcome = try await sql.inSavepoint("f\(index)") { try await purchase.fallback(sql) }
            if case .success(let units) = outcome {
                buyers[purchase.key.userId] = max(buyers[purchase.key.userId] ?? 0, units)
            }
            outcomes.append(outcome)
        }
        if !buyers.isEmpty { try await store.announce(saleId: saleId, buyers: buyers, in: sql) }
        return outcomes
    }

    private func settleTogether(_ purchases: [Purchase], saleId: String, in sql: any SQLDatabase) async throws
        -> [Result<Int, any Error>]
    {
        // One purchase per buyer and per key in the set-based step; anything else takes the per-purchase path.
        guard Set(purchases.map(\.key.userId)).count == purchases.count else { throw NeedsFallback() }
        let now = Database.nowMillis()
        guard let sale = try await store.lockedRow(id: saleId, in: sql) else {
            return purchases.map { _ in .failure(FlashSaleError.notFound) }
        }
        var outcomes = [Result<Int, any Error>?](repeating: nil, count: purchases.count)
        switch sale.status(at: now) {
        case .scheduled, .ended:
            let refused = UnitsRefused(sale: sale, reason: .notLive(sale.status(at: now)))
            return purchases.map { _ in .failure(refused) }
        case .live, .soldOut:
            break
        }
        var remaining = sale.remaining
        var waiting = Array(purchases.indices)
        var winners: [Int] = []
        var units: [String: Int] = [:]
        // Units to the purchases in arrival order; one over its limit frees its units for the next round.
        while remaining > 0, !waiting.isEmpty {
            var chosen: [Int] = []
            var left = remaining
            var rest: [Int] = []
            for index in waiting {
                let quantity = purchases[index].quantity
                if quantity > sale.perCustomerLimit {
                    outcomes[index] = .failure(FlashSaleError.limitExceeded(limit: sale.perCustomerLimit))
                } else if quantity <= left {
                    chosen.append(index)
                    left -= quantity
                } else {
                    rest.append(index)
                }
            }
            if chosen.isEmpty { break }
            let counted = try await store.countBuyers(
                saleId: saleId, limit: sale.perCustomerLimit,
                chosen.map { (purchases[$0].key.userId, purchases[$0].quantity) }, in: sql
            )
            for index in chosen {
                let userId = purchases[index].key.userId
                if let after = counted[userId] {
                    winners.append(index)
                    units[userId] = after
                    remaining -= purchases[index].quantity
                } else {
                    outcomes[index] = .failure(FlashSaleError.limitExceeded(limit: sale.perCustomerLimit))
                }
            }
            waiting = rest
        }
        winners.sort()
        if !winners.isEmpty {
            let won = winners.map { purchases[$0] }
            let total = won.reduce(0) { $0 + $1.quantity }
            guard try await store.takeUnits(saleId: saleId, total: total, now: now, in: sql) else {
                throw NeedsFallback()
            }
            // A key recorded meanwhile (a retry that won on another node) is the per-purchase path's to answer.
            guard try await store.recordPurchases(won.map { ($0.key, $0.order.id) }, in: sql) == won.count
            else {
                throw NeedsFallback()
            }
            try await OrderStore.insertNew(won.map { ($0.order, [$0.item]) }, in: sql)
            try await inventory.hold(
                won.map {
                    ($0.order.id, StockRequest(sku: $0.item.sku, quantity: $0.quantity), $0.order.reservationExpiresAt)
                },
                saleId: saleId, in: sql
            )
            try await Outbox.appendAll(won.map { ("order.created", $0.order.id, $0.orderCreated) }, in: sql)
        }
        let after =
            winners.isEmpty ? sale : (try await store.announce(saleId: saleId, buyers: units, in: sql) ?? sale)
        for index in winners {
            outcomes[index] = .success(units[purchases[index].key.userId] ?? purchases[index].quantity)
        }
        let soldOut = UnitsRefused(sale: after, reason: .soldOut(remaining: after.remaining))
        return outcomes.map { $0 ?? .failure(soldOut) }
    }
}
