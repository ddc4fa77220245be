import Foundation
import SQLKit
import Synchronization

/// How concurrent reservations of one SKU are settled. All three are correct (the SQL guard decides);
/// only their speed differs, which is why the benchmark compares them in one run.
public enum ReservationStrategy: String, Sendable, CaseIterable {
    /// On PostgreSQL each node gathers the requests of about a millisecond and settles them in one transaction
    /// (`ReservationBatcher`); on SQLite each request is its own transaction, which the writer already groups
    /// into one commit with its neighbours (`SQLiteWriter`). Either way SKUs found sold out are remembered.
    case batched
    /// One guarded `UPDATE ... WHERE on_hand - reserved >= ?` per request.
    case conditional
    /// `SELECT ... FOR UPDATE` of the rows first, then the same guarded UPDATE: every buyer of a SKU queues on
    /// its row (PostgreSQL), the naive design, kept for comparison.
    case rowLock = "row-lock"
}

/// Stock a request needs: one line of a checkout.
public struct StockRequest: Sendable, Equatable {
    public let sku: String
    public let quantity: Int

    public init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// A line that could not be reserved.
public struct Shortfall: Codable, Sendable, Equatable {
    public let sku: String
    public let requested: Int
    public let available: Int
}

public enum ReservationError: Error, Equatable {
    case insufficientStock([Shortfall])
}

/// Reserves stock for checkouts, all lines or none, and runs the caller's work in the same transaction.
public final class StockReservations: Sendable {
    let inventory: Inventory
    public let strategy: ReservationStrategy
    /// Group commit on PostgreSQL, where a transaction costs round trips to another process. SQLite needs none
    /// beside its writer's, which groups every write transaction already.
    let batcher: ReservationBatcher?
    private let soldOut = Mutex<Set<String>>([])

    init(inventory: Inventory, strategy: ReservationStrategy, window: Duration = .milliseconds(1)) {
        self.inventory = inventory
        self.strategy = strategy
        let grouped = strategy == .batched && inventory.database.engine == .postgres
        self.batcher = grouped ? ReservationBatcher(inventory: inventory, window: window) : nil
    }

    var database: Database { inventory.database }

    /// Reserves every line (or none: `ReservationError.insufficientStock` lists each short SKU), then runs
    /// `work` in the same transaction; the reservation commits only with it.
    public func reserve<T: Sendable>(
        _ lines: [StockRequest],
        then work: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        // One order of rows for everyone, so two transactions never wait on each other's rows crosswise.
        let lines = lines.sorted { $0.sku < $1.sku }
        switch strategy {
        case .batched:
            try refuseKnownSoldOut(lines)
            do {
                if let batcher {
                    return try await batcher.submit(lines) { sql in try await work(sql) } as! T
                }
                return try await database.transaction { sql in try await self.reserve(lines, in: sql, work) }
            } catch ReservationError.insufficientStock(let short) {
                let gone = short.filter { $0.available == 0 }.map(\.sku)
                if !gone.isEmpty { soldOut.withLock { $0.formUnion(gone) } }
                throw ReservationError.insufficientStock(short)
            }
        case .conditional:
            return try await database.transaction { sql in try await self.reserve(lines, in: sql, work) }
        case .rowLock:
            return try await database.transaction { sql in
                try await self.inventory.store.lock(skus: lines.map(\.sku), in: sql)
                return try await self.reserve(lines, in: sql, work)
            }
        }
    }

    /// The guarded reservation of every line, then `work`, then `inventory.changed` for the lines' SKUs (from the
    /// rows the reservation returned).
    private func reserve<T: Sendable>(
        _ lines: [StockRequest], in sql: any SQLDatabase, _ work: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let taken = try await inventory.reserve(lines, in: sql)
        let value = try await work(sql)
        // `work` records what the order holds; it does not move stock, so the rows are still as taken.
        try await inventory.announce(taken, in: sql)
        return value
    }

    /// A SKU this node saw sold out is refused without asking the database, until stock comes back.
    private func refuseKnownSoldOut(_ lines: [StockRequest]) throws {
        let known = soldOut.withLock { $0 }
        guard !known.isEmpty else { return }
        let short = lines.filter { known.contains($0.sku) }
        if !short.isEmpty {
            throw ReservationError.insufficientStock(
                short.map { Shortfall(sku: $0.sku, requested: $0.quantity, available: 0) })
        }
    }

    /// Every node forgets a "sold out" it remembered once stock comes back.
    var consumer: EventConsumer {
        EventConsumer(name: "sold-out-memory", scope: .node(), types: ["inventory.changed"]) { [self] event in
            let change = try event.decode(StockChanged.self)
            if change.available > 0 { _ = soldOut.withLock { $0.remove(change.sku) } }
        }
    }
}
