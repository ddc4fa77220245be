import Emporium
import EmporiumSearch
import Foundation
import Hummingbird

/// The shop's window: home, search (and a category's page), product pages and their reviews.
extension Storefront {
    func registerCatalogPages(on router: Router<AppRequestContext>) {
        router.get("/") { request, _ in try await home(request) }
        router.get("search") { request, _ in try await search(request) }
        router.get("c/{id}") { _, context -> Response in
            let id = try context.parameters.require("id")
            return Response(status: .seeOther, headers: [.location: "/search?category=" + id.queryEncoded])
        }
        router.get("p/{slug}") { request, context in
            try await product(request, slug: try context.parameters.require("slug"), visit: try await visit(request))
        }
        router.post("p/{slug}/reviews") { request, context in
            try await review(request, slug: try context.parameters.require("slug"))
        }
    }

    private func home(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        // The home page is the same for everyone, a second stale at most (flash sales' units left).
        let body = try await renderer.cache.page("home", version: "", maxAge: .seconds(1)) { [self] in
            try await homeBody()
        }
        return try await renderer.respond(body, visit: visit, request: request)
    }

    private func homeBody() async throws -> PageBody {
        let index = node.search.index
        let topRated = index.search(SearchRequest(inStockOnly: true, sort: .rating, pageSize: 8))
        let newest = index.search(SearchRequest(sort: .newest, pageSize: 8))
        let categories = try await node.categories.tree().map { category in
            [
                "name": category.name, "url": "/c/" + category.id.queryEncoded,
                "count": Format.count(category.productCount, "product"),
            ]
        }
        let sales = try await node.flashSales.openSales(limit: 6).map(FlashSaleView.card)
        return try renderer.body(
            "home", title: "Emporium",
            [
                "categories": categories, "sales": sales, "hasSales": !sales.isEmpty,
                "topRated": topRated.hits.map(SearchView.card), "newest": newest.hits.map(SearchView.card),
            ])
    }

    private func search(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let query = try SearchQueryParser(request.formQuery).request()
        let view = SearchView(request: query, result: node.search.index.search(query))
        let title = query.text.isEmpty ? "All products" : "Results for \u{201C}\(query.text)\u{201D}"
        var context = view.context
        context["heading"] = title
        context["cardsHtml"] = try renderer.cardsHTML(view.result.hits)
        return try await page("search", title: title + " · Emporium", visit: visit, request: request, context)
    }

    /// The product page; `reviewForm` holds a refused review's input and messages.
    func product(
        _ request: Request, slug: String, visit: Visit, status: HTTPResponse.Status = .ok,
        reviewForm: [String: Any] = [:]
    ) async throws -> Response {
        var cached = try await node.catalog.page(idOrSlug: slug)
        // An author sees their own review in the rating at once (as the API's product read does).
        if let userId = visit.userId, try await node.reviews.readsOwnWrites(userId: userId, productId: cached.productId)
        {
            cached = try await node.catalog.uncachedPage(idOrSlug: slug)
        }
        // Guests share one rendering per version of the product; a change of its reviews drops it (`product.rated`,
        // `Storefront.pageConsumer`), and helpful votes show within `sharedPageMaxAge`.
        let body: PageBody
        if !visit.isSignedIn, reviewForm.isEmpty {
            body = try await renderer.cache.page(
                Self.productPageKey(cached.productId), version: cached.etag, maxAge: Self.sharedPageMaxAge
            ) { [self, cached] in try await productBody(cached, readerId: nil, reviewForm: [:]) }
        } else {
            body = try await productBody(cached, readerId: visit.userId, reviewForm: reviewForm)
        }
        return try await renderer.respond(body, visit: visit, request: request, status: status)
    }

    private func productBody(
        _ cached: ProductCache.Page, readerId: String?, reviewForm: [String: Any]
    ) async throws -> PageBody {
        let product = try JSONDecoder().decode(Product.self, from: Data(cached.json))
        let reviews = try await node.reviews.page(
            productId: product.id, sort: .newest, limit: 20, cursor: nil, readerId: readerId)
        var context = ProductView(product: product, reviews: reviews).context
        context["signedIn"] = readerId != nil
        context["loginUrl"] = "/login?next=" + ("/p/" + product.slug).queryEncoded
        var form = reviewForm
        let rating = form["rating"] as? Int ?? 0
        form["ratings"] = (1...5).reversed().map { stars in
            ["value": stars, "label": Format.count(stars, "star"), "selected": stars == rating] as [String: Any]
        }
        context["form"] = form
        return try renderer.body("product", title: product.title + " · Emporium", context)
    }

    static func productPageKey(_ productId: String) -> String { "product:" + productId }

    /// The longest a guest's product page goes unrendered: what changes without an event (a review's helpful
    /// votes) shows within it.
    static let sharedPageMaxAge = Duration.seconds(300)

    private func review(_ request: Request, slug: String) async throws -> Response {
        let visit = try await visit(request)
        let form = try await form(request, visit)
        let userId = try customer(visit, request, next: "/p/" + slug)
        let input = ReviewInput(rating: form.integer("rating") ?? 0, title: form.text("title"), body: form.text("body"))
        do {
            _ = try await node.reviews.post(productId: slug, userId: userId, input)
        } catch let error where PageProblem.message(error)?.status.code ?? 500 < 500 {
            let message = PageProblem.message(error)?.message ?? ""
            var fields = PageProblem.fieldErrors(error)
            if fields.isEmpty { fields["form"] = message }
            return try await product(
                request, slug: slug, visit: visit, status: .unprocessableContent,
                reviewForm: [
                    "title": input.title, "body": input.body, "rating": input.rating, "errors": fields,
                    "error": message,
                ])
        }
        return try redirect("/p/\(slug.queryEncoded)?notice=reviewed#reviews", visit: visit)
    }
}
