import Foundation
import SQLKit

/// Products, variants, categories and images: the admin's writes and the shoppers' reads.
public struct Catalog: Sendable {
    let store: CatalogStore
    let queries = ProductQueries()
    let inventory: Inventory
    let cache: ProductCache
    let images: ImageStore

    var database: Database { store.database }

    /// A partial update: nil leaves a field as it is; `categoryId: .some(nil)` clears the category.
    public struct ProductChanges: Sendable {
        public var title: String?
        public var description: String?
        public var brand: String?
        public var categoryId: String??
        public var attributes: [String: String]?
        /// Updated by SKU (title, attributes, price); unknown SKUs are added with their stock.
        public var variants: [VariantChanges]?

        public init() {}
    }

    public func createProduct(_ product: NewProduct) async throws -> Product {
        try CatalogRules.validate(product)
        let id = Identifier.make("prd")
        try await database.transaction { sql in
            try await insert(product, id: id, now: Database.nowMillis(), in: sql)
        }
        return try await freshProduct(id)
    }

    /// Inserts a validated product with its variants and stock inside `sql`'s transaction.
    func insert(_ product: NewProduct, id: String, now: Int, in sql: any SQLDatabase) async throws {
        if let categoryId = product.categoryId, try await store.category(id: categoryId, in: sql) == nil {
            throw Problem.validation([FieldError("categoryId", "is not a known category")])
        }
        _ = try await store.insertProduct(id: id, slug: Slug.make(product.title), product: product, now: now, in: sql)
        let taken = try await store.insertVariants(product.variants, productId: id, firstPosition: 0, in: sql)
        guard taken.isEmpty else { throw CatalogError.duplicateSku(taken) }
        for variant in product.variants {
            try await inventory.create(sku: variant.sku, productId: id, onHand: variant.stock, in: sql)
        }
        try await Outbox.append("product.created", aggregateId: id, payload: ProductChanged(productId: id), in: sql)
    }

    public func updateProduct(id: String, _ changes: ProductChanges) async throws -> Product {
        var validator = Validator()
        CatalogRules.validateFields(
            title: changes.title,
            description: changes.description,
            brand: changes.brand,
            attributes: changes.attributes,
            into: &validator
        )
        if let variants = changes.variants {
            CatalogRules.validateVariants(variants.map(\.forValidation), into: &validator)
        }
        try validator.throwIfInvalid()
        try await database.transaction { sql in
            if case .some(.some(let categoryId)) = changes.categoryId,
                try await store.category(id: categoryId, in: sql) == nil
            {
                throw Problem.validation([FieldError("categoryId", "is not a known category")])
            }
            let now = Database.nowMillis()
            guard
                try await store.updateProduct(
                    id: id,
                    title: changes.title,
                    description: changes.description,
                    brand: changes.brand,
                    categoryId: changes.categoryId,
                    attributes: changes.attributes,
                    now: now,
                    in: sql
                )
            else { throw CatalogError.productNotFound }
            var added: [NewProduct.Variant] = []
            for (index, variant) in (changes.variants ?? []).enumerated()
            where try await !store.updateVariant(variant, productId: id, in: sql) {
                guard let price = variant.price else {
                    throw Problem.validation([FieldError("variants.\(index).price", "is required for a new variant")])
                }
                added.append(
                    NewProduct.Variant(
                        sku: variant.sku, title: variant.title ?? "", attributes: variant.attributes ?? [:],
                        price: price,
                        stock: variant.stock ?? 0
                    )
                )
            }
            if !added.isEmpty {
                let position = try await store.variantCount(productId: id, in: sql)
                let taken = try await store.insertVariants(added, productId: id, firstPosition: position, in: sql)
                guard taken.isEmpty else { throw CatalogError.duplicateSku(taken) }
                for variant in added {
                    try await inventory.create(sku: variant.sku, productId: id, onHand: variant.stock, in: sql)
                }
            }
            try await Outbox.append("product.updated", aggregateId: id, payload: ProductChanged(productId: id), in: sql)
        }
        return try await freshProduct(id)
    }

    /// Hides the product from shoppers; orders that hold it keep their copy.
    public func deleteProduct(id: String) async throws {
        try await database.transaction { sql in
            guard try await store.softDelete(id: id, now: Database.nowMillis(), in: sql) else {
                throw CatalogError.productNotFound
            }
            try await Outbox.append("product.deleted", aggregateId: id, payload: ProductChanged(productId: id), in: sql)
        }
        cache.invalidate(productId: id)
    }

    /// The product page as shoppers get it, from this node's cache.
    public func page(idOrSlug: String) async throws -> ProductCache.Page {
        if let page = cache.page(idOrSlug) { return page }
        let ticket = cache.ticket()
        guard let product = try await database.read({ try await queries.product(idOrSlug: idOrSlug, in: $0) }) else {
            throw CatalogError.productNotFound
        }
        return try cache.store(product, ticket: ticket)
    }

    /// The product page read from the database, not from this node's cache nor into it: for a reader whose own
    /// write this node's cache may not show yet (`SessionPositions`).
    public func uncachedPage(idOrSlug: String) async throws -> ProductCache.Page {
        guard let product = try await database.read({ try await queries.product(idOrSlug: idOrSlug, in: $0) }) else {
            throw CatalogError.productNotFound
        }
        return try ProductCache.page(of: product)
    }

    /// The id of the live product with this id or slug, nil when there is none.
    func liveProductId(_ idOrSlug: String, in sql: any SQLDatabase) async throws -> String? {
        try await store.liveProductId(idOrSlug, in: sql)
    }

    /// Sets the product's rating from its reviews' aggregate and tells every node (`product.rated`), in the
    /// aggregator's transaction.
    func recordRating(productId: String, sum: Int, count: Int, in sql: any SQLDatabase) async throws {
        try await store.setRating(productId: productId, sum: sum, count: count, in: sql)
        try await Outbox.append(
            "product.rated", aggregateId: productId,
            payload: ProductRated(
                productId: productId, average: RatingSummary.average(sum: sum, count: count), count: count),
            in: sql)
    }

    /// Reads the product from the database, bypassing and refreshing the cache (after an admin's write).
    func freshProduct(_ id: String) async throws -> Product {
        cache.invalidate(productId: id)
        guard let product = try await database.read({ try await queries.product(idOrSlug: id, in: $0) }) else {
            throw CatalogError.productNotFound
        }
        return product
    }

    /// Stores an uploaded image (its type checked from the bytes) and appends it to the product's images.
    public func addImage(productId: String, declaredType: String?, bytes: [UInt8]) async throws -> String {
        let image = try ImageKind.check(bytes, declaredType: declaredType)
        let name = try await images.put(bytes, kind: image)
        let url = "/api/v1/images/\(name)"
        try await database.transaction { sql in
            guard let product = try await queries.product(idOrSlug: productId, in: sql), product.id == productId else {
                throw CatalogError.productNotFound
            }
            try await store.addImage(productId: productId, url: url, alt: product.title, in: sql)
            _ = try await store.updateProduct(
                id: productId, title: nil, description: nil, brand: nil, categoryId: nil, attributes: nil,
                now: Database.nowMillis(), in: sql
            )
            try await Outbox.append(
                "product.updated", aggregateId: productId, payload: ProductChanged(productId: productId), in: sql)
        }
        cache.invalidate(productId: productId)
        return url
    }
}

/// Payload of `product.created`, `product.updated` and `product.deleted`.
public struct ProductChanged: Codable, Sendable {
    public let productId: String
}
