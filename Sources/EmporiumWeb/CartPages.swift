import Emporium
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The cart: adding from a product page, the cart page with its quantities, and its live stream for the badge.
extension Storefront {
    func registerCartPages(on router: Router<AppRequestContext>) {
        router.get("cart") { request, _ in try await cartPage(request) }
        router.post("cart/add") { request, _ in try await add(request) }
        router.post("cart/update") { request, _ in try await update(request) }
        router.get("cart/events") { request, _ in try await cartEvents(request) }
    }

    private func cartPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        guard let owner = visit.cartOwner else {
            return try await page(
                "cart", title: "Your cart · Emporium", visit: visit, request: request, ["isEmpty": true])
        }
        let cart = try await node.carts.cart(owner)
        var products: [String: Product] = [:]
        for productId in Set(cart.items.map(\.productId)) {
            guard let cached = try? await node.catalog.page(idOrSlug: productId) else { continue }
            products[productId] = try? JSONDecoder().decode(Product.self, from: Data(cached.json))
        }
        return try await page(
            "cart", title: "Your cart · Emporium", visit: visit, request: request,
            CartPageView(cart: cart, products: products).context)
    }

    private func add(_ request: Request) async throws -> Response {
        var visit = try await visit(request)
        let form = try await form(request, visit)
        let back = form.text("next").sameSitePath ?? "/cart"
        guard let quantity = form.integer("quantity"), (1...CartRules.maxQuantity).contains(quantity) else {
            throw PageExit.error(.badRequest, "Choose a quantity from 1 to \(CartRules.maxQuantity).")
        }
        let sku = form.text("sku")
        guard !sku.isEmpty else { throw PageExit.error(.badRequest, "Choose a variant to add to your cart.") }
        let owner = try await sessions.guestCart(&visit)
        _ = try await node.carts.add(owner, sku: sku, quantity: quantity)
        return try redirect(Self.adding(notice: .added, to: back), visit: visit)
    }

    private func update(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let form = try await form(request, visit)
        guard let owner = visit.cartOwner else { return try redirect("/cart", visit: visit) }
        guard let quantity = form.integer("quantity"), (0...CartRules.maxQuantity).contains(quantity) else {
            throw PageExit.error(.badRequest, "Choose a quantity from 0 to \(CartRules.maxQuantity).")
        }
        let sku = form.text("sku")
        if quantity == 0 {
            _ = try await node.carts.remove(owner, sku: sku)
        } else {
            _ = try await node.carts.set(owner, sku: sku, quantity: quantity)
        }
        return try redirect("/cart?notice=updated", visit: visit)
    }

    /// Server-sent events for this browser's cart: `{count, version}` at once and after every change, from any
    /// device of the same customer (the cart feed follows the event log).
    private func cartEvents(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        guard let owner = visit.cartOwner else {
            return Response(
                status: .noContent, headers: [.cacheControl: "no-store"])
        }
        let carts = node.carts
        let listener = carts.feed.listen(cartId: owner.cartId)
        listener.offer(try await carts.cart(owner).version)
        let keepAlive = node.configuration.eventStreamKeepAlive
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", .accelBufferingOff: "no"],
            body: ResponseBody { writer in
                defer { listener.stop() }
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while true {
                            try await Task.sleep(for: keepAlive)
                            listener.ping()
                        }
                    }
                    var sent = -1
                    for await _ in listener.wakes.cancelOnGracefulShutdown() {
                        guard listener.version > sent else {
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            continue
                        }
                        let cart = try await carts.cart(owner)
                        sent = max(listener.version, cart.version)
                        let count = cart.items.reduce(0) { $0 + $1.quantity }
                        try await writer.write(
                            ByteBuffer(
                                string: "event: cart\ndata: {\"count\":\(count),\"version\":\(cart.version)}\n\n"))
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            }
        )
    }

    /// `path` with `notice=` added to its query (before any `#fragment`).
    static func adding(notice: Notice, to path: String) -> String {
        var (base, fragment) = (path, "")
        if let hash = path.firstIndex(of: "#") { (base, fragment) = (String(path[..<hash]), String(path[hash...])) }
        return base + (base.contains("?") ? "&" : "?") + "notice=" + notice.rawValue + fragment
    }
}

extension HTTPField.Name {
    static let accelBufferingOff = Self("X-Accel-Buffering")!
}
