import Foundation
import SQLKit

extension CatalogStore {
    /// Ids of live products whose title or brand contains `query` (any case) or that have a SKU equal to it, newest
    /// first, and how many match in all.
    func productIds(matching query: String, limit: Int, offset: Int, in sql: any SQLDatabase) async throws -> (
        ids: [String], total: Int
    ) {
        var filter: SQLQueryString = "p.deleted_at IS NULL"
        let trimmed = query.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty {
            let pattern = "%" + Self.likeEscaped(trimmed.lowercased()) + "%"
            filter =
                filter
                    + """
                     AND (LOWER(p.title) LIKE \(bind: pattern) ESCAPE '!' OR LOWER(p.brand) LIKE \(bind: pattern) ESCAPE '!'
                        OR p.id IN (SELECT product_id FROM variants WHERE sku = \(bind: trimmed)))
                    """
        }
        let ids = try await sql.raw(
            "SELECT p.id FROM products p WHERE \(filter) ORDER BY p.id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)"
        ).all().map { try $0.decode(column: "id", as: String.self) }
        let total =
            try await sql.raw("SELECT COUNT(*) AS n FROM products p WHERE \(filter)").first()?.decode(
                column: "n", as: Int.self) ?? 0
        return (ids, total)
    }

    /// `text` with LIKE's wildcards taken literally (escaped with `!`).
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%")
            .replacingOccurrences(of: "_", with: "!_")
    }
}

extension Catalog {
    /// The admin's product list: live products matching `query` (title, brand or an exact SKU), newest first, a page
    /// of `pageSize` (pages from 1), with the number of matches.
    public func adminProducts(query: String, page: Int, pageSize: Int = 20) async throws -> (
        products: [Product], total: Int
    ) {
        let page = max(1, page)
        return try await database.read { sql in
            let (ids, total) = try await store.productIds(
                matching: query, limit: pageSize, offset: (page - 1) * pageSize, in: sql)
            return (try await queries.products(ids: ids, in: sql), total)
        }
    }

    /// Every category, by path, for pickers.
    public func allCategories() async throws -> [Category] {
        try await store.allCategories().map(\.category)
    }
}

extension Catalog {
    /// The live product with this id, read from the database (the admin edits what is stored, not a cached copy).
    public func adminProduct(id: String) async throws -> Product {
        guard let product = try await database.read({ try await queries.product(idOrSlug: id, in: $0) }),
            product.id == id
        else { throw CatalogError.productNotFound }
        return product
    }

    /// The live product that has the variant `sku`.
    public func adminProduct(sku: String) async throws -> Product {
        guard let row = try await database.read({ try await store.variant(sku: sku, in: $0) }), row.deletedAt == nil
        else { throw CatalogError.skuNotFound(sku) }
        return try await adminProduct(id: row.productId)
    }
}
