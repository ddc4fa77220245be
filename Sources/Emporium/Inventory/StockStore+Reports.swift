import Foundation
import SQLKit

extension StockStore {
    /// SKUs of live products whose available stock is under their threshold, the furthest under first: read from
    /// the front of `stock_shortfall` (no other sort key, which would sort every SKU under its threshold), so a
    /// large catalog costs no more than a small one.
    func lowStock(limit: Int, in sql: any SQLDatabase) async throws -> [LowStockItem] {
        try await sql.raw(
            """
            SELECT s.sku, s.product_id, p.title, v.title AS variant_title, s.on_hand - s.reserved AS available,
                s.low_threshold
            FROM stock s JOIN products p ON p.id = s.product_id JOIN variants v ON v.sku = s.sku
            WHERE (s.on_hand - s.reserved - s.low_threshold) < 0 AND p.deleted_at IS NULL
            ORDER BY (s.on_hand - s.reserved - s.low_threshold) LIMIT \(bind: limit)
            """
        ).all().map { row in
            LowStockItem(
                sku: try row.decode(column: "sku", as: String.self),
                productId: try row.decode(column: "product_id", as: String.self),
                title: try row.decode(column: "title", as: String.self),
                variantTitle: try row.decode(column: "variant_title", as: String.self),
                available: try row.decode(column: "available", as: Int.self),
                threshold: try row.decode(column: "low_threshold", as: Int.self))
        }
    }

    /// The SKU's ledger, newest first.
    func movements(sku: String, limit: Int, in sql: any SQLDatabase) async throws -> [StockMovement] {
        try await sql.raw(
            """
            SELECT delta, reason, on_hand_after, created_at FROM stock_movements WHERE sku = \(bind: sku)
            ORDER BY id DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            StockMovement(
                delta: try row.decode(column: "delta", as: Int.self),
                reason: try row.decode(column: "reason", as: String.self),
                onHandAfter: try row.decode(column: "on_hand_after", as: Int.self),
                at: Timestamp.rfc3339(try row.decode(column: "created_at", as: Int.self)))
        }
    }
}

/// A SKU under its low-stock threshold.
public struct LowStockItem: Sendable, Equatable {
    public let sku: String
    public let productId: String
    public let title: String
    public let variantTitle: String
    public let available: Int
    public let threshold: Int
}

/// One line of a SKU's stock ledger: what changed `onHand`, by how much, and when.
public struct StockMovement: Sendable, Equatable {
    public let delta: Int
    public let reason: String
    public let onHandAfter: Int
    public let at: String
}

extension Inventory {
    /// SKUs under their low-stock threshold, the furthest under first.
    public func lowStock(limit: Int = 10) async throws -> [LowStockItem] {
        try await database.read { try await store.lowStock(limit: limit, in: $0) }
    }

    /// The SKU's stock movements, newest first.
    public func movements(sku: String, limit: Int = 50) async throws -> [StockMovement] {
        try await database.read { try await store.movements(sku: sku, limit: limit, in: $0) }
    }
}
