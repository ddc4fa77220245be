import Emporium
import EmporiumSearch
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders pages in the store's layout: the page's own view model plus what every page shows (header with the
/// cart badge and account link, the notice of the last action), and the session cookie when it is new.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let assets: Assets
    let sessions: Sessions
    let carts: Carts
    let markers = PageBody.Markers()
    /// Guest pages rendered once and filled in per visitor.
    let cache = RenderedPages()
    /// A guest's header depends on their cart's size only (outside the search page).
    let guestHeaders = GuestHeaders()
    let cards = RenderedCards()

    /// Every template the routes render: checked at start, since a missing one would render nothing.
    static let templates = [
        "layout", "home", "search", "product", "cart", "checkout", "pay", "orders", "order", "login", "signup",
        "account", "flash", "error", "partials/product-card", "partials/header", "partials/notice",
        "partials/admin-nav", "admin/dashboard", "admin/products", "admin/product-new", "admin/product-edit",
        "admin/orders", "admin/order", "admin/flash-sales", "admin/reviews", "admin/webhooks",
    ]

    init(directory: URL, assets: Assets, sessions: Sessions, carts: Carts) async throws {
        library = try await MustacheLibrary(directory: directory.path)
        for name in Self.templates where library.getTemplate(named: name) == nil {
            throw StorefrontError("the storefront's template \(name).mustache is missing from \(directory.path)")
        }
        self.assets = assets
        self.sessions = sessions
        self.carts = carts
    }

    /// A page for `visit`: `context` holds the page's fields; `title` goes to `<title>`.
    func page(
        _ template: String, title: String, visit: Visit, request: Request, status: HTTPResponse.Status = .ok,
        _ context: [String: Any]
    ) async throws -> Response {
        try await respond(body(template, title: title, context), visit: visit, request: request, status: status)
    }

    /// A page rendered with holes for the visitor's parts (`respond` fills them), to serve or to cache.
    func body(_ template: String, title: String, _ context: [String: Any]) throws -> PageBody {
        var context = context
        context["pageTitle"] = title
        context["csrf"] = markers.csrf
        context["headerHtml"] = markers.header
        context["noticeHtml"] = markers.notice
        context["assets"] = ["css": assets.urls["store.css"] ?? "", "js": assets.urls["store.js"] ?? ""]
        return PageBody(try render(template, context), markers: markers)
    }

    /// `body` for `visit`: their header (account link, cart badge), the notice of their last action, their CSRF
    /// token, and the session cookie when it is new.
    func respond(
        _ body: PageBody, visit: Visit, request: Request, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var cartCount = 0
        if let owner = visit.cartOwner {
            cartCount = try await carts.cart(owner).items.reduce(0) { $0 + $1.quantity }
        }
        let csrf = sessions.csrfToken(visit)
        let query = request.formQuery["q"].map(String.init) ?? ""
        let header: String
        if !visit.isSignedIn, query.isEmpty, let known = guestHeaders.header(cartCount: cartCount) {
            header = known
        } else {
            header = try render(
                "partials/header",
                [
                    "signedIn": visit.isSignedIn, "userName": visit.userName ?? "", "cartCount": cartCount,
                    "query": query, "csrf": csrf,
                ])
            if !visit.isSignedIn, query.isEmpty { guestHeaders.store(header, cartCount: cartCount) }
        }
        var notice = ""
        if let code = request.formQuery["notice"], let known = Notice(rawValue: String(code)) {
            notice = try render("partials/notice", ["notice": known.message])
        }
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: body.filled(header: header, notice: notice, csrf: csrf)))
        if visit.isNew || visit.cookieChanged {
            response.headers.append(HTTPField(name: .setCookie, value: sessions.setCookie(visit)))
        }
        return response
    }

    /// An error page in the store's layout, without the visitor's session (it may be what failed).
    func errorPage(status: HTTPResponse.Status, message: String) -> Response {
        let context: [String: Any] = [
            "pageTitle": status == .notFound ? "Page not found · Emporium" : "Something went wrong · Emporium",
            "assets": ["css": assets.urls["store.css"] ?? "", "js": assets.urls["store.js"] ?? ""],
            "headerHtml": (try? render("partials/header", ["signedIn": false, "cartCount": ""])) ?? "",
            "status": Int(status.code), "message": message,
            "heading": status == .notFound ? "Page not found" : status.code >= 500 ? "Something went wrong" : "Sorry",
        ]
        let body = (try? render("error", context)) ?? message
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// A 303 to `location`, carrying the session cookie when this request changed it.
    func redirect(_ location: String, visit: Visit) throws -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        if visit.isNew || visit.cookieChanged {
            response.headers.append(HTTPField(name: .setCookie, value: sessions.setCookie(visit)))
        }
        return response
    }

    /// The cards of search results as one piece of HTML.
    func cardsHTML(_ hits: [SearchResult.Hit]) throws -> String {
        try hits.map { hit in
            try cards.card(hit) { try render("partials/product-card", SearchView.card($0)) }
        }.joined()
    }

    func render(_ template: String, _ context: [String: Any]) throws -> String {
        guard let body = library.render(context, withTemplate: template) else {
            throw StorefrontError("no template \(template)")
        }
        return body
    }
}

/// The message shown after an action, named in the redirect's `?notice=` (a fixed set: no text from the URL
/// reaches the page).
enum Notice: String {
    case added, updated
    case signedIn = "signed-in"
    case signedUp = "signed-up"
    case signedOut = "signed-out"
    case reviewed, paid
    case cancelled
    case productCreated = "product-created"
    case productSaved = "product-saved"
    case productDeleted = "product-deleted"
    case variantAdded = "variant-added"
    case stockUpdated = "stock-updated"
    case shipped, delivered
    case orderCancelled = "order-cancelled"
    case saleCreated = "sale-created"
    case reviewHidden = "review-hidden"
    case redelivered

    var message: String {
        switch self {
        case .added: "Added to your cart."
        case .updated: "Your cart is updated."
        case .signedIn: "Welcome back."
        case .signedUp: "Welcome to Emporium! Your account is ready."
        case .signedOut: "You are signed out."
        case .reviewed: "Thank you for your review."
        case .paid: "Payment received: your order is confirmed."
        case .cancelled: "Your order is cancelled."
        case .productCreated: "The product is created."
        case .productSaved: "The product is saved."
        case .productDeleted: "The product is deleted: it is hidden from the shop, and old orders keep it."
        case .variantAdded: "The variant is added."
        case .stockUpdated: "The stock is updated."
        case .shipped: "The order is marked shipped; the customer is told."
        case .delivered: "The order is marked delivered."
        case .orderCancelled: "The order is cancelled; a paid one is refunded and restocked."
        case .saleCreated: "The flash sale is created."
        case .reviewHidden: "The review is hidden."
        case .redelivered: "The delivery is sent again."
        }
    }
}

extension String {
    /// A `next=` target that stays on this site: a path starting with one `/` (no scheme, host or backslash).
    var sameSitePath: String? {
        guard hasPrefix("/"), !hasPrefix("//"), !contains("\\"), count <= 500,
            unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return nil }
        return self
    }

    /// The text percent-encoded for a URL's path or query value (every byte but letters, digits and `-._~/`).
    /// Written out byte by byte: a search page encodes a hundred links, and Foundation's encoder was most of its
    /// time.
    var queryEncoded: String {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(utf8.count)
        for byte in utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E, 0x2F: encoded.append(byte)
            default: encoded.append(contentsOf: [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
