import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

/// A product with two variants, the second sold out; its slug.
func createTwoVariantProduct(
    _ client: any TestClientProtocol, _ node: StoreNode, title: String = "Trail Running Shoe",
    description: String = "Light and grippy."
) async throws -> (slug: String, inStock: String, soldOut: String) {
    let admin = try await client.adminToken(node)
    let suffix = UUID().uuidString.prefix(6)
    let (inStock, soldOut) = ("RUN-\(suffix)-42", "RUN-\(suffix)-43")
    let response = try await client.send(
        .post, "/api/v1/admin/products",
        json: #"""
            {"title": \#(jsonString(title)), "description": \#(jsonString(description)), "brand": "Stride",
             "attributes": {"material": "mesh"},
             "variants": [
               {"sku": "\#(inStock)", "title": "Size 42", "attributes": {}, "price": {"amount": 8999, "currency": "USD"}, "stock": 5},
               {"sku": "\#(soldOut)", "title": "Size 43", "attributes": {}, "price": {"amount": 8999, "currency": "USD"}, "stock": 0}]}
            """#,
        token: admin)
    #expect(response.status == .created, "\(response.html)")
    return (try #require(try response.jsonObject()["slug"] as? String), inStock, soldOut)
}

func jsonString(_ text: String) -> String {
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}

func hooks(_ html: String, _ names: [String]) -> [String] {
    names.filter { !html.contains("data-test=\"\($0)\"") }
}

@Suite(.serialized, .timeLimit(.minutes(3)))
struct StorefrontTests {
    @Test(arguments: engines)
    func aShopperFindsBuysAndPaysThroughPagesThatCarryTheirHooks(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, inStock, soldOut) = try await createTwoVariantProduct(client, node)
            var browser = try await signedUpBrowser(client)
            #expect(hooks(try await browser.get("/").html, ["search-form", "cart-count", "logout-button"]).isEmpty)
            var search = ""
            #expect(
                try await eventually {
                    // A form sends spaces as `+`.
                    search = try await browser.get("/search?q=trail+running&brand=Stride").html
                    return search.contains("data-test=\"product-card\"")
                })
            #expect(
                hooks(search, ["result-count", "facet-brand", "facet-category", "facet-price", "facet-rating", "sort"])
                    .isEmpty)
            #expect(search.contains("href=\"/p/\(slug)\""))
            let product = try await browser.get("/p/\(slug)").html
            #expect(
                hooks(product, ["product-title", "product-price", "availability", "add-to-cart", "rating-summary"])
                    .isEmpty)
            #expect(product.contains("$89.99"))
            #expect(product.contains(#"data-sku="\#(soldOut)" disabled"#))
            #expect(product.contains(#"data-sku="\#(inStock)" checked>"#))
            #expect(product.contains("data-test=\"review-form\""))

            let added = try await browser.post(
                "/cart/add", [("sku", inStock), ("quantity", "2"), ("next", "/p/\(slug)")])
            #expect(added.status == .seeOther)
            #expect(added.headers[.location] == "/p/\(slug)?notice=added")
            let cart = try await browser.get("/cart").html
            #expect(
                hooks(cart, ["cart-line", "line-quantity", "remove-line", "cart-subtotal", "checkout-button"]).isEmpty)
            #expect(cart.contains(#"data-test="cart-count" data-live-cart>2<"#))
            #expect(cart.contains("$179.98"))

            let checkout = try await browser.get("/checkout").html
            #expect(hooks(checkout, ["place-order"]).isEmpty)
            let key = try #require(BrowserSession.value(of: "idempotencyKey", in: checkout))
            let placed = try await browser.post("/checkout", address + [("idempotencyKey", key)])
            let payPath = try #require(placed.headers[.location])
            #expect(payPath.hasPrefix("/orders/") && payPath.hasSuffix("/pay"))
            let payPage = try await browser.get(payPath).html
            #expect(hooks(payPage, ["pay-button"]).isEmpty)
            let paid = try await browser.post(
                payPath,
                card("4242 4242 4242 4242") + [
                    ("idempotencyKey", BrowserSession.value(of: "idempotencyKey", in: payPage)!)
                ])
            let orderPath = String(payPath.dropLast("/pay".count))
            #expect(paid.headers[.location] == orderPath + "?notice=paid")
            let order = try await browser.get(orderPath).html
            #expect(order.contains(#"data-test="order-status" data-status="confirmed""#))
            #expect(
                order.contains(#"<li data-status="pending_payment">"#)
                    && order.contains(#"<li data-status="confirmed">"#))
            #expect(try await browser.get("/orders").html.contains("href=\"\(orderPath)\""))

            let shipped = try await client.send(
                .post, "/api/v1/admin\(orderPath)/ship", json: #"{"carrier": "UPS", "trackingNumber": "1Z999AA1"}"#,
                token: try await client.adminToken(node))
            #expect(shipped.status == .ok)
            let tracked = try await browser.get(orderPath).html
            #expect(tracked.contains(#"data-test="order-status" data-status="shipped""#))
            #expect(tracked.contains(#"<strong data-test="tracking-number">1Z999AA1</strong>"#))
            #expect(!tracked.contains("Cancel order"), "a shipped order can no longer be cancelled")
        }
    }

    @Test(arguments: engines)
    func aFormWithoutItsCSRFTokenIsRefusedAndChangesNothing(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, sku, _) = try await createTwoVariantProduct(client, node)
            var browser = BrowserSession(client)
            _ = try await browser.get("/p/\(slug)")
            #expect(
                try await browser.post("/cart/add", [("sku", sku), ("quantity", "1")], csrf: false).status == .forbidden
            )
            #expect(
                try await browser.post("/cart/add", [("sku", sku), ("quantity", "1"), ("csrf", "forged")], csrf: false)
                    .status == .forbidden)
            var stranger = BrowserSession(client)
            stranger.csrf = browser.csrf
            #expect(try await stranger.post("/cart/add", [("sku", sku), ("quantity", "1")]).status == .forbidden)
            let refused = try await browser.post("/logout", [], csrf: false)
            #expect(refused.status == .forbidden && refused.html.contains("data-test=\"search-form\""))
            #expect(!(try await browser.get("/cart").html.contains("data-test=\"cart-line\"")))
            #expect(try await browser.post("/cart/add", [("sku", sku), ("quantity", "1")]).status == .seeOther)
        }
    }

    @Test(arguments: engines)
    func theSessionCookieIsHttpOnlyLaxAndSiteWideAndPagesForbidInlineScript(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, _ in
            let response = try await client.execute(uri: "/", method: .get)
            let attributes = Set(
                try #require(response.headers[.setCookie]).split(separator: ";").map {
                    $0.trimmingCharacters(in: .whitespaces).lowercased()
                })
            #expect(attributes.isSuperset(of: ["httponly", "samesite=lax", "path=/"]))
            #expect(!attributes.contains("secure"))
            let policy = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(!response.html.contains("<script>"))
        }
    }

    @Test(arguments: engines)
    func hostileProductTextIsShownAsTextNeverAsMarkup(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, _, _) = try await createTwoVariantProduct(
                client, node, title: "<script>alert('t')</script> Shoe",
                description: "\"><img src=x onerror=alert(1)> & more")
            var browser = BrowserSession(client)
            let page = try await browser.get("/p/\(slug)").html
            #expect(!page.contains("<script>alert"))
            #expect(!page.contains("<img src=x"))
            #expect(page.contains("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; Shoe"))
            #expect(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more"))
        }
    }

    @Test(arguments: engines)
    func signingOutEndsTheSessionOnTheServer(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, _ in
            var browser = try await signedUpBrowser(client)
            var copied = BrowserSession(client)
            copied.cookie = browser.cookie
            #expect(try await copied.get("/account").status == .ok)
            let out = try await browser.submit("/logout", from: "/account", [])
            #expect(out.headers[.location] == "/?notice=signed-out")
            let after = try await copied.get("/account")
            #expect(after.status == .seeOther && after.headers[.location] == "/login?next=/account")
            #expect(try await browser.get("/account").status == .seeOther)
        }
    }

    @Test(arguments: engines)
    func aGuestCartJoinsTheAccountAtSignUp(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, sku, _) = try await createTwoVariantProduct(client, node)
            var browser = BrowserSession(client)
            _ = try await browser.submit("/cart/add", from: "/p/\(slug)", [("sku", sku), ("quantity", "3")])
            let signedUp = try await browser.submit(
                "/signup", from: "/signup?next=/cart",
                [
                    ("name", "Guest"), ("email", "guest-\(UUID().uuidString.prefix(6))@example.com"),
                    ("password", "correct horse"), ("next", "/cart"),
                ])
            #expect(signedUp.headers[.location] == "/cart?notice=signed-up")
            let cart = try await browser.get("/cart").html
            #expect(cart.contains(#"data-test="cart-line" data-sku="\#(sku)""#))
            #expect(cart.contains(#"data-live-cart>3<"#))
        }
    }

    @Test(arguments: engines)
    func aCheckoutOrPayFormSentTwiceMakesOneOrderAndOneCharge(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, sku, _) = try await createTwoVariantProduct(client, node)
            var browser = try await signedUpBrowser(client)
            _ = try await browser.submit("/cart/add", from: "/p/\(slug)", [("sku", sku), ("quantity", "1")])
            let key = try #require(
                BrowserSession.value(of: "idempotencyKey", in: try await browser.get("/checkout").html))
            let first = try await browser.post("/checkout", address + [("idempotencyKey", key)])
            let second = try await browser.post("/checkout", address + [("idempotencyKey", key)])
            #expect(first.status == .seeOther && second.headers[.location] == first.headers[.location])
            let orders = try await browser.get("/orders").html
            #expect(orders.components(separatedBy: "href=\"/orders/").count - 1 == 1)

            let pay = try #require(first.headers[.location])
            let payKey = try #require(BrowserSession.value(of: "idempotencyKey", in: try await browser.get(pay).html))
            let paid = try await browser.post(pay, card("4242 4242 4242 4242") + [("idempotencyKey", payKey)])
            let again = try await browser.post(pay, card("4242 4242 4242 4242") + [("idempotencyKey", payKey)])
            #expect(paid.status == .seeOther && again.headers[.location] == paid.headers[.location])
            let charges = try await node.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM payment_attempts WHERE status = 'captured'").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(charges == 1)
        }
    }
}

let address = [
    ("name", "Ada Lovelace"), ("line1", "12 St James's Square"), ("line2", ""), ("city", "London"),
    ("postalCode", "SW1Y 4JH"), ("country", "GB"),
]

func card(_ number: String) -> [(String, String)] {
    [("cardNumber", number), ("expMonth", "12"), ("expYear", "2031"), ("cvc", "123")]
}
