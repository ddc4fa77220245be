import Foundation
import SQLKit

/// A SKU's stock: what is on hand, what checkouts hold, and what is left to sell.
public struct StockLevel: Codable, Sendable, Equatable {
    public let sku: String
    public let onHand: Int
    public let reserved: Int
    public let available: Int
}

/// Per-SKU stock records. `available = onHand - reserved` never goes below zero: the guard is in SQL.
public struct Inventory: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "inventory.1",
            [
                """
                CREATE TABLE stock (sku TEXT PRIMARY KEY REFERENCES variants (sku), product_id TEXT NOT NULL,
                    on_hand BIGINT NOT NULL, reserved BIGINT NOT NULL DEFAULT 0, low_threshold BIGINT NOT NULL DEFAULT 5,
                    CHECK (reserved >= 0 AND on_hand >= reserved))
                """,
                """
                CREATE TABLE stock_movements (id {serial}, sku TEXT NOT NULL, delta BIGINT NOT NULL, reason TEXT NOT NULL,
                    on_hand_after BIGINT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX stock_movements_sku ON stock_movements (sku)",
            ]),
        Migration("inventory.2", ["CREATE INDEX stock_product ON stock (product_id)"]),
    ]

    struct Row: Decodable {
        let onHand: Int
        let reserved: Int
        let lowThreshold: Int
        let productId: String
    }

    public func level(sku: String) async throws -> StockLevel {
        guard let row = try await database.read({ try await row(sku: sku, in: $0) }) else {
            throw CatalogError.skuNotFound(sku)
        }
        return StockLevel(sku: sku, onHand: row.onHand, reserved: row.reserved, available: row.onHand - row.reserved)
    }

    /// Sets what is on hand; refused (409) below what is reserved.
    public func set(sku: String, onHand: Int, reason: String = "set") async throws -> StockLevel {
        try await database.transaction { sql in
            // Compare-and-set on the old value, so the movement's delta is exact under concurrent changes.
            for _ in 0..<20 {
                guard let old = try await row(sku: sku, in: sql) else { throw CatalogError.skuNotFound(sku) }
                guard onHand >= old.reserved else { throw CatalogError.belowReserved(sku: sku, reserved: old.reserved) }
                let updated = try await sql.raw(
                    """
                    UPDATE stock SET on_hand = \(bind: onHand)
                    WHERE sku = \(bind: sku) AND on_hand = \(bind: old.onHand) AND reserved <= \(bind: onHand)
                    RETURNING on_hand, reserved, low_threshold, product_id
                    """
                ).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
                if let updated {
                    return try await record(
                        sku: sku, delta: onHand - old.onHand, reason: reason, before: old, after: updated, in: sql)
                }
            }
            throw CatalogError.insufficientStock(sku: sku, available: 0)
        }
    }

    /// Adds `delta` (negative to remove); refused (409) if `available` would fall below zero.
    public func adjust(sku: String, delta: Int, reason: String) async throws -> StockLevel {
        try await database.transaction { sql in
            guard
                let updated = try await sql.raw(
                    """
                    UPDATE stock SET on_hand = on_hand + \(bind: delta)
                    WHERE sku = \(bind: sku) AND on_hand + \(bind: delta) - reserved >= 0
                    RETURNING on_hand, reserved, low_threshold, product_id
                    """
                ).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
            else {
                guard let current = try await row(sku: sku, in: sql) else { throw CatalogError.skuNotFound(sku) }
                throw CatalogError.insufficientStock(sku: sku, available: current.onHand - current.reserved)
            }
            let before = Row(
                onHand: updated.onHand - delta, reserved: updated.reserved, lowThreshold: updated.lowThreshold,
                productId: updated.productId)
            return try await record(sku: sku, delta: delta, reason: reason, before: before, after: updated, in: sql)
        }
    }

    /// Creates the stock record of a new variant.
    func create(sku: String, productId: String, onHand: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "INSERT INTO stock (sku, product_id, on_hand) VALUES (\(bind: sku), \(bind: productId), \(bind: onHand))"
        ).run()
        try await Self.recordMovement(sku: sku, delta: onHand, reason: "initial stock", onHandAfter: onHand, in: sql)
        try await Outbox.append(
            "inventory.changed",
            aggregateId: sku,
            payload: StockChanged(sku: sku, productId: productId, onHand: onHand, reserved: 0, available: onHand),
            in: sql
        )
    }

    private func row(sku: String, in sql: any SQLDatabase) async throws -> Row? {
        try await sql.raw("SELECT on_hand, reserved, low_threshold, product_id FROM stock WHERE sku = \(bind: sku)")
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// One line of the stock ledger: every change of `on_hand` writes one, and `emporium audit` adds them up.
    static func recordMovement(sku: String, delta: Int, reason: String, onHandAfter: Int, in sql: any SQLDatabase)
        async throws
    {
        try await sql.raw(
            """
            INSERT INTO stock_movements (sku, delta, reason, on_hand_after, created_at)
            VALUES (\(bind: sku), \(bind: delta), \(bind: reason), \(bind: onHandAfter), \(bind: Database.nowMillis()))
            """
        ).run()
    }

    private func record(sku: String, delta: Int, reason: String, before: Row, after: Row, in sql: any SQLDatabase)
        async throws
        -> StockLevel
    {
        try await Self.recordMovement(sku: sku, delta: delta, reason: reason, onHandAfter: after.onHand, in: sql)
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
