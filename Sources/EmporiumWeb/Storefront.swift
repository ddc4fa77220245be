import Emporium
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The storefront: the shop's pages over the same services as the JSON API, in the same process.
public struct Storefront: Sendable {
    /// The storefront's tables (sessions), applied with the store's migrations.
    public static let migrations = SessionStore.migrations

    let node: StoreNode
    let renderer: PageRenderer
    let sessions: Sessions
    /// The dashboard's figures of past days, kept for a while on this node.
    let salesHistory = SalesHistory()

    /// The storefront as an add-on of `node`'s application. Throws when a template or asset is missing, so a
    /// broken build fails at start instead of serving empty pages. `secureCookie` marks the session cookie
    /// `Secure` (the node is served over HTTPS).
    public static func addOn(_ node: StoreNode, secureCookie: Bool = false) async throws -> ApplicationAddOn {
        guard let resources = Bundle.module.resourceURL else {
            throw StorefrontError("the storefront's resources are not next to the executable")
        }
        let assets = try Assets(
            directory: resources.appendingPathComponent("static"), required: ["store.css", "store.js"])
        let sessions = Sessions(
            store: SessionStore(database: node.database), csrfKey: node.derivedKey("storefront-csrf"),
            secureCookie: secureCookie)
        let renderer = try await PageRenderer(
            directory: resources.appendingPathComponent("templates"), assets: assets, sessions: sessions,
            carts: node.carts)
        let storefront = Storefront(node: node, renderer: renderer, sessions: sessions)
        return ApplicationAddOn(
            migrations: migrations,
            isUnmetered: { $0.hasPrefix("/assets/") },
            addMiddleware: { router in router.add(middleware: PageMiddleware(renderer: renderer)) },
            consumers: [pageConsumer(node, pages: renderer.cache)],
            addRoutes: { router in
                assets.register(on: router)
                storefront.registerCatalogPages(on: router)
                storefront.registerCartPages(on: router)
                storefront.registerAccountPages(on: router)
                storefront.registerOrderPages(on: router)
                storefront.registerFlashSalePages(on: router)
                storefront.registerAdminPages(on: router)
            }
        )
    }

    /// Drops this node's rendered guest pages when what they show changes through any node: a product (its
    /// reviews' aggregate included, `product.rated`) drops its page; a category or a reloaded catalog, every page.
    static func pageConsumer(_ node: StoreNode, pages: RenderedPages) -> EventConsumer {
        node.cacheConsumer(name: "storefront-pages", types: ["product.", "category.", "catalog."]) { event in
            if event.type.hasPrefix("product.") {
                pages.invalidate(productPageKey(event.aggregateId))
            } else {
                pages.invalidateAll()
            }
        }
    }

    /// The visit of this request (its session).
    func visit(_ request: Request) async throws -> Visit {
        try await sessions.visit(request)
    }

    /// The fields of a posted form, once its CSRF token is checked: without a valid one, 403 and nothing changes.
    func form(_ request: Request, _ visit: Visit) async throws -> FormFields {
        let fields = try await FormFields.read(request)
        guard sessions.isValidCSRF(fields["csrf"], for: visit) else { throw PageExit.forbidden }
        return fields
    }

    /// The signed-in customer's id, or a redirect to sign in and come back to `request`'s page.
    func customer(_ visit: Visit, _ request: Request, next: String? = nil) throws -> String {
        guard let userId = visit.userId else {
            throw PageExit.redirect("/login?next=" + (next ?? request.uri.path).queryEncoded)
        }
        return userId
    }

    func page(
        _ template: String, title: String, visit: Visit, request: Request, status: HTTPResponse.Status = .ok,
        _ context: [String: Any]
    ) async throws -> Response {
        try await renderer.page(template, title: title, visit: visit, request: request, status: status, context)
    }

    func redirect(_ location: String, visit: Visit) throws -> Response {
        try renderer.redirect(location, visit: visit)
    }
}

/// Just inside the edge: gives every page the store's security headers, and answers errors of pages (and of
/// unknown paths outside the API) with pages in the store's layout instead of problem+json.
struct PageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: PageRenderer

    static let contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        let isAPI =
            path.hasPrefix("/api/") || path.hasPrefix("/health") || path == "/metrics" || path == "/openapi.json"
        guard !isAPI else { return try await next(request, context) }
        var response: Response
        do {
            response = try await next(request, context)
        } catch PageExit.redirect(let location) {
            response = Response(status: .seeOther, headers: [.location: location])
        } catch {
            if let (status, message) = PageProblem.message(error) {
                response = renderer.errorPage(status: status, message: message)
            } else {
                context.logger.error("page failed", metadata: ["error": .string(String(reflecting: error))])
                response = renderer.errorPage(
                    status: .internalServerError,
                    message: "Something went wrong on our side. Please try again in a moment.")
            }
        }
        response.headers[.pagePolicy] = Self.contentSecurityPolicy
        response.headers[.pageNoSniff] = "nosniff"
        response.headers[.pageReferrer] = "same-origin"
        return response
    }
}

extension HTTPField.Name {
    static let pagePolicy = Self("Content-Security-Policy")!
    static let pageNoSniff = Self("X-Content-Type-Options")!
    static let pageReferrer = Self("Referrer-Policy")!
}
