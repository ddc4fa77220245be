import Foundation

/// A shopper's review of a product, as the API shows it.
public struct Review: Codable, Sendable, Equatable {
    public struct Author: Codable, Sendable, Equatable {
        public let name: String
    }

    public let id: String
    public let productId: String
    public let author: Author
    public let rating: Int
    public let title: String
    public let body: String
    public let verifiedPurchase: Bool
    public let helpfulCount: Int
    public let createdAt: String
    public let updatedAt: String
}

/// A review in the moderation queue: the review, and whether a moderator has hidden it.
public struct ModeratedReview: Encodable, Sendable, Equatable {
    public let review: Review
    public let hidden: Bool

    public func encode(to encoder: any Encoder) throws {
        try review.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(hidden, forKey: .hidden)
    }

    enum Keys: String, CodingKey { case hidden }
}

/// A product's ratings: `average` (one decimal, as the product shows it), `count` and how many of each star.
public struct RatingSummary: Codable, Sendable, Equatable {
    public let average: Double
    public let count: Int
    public let histogram: [String: Int]

    init(sum: Int, count: Int, stars: [Int]) {
        self.average = RatingSummary.average(sum: sum, count: count)
        self.count = count
        self.histogram = Dictionary(uniqueKeysWithValues: (1...5).map { ("\($0)", stars[$0 - 1]) })
    }

    /// How many ratings `stars` holds (how many of one star, two stars, ... five) and what they add up to; a change
    /// to an aggregate (a star in, a star out) counts the same way.
    static func totals(of stars: [Int]) -> (sum: Int, count: Int) {
        (stars.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }, stars.reduce(0, +))
    }

    /// The mean of `count` ratings summing to `sum`, to one decimal; 0 without ratings.
    public static func average(sum: Int, count: Int) -> Double {
        count == 0 ? 0 : (Double(sum) / Double(count) * 10).rounded() / 10
    }
}

/// What a shopper writes: the body of `POST /products/{id}/reviews` and `PUT .../reviews/mine`.
public struct ReviewInput: Decodable, Sendable {
    public let rating: Int
    public let title: String
    public let body: String

    public init(rating: Int, title: String, body: String) {
        self.rating = rating
        self.title = title
        self.body = body
    }

    public static let maxTitle = 120
    public static let maxBody = 5_000

    /// 422 with every field's complaint.
    func validate() throws {
        var validator = Validator()
        validator.check((1...5).contains(rating), "rating", "must be an integer from 1 to 5")
        // Lengths in Unicode code points, as JSON Schema's maxLength counts them; NUL cannot be stored in PostgreSQL.
        let title = self.title.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(
            !title.isEmpty && self.title.unicodeScalars.count <= Self.maxTitle, "title",
            "must be 1 to \(Self.maxTitle) characters")
        validator.check(!self.title.contains("\u{0}"), "title", "must not contain NUL characters")
        validator.check(
            body.unicodeScalars.count <= Self.maxBody, "body", "must be at most \(Self.maxBody) characters")
        validator.check(!body.contains("\u{0}"), "body", "must not contain NUL characters")
        try validator.throwIfInvalid()
    }
}

/// How a product's reviews are ordered.
public enum ReviewSort: String, Sendable, CaseIterable {
    case newest
    case ratingDesc = "rating_desc"
    case ratingAsc = "rating_asc"
    case helpful
}

/// Payload of `review.created`, `review.updated` and `review.deleted`: the review's public data (webhooks send it),
/// the rating it had before an edit, and whether a moderator removed it.
public struct ReviewChanged: Codable, Sendable {
    public let review: Review
    public let previousRating: Int?
    public let moderated: Bool
}

/// Payload of `product.rated`: the product's ratings after the aggregator applied a review event.
public struct ProductRated: Codable, Sendable {
    public let productId: String
    public let average: Double
    public let count: Int
}

public enum ReviewError: Error, Equatable {
    case productNotFound
    case reviewNotFound
    case alreadyReviewed
    case ownReview
}
