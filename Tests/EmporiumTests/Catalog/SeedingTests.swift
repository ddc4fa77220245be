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

            // Reviews: several a product, a mix of ratings, some verified; the ratings follow from the event log.
            let reviews = try await node.database.read { sql in
                try await sql.raw(
                    """
                    SELECT COUNT(*) AS n, COUNT(DISTINCT rating) AS stars, CAST(SUM(verified_purchase) AS BIGINT) AS verified,
                        COUNT(DISTINCT product_id) AS products FROM reviews
                    """
                ).first()!
            }
            let count = try reviews.decode(column: "n", as: Int.self)
            #expect(count >= DemoCatalog.products.count * 2)
            #expect(try reviews.decode(column: "stars", as: Int.self) == 5)
            let verified = try reviews.decode(column: "verified", as: Int.self)
            #expect(verified > count / 5 && verified < count * 3 / 5)
            #expect(try reviews.decode(column: "products", as: Int.self) > DemoCatalog.products.count * 3 / 4)
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await node.database.read { sql in
                        try await sql.raw(
                            """
                            SELECT COUNT(*) AS off FROM products p WHERE p.rating_count <> (SELECT COUNT(*) FROM reviews r
                                WHERE r.product_id = p.id) OR p.rating_sum <> (SELECT COALESCE(SUM(r.rating), 0)
                                FROM reviews r WHERE r.product_id = p.id)
                            """
                        ).first()!.decode(column: "off", as: Int.self)
                    } == 0
                })
            // The demo reviewers cannot sign in.
            let login = try await client.send(
                .post, "/api/v1/auth/login", json: #"{"email": "reviewer1@demo.emporium.dev", "password": "!"}"#)
            #expect(login.status == .unauthorized)

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
        // Ratings for the rating facet: most products rated, averages spread over the stars.
        let ratings = try exports[0].map { line -> [String: Any] in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["rating"] as? [String: Any])
        }
        let rated = ratings.filter { ($0["count"] as? Int ?? 0) > 0 }
        #expect(rated.count > 1234 / 2 && rated.count < 1234)
        let averages = Set(rated.compactMap { ($0["average"] as? Double).map { Int($0) } })
        #expect(averages.isSuperset(of: [2, 3, 4]))
    }
}
