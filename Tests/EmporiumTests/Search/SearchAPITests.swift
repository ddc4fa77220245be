import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct SearchAPITests {
    static func ids(_ response: [String: Any]) -> [String] {
        (response["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test(arguments: engines)
    func catalogChangesShowInSearchWithinASecond(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            // The promise is for a ready node: the index is built at start, and /health/ready says when.
            let ready = try await client.eventuallyReady()
            #expect(ready)
            let admin = try await client.adminToken(node)
            let id = try #require(
                try await client.createProduct(admin, title: "Wireless Headphones", sku: "HP-1")["id"] as? String)
            #expect(try await client.eventuallyGet("/api/v1/products/search?q=headphone") { Self.ids($0) == [id] })

            _ = try await client.send(
                .patch, "/api/v1/admin/products/\(id)", json: #"{"title": "Studio Monitors"}"#, token: admin)
            #expect(try await client.eventuallyGet("/api/v1/products/search?q=monitor") { Self.ids($0) == [id] })
            #expect(
                try await client.send(.get, "/api/v1/products/search?q=headphones").jsonObject()["total"] as? Int == 0)

            // Stock that stays above zero keeps the product in stock; selling out and restocking both show.
            _ = try await client.send(
                .post, "/api/v1/admin/inventory/HP-1/adjust", json: #"{"delta": -4, "reason": "sold some"}"#,
                token: admin)
            _ = try await client.send(
                .post, "/api/v1/admin/inventory/HP-1/adjust", json: #"{"delta": -6, "reason": "sold out"}"#,
                token: admin)
            #expect(
                try await client.eventuallyGet("/api/v1/products/search?q=monitor&inStock=true") {
                    $0["total"] as? Int == 0
                })
            _ = try await client.send(
                .post, "/api/v1/admin/inventory/HP-1/adjust", json: #"{"delta": 3, "reason": "restock"}"#, token: admin)
            #expect(
                try await client.eventuallyGet("/api/v1/products/search?q=monitor&inStock=true") {
                    Self.ids($0) == [id]
                })

            _ = try await client.send(.delete, "/api/v1/admin/products/\(id)", token: admin)
            #expect(try await client.eventuallyGet("/api/v1/products/search?q=monitor") { $0["total"] as? Int == 0 })
        }
    }

    @Test func searchAnswersWithItemsFacetsAndTiming() async throws {
        try await TestStore.withApp(.sqlite) { client, node in
            let admin = try await client.adminToken(node)
            let category = try await client.send(
                .post, "/api/v1/admin/categories", json: #"{"name": "Audio"}"#, token: admin
            ).jsonObject()
            let audio = try #require(category["id"] as? String)
            for (index, price) in [1500, 2500, 60000].enumerated() {
                _ = try await client.createProduct(
                    admin, title: "Speaker \(index)", sku: "SPK-\(index)", price: price, categoryId: audio)
            }
            #expect(try await client.eventuallyGet("/api/v1/products/search?q=speaker") { $0["total"] as? Int == 3 })
            let page = try await client.send(
                .get, "/api/v1/products/search?q=speaker&maxPrice=3000&sort=price_desc&pageSize=1"
            ).jsonObject()
            #expect(page["total"] as? Int == 2)
            #expect(page["page"] as? Int == 1 && page["pageSize"] as? Int == 1)
            #expect(page["matchMode"] as? String == "all")
            #expect(page["tookMs"] is Double || page["tookMs"] is Int)
            let item = try #require((page["items"] as? [[String: Any]])?.first)
            #expect((item["price"] as? [String: Any])?["amount"] as? Int == 2500)
            #expect(item["slug"] is String && item["inStock"] as? Bool == true && item["rating"] is [String: Any])
            let facets = try #require(page["facets"] as? [String: Any])
            // The price facet ignores the price filter; the others apply it.
            let prices = try #require(facets["price"] as? [[String: Any]])
            #expect(prices.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 3)
            #expect((facets["category"] as? [[String: Any]])?.first?["count"] as? Int == 2)
            #expect((facets["brand"] as? [[String: Any]])?.first?["count"] as? Int == 2)
            #expect((facets["rating"] as? [[String: Any]])?.count == 4)

            let byCategory = try await client.send(.get, "/api/v1/products/search?category=\(audio)").jsonObject()
            #expect(byCategory["total"] as? Int == 3)
            let suggestions = try await client.send(.get, "/api/v1/products/suggest?q=spea").jsonObject()
            let items = try #require(suggestions["items"] as? [[String: Any]])
            #expect(items.contains { $0["text"] as? String == "speaker" && $0["productId"] is NSNull })
            #expect(item["thumbnailUrl"] is NSNull)
            #expect(prices.last?["to"] is NSNull)
            #expect(items.count <= 10)
        }
    }

    @Test func badSearchParametersAre400() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            for query in [
                "page=0", "pageSize=101", "pageSize=x", "minRating=6", "sort=cheapest", "inStock=yes", "minPrice=-1",
            ] {
                let response = try await client.send(.get, "/api/v1/products/search?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(try response.problemCode() == "invalid_request")
            }
        }
    }

    @Test func readinessWaitsForTheSearchIndex() async throws {
        try await TestStore.withApp(.sqlite) { client, node in
            // Built at start: ready once the index is loaded.
            let ready = try await client.eventuallyReady()
            #expect(ready)
            node.readiness.waitFor(ProductSearch.readinessKey)
            let loading = try await client.send(.get, "/health/ready")
            #expect(loading.status == .serviceUnavailable)
            node.readiness.ready(ProductSearch.readinessKey)
        }
    }
}
