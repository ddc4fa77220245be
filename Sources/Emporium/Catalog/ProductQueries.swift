import Foundation
import SQLKit

/// Reads whole products (with category, variants, stock and images) in a few queries per batch.
struct ProductQueries: Sendable {
    struct ProductRow: Decodable {
        let id: String
        let slug: String
        let title: String
        let description: String
        let brand: String
        let categoryId: String?
        let categoryName: String?
        let categoryNamePath: String?
        let attributes: String
        let ratingSum: Int
        let ratingCount: Int
        let version: Int
        let createdAt: Int
        let updatedAt: Int
    }

    struct VariantRow: Decodable {
        let sku: String
        let productId: String
        let title: String
        let attributes: String
        let priceAmount: Int
        let priceCurrency: String
        let onHand: Int?
        let reserved: Int?
    }

    struct ImageRow: Decodable {
        let productId: String
        let url: String
        let alt: String
    }

    private static let productColumns: SQLQueryString = """
        SELECT p.id, p.slug, p.title, p.description, p.brand, p.category_id, c.name AS category_name,
               c.name_path AS category_name_path, p.attributes, p.rating_sum, p.rating_count, p.version,
               p.created_at, p.updated_at
        FROM products p LEFT JOIN categories c ON c.id = p.category_id
        """

    /// A live product by id or slug.
    func product(idOrSlug: String, in sql: any SQLDatabase) async throws -> Product? {
        let rows = try await sql.raw(
            "\(Self.productColumns) WHERE (p.id = \(bind: idOrSlug) OR p.slug = \(bind: idOrSlug)) AND p.deleted_at IS NULL"
        ).all(decoding: ProductRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        // An id wins over another product's slug that happens to equal it.
        let row = rows.first { $0.id == idOrSlug } ?? rows.first
        guard let row else { return nil }
        return try await assemble([row], in: sql).first
    }

    /// Live products with ids after `afterId`, in id order, for exports and index builds.
    func products(after afterId: String, limit: Int, in sql: any SQLDatabase) async throws -> [Product] {
        let rows = try await sql.raw(
            "\(Self.productColumns) WHERE p.id > \(bind: afterId) AND p.deleted_at IS NULL ORDER BY p.id LIMIT \(bind: limit)"
        ).all(decoding: ProductRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return try await assemble(rows, in: sql)
    }

    /// Live products by id, in the order of `ids`.
    func products(ids: [String], in sql: any SQLDatabase) async throws -> [Product] {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.raw(
            "\(Self.productColumns) WHERE p.id IN (\(binds: ids)) AND p.deleted_at IS NULL"
        ).all(decoding: ProductRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let byId = Dictionary(uniqueKeysWithValues: try await assemble(rows, in: sql).map { ($0.id, $0) })
        return ids.compactMap { byId[$0] }
    }

    private func assemble(_ rows: [ProductRow], in sql: any SQLDatabase) async throws -> [Product] {
        guard !rows.isEmpty else { return [] }
        let ids = SQLList(rows.map { SQLBind($0.id) })
        let variants = try await sql.raw(
            """
            SELECT v.sku, v.product_id, v.title, v.attributes, v.price_amount, v.price_currency, s.on_hand, s.reserved
            FROM variants v LEFT JOIN stock s ON s.sku = v.sku
            WHERE v.product_id IN (\(ids)) ORDER BY v.product_id, v.position
            """
        ).all(decoding: VariantRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let images = try await sql.raw(
            "SELECT product_id, url, alt FROM product_images WHERE product_id IN (\(ids)) ORDER BY product_id, position"
        ).all(decoding: ImageRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let variantsByProduct = Dictionary(grouping: variants, by: \.productId)
        let imagesByProduct = Dictionary(grouping: images, by: \.productId)
        return try rows.map { row in
            try product(row, variants: variantsByProduct[row.id] ?? [], images: imagesByProduct[row.id] ?? [])
        }
    }

    private func product(_ row: ProductRow, variants: [VariantRow], images: [ImageRow]) throws -> Product {
        let productVariants = try variants.map { variant in
            Product.Variant(
                sku: variant.sku,
                title: variant.title,
                attributes: try JSON.decode([String: String].self, variant.attributes),
                price: Money(amount: variant.priceAmount, currency: variant.priceCurrency),
                available: max(0, (variant.onHand ?? 0) - (variant.reserved ?? 0))
            )
        }
        let category = row.categoryId.map { id in
            Product.CategoryRef(
                id: id,
                name: row.categoryName ?? "",
                path: row.categoryNamePath.flatMap { try? JSON.decode([String].self, $0) } ?? []
            )
        }
        let cheapest = productVariants.min { $0.price.amount < $1.price.amount }?.price ?? Money(amount: 0)
        let average = row.ratingCount == 0 ? 0 : (Double(row.ratingSum) / Double(row.ratingCount) * 10).rounded() / 10
        return Product(
            id: row.id,
            slug: row.slug,
            title: row.title,
            description: row.description,
            brand: row.brand,
            category: category,
            attributes: try JSON.decode([String: String].self, row.attributes),
            price: cheapest,
            images: images.map { Product.Image(url: $0.url, alt: $0.alt) },
            variants: productVariants,
            rating: Product.Rating(average: average, count: row.ratingCount),
            inStock: productVariants.contains { $0.available > 0 },
            createdAt: Timestamp.rfc3339(row.createdAt),
            updatedAt: Timestamp.rfc3339(row.updatedAt),
            version: row.version
        )
    }
}
