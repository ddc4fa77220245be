import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension TestClientProtocol {
    /// Posts a review as `token`; the response.
    func postReview(
        _ productId: String, rating: Int = 5, title: String = "Great", body: String = "Works well.", token: String
    ) async throws -> TestResponse {
        try await send(
            .post, "/api/v1/products/\(productId)/reviews",
            json: #"{"rating": \#(rating), "title": "\#(title)", "body": "\#(body)"}"#, token: token)
    }

    /// `GET /products/{id}/reviews` as `token` (or anonymously); its JSON.
    func reviews(_ productId: String, query: String = "", token: String? = nil) async throws -> [String: Any] {
        let response = try await send(.get, "/api/v1/products/\(productId)/reviews\(query)", token: token)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.jsonObject()
    }

    /// The product's `rating` as `token` (or anonymously) reads it: (average, count).
    func productRating(_ productId: String, token: String? = nil) async throws -> (Double, Int) {
        let product = try await send(.get, "/api/v1/products/\(productId)", token: token).jsonObject()
        let rating = try #require(product["rating"] as? [String: Any])
        return (rating["average"] as? Double ?? -1, rating["count"] as? Int ?? -1)
    }
}

/// A customer made through the module (no HTTP round trip): their id and access token.
func reviewer(_ node: StoreNode, name: String = "Reviewer") async throws -> (id: String, token: String) {
    let session = try await node.accounts.signup(
        email: "reviewer-\(UUID().uuidString.prefix(12))@example.com", password: "reviewer-password", name: name)
    return (session.user.id, session.accessToken)
}

/// The summary's `(count, average, histogram)` of a reviews answer.
func summary(_ list: [String: Any]) -> (count: Int, average: Double, histogram: [String: Int]) {
    let summary = list["summary"] as? [String: Any] ?? [:]
    return (
        summary["count"] as? Int ?? -1, summary["average"] as? Double ?? -1,
        summary["histogram"] as? [String: Int] ?? [:]
    )
}
