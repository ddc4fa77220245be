import EmporiumSearch
import Foundation
import Logging
import SQLKit
import ServiceLifecycle

/// The node's search index over the catalog: built from the database at start, then kept fresh from the event log.
public struct ProductSearch: Sendable {
    public let index: SearchIndex
    let database: Database
    let readiness: Readiness
    /// The log position the build read up to; the node consumer applies changes from there.
    let builtFrom = Once<Int>()

    static let readinessKey = "searchIndex"

    /// Loads every live product, in pages, then reports ready.
    func build(logger: Logger) async throws {
        let started = ContinuousClock.now
        let head = try await EventLog(database: database).head()
        index.removeAll()
        let database = self.database
        @Sendable func page(after: String) async throws -> [SearchDocument] {
            try await database.read { sql in try await SearchDocuments.page(after: after, limit: 5000, in: sql) }
        }
        // The next page is read while this one is indexed: the database and the indexer each keep a core busy.
        var current = try await page(after: "")
        while let last = current.last {
            async let following = page(after: last.id)
            index.upsert(current)
            current = try await following
        }
        builtFrom.set(head)
        readiness.ready(Self.readinessKey)
        // A rebuild (`catalog.reloaded`) leaves the whole previous catalog dead.
        compactIfNeeded(logger: logger)
        logger.info(
            "search index built",
            metadata: ["products": "\(index.count)", "seconds": "\(started.duration(to: .now))"]
        )
    }

    /// Re-reads the products an event names and updates or removes them.
    func apply(_ event: OutboxEvent) async throws {
        let productId: String
        switch event.type {
        case "catalog.reloaded":
            try await build(logger: Logger(label: "search"))
            return
        case "inventory.changed":
            let change = try event.decode(StockChanged.self)
            // Of stock, a document holds only "in stock", and a SKU with units left keeps its product in stock: an
            // in-stock product needs no re-read (every checkout moves stock twice; each re-read re-indexed it).
            if change.available > 0, index.isInStock(id: change.productId) == true { return }
            productId = change.productId
        default: productId = event.aggregateId
        }
        let document = try await database.read { sql in try await SearchDocuments.document(id: productId, in: sql) }
        if let document { index.upsert([document]) } else { index.remove(ids: [productId]) }
        // Edited texts and removed products leave dead documents behind until a compaction drops them.
        compactIfNeeded(logger: Logger(label: "search"))
    }

    /// Compacts the index in the background past its threshold; a compaction is logged with the time searches
    /// waited for it (rare: one per sixteenth of the catalog edited).
    private func compactIfNeeded(logger: Logger) {
        index.compactInBackgroundIfNeeded { compaction in
            logger.notice(
                "search index compacted",
                metadata: [
                    "dropped": "\(compaction.dropped)",
                    "pauseMs": "\((compaction.pause / .milliseconds(1) * 10).rounded() / 10)",
                ]
            )
        }
    }

    /// The node consumer that keeps the index fresh: catalog, stock and rating changes (`product.rated`, written by
    /// the review aggregator with the new rating).
    var consumer: EventConsumer {
        EventConsumer(
            name: "search-index",
            scope: .node(start: { [builtFrom] in try await builtFrom.value() }),
            types: ["product.", "inventory.changed", "catalog.reloaded"]
        ) { event in try await apply(event) }
    }
}

/// Builds the index at start, as a service, so the server answers (503 on /health/ready) while it loads.
struct SearchIndexBuilder: Service {
    let search: ProductSearch
    let prepare: @Sendable () async throws -> Void
    let logger: Logger

    func run() async throws {
        // A failed build (database not reachable yet) is retried; the node stays unready meanwhile.
        var delay = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                try await prepare()
                try await search.build(logger: logger)
                break
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.error(
                    "building the search index failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
        await waitUntilCancelledOrShutdown()
    }
}

/// The SQL that turns products into search documents.
enum SearchDocuments {
    struct Row {
        let id: String
        let slug: String
        let title: String
        let description: String
        let brand: String
        let categoryPath: String?
        let categoryNamePath: String?
        let ratingSum: Int
        let ratingCount: Int
        let createdAt: Int
        let price: Int?
        let currency: String?
        let available: Int?
        let thumbnail: String?

        /// Column by column: a million rows through `convertFromSnakeCase` spent a quarter of the build
        /// converting key names.
        init(_ row: any SQLRow) throws {
            id = try row.decode(column: "id", as: String.self)
            slug = try row.decode(column: "slug", as: String.self)
            title = try row.decode(column: "title", as: String.self)
            description = try row.decode(column: "description", as: String.self)
            brand = try row.decode(column: "brand", as: String.self)
            categoryPath = try row.decode(column: "category_path", as: String?.self)
            categoryNamePath = try row.decode(column: "category_name_path", as: String?.self)
            ratingSum = try row.decode(column: "rating_sum", as: Int.self)
            ratingCount = try row.decode(column: "rating_count", as: Int.self)
            createdAt = try row.decode(column: "created_at", as: Int.self)
            price = try row.decode(column: "price", as: Int?.self)
            currency = try row.decode(column: "currency", as: String?.self)
            available = try row.decode(column: "available", as: Int?.self)
            thumbnail = try row.decode(column: "thumbnail", as: String?.self)
        }
    }

    private static let select: SQLQueryString = """
        SELECT p.id, p.slug, p.title, p.description, p.brand, c.path AS category_path, c.name_path AS category_name_path,
               p.rating_sum, p.rating_count, p.created_at,
               (SELECT MIN(v.price_amount) FROM variants v WHERE v.product_id = p.id) AS price,
               (SELECT MIN(v.price_currency) FROM variants v WHERE v.product_id = p.id) AS currency,
               (SELECT CAST(SUM(s.on_hand - s.reserved) AS BIGINT) FROM stock s WHERE s.product_id = p.id) AS available,
               (SELECT i.url FROM product_images i WHERE i.product_id = p.id ORDER BY i.position LIMIT 1) AS thumbnail
        FROM products p LEFT JOIN categories c ON c.id = p.category_id
        """

    static func page(after: String, limit: Int, in sql: any SQLDatabase) async throws -> [SearchDocument] {
        try await sql.raw(
            "\(select) WHERE p.deleted_at IS NULL AND p.id > \(bind: after) ORDER BY p.id LIMIT \(bind: limit)"
        )
        .all().map { document(try Row($0)) }
    }

    static func document(id: String, in sql: any SQLDatabase) async throws -> SearchDocument? {
        try await sql.raw("\(select) WHERE p.deleted_at IS NULL AND p.id = \(bind: id)").first().map {
            document(try Row($0))
        }
    }

    private static func document(_ row: Row) -> SearchDocument {
        let ids = (row.categoryPath ?? "").split(separator: "/").map(String.init)
        let names = row.categoryNamePath.flatMap { try? JSON.decode([String].self, $0) } ?? []
        return SearchDocument(
            id: row.id,
            slug: row.slug,
            title: row.title,
            brand: row.brand,
            description: row.description,
            categoryPath: zip(ids, names).map { SearchDocument.CategoryLevel(id: $0, name: $1) },
            price: row.price ?? 0,
            currency: row.currency ?? "USD",
            inStock: (row.available ?? 0) > 0,
            ratingAverage: row.ratingCount == 0 ? 0 : Double(row.ratingSum) / Double(row.ratingCount),
            ratingCount: row.ratingCount,
            createdAt: row.createdAt,
            thumbnailUrl: row.thumbnail
        )
    }
}
