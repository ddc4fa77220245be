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
            // One server, the node's root, and full paths: every client and fuzzer reads the same URLs.
            let servers = try #require(document["servers"] as? [[String: Any]])
            #expect(servers.compactMap { $0["url"] as? String } == ["/"])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, item) in paths {
                for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            for route in routeDescriptions(node) {
                #expect(documented.contains(route), "\(route) is not in openapi.json")
            }
        }
    }
}
