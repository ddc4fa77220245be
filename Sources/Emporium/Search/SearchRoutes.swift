import EmporiumSearch
import Foundation
import Hummingbird

/// `GET /products/search` and `GET /products/suggest`.
struct SearchRoutes {
    let search: ProductSearch

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
            let elapsed = ContinuousClock.now - started
            SearchTimer.search.record(elapsed)
            let took = Double(elapsed / .microseconds(1)) / 1000
            return SearchResponseBody(result: result, request: query, tookMs: took).response()
        }
        api.get("products/suggest") { request, _ -> Suggestions in
            let text = request.uri.queryParameters["q"].map(String.init) ?? ""
            guard text.count <= 200 else {
                throw Problem(.badRequest, code: "invalid_request", detail: "`q` must be at most 200 characters.")
            }
            let started = ContinuousClock.now
            let suggestions = search.index.suggest(text)
            SearchTimer.suggest.record(ContinuousClock.now - started)
            return Suggestions(items: suggestions.map { .init(text: $0.text, productId: $0.productId) })
        }
    }
}

/// Reads and checks the query parameters of a search; anything out of range is a 400 naming the parameter.
public struct SearchQueryParser {
    let parameters: Parameters

    public init(_ parameters: Parameters) {
        self.parameters = parameters
    }

    public func request() throws -> SearchRequest {
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
                throw invalid(
                    "sort", "must be one of \(SearchRequest.Sort.allCases.map(\.rawValue).joined(separator: ", "))")
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
