import Foundation
import NIOCore

/// A signed-in shopper (or admin): the tokens a virtual client sends.
struct Session: Sendable {
    var email: String
    var accessToken: String
    var refreshToken: String
}

private struct TokenPair: Decodable {
    var accessToken: String
    var refreshToken: String
}

/// The untimed part of a run: accounts, products, ids to browse. Any failure here stops the run, with the
/// server's answer in the message.
extension StoreAPI {
    static let shopperPassword = "load-test-password"

    /// Signs up `count` new shoppers, `width` at a time. The run tag keeps emails fresh on a reused store.
    func signUpShoppers(count: Int, width: Int, runTag: String) async throws -> [Session] {
        try await Runner.concurrently(count, width: width) { index in
            let email = "load-\(runTag)-\(index)@example.test"
            struct Signup: Encodable { var email, password, name: String }
            let body = Self.json(Signup(email: email, password: Self.shopperPassword, name: "Load Shopper \(index)"))
            let reply = try await send(.POST, "/api/v1/auth/signup", body: body)
            guard reply.status == 201 else { throw unexpected("signing up \(email)", reply) }
            let pair = try reply.decode(TokenPair.self)
            return Session(email: email, accessToken: pair.accessToken, refreshToken: pair.refreshToken)
        }
    }

    func logIn(email: String, password: String) async throws -> Session {
        struct Login: Encodable { var email, password: String }
        let reply = try await send(
            .POST, "/api/v1/auth/login", body: Self.json(Login(email: email, password: password)))
        guard reply.status == 200 else { throw unexpected("logging in as \(email)", reply) }
        let pair = try reply.decode(TokenPair.self)
        return Session(email: email, accessToken: pair.accessToken, refreshToken: pair.refreshToken)
    }

    /// A new token pair once the access token has expired (runs longer than its 15 minutes).
    func refresh(_ session: Session) async throws -> Session {
        struct Refresh: Encodable { var refreshToken: String }
        let reply = try await send(
            .POST, "/api/v1/auth/refresh", body: Self.json(Refresh(refreshToken: session.refreshToken)))
        guard reply.status == 200 else { throw unexpected("refreshing the token of \(session.email)", reply) }
        let pair = try reply.decode(TokenPair.self)
        return Session(email: session.email, accessToken: pair.accessToken, refreshToken: pair.refreshToken)
    }

    /// Creates products LOAD-1 ... LOAD-count, or reuses those a previous run left; returns their SKUs.
    func ensureLoadProducts(count: Int, stock: Int, admin: Session, width: Int) async throws -> [String] {
        try await Runner.concurrently(count, width: width) { index in
            let sku = "LOAD-\(index + 1)"
            let product = NewProduct(
                title: "Load Test Item \(index + 1)",
                description: "A product made by emporium-load for benchmarks.",
                sku: sku,
                price: 1999,
                stock: stock
            )
            try await createProduct(product, admin: admin, reuseExisting: true)
            return sku
        }
    }

    /// Creates one product; with `reuseExisting`, a SKU that is already taken counts as done.
    func createProduct(_ product: NewProduct, admin: Session, reuseExisting: Bool) async throws {
        let reply = try await send(.POST, "/api/v1/admin/products", body: Self.json(product), token: admin.accessToken)
        if reply.status == 201 { return }
        if reuseExisting, Self.isDuplicateSKU(reply) { return }
        throw unexpected("creating product \(product.variants[0].sku)", reply)
    }

    /// api.md's duplicate code is 409 `duplicate_sku`; the server also answers 422 `validation_failed` naming
    /// the SKU. Both mean the product is there from an earlier run.
    static func isDuplicateSKU(_ reply: Reply) -> Bool {
        guard let problem = try? reply.decode(ProblemBody.self) else { return false }
        if reply.status == 409, problem.code == "duplicate_sku" { return true }
        guard reply.status == 422 else { return false }
        return (problem.errors ?? []).contains { ($0.message ?? "").contains("already exists") }
    }

    /// Product ids found by searching each word (one page of up to 100 each), without duplicates.
    func productIDs(searching words: [String]) async throws -> [String] {
        struct Page: Decodable {
            struct Item: Decodable { var id: String }
            var items: [Item]
        }
        var seen = Set<String>()
        var ids: [String] = []
        for word in [""] + words {
            let reply = try await send(.GET, "/api/v1/products/search?pageSize=100&q=\(word.queryEscaped)")
            guard reply.status == 200 else { throw unexpected("searching for '\(word)'", reply) }
            for item in try reply.decode(Page.self).items where seen.insert(item.id).inserted {
                ids.append(item.id)
            }
        }
        return ids
    }

    func unexpected(_ what: String, _ reply: Reply) -> LoadError {
        LoadError("\(what): HTTP \(reply.status) \(reply.text.prefix(500))")
    }
}

/// The body of POST /admin/products with one variant.
struct NewProduct: Encodable {
    struct Money: Encodable {
        var amount: Int
        var currency = "USD"
    }

    struct Variant: Encodable {
        var sku: String
        var title = ""
        var attributes: [String: String] = [:]
        var price: Money
        var stock: Int
    }

    var title: String
    var description: String
    var brand = "Loadco"
    var attributes: [String: String] = [:]
    var variants: [Variant]

    init(title: String, description: String, sku: String, price: Int, stock: Int) {
        self.title = title
        self.description = description
        variants = [Variant(sku: sku, price: Money(amount: price), stock: stock)]
    }
}

extension String {
    var queryEscaped: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
