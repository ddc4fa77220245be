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
            let other = try await StoreNode.open(node.configuration, logger: TestStore.logger)
            let app = buildApplication(other)
            do {
                try await app.test(.router) { second in
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
                    let changed = ContinuousClock.now
                    var seen = false
                    while !seen, ContinuousClock.now - changed < .seconds(1) {
                        seen =
                            try await second.send(.get, "/api/v1/products/\(id)").jsonObject()["title"] as? String
                            == "Trail Runner 2"
                        if !seen { try await Task.sleep(for: .milliseconds(10)) }
                    }
                    #expect(seen, "the second node still served the old title after a second")

                    _ = try await first.send(
                        .post, "/api/v1/admin/inventory/RUN-1/adjust", json: #"{"delta": -10, "reason": "recount"}"#,
                        token: admin)
                    let stockChanged = ContinuousClock.now
                    var soldOut = false
                    while !soldOut, ContinuousClock.now - stockChanged < .seconds(1) {
                        soldOut =
                            try await second.send(.get, "/api/v1/products/\(id)").jsonObject()["inStock"] as? Bool
                            == false
                        if !soldOut { try await Task.sleep(for: .milliseconds(10)) }
                    }
                    #expect(soldOut)
                }
            } catch {
                await other.database.close()
                throw error
            }
            await other.database.close()
        }
    }
}
