import EmporiumSearch
import Foundation
import Hummingbird

/// `GET /products/search` and `GET /products/suggest`.
struct SearchRoutes {
    let search: ProductSearch

    struct Response: ResponseEncodable {
        struct Item: Encodable {
            let id: String
            let slug: String
            let title: String
            let brand: String
            let price: Money
            let thumbnailUrl: String?
            let rating: Product.Rating
            let inStock: Bool

            // `thumbnailUrl` is null, not absent, for a product without images.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(slug, forKey: .slug)
                try container.encode(title, forKey: .title)
                try container.encode(brand, forKey: .brand)
                try container.encode(price, forKey: .price)
                try container.encode(thumbnailUrl, forKey: .thumbnailUrl)
                try container.encode(rating, forKey: .rating)
                try container.encode(inStock, forKey: .inStock)
            }

            enum CodingKeys: String, CodingKey { case id, slug, title, brand, price, thumbnailUrl, rating, inStock }
        }

        struct Facets: Encodable {
            struct Value: Encodable { let value: String; let count: Int }
            struct CategoryValue: Encodable { let id: String; let name: String; let count: Int }
            struct PriceValue: Encodable {
                let from: Int
                let to: Int?
                let count: Int

                // The open top bucket has `"to": null`.
                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(from, forKey: .from)
                    try container.encode(to, forKey: .to)
                    try container.encode(count, forKey: .count)
                }

                enum CodingKeys: String, CodingKey { case from, to, count }
            }
            struct RatingValue: Encodable { let min: Int; let count: Int }
            let brand: [Value]
            let category: [CategoryValue]
            let price: [PriceValue]
            let rating: [RatingValue]
        }

        let items: [Item]
        let total: Int
        let page: Int
        let pageSize: Int
        /// `all` when every word matched; `any` when nothing had every word and products with some are shown.
        let matchMode: String
        let facets: Facets
        let tookMs: Double
    }

    struct Suggestions: ResponseEncodable {
        struct Item: Encodable {
            let text: String
            let productId: String?

            // A completed word has `"productId": null`.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(text, forKey: .text)
                try container.encode(productId, forKey: .productId)
            }

            enum CodingKeys: String, CodingKey { case text, productId }
        }

        let items: [Item]
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("products/search") { request, _ -> Response in
            let query = try SearchQueryParser(request.uri.queryParameters).request()
            let started = ContinuousClock.now
            let result = search.index.search(query)
            let took = Double((ContinuousClock.now - started) / .microseconds(1)) / 1000
            return Response(
                items: result.hits.map { hit in
                    Response.Item(
                        id: hit.id, slug: hit.slug, title: hit.title, brand: hit.brand,
                        price: Money(amount: hit.price, currency: hit.currency), thumbnailUrl: hit.thumbnailUrl,
                        rating: Product.Rating(average: (hit.ratingAverage * 10).rounded() / 10, count: hit.ratingCount),
                        inStock: hit.inStock
                    )
                },
                total: result.total,
                page: query.page,
                pageSize: query.pageSize,
                matchMode: result.matchedAllWords ? "all" : "any",
                facets: Response.Facets(
                    brand: result.brandFacet.map { .init(value: $0.value, count: $0.count) },
                    category: result.categoryFacet.map { .init(id: $0.id, name: $0.name, count: $0.count) },
                    price: result.priceFacet.map { .init(from: $0.from, to: $0.to, count: $0.count) },
                    rating: result.ratingFacet.map { .init(min: $0.min, count: $0.count) }
                ),
                tookMs: (took * 1000).rounded() / 1000
            )
        }
        api.get("products/suggest") { request, _ -> Suggestions in
            let text = request.uri.queryParameters["q"].map(String.init) ?? ""
            guard text.count <= 200 else {
                throw Problem(.badRequest, code: "invalid_request", detail: "`q` must be at most 200 characters.")
            }
            return Suggestions(items: search.index.suggest(text).map { .init(text: $0.text, productId: $0.productId) })
        }
    }
}

/// Reads and checks the query parameters of a search; anything out of range is a 400 naming the parameter.
struct SearchQueryParser {
    let parameters: Parameters

    init(_ parameters: Parameters) {
        self.parameters = parameters
    }

    func request() throws -> SearchRequest {
        var request = SearchRequest()
        request.text = string("q") ?? string("term") ?? ""
        guard request.text.count <= 200 else { throw invalid("q", "must be at most 200 characters") }
        request.category = string("category")
        request.brands = parameters.getAll("brand").map { String($0) }
        request.minPrice = try integer("minPrice", 0...Int(Int32.max) * 1000)
        request.maxPrice = try integer("maxPrice", 0...Int(Int32.max) * 1000)
        if let value = string("inStock") {
            guard value == "true" || value == "false" else { throw invalid("inStock", "must be true or false") }
            request.inStockOnly = value == "true"
        }
        request.minRating = try integer("minRating", 1...5).map(Double.init)
        if let sort = string("sort") {
            guard let value = SearchRequest.Sort(rawValue: sort) else {
                throw invalid("sort", "must be one of \(SearchRequest.Sort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            request.sort = value
        }
        request.pageSize = try integer("pageSize", 1...100) ?? 20
        request.page = try integer("page", 1...(10_000 / request.pageSize)) ?? 1
        return request
    }

    private func string(_ name: String) -> String? {
        parameters[Substring(name)].map { String($0) }
    }

    private func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw invalid(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    private func invalid(_ name: String, _ message: String) -> Problem {
        Problem(
            .badRequest,
            code: "invalid_request",
            detail: "`\(name)` \(message).",
            extra: ["errors": .array([.object(["field": .string(name), "message": .string(message)])])]
        )
    }
}
