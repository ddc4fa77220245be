import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@Suite(.timeLimit(.minutes(3)))
struct ReviewTests {
    @Test(arguments: engines)
    func badReviewsAreRefusedWithFieldErrors(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let product = try #require(try await client.createProduct(admin)["id"] as? String)
            let author = try await reviewer(node)
            let path = "/api/v1/products/\(product)/reviews"
            let long = String(repeating: "x", count: 121)
            let cases: [(String, Int, String?)] = [
                (#"{"rating": 0, "title": "t", "body": ""}"#, 422, "rating"),
                (#"{"rating": 6, "title": "t", "body": ""}"#, 422, "rating"),
                (#"{"rating": 4.5, "title": "t", "body": ""}"#, 400, nil),
                (#"{"rating": "5", "title": "t", "body": ""}"#, 400, nil),
                (#"{"title": "t", "body": ""}"#, 400, nil),
                (#"{"rating": 5, "title": "\#(long)", "body": ""}"#, 422, "title"),
                (#"{"rating": 5, "title": "  ", "body": ""}"#, 422, "title"),
                (#"{"rating": 5, "title": "t", "body": "\#(String(repeating: "y", count: 5001))"}"#, 422, "body"),
                ("{not json", 400, nil),
            ]
            for (json, status, field) in cases {
                let response = try await client.send(.post, path, json: json, token: author.token)
                #expect(response.status.code == status, "\(json.prefix(60)): \(String(buffer: response.body))")
                if let field {
                    let errors = try response.jsonObject()["errors"] as? [[String: Any]] ?? []
                    #expect(errors.map { $0["field"] as? String } == [field])
                }
            }
            #expect(try await client.postReview(product, token: "not-a-token").status == .unauthorized)
            #expect(try await client.postReview("prd_nothing", token: author.token).status == .notFound)
            let exact = try await client.postReview(
                product, title: String(repeating: "t", count: 120), body: String(repeating: "b", count: 5000),
                token: author.token)
            #expect(exact.status == .created)
            // Nothing of the refused posts was kept.
            #expect(summary(try await client.reviews(product, token: author.token)).count == 1)
        }
    }

    @Test(arguments: engines)
    func oneReviewPerCustomerPerProductEvenWhenPostedAtOnce(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let product = try #require(try await client.createProduct(admin)["id"] as? String)
            let author = try await reviewer(node)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for rating in 1...10 {
                    group.addTask {
                        let response = try await client.postReview(
                            product, rating: (rating % 5) + 1, token: author.token)
                        if response.status == .conflict { #expect(try response.problemCode() == "already_reviewed") }
                        return Int(response.status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 9)
            let list = try await client.reviews(product, token: author.token)
            #expect((list["items"] as? [Any])?.count == 1)
            #expect(summary(list).count == 1)
        }
    }

    @Test(arguments: engines)
    func verifiedPurchaseComesFromAPaidOrder(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let bought = try #require(try await client.createProduct(admin, sku: "LAMP-1")["id"] as? String)
            let pending = try #require(try await client.createProduct(admin, sku: "LAMP-2")["id"] as? String)
            let author = try await reviewer(node)
            let shopper = Shopper.user(author.token)
            let paid = try await client.pendingOrder(sku: "LAMP-1", as: shopper)
            #expect(try await client.pay(paid, as: shopper).status == .ok)
            _ = try await client.pendingOrder(sku: "LAMP-2", as: shopper)

            let verified = try await client.postReview(bought, token: author.token).jsonObject()
            #expect(verified["verifiedPurchase"] as? Bool == true)
            let unpaid = try await client.postReview(pending, token: author.token).jsonObject()
            #expect(unpaid["verifiedPurchase"] as? Bool == false)
            let stranger = try await reviewer(node)
            let unbought = try await client.postReview(bought, token: stranger.token).jsonObject()
            #expect(unbought["verifiedPurchase"] as? Bool == false)
            #expect((verified["author"] as? [String: Any])?["name"] as? String == "Reviewer")
            #expect(verified["helpfulCount"] as? Int == 0)
        }
    }

    @Test(arguments: engines)
    func aHelpfulVoteCountsOnceAndNeverOnOnesOwnReview(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let product = try #require(try await client.createProduct(admin)["id"] as? String)
            let author = try await reviewer(node)
            let review = try #require(
                try await client.postReview(product, token: author.token).jsonObject()["id"] as? String)
            let own = try await client.send(.post, "/api/v1/reviews/\(review)/helpful", token: author.token)
            #expect(own.status == .unprocessableContent)
            #expect(try own.problemCode() == "own_review")

            let voters = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for _ in 0..<3 { group.addTask { try await reviewer(node) } }
                return try await group.reduce(into: [(String, String)]()) { $0.append($1) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for voter in voters {
                    for _ in 0..<5 {
                        group.addTask {
                            let response = try await client.send(
                                .post, "/api/v1/reviews/\(review)/helpful", token: voter.1)
                            #expect(response.status == .ok, "\(String(buffer: response.body))")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let items = try await client.reviews(product)["items"] as? [[String: Any]] ?? []
            #expect(items.first?["helpfulCount"] as? Int == 3)
            #expect(
                try await client.send(.post, "/api/v1/reviews/rev_nothing/helpful", token: author.token).status
                    == .notFound)
        }
    }

    @Test(arguments: engines)
    func reviewsListInEachOrderAcrossPages(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let product = try #require(try await client.createProduct(admin)["id"] as? String)
            var ids: [String] = []
            for rating in [3, 5, 1, 4, 2] {
                let author = try await reviewer(node)
                let response = try await client.postReview(product, rating: rating, token: author.token)
                ids.append(try #require(try response.jsonObject()["id"] as? String))
                // Ids order by their millisecond; newest-first needs each review in a millisecond of its own.
                try await Task.sleep(for: .milliseconds(3))
            }
            let voter = try await reviewer(node)
            _ = try await client.send(.post, "/api/v1/reviews/\(ids[2])/helpful", token: voter.token)

            func all(_ sort: String) async throws -> [Int] {
                var ratings: [Int] = []
                var cursor: String?
                repeat {
                    let query = "?sort=\(sort)&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await client.reviews(product, query: query)
                    ratings += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["rating"] as? Int }
                    cursor = page["nextCursor"] as? String
                } while cursor != nil && ratings.count < 10
                return ratings
            }
            #expect(try await all("newest") == [2, 4, 1, 5, 3])
            #expect(try await all("rating_desc") == [5, 4, 3, 2, 1])
            #expect(try await all("rating_asc") == [1, 2, 3, 4, 5])
            #expect(try await all("helpful").first == 1)
            #expect(try await client.send(.get, "/api/v1/products/\(product)/reviews?sort=best").status == .badRequest)
            #expect(try await client.send(.get, "/api/v1/products/prd_nothing/reviews").status == .notFound)
        }
    }
}
