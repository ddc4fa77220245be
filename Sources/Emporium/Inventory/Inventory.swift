import Foundation
import SQLKit

/// A SKU's stock: what is on hand, what checkouts hold, and what is left to sell.
public struct StockLevel: Codable, Sendable, Equatable {
    public let sku: String
    public let onHand: Int
    public let reserved: Int
    public let available: Int
}

/// Units an unpaid flash-sale order gives back go to its sale while the sale is open (FlashSales implements it).
protocol SaleUnitsReturn: Sendable {
    /// True when the open sale took the units back: they stay counted in the SKU's `reserved`.
    func takeBack(saleId: String, orderId: String, quantity: Int, in sql: any SQLDatabase) async throws -> Bool
}

/// Per-SKU stock: the one module that changes it. Checkouts reserve (`StockReservations`), payments sell, cancels
/// release or restock, flash sales set units aside and give them back, merchants set and adjust; every change
/// writes `inventory.changed`. `available = onHand - reserved` never goes below zero: the guard is in SQL
/// (`StockStore.take`).
public struct Inventory: Sendable {
    let store: StockStore
    let saleUnits: any SaleUnitsReturn

    init(store: StockStore, saleUnits: any SaleUnitsReturn) {
        self.store = store
        self.saleUnits = saleUnits
    }

    var database: Database { store.database }

    public func level(sku: String) async throws -> StockLevel {
        guard let row = try await database.read({ try await store.row(sku: sku, in: $0) }) else {
            throw CatalogError.skuNotFound(sku)
        }
        return StockLevel(sku: sku, onHand: row.onHand, reserved: row.reserved, available: row.onHand - row.reserved)
    }

    /// How many reservation lines of unpaid orders hold stock now, and how many units they hold.
    func activeReservations() async throws -> (lines: Int, units: Int) {
        try await database.read { try await store.activeTotals(in: $0) }
    }

    /// Sets what is on hand (0 to `CatalogRules.maxStock`, else 422); refused (409) below what is reserved.
    public func set(sku: String, onHand: Int, reason: String = "set") async throws -> StockLevel {
        guard (0...CatalogRules.maxStock).contains(onHand) else {
            throw Problem.validation([FieldError("onHand", "must be 0 to \(CatalogRules.maxStock)")])
        }
        return try await database.transaction { sql in
            // Compare-and-set on the old value, so the movement's delta is exact under concurrent changes.
            for _ in 0..<20 {
                guard let old = try await store.row(sku: sku, in: sql) else { throw CatalogError.skuNotFound(sku) }
                guard onHand >= old.reserved else { throw CatalogError.belowReserved(sku: sku, reserved: old.reserved) }
                if let updated = try await store.set(sku: sku, onHand: onHand, expected: old.onHand, in: sql) {
                    return try await record(
                        sku: sku, delta: onHand - old.onHand, reason: reason, before: old, after: updated, in: sql)
                }
            }
            throw CatalogError.insufficientStock(sku: sku, available: 0)
        }
    }

    /// Adds `delta` (negative to remove) for `reason` (422 for a zero delta or an empty reason); refused (409) if
    /// `available` would fall below zero.
    public func adjust(sku: String, delta: Int, reason: String) async throws -> StockLevel {
        var validator = Validator()
        validator.check(
            delta != 0 && abs(delta) <= CatalogRules.maxStock, "delta",
            "must be non-zero and at most \(CatalogRules.maxStock) either way")
        validator.check(
            !reason.trimmingCharacters(in: .whitespaces).isEmpty && reason.count <= 200, "reason",
            "must be 1 to 200 characters")
        try validator.throwIfInvalid()
        return try await database.transaction { sql in
            guard let updated = try await store.add(sku: sku, delta: delta, in: sql) else {
                guard let current = try await store.row(sku: sku, in: sql) else { throw CatalogError.skuNotFound(sku) }
                throw CatalogError.insufficientStock(sku: sku, available: current.onHand - current.reserved)
            }
            let before = StockStore.Row(
                onHand: updated.onHand - delta, reserved: updated.reserved, lowThreshold: updated.lowThreshold,
                productId: updated.productId)
            return try await record(sku: sku, delta: delta, reason: reason, before: before, after: updated, in: sql)
        }
    }

    /// Creates the stock record of a new variant.
    func create(sku: String, productId: String, onHand: Int, in sql: any SQLDatabase) async throws {
        try await store.insert(sku: sku, productId: productId, onHand: onHand, in: sql)
        try await Outbox.append(
            "inventory.changed",
            aggregateId: sku,
            payload: StockChanged(sku: sku, productId: productId, onHand: onHand, reserved: 0, available: onHand),
            in: sql
        )
    }

    // MARK: What orders and flash sales do to stock, inside their own transactions.

    /// The rule "never oversell": takes every line from available stock, or none. On any shortfall throws
    /// `ReservationError.insufficientStock` with every short line (the caller rolls back what was taken). The rows
    /// as the reservation left them, for `announce`.
    @discardableResult
    func reserve(_ lines: [StockRequest], in sql: any SQLDatabase) async throws -> [StockChanged] {
        var short: [Shortfall] = []
        var taken: [StockChanged] = []
        for line in lines {
            if let after = try await store.take(sku: line.sku, quantity: line.quantity, in: sql) {
                taken.append(after)
            } else {
                let available = try await store.available(sku: line.sku, in: sql)
                short.append(Shortfall(sku: line.sku, requested: line.quantity, available: available))
            }
        }
        if !short.isEmpty { throw ReservationError.insufficientStock(short) }
        return taken
    }

    /// Records what orders hold (one order, or a flash-sale batch of several), for release or sale later; the units
    /// were taken by `StockReservations` or `setAside` before.
    func hold(
        _ held: [(orderId: String, line: StockRequest, expiresAt: Int)], saleId: String? = nil,
        in sql: any SQLDatabase
    ) async throws {
        try await store.hold(held, saleId: saleId, in: sql)
    }

    /// Returns an order's held units (expiry, cancel before payment): a flash-sale order's go back to its sale while
    /// the sale is open, everything else to available stock.
    func release(orderId: String, in sql: any SQLDatabase) async throws {
        let lines = try await store.activeLines(orderId: orderId, in: sql)
        for line in lines {
            if let saleId = line.saleId,
                try await saleUnits.takeBack(saleId: saleId, orderId: orderId, quantity: line.quantity, in: sql)
            {
                continue
            }
            try await store.giveBack(sku: line.sku, quantity: line.quantity, in: sql)
        }
        try await store.endHolds(orderId: orderId, state: "released", in: sql)
        try await announce(Set(lines.map(\.sku)), in: sql)
    }

    /// Ends a paid order's holds as sold and names their lines in one statement, for `sell(_:in:)`.
    func endHoldsForSale(orderId: String, in sql: any SQLDatabase) async throws -> [StockStore.HeldLine] {
        try await store.endHolds(orderId: orderId, state: "converted", in: sql)
    }

    /// The statement of `endHoldsForSale`, for a PostgreSQL capture to run inside its own; `also` adds a condition.
    func endHoldsForSale(orderId: String, also: SQLQueryString) -> SQLQueryString {
        StockStore.endHolds(orderId: orderId, state: "converted", also: also)
    }

    /// Turns a paid order's held units into a sale, once `endHoldsForSale` ended its holds: they leave `onHand`
    /// and `reserved` together, in one statement (`StockStore.sell`).
    func sell(_ held: [StockStore.HeldLine], in sql: any SQLDatabase) async throws {
        let sold = Self.sold(held)
        try await recordSale(sold, after: try await store.sell(sold, in: sql), in: sql)
    }

    /// The statement of `sell`, for a PostgreSQL capture to run inside its own over the holds that its CTE
    /// `ended` ended; the capture then calls `recordSale` with the rows it answered. The SKUs come in order, but
    /// PostgreSQL's join may take their rows in another: a deadlock runs the capture again (`Payments.capture`).
    static let sellEnded = StockStore.sell(
        from: "SELECT sku, CAST(SUM(quantity) AS BIGINT) AS quantity FROM ended GROUP BY sku ORDER BY sku")

    /// The held lines as one sale line per SKU.
    static func sold(_ held: [StockStore.HeldLine]) -> [StockRequest] {
        Dictionary(held.map { ($0.sku, $0.quantity) }, uniquingKeysWith: +)
            .map { StockRequest(sku: $0.key, quantity: $0.value) }.sorted { $0.sku < $1.sku }
    }

    /// A sale's stock movements (at the commit) and its `inventory.changed`, from the rows `StockStore.sell` left.
    func recordSale(_ sold: [StockRequest], after: [StockChanged], in sql: any SQLDatabase) async throws {
        let rows = Dictionary(after.map { ($0.sku, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [StockChanged] = []
        for line in sold {
            guard let row = rows[line.sku] else { continue }
            try await store.recordMovement(
                sku: line.sku, delta: -line.quantity, reason: "sale", onHandAfter: row.onHand, in: sql)
            changes.append(row)
        }
        try await announce(changes, in: sql)
    }

    /// The rule "a refund restocks": a cancelled paid order's units go back on hand.
    func restock(_ lines: [StockRequest], in sql: any SQLDatabase) async throws {
        for line in lines {
            guard let row = try await store.add(sku: line.sku, delta: line.quantity, in: sql) else { continue }
            try await store.recordMovement(
                sku: line.sku, delta: line.quantity, reason: "restock", onHandAfter: row.onHand, in: sql)
        }
        try await announce(Set(lines.map(\.sku)), in: sql)
    }

    /// Sets a flash sale's units aside from available stock (they stay in `reserved`, held by the sale);
    /// 409 `insufficient_stock` when they are not there.
    func setAside(sku: String, quantity: Int, in sql: any SQLDatabase) async throws {
        guard try await store.take(sku: sku, quantity: quantity, in: sql) != nil else {
            throw CatalogError.insufficientStock(sku: sku, available: try await store.available(sku: sku, in: sql))
        }
        try await announce([sku], in: sql)
    }

    /// What a closed flash sale still held goes back to available stock.
    func giveBack(sku: String, quantity: Int, in sql: any SQLDatabase) async throws {
        if quantity > 0 { try await store.giveBack(sku: sku, quantity: quantity, in: sql) }
        try await announce([sku], in: sql)
    }

    /// Writes one `inventory.changed` per SKU with its state at this point of the transaction.
    func announce(_ skus: Set<String>, in sql: any SQLDatabase) async throws {
        try await announce(try await store.changes(skus, in: sql), in: sql)
    }

    /// Writes `inventory.changed` for rows the caller already has as they are now, in one statement.
    func announce(_ changes: [StockChanged], in sql: any SQLDatabase) async throws {
        try await Outbox.appendAll(changes.map { ("inventory.changed", $0.sku, $0) }, in: sql)
    }

    private func record(
        sku: String, delta: Int, reason: String, before: StockStore.Row, after: StockStore.Row, in sql: any SQLDatabase
    ) async throws -> StockLevel {
        try await store.recordMovement(sku: sku, delta: delta, reason: reason, onHandAfter: after.onHand, in: sql)
        let level = StockLevel(
            sku: sku, onHand: after.onHand, reserved: after.reserved, available: after.onHand - after.reserved)
        try await Outbox.append(
            "inventory.changed",
            aggregateId: sku,
            payload: StockChanged(
                sku: sku, productId: after.productId, onHand: level.onHand, reserved: level.reserved,
                available: level.available),
            in: sql
        )
        let availableBefore = before.onHand - before.reserved
        if level.available < after.lowThreshold, availableBefore >= after.lowThreshold {
            try await Outbox.append(
                "inventory.low",
                aggregateId: sku,
                payload: LowStock(
                    sku: sku, productId: after.productId, available: level.available, threshold: after.lowThreshold),
                in: sql
            )
        }
        return level
    }
}

/// Payload of `inventory.changed`.
public struct StockChanged: Codable, Sendable {
    public let sku: String
    public let productId: String
    public let onHand: Int
    public let reserved: Int
    public let available: Int
}

/// Payload of `inventory.low`: available stock fell under the SKU's threshold.
public struct LowStock: Codable, Sendable {
    public let sku: String
    public let productId: String
    public let available: Int
    public let threshold: Int
}
