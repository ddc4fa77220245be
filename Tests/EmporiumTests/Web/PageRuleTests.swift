import Emporium
import EmporiumWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)))
struct PageRuleTests {
    @Test(arguments: engines)
    func unknownPagesAndBadInputAnswerWithPagesInTheStoreLayout(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, _ in
            var browser = try await signedUpBrowser(client)
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/no-such-page", .notFound, "We could not find that page."),
                ("/p/no-such-product", .notFound, "The product"),
                ("/orders/ord_nothing", .notFound, "The order"),
                ("/search?minPrice=cheap", .badRequest, "`minPrice` must be an integer"),
                ("/search?sort=random", .badRequest, "`sort` must be one of"),
                ("/flash/nothing", .notFound, "The flash sale was not found."),
            ]
            for (path, status, message) in cases {
                let response = try await browser.get(path)
                #expect(response.status == status, "\(path)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                #expect(response.html.contains("data-test=\"search-form\""), "\(path)")
                #expect(response.html.contains(message), "\(path)")
            }
            let api = try await client.execute(uri: "/api/v1/no-such-route", method: .get)
            #expect(api.headers[.contentType] == "application/problem+json")
        }
    }

    @Test(arguments: engines)
    func signingInReturnsOnlyToPathsOfThisSite(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, _ in
            let email = "next-\(UUID().uuidString.prefix(6))@example.com"
            var first = try await signedUpBrowser(client, email: email)
            _ = try await first.submit("/logout", from: "/", [])
            let targets = [
                ("https://evil.example/steal", "/?notice=signed-in"), ("//evil.example", "/?notice=signed-in"),
                ("/\\evil.example", "/?notice=signed-in"), ("/cart", "/cart?notice=signed-in"),
            ]
            for (next, expected) in targets {
                var browser = BrowserSession(client)
                let response = try await browser.submit(
                    "/login", from: "/login", [("email", email), ("password", "correct horse"), ("next", next)])
                #expect(response.headers[.location] == expected, "\(next)")
            }
            var browser = BrowserSession(client)
            let wrong = try await browser.submit(
                "/login", from: "/login", [("email", email), ("password", "wrong password")])
            #expect(wrong.status == .unauthorized && wrong.html.contains("data-test=\"error\""))
            #expect(wrong.html.contains("value=\"\(email)\""))
        }
    }

    @Test(arguments: engines)
    func anotherCustomersOrderIsNotFound(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, sku, _) = try await createTwoVariantProduct(client, node)
            var owner = try await signedUpBrowser(client)
            _ = try await owner.submit("/cart/add", from: "/p/\(slug)", [("sku", sku), ("quantity", "1")])
            let key = BrowserSession.value(of: "idempotencyKey", in: try await owner.get("/checkout").html) ?? ""
            let order = try #require(
                try await owner.post("/checkout", address + [("idempotencyKey", key)]).headers[.location])
            var other = try await signedUpBrowser(client)
            #expect(try await other.get(order).status == .notFound)
            #expect(try await other.get(String(order.dropLast(4))).status == .notFound)
            #expect(try await owner.get(order).status == .ok)
        }
    }

    @Test(arguments: engines)
    func badFormsComeBackWithTheInputKeptAndAMessageBesideEachField(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            var browser = BrowserSession(client)
            let signup = try await browser.submit(
                "/signup", from: "/signup", [("name", "Ada"), ("email", "not-an-email"), ("password", "short")])
            #expect(signup.status == .unprocessableContent)
            #expect(signup.html.contains(#"data-field="email""#) && signup.html.contains(#"data-field="password""#))
            #expect(signup.html.contains(#"value="Ada""#) && signup.html.contains(#"value="not-an-email""#))

            let (slug, sku, _) = try await createTwoVariantProduct(client, node)
            var shopper = try await signedUpBrowser(client)
            _ = try await shopper.submit("/cart/add", from: "/p/\(slug)", [("sku", sku), ("quantity", "1")])
            _ = try await shopper.get("/checkout")
            let checkout = try await shopper.post(
                "/checkout",
                [("name", "Ada"), ("line1", ""), ("city", "London"), ("country", "Britain"), ("idempotencyKey", "k1")])
            #expect(checkout.status == .unprocessableContent)
            #expect(checkout.html.contains(#"data-field="line1""#) && checkout.html.contains(#"data-field="country""#))
            #expect(checkout.html.contains(#"value="London""#))

            let review = try await shopper.submit(
                "/p/\(slug)/reviews", from: "/p/\(slug)", [("rating", "9"), ("title", ""), ("body", "Kept text")])
            #expect(review.status == .unprocessableContent)
            #expect(review.html.contains(#"data-field="rating""#) && review.html.contains(#"data-field="title""#))
            #expect(review.html.contains(">Kept text</textarea>"))
            let posted = try await shopper.submit(
                "/p/\(slug)/reviews", from: "/p/\(slug)", [("rating", "4"), ("title", "Comfy"), ("body", "Fits well")])
            #expect(posted.headers[.location] == "/p/\(slug)?notice=reviewed#reviews")
            let page = try await shopper.get("/p/\(slug)").html
            #expect(page.contains("data-test=\"review\"") && page.contains("Comfy"))
        }
    }

    @Test(arguments: engines)
    func aDeclinedCardComesBackWithItsMessageAndTheOrderStaysPayable(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, sku, _) = try await createTwoVariantProduct(client, node)
            var browser = try await signedUpBrowser(client)
            _ = try await browser.submit("/cart/add", from: "/p/\(slug)", [("sku", sku), ("quantity", "1")])
            let key = BrowserSession.value(of: "idempotencyKey", in: try await browser.get("/checkout").html) ?? ""
            let pay = try #require(
                try await browser.post("/checkout", address + [("idempotencyKey", key)]).headers[.location])
            let page = try await browser.get(pay).html
            let declined = try await browser.post(
                pay,
                card("4000 0000 0000 0002") + [
                    ("idempotencyKey", BrowserSession.value(of: "idempotencyKey", in: page)!)
                ])
            #expect(declined.status == .unprocessableContent)
            #expect(declined.html.contains("Your card was declined (card declined)"))
            #expect(!declined.html.contains(#"value="4000"#), "the card number is never echoed")
            let order = try await browser.get(String(pay.dropLast(4))).html
            #expect(order.contains(#"data-status="pending_payment""#))
        }
    }

    @Test(arguments: engines)
    func aFlashSalePageShowsItsCounterAndBuyingLeadsToPayment(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(try await client.createFlashSale(admin, quantity: 5, limit: 2)["id"] as? String)
            var browser = try await signedUpBrowser(client)
            let page = try await browser.get("/flash/\(sale)").html
            #expect(page.contains(#"data-test="flash-status" data-status="live""#))
            #expect(page.contains(#"<strong data-test="flash-remaining">5</strong>"#))
            #expect(hooks(page, ["flash-buy"]).isEmpty)
            #expect(try await browser.get("/").html.contains("href=\"/flash/\(sale)\""))
            let key = try #require(BrowserSession.value(of: "idempotencyKey", in: page))
            let bought = try await browser.post("/flash/\(sale)/buy", [("quantity", "2"), ("idempotencyKey", key)])
            let pay = try #require(bought.headers[.location])
            #expect(pay.hasPrefix("/orders/") && pay.hasSuffix("/pay"))
            let again = try await browser.post("/flash/\(sale)/buy", [("quantity", "2"), ("idempotencyKey", key)])
            #expect(again.headers[.location] == pay)
            #expect(try await browser.get("/flash/\(sale)").html.contains(#"data-test="flash-remaining">3<"#))
        }
    }

    @Test(arguments: engines)
    func staticFilesAreImmutableSmallAndNotRateLimited(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(
            engine,
            configure: {
                $0.rateLimitPerSecond = 0.01
                $0.rateLimitBurst = 2
            }
        ) { client, _ in
            let home = try await client.execute(uri: "/", method: .get).html
            let assets = ["css", "js"].compactMap { ext -> String? in
                guard let range = home.range(of: #"/assets/store\.[0-9a-f]{12}\.\#(ext)"#, options: .regularExpression)
                else { return nil }
                return String(home[range])
            }
            #expect(assets.count == 2)
            var bytes = 0
            for _ in 0..<5 {
                for asset in assets {
                    let response = try await client.execute(uri: asset, method: .get)
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
                    bytes += response.body.readableBytes
                }
            }
            #expect(bytes / 5 < 40 * 1024, "a page's own CSS and JS stay under 40 KB")
            #expect(try await client.execute(uri: "/assets/store.000000000000.css", method: .get).status == .notFound)
            // The home page took one of the two tokens; the next pages are counted, the files above were not.
            #expect(try await client.execute(uri: "/search", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/search", method: .get).status == .tooManyRequests)
        }
    }

    @Test(arguments: engines)
    func guestsShareOneRenderingButEachGetsTheirOwnTokenAndFreshPrices(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, sku, _) = try await createTwoVariantProduct(client, node)
            var first = BrowserSession(client)
            var second = BrowserSession(client)
            let pages = [try await first.get("/p/\(slug)").html, try await second.get("/p/\(slug)").html]
            #expect(first.csrf != nil && second.csrf != nil && first.csrf != second.csrf)
            #expect(pages.allSatisfy { !$0.contains("\u{1}") })
            _ = try await first.get("/p/\(slug)")
            #expect(try await first.post("/cart/add", [("sku", sku), ("quantity", "1")]).status == .seeOther)
            #expect(try await first.get("/p/\(slug)").html.contains(#"data-live-cart>1<"#))
            #expect(try await second.get("/p/\(slug)").html.contains(#"data-live-cart>0<"#))

            let admin = try await client.adminToken(node)
            let productId = try #require(
                try await client.send(.get, "/api/v1/products/\(slug)").jsonObject()["id"] as? String)
            let changed = try await client.send(
                .patch, "/api/v1/admin/products/\(productId)",
                json: #"{"variants": [{"sku": "\#(sku)", "price": {"amount": 7999, "currency": "USD"}}]}"#, token: admin
            )
            #expect(changed.status == .ok, "\(changed.html)")
            #expect(try await eventually { try await second.get("/p/\(slug)").html.contains("$79.99") })
        }
    }

    @Test(arguments: engines)
    func aBrowsingGuestHasNoSessionRowUntilTheirCartNeedsOne(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, sku, _) = try await createTwoVariantProduct(client, node)
            func rows() async throws -> Int {
                try await node.database.read { sql in
                    try await sql.raw("SELECT COUNT(*) AS n FROM web_sessions").first()?.decode(
                        column: "n", as: Int.self)
                        ?? -1
                }
            }
            var browser = BrowserSession(client)
            _ = try await browser.get("/p/\(slug)")
            let browsing = try #require(browser.cookie)
            #expect(browsing.hasPrefix("emporium_session=g"))
            #expect(try await rows() == 0)
            _ = try await browser.get("/search")
            #expect(browser.cookie == browsing)
            _ = try await browser.post("/cart/add", [("sku", sku), ("quantity", "1")])
            let stored = try #require(browser.cookie)
            #expect(stored == browsing.replacingOccurrences(of: "=g", with: "="))
            #expect(try await rows() == 1)
            #expect(try await browser.get("/cart").html.contains(#"data-test="cart-line""#))
        }
    }

    @Test(arguments: engines)
    func headRequestsAnswerAsGetWithoutTheBody(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, _, _) = try await createTwoVariantProduct(client, node)
            for path in ["/", "/p/\(slug)", "/search?q=lamp", "/api/v1/products/\(slug)", "/health/live"] {
                let get = try await client.execute(uri: path, method: .get, headers: [:], body: nil)
                let head = try await client.execute(uri: path, method: .head, headers: [:], body: nil)
                #expect(head.status == get.status, "HEAD \(path)")
                #expect(head.body.readableBytes == 0, "HEAD \(path)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(path)")
            }
            let missing = try await client.execute(uri: "/p/no-such-product", method: .head, headers: [:], body: nil)
            #expect(missing.status == .notFound)
        }
    }

    @Test func anUnexpectedFailureIsAPageThatTellsNothingOfIt() async throws {
        struct Secret: Error {}
        let failing = ApplicationAddOn { router in
            router.get("broken-page") { _, _ -> String in throw Secret() }
        }
        try await TestStore.withApp(.sqlite, addOns: { [try await Storefront.addOn($0), failing] }) { client, _ in
            let response = try await client.execute(uri: "/broken-page", method: .get)
            #expect(response.status == .internalServerError)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(
                response.html.contains("Something went wrong") && response.html.contains("data-test=\"search-form\""))
            #expect(!response.html.contains("Secret"))
        }
    }
}
