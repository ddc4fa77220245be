import Foundation
import SQLKit

/// The SQL of Catalog: categories (materialised paths), products, variants and images.
struct CatalogStore: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "catalog.1",
            [
                """
                CREATE TABLE categories (id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT REFERENCES categories (id),
                    path TEXT NOT NULL, name_path TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX categories_path ON categories (path)",
                """
                CREATE TABLE products (id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
                    description TEXT NOT NULL, brand TEXT NOT NULL, category_id TEXT REFERENCES categories (id),
                    attributes TEXT NOT NULL, rating_sum BIGINT NOT NULL DEFAULT 0, rating_count BIGINT NOT NULL DEFAULT 0,
                    version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT)
                """,
                "CREATE INDEX products_category ON products (category_id)",
                """
                CREATE TABLE variants (sku TEXT PRIMARY KEY, product_id TEXT NOT NULL REFERENCES products (id),
                    title TEXT NOT NULL, attributes TEXT NOT NULL, price_amount BIGINT NOT NULL, price_currency TEXT NOT NULL,
                    position BIGINT NOT NULL)
                """,
                "CREATE INDEX variants_product ON variants (product_id)",
                """
                CREATE TABLE product_images (product_id TEXT NOT NULL REFERENCES products (id), position BIGINT NOT NULL,
                    url TEXT NOT NULL, alt TEXT NOT NULL, PRIMARY KEY (product_id, position))
                """,
            ])
    ]

    // MARK: Categories

    struct CategoryRow: Decodable, Sendable {
        let id: String
        let name: String
        let parentId: String?
        let path: String
        let namePath: String

        var names: [String] { (try? JSONDecoder().decode([String].self, from: Data(namePath.utf8))) ?? [name] }
        var category: Category { Category(id: id, name: name, path: names) }
    }

    /// A variant with its product's title, whether or not the product is deleted.
    struct VariantRow: Decodable {
        let productId: String
        let variantTitle: String
        let priceCurrency: String
        let title: String
        let deletedAt: Int?
    }

    func variant(sku: String, in sql: any SQLDatabase) async throws -> VariantRow? {
        try await sql.raw(
            """
            SELECT v.product_id, v.title AS variant_title, v.price_currency, p.title, p.deleted_at
            FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = \(bind: sku)
            """
        ).first(decoding: VariantRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func category(id: String, in sql: any SQLDatabase) async throws -> CategoryRow? {
        try await sql.raw("SELECT id, name, parent_id, path, name_path FROM categories WHERE id = \(bind: id)")
            .first(decoding: CategoryRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func allCategories() async throws -> [CategoryRow] {
        try await database.read { sql in
            try await sql.raw("SELECT id, name, parent_id, path, name_path FROM categories ORDER BY path")
                .all(decoding: CategoryRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    func insertCategory(_ row: CategoryRow, now: Int, in sql: any SQLDatabase) async throws {
        try await insertCategories([row], now: now, in: sql)
    }

    /// Several categories in one statement (a seeded tree of hundreds: one round trip, not hundreds).
    func insertCategories(_ rows: [CategoryRow], now: Int, in sql: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        let values = rows.map { row -> SQLQueryString in
            "(\(bind: row.id), \(bind: row.name), \(bind: row.parentId), \(bind: row.path), \(bind: row.namePath), \(bind: now))"
        }
        try await sql.raw(
            """
            INSERT INTO categories (id, name, parent_id, path, name_path, created_at)
            VALUES \(values.joined(separator: ", "))
            """
        ).run()
    }

    /// Live products per category (not counting sub-categories).
    func productCounts() async throws -> [String: Int] {
        try await database.read { sql in
            var counts: [String: Int] = [:]
            for row in try await sql.raw(
                "SELECT category_id, COUNT(*) AS n FROM products WHERE deleted_at IS NULL AND category_id IS NOT NULL GROUP BY category_id"
            ).all() {
                counts[try row.decode(column: "category_id", as: String.self)] = try row.decode(
                    column: "n", as: Int.self)
            }
            return counts
        }
    }

    // MARK: Products

    /// Inserts the product under the first free slug of `slug`, `slug-2`, `slug-3`, ...; the slug it got.
    func insertProduct(
        id: String,
        slug: String,
        product: NewProduct,
        now: Int,
        in sql: any SQLDatabase
    ) async throws -> String {
        let attributes = try JSON.string(product.attributes)
        let title = product.title.trimmingCharacters(in: .whitespacesAndNewlines)
        for attempt in 1...50 {
            let candidate = attempt == 1 ? slug : attempt < 50 ? "\(slug)-\(attempt)" : "\(slug)-\(id.suffix(8))"
            let inserted = try await sql.raw(
                """
                INSERT INTO products (id, slug, title, description, brand, category_id, attributes, version, created_at, updated_at)
                VALUES (\(bind: id), \(bind: candidate), \(bind: title), \(bind: product.description), \(bind: product.brand),
                        \(bind: product.categoryId), \(bind: attributes), 1, \(bind: now), \(bind: now))
                ON CONFLICT (slug) DO NOTHING RETURNING slug
                """
            ).first()
            if inserted != nil { return candidate }
        }
        throw CatalogError.productNotFound
    }

    /// Inserts variants; the SKUs that already existed (nothing is inserted for them).
    func insertVariants(
        _ variants: [NewProduct.Variant],
        productId: String,
        firstPosition: Int,
        in sql: any SQLDatabase
    ) async throws -> [String] {
        var taken: [String] = []
        for (offset, variant) in variants.enumerated() {
            let inserted = try await sql.raw(
                """
                INSERT INTO variants (sku, product_id, title, attributes, price_amount, price_currency, position)
                VALUES (\(bind: variant.sku), \(bind: productId), \(bind: variant.title), \(bind: try JSON.string(variant.attributes)),
                        \(bind: variant.price.amount), \(bind: variant.price.currency), \(bind: firstPosition + offset))
                ON CONFLICT (sku) DO NOTHING RETURNING sku
                """
            ).first()
            if inserted == nil { taken.append(variant.sku) }
        }
        return taken
    }

    /// Applies the given fields to a live product and bumps its version; false when there is no such product.
    func updateProduct(
        id: String,
        title: String?,
        description: String?,
        brand: String?,
        categoryId: String??,
        attributes: [String: String]?,
        now: Int,
        in sql: any SQLDatabase
    ) async throws -> Bool {
        var assignments: [SQLQueryString] = ["version = version + 1", "updated_at = \(bind: now)"]
        if let title { assignments.append("title = \(bind: title.trimmingCharacters(in: .whitespacesAndNewlines))") }
        if let description { assignments.append("description = \(bind: description)") }
        if let brand { assignments.append("brand = \(bind: brand)") }
        if let categoryId { assignments.append("category_id = \(bind: categoryId)") }
        if let attributes { assignments.append("attributes = \(bind: try JSON.string(attributes))") }
        let set = assignments.joined(separator: ", ")
        return try await sql.raw(
            "UPDATE products SET \(set) WHERE id = \(bind: id) AND deleted_at IS NULL RETURNING id"
        ).first() != nil
    }

    /// Applies the given fields to the product's variant; false when the product has no such SKU.
    func updateVariant(_ changes: VariantChanges, productId: String, in sql: any SQLDatabase) async throws -> Bool {
        var assignments: [SQLQueryString] = ["sku = sku"]
        if let title = changes.title { assignments.append("title = \(bind: title)") }
        if let attributes = changes.attributes {
            assignments.append("attributes = \(bind: try JSON.string(attributes))")
        }
        if let price = changes.price {
            assignments.append("price_amount = \(bind: price.amount)")
            assignments.append("price_currency = \(bind: price.currency)")
        }
        let set = assignments.joined(separator: ", ")
        return try await sql.raw(
            "UPDATE variants SET \(set) WHERE sku = \(bind: changes.sku) AND product_id = \(bind: productId) RETURNING sku"
        ).first() != nil
    }

    func softDelete(id: String, now: Int, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE products SET deleted_at = \(bind: now), updated_at = \(bind: now), version = version + 1
            WHERE id = \(bind: id) AND deleted_at IS NULL RETURNING id
            """
        ).first() != nil
    }

    func variantCount(productId: String, in sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM variants WHERE product_id = \(bind: productId)").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    func addImage(productId: String, url: String, alt: String, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO product_images (product_id, position, url, alt)
            SELECT \(bind: productId), COALESCE(MAX(position), -1) + 1, \(bind: url), \(bind: alt)
            FROM product_images WHERE product_id = \(bind: productId)
            """
        ).run()
    }
}

/// JSON text for the free-form columns.
enum JSON {
    static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

extension CatalogStore {
    func liveProductId(_ idOrSlug: String, in sql: any SQLDatabase) async throws -> String? {
        let ids = try await sql.raw(
            """
            SELECT id FROM products WHERE (id = \(bind: idOrSlug) OR slug = \(bind: idOrSlug)) AND deleted_at IS NULL
            """
        ).all().map { try $0.decode(column: "id", as: String.self) }
        // An id wins over another product's slug that happens to equal it.
        return ids.first { $0 == idOrSlug } ?? ids.first
    }

    /// The rating columns only: a rating is not a change of the product itself, so its version stays.
    func setRating(productId: String, sum: Int, count: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "UPDATE products SET rating_sum = \(bind: sum), rating_count = \(bind: count) WHERE id = \(bind: productId)"
        ).run()
    }
}
