import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)))
struct AdminShopPageTests {
    @Test(arguments: engines)
    func aFlashSaleFormTakesADecimalPriceAndUTCTimesAndKeepsBadInput(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let token = try await client.adminToken(node)
            let variants = try await client.createProduct(token, stock: 20)["variants"] as? [[String: Any]]
            let sku = try #require(variants?.first?["sku"] as? String)
            var admin = try await adminBrowser(client, node)
            let now = Date()
            var fields = [
                ("sku", sku), ("salePrice", "9.9x"), ("quantity", "5"), ("perCustomerLimit", "1"),
                ("startsAt", AdminClock.local(now.addingTimeInterval(-60))),
                ("endsAt", AdminClock.local(now.addingTimeInterval(-3600))),
            ]
            let badPrice = try await admin.submit("/admin/flash-sales", from: "/admin/flash-sales", fields)
            #expect(badPrice.status == .unprocessableContent)
            #expect(badPrice.html.contains(#"data-field="salePrice""#))
            #expect(badPrice.html.contains("value=\"9.9x\""))
            fields[1] = ("salePrice", "9.90")
            let endedBefore = try await admin.post("/admin/flash-sales", fields)
            #expect(endedBefore.status == .unprocessableContent)
            #expect(endedBefore.html.contains(#"data-field="endsAt""#))
            fields[5] = ("endsAt", AdminClock.local(now.addingTimeInterval(3600)))
            let created = try await admin.post("/admin/flash-sales", fields)
            #expect(created.status == .seeOther)
            let sale = try #require(try await node.flashSales.recentSales(limit: 5).first)
            #expect(sale.salePrice.amount == 990 && sale.remaining == 5 && sale.status == .live)
            let list = try await admin.get("/admin/flash-sales").html
            #expect(list.contains(#"data-sale-id="\#(sale.id)""#))
            #expect(list.contains(#"<span data-test="flash-remaining">5</span>"#))
        }
    }

    @Test(arguments: engines)
    func anAdminHidesAReviewFromTheNewestFirstList(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let token = try await client.adminToken(node)
            let productId = try #require(try await client.createProduct(token)["id"] as? String)
            let author = try await reviewer(node, name: "Grumpy <Gus>")
            #expect(
                try await client.postReview(productId, rating: 1, title: "Meh", token: author.token).status == .created)
            let reviewId = try #require(
                try await node.reviews.moderationQueue(limit: 1, after: nil).items.first?.review.id)
            var admin = try await adminBrowser(client, node)
            let page = try await admin.get("/admin/reviews").html
            #expect(page.contains(#"data-test="review" data-review-id="\#(reviewId)""#))
            #expect(page.contains("Grumpy &lt;Gus&gt;"))
            let hidden = try await admin.post("/admin/reviews/\(reviewId)/hide", [])
            #expect(hidden.status == .seeOther)
            #expect(try await node.reviews.moderationQueue(limit: 1, after: nil).items.first?.hidden == true)
            #expect(!(try await admin.get("/admin/reviews").html.contains("data-test=\"hide-review\"")))
        }
    }

    @Test(arguments: engines)
    func webhookDeliveriesShowTheirStatusAndAttemptsAndCanBeSentAgain(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine, configure: fastWebhooks) { client, node in
            let token = try await client.adminToken(node)
            // Nothing listens on port 9 of loopback: every attempt fails, and the delivery is retried.
            let (endpoint, _) = try await client.createWebhook(token, url: "http://127.0.0.1:9/hooks", events: ["*"])
            _ = try await client.createProduct(token)
            var deliveryId = ""
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    let deliveries = try await client.deliveries(token, endpoint: endpoint)
                    deliveryId = deliveries.first?["id"] as? String ?? ""
                    return (deliveries.first?["attempts"] as? Int ?? 0) > 0
                })
            var admin = try await adminBrowser(client, node)
            let page = try await admin.get("/admin/webhooks").html
            #expect(page.contains(#"data-test="webhook-endpoint" data-endpoint-id="\#(endpoint)""#))
            #expect(page.contains(#"data-test="webhook-delivery" data-delivery-id="\#(deliveryId)""#))
            let again = try await admin.post("/admin/webhooks/\(endpoint)/deliveries/\(deliveryId)/redeliver", [])
            #expect(again.status == .seeOther)
            #expect(again.headers[.location] == "/admin/webhooks?notice=redelivered")
            let unknown = try await admin.post("/admin/webhooks/\(endpoint)/deliveries/nope/redeliver", [])
            #expect(unknown.status == .notFound)
        }
    }
}

/// `datetime-local` values as the flash-sale form sends them (UTC).
enum AdminClock {
    static func local(_ date: Date) -> String {
        String(date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false)).prefix(16))
    }
}
