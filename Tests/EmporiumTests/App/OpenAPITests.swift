import Emporium
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/openapi.json` describes every route the application has.
@Suite(.timeLimit(.minutes(1)))
struct OpenAPITests {
    @Test func everyRouteIsInTheDocument() async throws {
        try await TestStore.withApp(.sqlite) { client, node in
            let document = try await client.send(.get, "/openapi.json").jsonObject()
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, item) in paths {
                let full =
                    path.hasPrefix("/health") || path == "/metrics" || path == "/openapi.json" ? path : "/api/v1" + path
                for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    documented.insert("\(method.uppercased()) \(full)")
                }
            }
            for route in routeDescriptions(node) {
                #expect(documented.contains(route), "\(route) is not in openapi.json")
            }
        }
    }
}
