import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@testable import EmporiumWeb

/// A browser signed in as a new admin through the login page.
func adminBrowser(_ client: any TestClientProtocol, _ node: StoreNode) async throws -> BrowserSession {
    let email = "admin-\(UUID().uuidString.prefix(8))@example.com"
    _ = try await node.accounts.signup(email: email, password: "admin-password", name: "Admin", role: .admin)
    var browser = BrowserSession(client)
    let response = try await browser.submit(
        "/login", from: "/login", [("email", email), ("password", "admin-password")])
    #expect(response.status == .seeOther)
    return browser
}

/// A customer's confirmed (paid) order of a new product; its id.
func paidOrder(_ client: any TestClientProtocol, _ node: StoreNode) async throws -> String {
    let admin = try await client.adminToken(node)
    let sku = try #require((try await client.createProduct(admin, stock: 5)["variants"] as? [[String: Any]])?[0]["sku"])
    let shopper = Shopper.user(try #require(try await client.signup()["accessToken"] as? String))
    let orderId = try await client.pendingOrder(sku: try #require(sku as? String), as: shopper)
    #expect(try await client.pay(orderId, as: shopper).status == .ok)
    return orderId
}

@Suite(.serialized, .timeLimit(.minutes(4)))
struct AdminPageTests {
    static let pages = [
        "/admin", "/admin/products", "/admin/products/new", "/admin/orders", "/admin/flash-sales", "/admin/reviews",
        "/admin/webhooks",
    ]

    @Test(arguments: engines)
    func onlyAdminsSeeTheAdminPages(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            var guest = BrowserSession(client)
            let signedOut = try await guest.get("/admin/orders?status=confirmed")
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.headers[.location] == "/login?next=/admin/orders%3Fstatus%3Dconfirmed")
            var customer = try await signedUpBrowser(client)
            for page in Self.pages { #expect(try await customer.get(page).status == .notFound, "\(page)") }
            let refused = try await customer.post("/admin/products", [("title", "Sneaky")])
            #expect(refused.status == .notFound)
            var admin = try await adminBrowser(client, node)
            for page in Self.pages {
                let response = try await admin.get(page)
                #expect(response.status == .ok, "\(page)")
                #expect(response.html.contains("aria-label=\"Admin\""), "\(page)")
            }
        }
    }

    @Test(arguments: engines)
    func dailySalesCountPaidOrdersPerUTCDayAsTheOrdersTableSays(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, price: 1999)
            let now = 1_796_140_800_000  // a fixed instant (16:00 UTC), so days and statuses do not depend on the clock
            try await OrderSeeder(node: node).seed(count: 700, days: 40, seed: 3, now: now)
            let days = try await node.orders.dailySales(days: 30, now: now)
            #expect(days.count == 30)
            let dayMillis = 86_400_000
            #expect(days.last?.dayStart == now / dayMillis * dayMillis)
            // The same figures added up in Swift from every order row.
            let rows = try await node.database.read { sql in
                try await sql.raw("SELECT status, total_amount, created_at FROM orders").all()
            }
            var expected: [Int: (orders: Int, revenue: Int)] = [:]
            for row in rows {
                let status = try row.decode(column: "status", as: String.self)
                let createdAt = try row.decode(column: "created_at", as: Int.self)
                guard ["confirmed", "shipped", "delivered"].contains(status), createdAt >= days[0].dayStart else {
                    continue
                }
                let day = createdAt / dayMillis * dayMillis
                expected[day, default: (0, 0)].orders += 1
                expected[day, default: (0, 0)].revenue += try row.decode(column: "total_amount", as: Int.self)
            }
            for day in days {
                #expect(day.orders == expected[day.dayStart]?.orders ?? 0)
                #expect(day.revenue.amount == expected[day.dayStart]?.revenue ?? 0)
            }
            #expect(days.reduce(0) { $0 + $1.orders } > 300)
            // The dashboard keeps the closed days a while and reads today's at every request.
            let history = SalesHistory()
            #expect(try await history.days(30, orders: node.orders, now: now) == days)
            #expect(try await history.days(30, orders: node.orders, now: now) == days)
            try await OrderSeeder(node: node).seed(count: 50, days: 1, seed: 4, now: now)
            let later = try await history.days(30, orders: node.orders, now: now)
            #expect(Array(later.dropLast()) == Array(days.dropLast()))
            #expect(later.last == (try await node.orders.dailySales(days: 30, now: now)).last)
            #expect((later.last?.orders ?? 0) > (days.last?.orders ?? 0))
            #expect(try await node.orders.count(status: .confirmed) > 0)

            var browser = try await adminBrowser(client, node)
            let dashboard = try await browser.get("/admin").html
            #expect(dashboard.contains("data-test=\"sales-chart\""))
            #expect(dashboard.contains("<title id=\"sales-chart-title\">"))
        }
    }

    @Test(arguments: engines)
    func aNewProductTakesADecimalPriceAndKeepsBadInputWithItsMessage(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            var admin = try await adminBrowser(client, node)
            let sku = "ADM-\(UUID().uuidString.prefix(6))"
            var fields = [
                ("title", "Desk <Lamp>"), ("description", "Warm light."), ("brand", "Lumen"), ("categoryId", ""),
                ("sku", sku), ("variantTitle", "Brass"), ("price", "12.999"), ("stock", "7"),
            ]
            let refused = try await admin.submit("/admin/products", from: "/admin/products/new", fields)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains(#"data-test="field-error" data-field="price""#))
            #expect(refused.html.contains("value=\"Desk &lt;Lamp&gt;\""))
            fields[6] = ("price", "12.99")
            let created = try await admin.post("/admin/products", fields)
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let id = try #require(location.split(separator: "/").last?.split(separator: "?").first.map(String.init))
            let product = try await node.catalog.adminProduct(id: id)
            #expect(product.variants.map(\.price.amount) == [1299])

            let duplicate = try await admin.submit("/admin/products", from: "/admin/products/new", fields)
            #expect(duplicate.status == .unprocessableContent)
            #expect(duplicate.html.contains(#"data-field="sku""#))

            let adjusted = try await admin.submit(
                "/admin/inventory/\(sku)", from: location, [("delta", "-3"), ("reason", "damaged")])
            #expect(adjusted.status == .seeOther)
            #expect(try await node.inventory.level(sku: sku).onHand == 4)
            let tooMany = try await admin.post("/admin/inventory/\(sku)", [("delta", "-9"), ("reason", "lost")])
            #expect(tooMany.status == .unprocessableContent)
            #expect(tooMany.html.contains("data-test=\"error\""))
            let page = try await admin.get("/admin/products/\(id)").html
            #expect(page.contains("damaged"))
            #expect(page.contains("data-test=\"save-product\""))
        }
    }

    @Test(arguments: engines)
    func anImageUploadIsCheckedFromItsBytesByTheCatalog(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let token = try await client.adminToken(node)
            let id = try #require(try await client.createProduct(token)["id"] as? String)
            var admin = try await adminBrowser(client, node)
            _ = try await admin.get("/admin/products/\(id)")
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)
            let saved = try await upload(&admin, id, png, type: "image/png")
            #expect(saved.status == .seeOther)
            #expect(try await node.catalog.adminProduct(id: id).images.count == 1)
            let fake = try await upload(&admin, id, Array("<html>not an image</html>".utf8), type: "image/png")
            #expect(fake.status == .unprocessableContent)
            #expect(fake.html.contains(#"data-field="image""#))
            #expect(try await node.catalog.adminProduct(id: id).images.count == 1)
        }
    }

    @Test(arguments: engines)
    func anOrderMovesOnlyAlongItsTransitionsAndARefusalIsAMessage(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let orderId = try await paidOrder(client, node)
            var admin = try await adminBrowser(client, node)
            let page = "/admin/orders/\(orderId)"
            let early = try await admin.submit("\(page)/deliver", from: page, [])
            #expect(early.status == .conflict)
            #expect(early.html.contains("data-test=\"error\""))
            let blank = try await admin.post("\(page)/ship", [("carrier", ""), ("trackingNumber", "1Z999")])
            #expect(blank.status == .unprocessableContent)
            #expect(blank.html.contains(#"data-field="carrier""#))
            #expect(blank.html.contains("value=\"1Z999\""))
            let shipped = try await admin.post("\(page)/ship", [("carrier", "UPS"), ("trackingNumber", "1Z999")])
            #expect(shipped.status == .seeOther)
            let list = try await admin.get("/admin/orders?status=shipped").html
            #expect(list.contains(#"data-test="admin-order" data-order-id="\#(orderId)""#))
            #expect(try await admin.get(page).html.contains("data-test=\"deliver-button\""))
            #expect(try await admin.post("\(page)/deliver", []).status == .seeOther)
            #expect(try await node.orders.order(id: orderId, userId: nil).status == .delivered)
            let late = try await admin.post("\(page)/cancel", [])
            #expect(late.status == .conflict)
        }
    }

    @Test(arguments: engines)
    func cancellingAPaidOrderFromTheAdminRefundsAndRestocks(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let orderId = try await paidOrder(client, node)
            let sku = try await node.orders.order(id: orderId, userId: nil).items[0].sku
            let before = try await node.inventory.level(sku: sku).onHand
            var admin = try await adminBrowser(client, node)
            let cancelled = try await admin.submit(
                "/admin/orders/\(orderId)/cancel", from: "/admin/orders/\(orderId)", [])
            #expect(cancelled.status == .seeOther)
            #expect(try await node.orders.order(id: orderId, userId: nil).status == .cancelled)
            #expect(try await node.inventory.level(sku: sku).onHand == before + 1)
            try await expectAuditPasses(node)
        }
    }

    private func upload(_ browser: inout BrowserSession, _ id: String, _ bytes: [UInt8], type: String) async throws
        -> TestResponse
    {
        let boundary = "----emporium\(UUID().uuidString.prefix(8))"
        var body = ByteBuffer()
        for (name, value) in [("csrf", browser.csrf ?? ""), ("title", "Framed print"), ("brand", "Auralis")] {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                + "Content-Type: \(type)\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        if let cookie = browser.cookie { headers[.cookie] = cookie }
        return try await browser.client.execute(
            uri: "/admin/products/\(id)", method: .post, headers: headers, body: body)
    }
}
