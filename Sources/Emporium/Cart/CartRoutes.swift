import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

extension HTTPField.Name {
    static let cartToken = Self("Cart-Token")!
}

/// `/cart`: the caller's cart, chosen by their token or, for a guest, by its `Cart-Token`.
struct CartRoutes {
    let carts: Carts
    var keepAlive: Duration = .seconds(15)

    struct AddBody: Decodable {
        let sku: String
        let quantity: Int
    }

    struct SetBody: Decodable {
        let quantity: Int
    }

    struct SyncBody: Decodable {
        let deviceId: String
        let baseVersion: Int
        let ops: [CartOp]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("cart") { request, context -> Response in
            let (owner, newToken) = try Self.owner(request, context)
            let cart = try await carts.cart(owner)
            if newToken == nil, request.ifNoneMatchContains(Self.etag(cart.version)) {
                return Response(status: .notModified, headers: [.eTag: Self.etag(cart.version)])
            }
            return try Self.respond(cart, newToken: newToken)
        }
        group.post("cart/items") { request, context -> Response in
            let (owner, newToken) = try Self.owner(request, context)
            let body = try await request.decodeJSON(AddBody.self, context: context)
            let cart = try await carts.add(
                owner, sku: body.sku, quantity: body.quantity, ifMatch: try Self.ifMatch(request))
            return try Self.respond(cart, newToken: newToken)
        }
        group.put("cart/items/{sku}") { request, context -> Response in
            let (owner, newToken) = try Self.owner(request, context)
            let sku = try Self.sku(context)
            let body = try await request.decodeJSON(SetBody.self, context: context)
            let cart = try await carts.set(owner, sku: sku, quantity: body.quantity, ifMatch: try Self.ifMatch(request))
            return try Self.respond(cart, newToken: newToken)
        }
        group.delete("cart/items/{sku}") { request, context -> Response in
            let (owner, newToken) = try Self.owner(request, context)
            let sku = try Self.sku(context)
            let cart = try await carts.remove(owner, sku: sku, ifMatch: try Self.ifMatch(request))
            return try Self.respond(cart, newToken: newToken)
        }
        group.post("cart/sync") { request, context -> Response in
            let (owner, newToken) = try Self.owner(request, context)
            let body = try await request.decodeJSON(SyncBody.self, context: context)
            let cart = try await carts.sync(
                owner, deviceId: body.deviceId, baseVersion: body.baseVersion, ops: body.ops)
            return try Self.respond(cart, newToken: newToken)
        }
        group.get("cart/events") { request, context -> Response in
            let (owner, newToken) = try Self.owner(request, context)
            return try await events(owner, newToken: newToken)
        }
    }

    /// Server-sent events: the current version at once, then each newer one (coalesced), keep-alives between.
    private func events(_ owner: CartOwner, newToken: String?) async throws -> Response {
        let listener = carts.feed.listen(cartId: owner.cartId)
        // Listen first, then read: a change between the two is not missed.
        listener.offer(try await carts.cart(owner).version)
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store", .accelBuffering: "no"]
        headers[.cartToken] = newToken
        let keepAlive = self.keepAlive
        return Response(
            status: .ok,
            headers: headers,
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
                        let version = listener.version
                        if version > sent {
                            sent = version
                            try await writer.write(
                                ByteBuffer(string: "event: cart\ndata: {\"version\":\(version)}\n\n"))
                        } else {
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        }
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            }
        )
    }

    /// The caller's cart: their own when signed in; a guest's by `Cart-Token`, or a new token for a new guest.
    /// A bearer token that is present but invalid is a 401, never a silent fall-back to a guest cart.
    /// A malformed `Cart-Token` is a 400 even beside a bearer token, as the document says of the header.
    static func owner(_ request: Request, _ context: AppRequestContext) throws -> (CartOwner, newToken: String?) {
        if let token = request.headers[.cartToken] { _ = try guestToken(token) }
        if let identity = context.identity { return (.user(identity.userId), nil) }
        if let problem = context.tokenProblem { throw problem }
        guard let token = request.headers[.cartToken] else {
            let token = CartOwner.newGuestToken()
            return (.guest(token: token), token)
        }
        return (.guest(token: try guestToken(token)), nil)
    }

    /// The `{sku}` of a cart line's path: 1 to 64 characters, as the document declares (else 400).
    static func sku(_ context: AppRequestContext) throws -> String {
        let sku = try context.parameters.require("sku")
        guard (1...64).contains(sku.unicodeScalars.count) else {
            throw Problem(
                .badRequest, code: "invalid_request", detail: "The SKU in the path must be 1 to 64 characters.")
        }
        return sku
    }

    static func guestToken(_ token: String) throws -> String {
        guard CartOwner.isWellFormedGuestToken(token) else {
            throw Problem(
                .badRequest, code: "invalid_cart_token",
                detail: "Cart-Token must be the 22-character token the server issued.")
        }
        return token
    }

    static func respond(_ cart: CartView, newToken: String?) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .eTag: etag(cart.version)]
        headers[.cartToken] = newToken
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(cart))))
    }

    static func etag(_ version: Int) -> String { "\"\(version)\"" }

    /// `If-Match: "7"` (or a bare 7) as a version; `*` and absence mean no condition.
    static func ifMatch(_ request: Request) throws -> Int? {
        guard let value = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), value != "*" else {
            return nil
        }
        let digits = value.hasPrefix("W/") ? String(value.dropFirst(2)) : value
        guard let version = Int(digits.trimmingCharacters(in: CharacterSet(charactersIn: "\""))), version >= 0 else {
            throw Problem(.badRequest, code: "invalid_request", detail: "If-Match must be the cart's ETag, like \"7\".")
        }
        return version
    }
}

extension CartError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .skuNotFound(let sku):
            Problem(.notFound, code: "sku_not_found", detail: "There is no SKU \(sku).", extra: ["sku": .string(sku)])
        case .skuUnavailable(let sku):
            Problem(
                .unprocessableContent, code: "sku_unavailable", detail: "The SKU \(sku) is no longer sold.",
                extra: ["sku": .string(sku)])
        case .cartFull:
            Problem(
                .unprocessableContent, code: "cart_full",
                detail: "A cart holds at most \(CartRules.maxLines) different items.")
        case .stale(let currentVersion):
            Problem(
                .preconditionFailed,
                code: "precondition_failed",
                detail: "The cart changed since the version in If-Match; it is now at version \(currentVersion).",
                extra: ["currentVersion": .int(currentVersion)],
                headers: [.eTag: CartRoutes.etag(currentVersion)]
            )
        case .changedDuringCheckout:
            Problem(.conflict, code: "cart_changed", detail: "The cart kept changing during checkout; try again.")
        }
    }
}
