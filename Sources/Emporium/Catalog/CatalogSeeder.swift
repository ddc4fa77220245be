import Foundation
import Logging
import SQLKit

/// Fills a store with the demo catalog or a synthetic one, and exports the catalog as JSON lines.
public struct CatalogSeeder: Sendable {
    let node: StoreNode

    public init(node: StoreNode) {
        self.node = node
    }

    var database: Database { node.database }

    public func productCount() async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM products").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Fills an empty store with the curated demo catalog; false (and nothing written) when it has products already.
    @discardableResult
    public func seedDemo() async throws -> Bool {
        guard try await productCount() == 0 else { return false }
        var categoryIds: [String: String] = [:]
        for category in DemoCatalog.categories {
            let parent = category.parentKey.flatMap { categoryIds[$0] }
            categoryIds[category.key] = try await node.categories.create(name: category.name, parentId: parent).id
        }
        var productIds: [String] = []
        for seed in DemoCatalog.products {
            var product = seed.product
            product.categoryId = categoryIds[seed.categoryKey]
            let created = try await node.catalog.createProduct(product)
            productIds.append(created.id)
            if let svg = seed.svgImage {
                _ = try await node.catalog.addImage(
                    productId: created.id, declaredType: "image/svg+xml", bytes: Array(svg.utf8))
            }
        }
        let reviews = try await node.reviews.seedDemo(productIds: productIds)
        node.logger.info(
            "seeded the demo catalog", metadata: ["products": "\(DemoCatalog.products.count)", "reviews": "\(reviews)"])
        return true
    }

    /// Generates `count` products deterministically from `seed`, in batched inserts; `progress` gets the count so far.
    public func seedSynthetic(count: Int, seed: UInt64, progress: @Sendable (Int) -> Void = { _ in }) async throws {
        guard try await productCount() == 0 else {
            throw ConfigurationError(
                "the store already has products; seed a synthetic catalog into an empty --data-dir")
        }
        let catalog = SyntheticCatalog(seed: seed)
        let now = Database.nowMillis()
        var categoryIds: [String: String] = [:]
        var paths: [String: (path: String, names: [String])] = [:]
        var rows: [CatalogStore.CategoryRow] = []
        for (index, category) in catalog.categories.enumerated() {
            let id = String(format: "cat_syn%04d", index)
            let parent = category.parentKey.flatMap { paths[$0] }
            let path = (parent?.path ?? "/") + id + "/"
            let names = (parent?.names ?? []) + [category.name]
            paths[category.key] = (path, names)
            categoryIds[category.key] = id
            rows.append(
                CatalogStore.CategoryRow(
                    id: id, name: category.name, parentId: category.parentKey.flatMap { categoryIds[$0] }, path: path,
                    namePath: try JSON.string(names)
                ))
        }
        // One statement: a transaction held open for hundreds of round trips holds back every PostgreSQL reader of
        // the event log that waits for older transactions to end.
        try await database.transaction { [rows] sql in
            try await node.catalog.store.insertCategories(rows, now: now, in: sql)
        }
        let batch = 500
        let perTransaction = 10
        var written = 0
        while written < count {
            let ids = categoryIds
            written = try await database.transaction { sql in
                var done = written
                for _ in 0..<perTransaction where done < count {
                    let upper = min(count, done + batch)
                    try await SyntheticRows(range: done..<upper, catalog: catalog, categoryIds: ids, now: now).insert(
                        in: sql)
                    done = upper
                }
                return done
            }
            progress(written)
        }
        try await database.transaction { sql in
            try await Outbox.append("catalog.reloaded", aggregateId: "catalog", payload: ["products": count], in: sql)
        }
    }

    /// Writes every live product as one JSON object a line; the number written.
    public func exportJSONL(to path: String) async throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ConfigurationError("cannot write \(path)")
        }
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var after = ""
        var written = 0
        while true {
            let products = try await database.read { sql in
                try await ProductQueries().products(after: after, limit: 1000, in: sql)
            }
            guard let last = products.last else { break }
            var chunk = Data()
            for product in products {
                chunk.append(try encoder.encode(product))
                chunk.append(0x0A)
            }
            try file.write(contentsOf: chunk)
            written += products.count
            after = last.id
        }
        return written
    }
}

/// One batch of synthetic products as multi-row inserts: products, variants, stock.
struct SyntheticRows {
    let range: Range<Int>
    let catalog: SyntheticCatalog
    let categoryIds: [String: String]
    let now: Int

    func insert(in sql: any SQLDatabase) async throws {
        var products: [any SQLExpression] = []
        var variants: [any SQLExpression] = []
        var stock: [(sku: String, productId: String, onHand: Int)] = []
        var ratings: [(productId: String, stars: [Int])] = []
        for index in range {
            let seed = catalog.product(at: index)
            let product = seed.product
            let id = String(format: "prd_syn%08d", index)
            // Ratings without reviews behind them, so the rating facet, minRating and sort=rating mean something.
            var draw = RatingDraw(seed: catalog.seed, index: index)
            let stars = draw.histogram(count: draw.ratingCount())
            let (ratingSum, ratingCount) = RatingSummary.totals(of: stars)
            if ratingCount > 0 { ratings.append((id, stars)) }
            products.append(
                SQLList([
                    SQLBind(id), SQLBind(Slug.make(product.title) + "-\(index)"), SQLBind(product.title),
                    SQLBind(product.description), SQLBind(product.brand), SQLBind(categoryIds[seed.categoryKey]),
                    SQLBind(try JSON.string(product.attributes)), SQLBind(1), SQLBind(now + index),
                    SQLBind(now + index), SQLBind(ratingSum), SQLBind(ratingCount),
                ]).grouped)
            for (position, variant) in product.variants.enumerated() {
                variants.append(
                    SQLList([
                        SQLBind(variant.sku), SQLBind(id), SQLBind(variant.title),
                        SQLBind(try JSON.string(variant.attributes)),
                        SQLBind(variant.price.amount), SQLBind(variant.price.currency), SQLBind(position),
                    ]).grouped)
                stock.append((variant.sku, id, variant.stock))
            }
        }
        try await sql.raw(
            """
            INSERT INTO products (id, slug, title, description, brand, category_id, attributes, version, created_at, updated_at,
                rating_sum, rating_count)
            VALUES \(SQLList(products))
            """
        ).run()
        try await sql.raw(
            "INSERT INTO variants (sku, product_id, title, attributes, price_amount, price_currency, position) VALUES \(SQLList(variants))"
        ).run()
        try await StockStore.insertInitial(stock, now: now, in: sql)
        try await ReviewStore.insertAggregates(ratings, in: sql)
    }
}

extension SQLList {
    /// The list in parentheses: one row of a multi-row VALUES.
    fileprivate var grouped: any SQLExpression { SQLGroupExpression(self) }
}
