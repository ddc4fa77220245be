import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Catalog and inventory endpoints: product pages, categories, images, and the admin's writes.
struct CatalogRoutes {
    let catalog: Catalog
    let categories: Categories
    let inventory: Inventory
    /// Whether this caller's read of this product must come from the database (their own recent write, such as a
    /// review, may not be in this node's cache yet); Catalog does not know what wrote it.
    let readsOwnWrites: @Sendable (_ userId: String, _ productId: String) async throws -> Bool

    struct CategoryBody: Decodable {
        let name: String
        let parentId: String?
    }

    struct ChangesBody: Decodable {
        let changes: Catalog.ProductChanges

        enum Keys: String, CodingKey { case title, description, brand, categoryId, attributes, variants }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            var changes = Catalog.ProductChanges()
            changes.title = try container.decodeIfPresent(String.self, forKey: .title)
            changes.description = try container.decodeIfPresent(String.self, forKey: .description)
            changes.brand = try container.decodeIfPresent(String.self, forKey: .brand)
            if container.contains(.categoryId) {
                changes.categoryId = .some(
                    try container.decodeNil(forKey: .categoryId)
                        ? nil : container.decode(String.self, forKey: .categoryId))
            }
            changes.attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes)
            changes.variants = try container.decodeIfPresent([VariantChanges].self, forKey: .variants)
            self.changes = changes
        }
    }

    struct OnHandBody: Decodable {
        let onHand: Int
    }

    struct AdjustBody: Decodable {
        let delta: Int
        let reason: String
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("products/{idOrSlug}") { request, context -> Response in
            let key = try context.parameters.require("idOrSlug")
            var page = try await catalog.page(idOrSlug: key)
            var headers: HTTPFields = [.eTag: page.etag, .cacheControl: "public, max-age=5"]
            if let identity = context.identity, try await readsOwnWrites(identity.userId, page.productId) {
                page = try await catalog.uncachedPage(idOrSlug: page.productId)
                headers = [.eTag: page.etag, .cacheControl: "private, no-cache"]
            }
            if request.ifNoneMatchContains(page.etag) {
                return Response(status: .notModified, headers: headers)
            }
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: page.json)))
        }
        api.get("categories") { _, _ -> CategoryTree in
            CategoryTree(items: try await categories.tree())
        }
        api.get("images/{name}") { request, context -> Response in
            let name = try context.parameters.require("name")
            guard let image = try await catalog.images.get(name: name) else { throw Problem.notFound("The image") }
            let etag = "\"\(name.split(separator: ".")[0].prefix(32))\""
            var headers: HTTPFields = [
                .eTag: etag,
                .cacheControl: "public, max-age=31536000, immutable",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ]
            if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
            headers[.contentType] = image.kind.contentType
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: image.bytes)))
        }
        registerAdmin(on: api.group("admin"))
    }

    private func registerAdmin(on admin: RouterGroup<AppRequestContext>) {
        admin.post("categories") { request, context -> EditedResponse<Category> in
            _ = try context.requireAdmin()
            let body = try await request.decodeJSON(CategoryBody.self, context: context)
            return EditedResponse(
                status: .created, response: try await categories.create(name: body.name, parentId: body.parentId))
        }
        admin.post("products") { request, context -> EditedResponse<Product> in
            _ = try context.requireAdmin()
            let body = try await request.decodeJSON(NewProduct.self, context: context)
            return EditedResponse(status: .created, response: try await catalog.createProduct(body))
        }
        admin.patch("products/{id}") { request, context -> Product in
            _ = try context.requireAdmin()
            let id = try context.parameters.require("id")
            let body = try await request.decodeJSON(ChangesBody.self, context: context)
            return try await catalog.updateProduct(id: id, body.changes)
        }
        admin.delete("products/{id}") { _, context -> HTTPResponse.Status in
            _ = try context.requireAdmin()
            try await catalog.deleteProduct(id: try context.parameters.require("id"))
            return .noContent
        }
        admin.post("products/{id}/images") { request, context -> EditedResponse<[String: String]> in
            _ = try context.requireAdmin()
            let body = try await request.body.collect(upTo: 10 << 20)
            let url = try await catalog.addImage(
                productId: try context.parameters.require("id"),
                declaredType: request.headers[.contentType],
                bytes: Array(body.readableBytesView)
            )
            return EditedResponse(status: .created, headers: [.location: url], response: ["url": url])
        }
        admin.get("inventory/{sku}") { _, context -> StockLevel in
            _ = try context.requireAdmin()
            return try await inventory.level(sku: try context.parameters.require("sku"))
        }
        admin.put("inventory/{sku}") { request, context -> StockLevel in
            _ = try context.requireAdmin()
            let body = try await request.decodeJSON(OnHandBody.self, context: context)
            return try await inventory.set(sku: try context.parameters.require("sku"), onHand: body.onHand)
        }
        admin.post("inventory/{sku}/adjust") { request, context -> StockLevel in
            _ = try context.requireAdmin()
            let body = try await request.decodeJSON(AdjustBody.self, context: context)
            return try await inventory.adjust(
                sku: try context.parameters.require("sku"), delta: body.delta, reason: body.reason)
        }
    }
}

/// `GET /categories`.
struct CategoryTree: ResponseEncodable {
    let items: [Categories.Node]
}

extension Product: ResponseEncodable {}
extension Category: ResponseEncodable {}
extension StockLevel: ResponseEncodable {}

extension CatalogError: ProblemConvertible {
    public var problem: Problem { Problem(self) }
}

extension Problem {
    init(_ error: CatalogError) {
        switch error {
        case .productNotFound: self = .notFound("The product")
        case .skuNotFound(let sku): self = .notFound("The SKU \(sku)")
        case .duplicateSku(let skus):
            self = .validation(skus.map { FieldError("variants", "the SKU \($0) already exists") })
        case .insufficientStock(let sku, let available):
            self.init(
                .conflict,
                code: "insufficient_stock",
                detail: "Only \(available) of \(sku) are available.",
                extra: ["items": .array([.object(["sku": .string(sku), "available": .int(available)])])]
            )
        case .belowReserved(let sku, let reserved):
            self.init(
                .conflict,
                code: "below_reserved",
                detail: "\(reserved) of \(sku) are reserved by open orders; on hand cannot go below that.",
                extra: ["sku": .string(sku), "reserved": .int(reserved)]
            )
        case .unsupportedImage(let detail):
            self.init(.unsupportedMediaType, code: "unsupported_media_type", detail: detail)
        }
    }
}
