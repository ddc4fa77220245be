import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct ProductCacheTests {
    /// Two application instances on one database: a change through one shows through the other within a second.
    @Test(arguments: engines)
    func aChangeThroughOneNodeShowsOnAnotherWithinASecond(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { first, node in
            try await TestStore.withSecondApp(of: node) { second, _ in
                let admin = try await first.adminToken(node)
                let id = try #require(
                    try await first.createProduct(admin, title: "Trail Runner", sku: "RUN-1")["id"] as? String)
                // Warm the second node's cache.
                #expect(
                    try await second.send(.get, "/api/v1/products/\(id)").jsonObject()["title"] as? String
                        == "Trail Runner")
                #expect(try await second.send(.get, "/api/v1/products/\(id)").status == .ok)

                _ = try await first.send(
                    .patch, "/api/v1/admin/products/\(id)", json: #"{"title": "Trail Runner 2"}"#, token: admin)
                #expect(
                    try await second.eventuallyGet("/api/v1/products/\(id)", timeout: .seconds(1)) {
                        $0["title"] as? String == "Trail Runner 2"
                    },
                    "the second node still served the old title after a second")

                _ = try await first.send(
                    .post, "/api/v1/admin/inventory/RUN-1/adjust", json: #"{"delta": -10, "reason": "recount"}"#,
                    token: admin)
                #expect(
                    try await second.eventuallyGet("/api/v1/products/\(id)", timeout: .seconds(1)) {
                        $0["inStock"] as? Bool == false
                    })
            }
        }
    }
}
