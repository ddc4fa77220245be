import Foundation
import SQLKit

/// Believable ratings for seeded catalogs: each product gets a quality of its own, and its reviews lean on it (most
/// products are liked, a few are not), so averages spread from about 2 to 5 and the rating facet means something.
struct RatingDraw {
    var random: SeedRandom

    init(seed: UInt64, index: Int) {
        random = SeedRandom(seed: seed ^ 0x5EED_4A71, index: index)
    }

    /// The product's quality: the mean stars its reviews lean to, mostly 3.5 to 4.8.
    mutating func quality() -> Double {
        let roll = random.unit()
        return roll < 0.1 ? 2 + random.unit() * 1.5 : 3.5 + random.unit() * 1.3
    }

    /// One rating around `quality`: the nearest star most of the time, a star either way sometimes.
    mutating func rating(around quality: Double) -> Int {
        let spread = [-2.0, -1, 0, 0, 0, 0, 1][random.below(7)]
        return min(5, max(1, Int((quality + spread * 0.8 + random.unit() - 0.5).rounded())))
    }

    /// How many ratings a synthetic product has: most a few, some hundreds, one in six none.
    mutating func ratingCount() -> Int {
        let roll = random.unit()
        if roll < 1.0 / 6 { return 0 }
        return Int(pow(random.unit(), 3) * 400) + 1
    }

    /// The stars of `count` ratings of one product.
    mutating func histogram(count: Int) -> [Int] {
        let quality = quality()
        var stars = [0, 0, 0, 0, 0]
        for _ in 0..<count { stars[rating(around: quality) - 1] += 1 }
        return stars
    }
}

/// The demo store's reviewers and what they write.
enum DemoReviews {
    static let reviewers = [
        "Ada L.", "Grace H.", "Alan T.", "Katherine J.", "Linus T.", "Margaret H.", "Dennis R.", "Barbara L.",
        "Ken T.", "Frances A.", "Edsger D.", "Radia P.", "Tim B.", "Hedy L.", "John M.", "Sophie W.",
    ]

    static let titles: [[String]] = [
        ["Disappointed", "Would not buy again", "Broke within a week"],
        ["Not great", "Below expectations", "Looks better in the photos"],
        ["Does the job", "Okay for the price", "Average"],
        ["Very good", "Happy with it", "Solid choice"],
        ["Excellent", "Love it", "Exactly what I wanted", "Best purchase this year"],
    ]

    static let bodies: [[String]] = [
        ["It stopped working after a few days and the return took weeks.", "Poorly made; the finish came off."],
        ["It works, but not as well as described.", "Smaller than I expected and a bit flimsy."],
        ["Nothing special, but it does what it says.", "Fine for everyday use. Shipping was quick."],
        ["Well made and easy to use. One small quirk, otherwise great.", "Good value; I would buy it again."],
        ["Great quality, arrived quickly, works perfectly.", "I use it every day. Highly recommended."],
    ]
}

extension Reviews {
    /// Adds reviews to the demo catalog's products: 0 to 6 each from the demo reviewers (accounts that cannot sign
    /// in), a mix of ratings around each product's quality, about 40% marked as verified purchases, dated over the
    /// last 90 days. They go through the event log like any review, so the aggregator computes the ratings.
    func seedDemo(productIds: [String], seed: UInt64 = 0xD3E0) async throws -> Int {
        let now = Database.nowMillis()
        let reviewerIds = try await database.transaction { sql in
            var ids: [String] = []
            for (index, name) in DemoReviews.reviewers.enumerated() {
                let id = String(format: "usr_demo%04d", index)
                let email = "reviewer\(index + 1)@demo.emporium.dev"
                try await accounts.insertUnusable(id: id, email: email, name: name, now: now, in: sql)
                ids.append(id)
            }
            return ids
        }
        var written = 0
        // Forty products a transaction: a few transactions in all, none held long.
        for chunk in stride(from: 0, to: productIds.count, by: 40) {
            written += try await database.transaction { sql in
                var written = 0
                for index in chunk..<min(chunk + 40, productIds.count) {
                    written += try await seedDemo(
                        productId: productIds[index], index: index, seed: seed, reviewerIds: reviewerIds, now: now,
                        in: sql)
                }
                return written
            }
        }
        return written
    }

    private func seedDemo(
        productId: String, index: Int, seed: UInt64, reviewerIds: [String], now: Int, in sql: any SQLDatabase
    ) async throws -> Int {
        var draw = RatingDraw(seed: seed, index: index)
        let quality = draw.quality()
        let count = [0, 1, 2, 3, 3, 4, 4, 5, 6][draw.random.below(9)]
        var authors = Array(reviewerIds.indices)
        authors.shuffle(using: &draw.random)
        var written = 0
        for author in authors.prefix(count) {
            let rating = draw.rating(around: quality)
            let titles = DemoReviews.titles[rating - 1]
            let bodies = DemoReviews.bodies[rating - 1]
            let at = now - 86_400_000 * (1 + draw.random.below(90)) - draw.random.below(86_400_000)
            let input = ReviewInput(
                rating: rating, title: titles[draw.random.below(titles.count)],
                body: bodies[draw.random.below(bodies.count)])
            guard
                let review = try await store.insert(
                    id: Identifier.make("rev", now: at), productId: productId, userId: reviewerIds[author],
                    authorName: DemoReviews.reviewers[author], input: input, verified: draw.random.unit() < 0.4,
                    now: at, in: sql)
            else { continue }
            try await Outbox.append(
                "review.created", aggregateId: review.id,
                payload: ReviewChanged(review: review, previousRating: nil, moderated: false), in: sql)
            written += 1
        }
        return written
    }
}
