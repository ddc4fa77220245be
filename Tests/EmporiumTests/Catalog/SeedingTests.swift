import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(3)))
struct SeedingTests {
    @Test(arguments: engines)
    func theDemoStoreStartsWithItsCatalogVisibleThroughTheAPI(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine, configure: { $0.demo = true }) { client, node in
            let tree = try await client.send(.get, "/api/v1/categories").jsonObject()
            let roots = try #require(tree["items"] as? [[String: Any]])
            #expect(roots.count >= 5)
            let total = roots.reduce(0) { $0 + (($1["productCount"] as? Int) ?? 0) }
            #expect(total == DemoCatalog.products.count)

            let page = try await client.send(.get, "/api/v1/products/prd_none")
            #expect(page.status == .notFound)
            let someId = try await node.database.read { sql in
                try await sql.raw("SELECT id FROM products ORDER BY id LIMIT 1").first()!.decode(
                    column: "id", as: String.self)
            }
            let product = try await client.send(.get, "/api/v1/products/\(someId)").jsonObject()
            let images = try #require(product["images"] as? [[String: Any]])
            let url = try #require(images.first?["url"] as? String)
            let image = try await client.send(.get, url)
            #expect(image.headers[.contentType] == "image/svg+xml")

            // Seeding again changes nothing.
            #expect(try await CatalogSeeder(node: node).seedDemo() == false)
        }
    }

    @Test(arguments: engines)
    func syntheticCatalogsAreDeterministicAndExportAsJSONLines(engine: DatabaseEngine) async throws {
        var exports: [[String]] = []
        for _ in 0..<2 {
            let lines = try await TestStore.withNode(engine) { node in
                let seeder = CatalogSeeder(node: node)
                try await seeder.seedSynthetic(count: 1234, seed: 7)
                #expect(try await seeder.productCount() == 1234)
                let file = node.configuration.dataDirectory + "/catalog.jsonl"
                #expect(try await seeder.exportJSONL(to: file) == 1234)
                await #expect(throws: ConfigurationError.self) { try await seeder.seedSynthetic(count: 1, seed: 7) }
                return try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
            }
            exports.append(lines)
        }
        func withoutTimes(_ line: String) throws -> NSDictionary {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return object.filter { $0.key != "createdAt" && $0.key != "updatedAt" } as NSDictionary
        }
        #expect(exports[0].count == 1234)
        for (first, second) in zip(exports[0], exports[1]).prefix(50) {
            #expect(try withoutTimes(first) == withoutTimes(second))
        }
        let product = try #require(try JSONSerialization.jsonObject(with: Data(exports[0][0].utf8)) as? [String: Any])
        #expect((product["variants"] as? [[String: Any]])?.isEmpty == false)
        #expect(((product["category"] as? [String: Any])?["path"] as? [String])?.count == 3)
    }
}
