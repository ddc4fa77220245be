import Emporium
import EmporiumSearch

/// The search page's view model: cards, facets as links that keep the other filters, sort and pages. Every state
/// is a URL; prices in the URL are minor units, as in the API.
struct SearchView {
    let request: SearchRequest
    let result: SearchResult

    /// `/search?...` for the current filters changed by `change`; back to page 1 unless `change` sets it.
    func url(_ change: (inout SearchRequest) -> Void = { _ in }) -> String {
        var next = request
        next.page = 1
        change(&next)
        let query = Self.parameters(next).map { "\($0.name)=\($0.value.queryEncoded)" }.joined(separator: "&")
        return query.isEmpty ? "/search" : "/search?" + query
    }

    /// The filters as query parameters (defaults left out).
    static func parameters(_ request: SearchRequest) -> [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = []
        if !request.text.isEmpty { parameters.append(("q", request.text)) }
        if let category = request.category { parameters.append(("category", category)) }
        for brand in request.brands { parameters.append(("brand", brand)) }
        if let minPrice = request.minPrice { parameters.append(("minPrice", String(minPrice))) }
        if let maxPrice = request.maxPrice { parameters.append(("maxPrice", String(maxPrice))) }
        if request.inStockOnly { parameters.append(("inStock", "true")) }
        if let minRating = request.minRating { parameters.append(("minRating", String(Int(minRating)))) }
        if request.sort != .relevance { parameters.append(("sort", request.sort.rawValue)) }
        if request.page > 1 { parameters.append(("page", String(request.page))) }
        return parameters
    }

    var context: [String: Any] {
        let pages = max(1, (result.total + request.pageSize - 1) / request.pageSize)
        var context: [String: Any] = [
            "query": request.text,
            "hasResults": !result.hits.isEmpty,
            "resultCount": Format.count(result.total, "result"),
            "looseMatch": !result.matchedAllWords && !result.hits.isEmpty,
            "brands": brandChoices.map { facet in
                [
                    "value": facet.value, "count": facet.count, "checked": request.brands.contains(facet.value),
                ] as [String: Any]
            },
            "categories": categoryChoices.map { facet in
                let chosen = request.category == facet.id
                return [
                    "name": facet.name, "count": facet.count, "chosen": chosen,
                    "url": url { $0.category = chosen ? nil : facet.id },
                ] as [String: Any]
            },
            "prices": result.priceFacet.filter { $0.count > 0 }.map { bucket in
                let chosen = request.minPrice == bucket.from && request.maxPrice == bucket.to
                return [
                    "label": Self.priceLabel(bucket), "count": bucket.count, "chosen": chosen,
                    "url": url { next in
                        next.minPrice = chosen ? nil : bucket.from
                        next.maxPrice = chosen ? nil : bucket.to
                    },
                ] as [String: Any]
            },
            "ratings": result.ratingFacet.filter { $0.min > 1 }.map { facet in
                let chosen = request.minRating == Double(facet.min)
                return [
                    "label": "\(facet.min) stars & up", "stars": Format.stars(Double(facet.min)), "count": facet.count,
                    "chosen": chosen, "url": url { $0.minRating = chosen ? nil : Double(facet.min) },
                ] as [String: Any]
            },
            "inStock": request.inStockOnly,
            "sorts": SearchRequest.Sort.allCases.map { sort in
                ["value": sort.rawValue, "label": Self.sortLabel(sort), "selected": sort == request.sort]
                    as [String: Any]
            },
            "page": request.page, "pages": pages,
            "hasFilters": request.category != nil || !request.brands.isEmpty || request.minPrice != nil
                || request.maxPrice != nil || request.inStockOnly || request.minRating != nil,
            "clearUrl": request.text.isEmpty ? "/search" : "/search?q=" + request.text.queryEncoded,
        ]
        // The facet form sends brands and stock itself; the rest rides along hidden.
        context["hiddenForFacets"] = Self.parameters(request).filter {
            !["brand", "inStock", "page"].contains($0.name)
        }.map { ["name": $0.name, "value": $0.value] }
        context["hiddenForSort"] = Self.parameters(request).filter { !["sort", "page"].contains($0.name) }.map {
            ["name": $0.name, "value": $0.value]
        }
        if request.page < pages { context["nextUrl"] = url { $0.page = request.page + 1 } }
        if request.page > 1 { context["previousUrl"] = url { $0.page = request.page - 1 } }
        return context
    }

    /// The brands to offer: the twelve with most results, and any already chosen.
    var brandChoices: [(value: String, count: Int)] {
        let top = result.brandFacet.sorted { $0.count > $1.count }.prefix(Self.choicesShown)
        let chosen = result.brandFacet.filter { facet in
            request.brands.contains(facet.value) && !top.contains { $0.value == facet.value }
        }
        return Array(top) + chosen
    }

    /// The categories to offer, likewise: on a large catalog a word matches fifty of them.
    var categoryChoices: [SearchResult.CategoryCount] {
        let top = result.categoryFacet.sorted { $0.count > $1.count }.prefix(Self.choicesShown)
        let chosen = result.categoryFacet.filter { facet in
            facet.id == request.category && !top.contains { $0.id == facet.id }
        }
        return Array(top) + chosen
    }

    static let choicesShown = 12

    static func card(_ hit: SearchResult.Hit) -> [String: Any] {
        [
            "id": hit.id, "url": "/p/" + hit.slug.queryEncoded, "title": hit.title, "brand": hit.brand,
            "price": Format.money(Money(amount: hit.price, currency: hit.currency)),
            "image": hit.thumbnailUrl ?? "", "hasImage": hit.thumbnailUrl != nil,
            "stars": Format.stars(hit.ratingAverage), "rating": Format.rating(hit.ratingAverage),
            "ratingCount": hit.ratingCount, "hasRatings": hit.ratingCount > 0, "inStock": hit.inStock,
        ]
    }

    static func priceLabel(_ bucket: SearchResult.PriceBucket) -> String {
        let from = Format.money(Money(amount: bucket.from))
        guard let to = bucket.to else { return from + " and up" }
        return bucket.from == 0
            ? "Under " + Format.money(Money(amount: to)) : from + " to " + Format.money(Money(amount: to))
    }

    static func sortLabel(_ sort: SearchRequest.Sort) -> String {
        switch sort {
        case .relevance: "Best match"
        case .priceAsc: "Price: low to high"
        case .priceDesc: "Price: high to low"
        case .newest: "Newest"
        case .rating: "Top rated"
        }
    }
}
