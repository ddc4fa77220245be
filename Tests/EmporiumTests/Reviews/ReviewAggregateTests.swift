import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@Suite(.timeLimit(.minutes(3)))
struct ReviewAggregateTests {
    @Test(arguments: engines)
    func ratingAggregatesStayExactUnderConcurrentReviews(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let product = try #require(try await client.createProduct(admin, title: "Rated Kettle")["id"] as? String)
            _ = try await client.createProduct(admin, title: "Unrated Kettle")
            let authors = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for _ in 0..<100 { group.addTask { try await reviewer(node) } }
                return try await group.reduce(into: [(String, String)]()) { $0.append($1) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, author) in authors.enumerated() {
                    group.addTask {
                        let response = try await client.postReview(product, rating: index % 5 + 1, token: author.1)
                        #expect(response.status == .created, "\(String(buffer: response.body))")
                    }
                }
                try await group.waitForAll()
            }
            // 20 of each star: 300 / 100.
            let expected = ["1": 20, "2": 20, "3": 20, "4": 20, "5": 20]
            // Exactness is the point here; how soon is `aggregatesFollowEditsDeletesAndModeration`'s. A 2-core machine
            // running every suite at once takes seconds for the hundred aggregate transactions.
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    let now = summary(try await client.reviews(product))
                    return now.count == 100 && now.average == 3.0 && now.histogram == expected
                })
            #expect(
                try await eventually(timeout: .seconds(30)) { try await client.productRating(product) == (3.0, 100) })
            // Search follows: the rating facet, minRating and sort=rating.
            #expect(
                try await client.eventuallyGet("/api/v1/products/search?q=kettle&minRating=3") { body in
                    (body["items"] as? [[String: Any]])?.first?["id"] as? String == product
                })
            let above = try await client.send(.get, "/api/v1/products/search?q=kettle&minRating=4").jsonObject()
            #expect(above["total"] as? Int == 0)
            let sorted = try await client.send(.get, "/api/v1/products/search?q=kettle&sort=rating").jsonObject()
            #expect((sorted["items"] as? [[String: Any]])?.first?["id"] as? String == product)
            let facet = (sorted["facets"] as? [String: Any])?["rating"] as? [[String: Any]] ?? []
            let counts = Dictionary(
                uniqueKeysWithValues: facet.compactMap { bucket in
                    (bucket["min"] as? Int).map { ($0, bucket["count"] as? Int ?? 0) }
                })
            #expect(counts[3] == 1 && (counts[4] ?? 0) == 0, "\(facet)")
        }
    }

    @Test(arguments: engines)
    func aggregatesFollowEditsDeletesAndModeration(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let product = try #require(try await client.createProduct(admin)["id"] as? String)
            let first = try await reviewer(node)
            let second = try await reviewer(node)
            let third = try await reviewer(node)
            #expect(try await client.postReview(product, rating: 5, token: first.token).status == .created)
            let secondReview = try #require(
                try await client.postReview(product, rating: 4, token: second.token).jsonObject()["id"] as? String)
            #expect(try await client.postReview(product, rating: 1, token: third.token).status == .created)
            #expect(try await eventually { summary(try await client.reviews(product)).count == 3 })

            // The first author edits 5 → 2: (2 + 4 + 1) / 3.
            let edit = try await client.send(
                .put, "/api/v1/products/\(product)/reviews/mine", json: #"{"rating": 2, "title": "Meh", "body": ""}"#,
                token: first.token)
            #expect(edit.status == .ok)
            #expect(try edit.jsonObject()["rating"] as? Int == 2)
            #expect(
                try await eventually {
                    let now = summary(try await client.reviews(product))
                    return now.average == 2.3 && now.histogram["5"] == 0 && now.histogram["2"] == 1
                })
            // The third withdraws theirs, and may write a new one.
            let withdrawn = try await client.send(
                .delete, "/api/v1/products/\(product)/reviews/mine", token: third.token)
            #expect(withdrawn.status == .noContent)
            #expect(
                try await client.send(.delete, "/api/v1/products/\(product)/reviews/mine", token: third.token).status
                    == .notFound)
            #expect(try await eventually { try await client.productRating(product) == (3.0, 2) })
            #expect(try await client.postReview(product, rating: 3, token: third.token).status == .created)

            // Moderation hides the second author's review: gone from the list and the aggregates, not re-postable.
            let customer = try await client.send(.delete, "/api/v1/admin/reviews/\(secondReview)", token: third.token)
            #expect(customer.status == .forbidden)
            #expect(
                try await client.send(.delete, "/api/v1/admin/reviews/\(secondReview)", token: admin).status
                    == .noContent)
            #expect(
                try await client.send(.delete, "/api/v1/admin/reviews/\(secondReview)", token: admin).status
                    == .noContent)
            #expect(
                try await client.send(.delete, "/api/v1/admin/reviews/rev_nothing", token: admin).status == .notFound)
            #expect(
                try await eventually {
                    let list = try await client.reviews(product)
                    let now = summary(list)
                    let ids = (list["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    return now.count == 2 && now.average == 2.5 && now.histogram["4"] == 0
                        && !ids.contains(secondReview)
                })
            #expect(try await eventually { try await client.productRating(product) == (2.5, 2) })
            #expect(try await client.postReview(product, token: second.token).status == .conflict)
            #expect(
                try await client.send(
                    .put, "/api/v1/products/\(product)/reviews/mine", json: #"{"rating": 5, "title": "t", "body": ""}"#,
                    token: second.token
                ).status == .notFound)

            // The moderation queue: newest first, the hidden one flagged.
            let queue = try await client.send(.get, "/api/v1/admin/reviews", token: admin).jsonObject()
            let items = queue["items"] as? [[String: Any]] ?? []
            #expect(items.count == 3)
            #expect(items.first?["rating"] as? Int == 3)
            #expect(items.first { $0["id"] as? String == secondReview }?["hidden"] as? Bool == true)
            #expect(try await client.send(.get, "/api/v1/admin/reviews", token: third.token).status == .forbidden)

            // Every change is in the event log.
            let types = try await node.database.read { sql in
                try await sql.raw("SELECT type FROM events WHERE type LIKE 'review.%' ORDER BY id").all().map {
                    try $0.decode(column: "type", as: String.self)
                }
            }
            #expect(
                types == [
                    "review.created", "review.created", "review.created", "review.updated", "review.deleted",
                    "review.created", "review.deleted",
                ])
        }
    }

    @Test(arguments: engines)
    func theAuthorReadsTheirOwnReviewAtOnceOnAnotherNode(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let product = try #require(try await client.createProduct(admin)["id"] as? String)
            let author = try await reviewer(node)
            try await TestStore.withSecondApp(of: node) { other, _ in
                // Warm the other node's cache with the unrated product.
                #expect(try await other.productRating(product) == (0, 0))
                for round in 1...3 {
                    let rating = round + 2
                    let write =
                        round == 1
                        ? try await client.postReview(product, rating: rating, token: author.token)
                        : try await client.send(
                            .put, "/api/v1/products/\(product)/reviews/mine",
                            json: #"{"rating": \#(rating), "title": "Round \#(round)", "body": ""}"#,
                            token: author.token)
                    #expect(write.status.code == (round == 1 ? 201 : 200))
                    #expect(Int(write.headers[HTTPField.Name("Emporium-Position")!] ?? "") != nil)
                    // No waiting: the very next reads on the other node show the author's change.
                    #expect(try await other.productRating(product, token: author.token) == (Double(rating), 1))
                    let list = try await other.reviews(product, token: author.token)
                    #expect(summary(list).count == 1 && summary(list).average == Double(rating))
                    #expect((list["items"] as? [[String: Any]])?.first?["rating"] as? Int == rating)
                }
                let withdrawn = try await client.send(
                    .delete, "/api/v1/products/\(product)/reviews/mine", token: author.token)
                #expect(withdrawn.status == .noContent)
                #expect(try await other.productRating(product, token: author.token) == (0, 0))
                #expect(summary(try await other.reviews(product, token: author.token)).count == 0)
                // Everyone else follows within a second.
                #expect(try await eventually { try await other.productRating(product) == (0, 0) })
            }
        }
    }
}
