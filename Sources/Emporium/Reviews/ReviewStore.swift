import Foundation
import SQLKit

/// The SQL of reviews: the reviews themselves (one per customer per product, by a unique constraint), helpful
/// votes (one per customer per review, by the primary key) and each product's rating aggregate.
struct ReviewStore: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "reviews.1",
            [
                """
                CREATE TABLE reviews (id TEXT PRIMARY KEY, product_id TEXT NOT NULL, user_id TEXT NOT NULL,
                    author_name TEXT NOT NULL, rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5), title TEXT NOT NULL,
                    body TEXT NOT NULL, verified_purchase BIGINT NOT NULL, helpful_count BIGINT NOT NULL DEFAULT 0,
                    hidden_at BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    UNIQUE (product_id, user_id))
                """,
                "CREATE INDEX reviews_product ON reviews (product_id, id)",
                """
                CREATE TABLE review_votes (review_id TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (review_id, user_id))
                """,
                """
                CREATE TABLE product_ratings (product_id TEXT PRIMARY KEY, rating_count BIGINT NOT NULL,
                    rating_sum BIGINT NOT NULL, stars_1 BIGINT NOT NULL, stars_2 BIGINT NOT NULL, stars_3 BIGINT NOT NULL,
                    stars_4 BIGINT NOT NULL, stars_5 BIGINT NOT NULL, applied_event BIGINT NOT NULL)
                """,
            ])
    ]

    static let columns: SQLQueryString = """
        SELECT id, product_id, author_name, rating, title, body, verified_purchase, helpful_count, hidden_at,
               created_at, updated_at FROM reviews
        """

    struct Row {
        let review: Review
        let hidden: Bool

        init(_ row: any SQLRow) throws {
            review = Review(
                id: try row.decode(column: "id", as: String.self),
                productId: try row.decode(column: "product_id", as: String.self),
                author: .init(name: try row.decode(column: "author_name", as: String.self)),
                rating: try row.decode(column: "rating", as: Int.self),
                title: try row.decode(column: "title", as: String.self),
                body: try row.decode(column: "body", as: String.self),
                verifiedPurchase: try row.decode(column: "verified_purchase", as: Int.self) != 0,
                helpfulCount: try row.decode(column: "helpful_count", as: Int.self),
                createdAt: Timestamp.rfc3339(try row.decode(column: "created_at", as: Int.self)),
                updatedAt: Timestamp.rfc3339(try row.decode(column: "updated_at", as: Int.self))
            )
            hidden = try row.decode(column: "hidden_at", as: Int?.self) != nil
        }
    }

    /// Inserts the review unless the customer has one of the product already (nil then), whatever the timing: the
    /// unique constraint decides between concurrent posts.
    func insert(
        id: String, productId: String, userId: String, authorName: String, input: ReviewInput, verified: Bool,
        now: Int, in sql: any SQLDatabase
    ) async throws -> Review? {
        try await sql.raw(
            """
            INSERT INTO reviews (id, product_id, user_id, author_name, rating, title, body, verified_purchase,
                helpful_count, created_at, updated_at)
            VALUES (\(bind: id), \(bind: productId), \(bind: userId), \(bind: authorName), \(bind: input.rating),
                \(bind: input.title), \(bind: input.body), \(bind: verified ? 1 : 0), 0, \(bind: now), \(bind: now))
            ON CONFLICT (product_id, user_id) DO NOTHING
            RETURNING id, product_id, author_name, rating, title, body, verified_purchase, helpful_count, hidden_at,
                created_at, updated_at
            """
        ).first().map { try Row($0).review }
    }

    /// The customer's visible review of the product, locked for an edit on PostgreSQL.
    func mine(productId: String, userId: String, in sql: any SQLDatabase) async throws -> Review? {
        let lock: SQLQueryString = sql.engine == .postgres ? " FOR UPDATE" : ""
        return try await sql.raw(
            """
            \(Self.columns) WHERE product_id = \(bind: productId) AND user_id = \(bind: userId) AND hidden_at IS NULL\(lock)
            """
        ).first().map { try Row($0).review }
    }

    /// Replaces the review's text and rating; the review as it is now.
    func update(
        id: String, input: ReviewInput, verified: Bool, now: Int, in sql: any SQLDatabase
    ) async throws -> Review? {
        try await sql.raw(
            """
            UPDATE reviews SET rating = \(bind: input.rating), title = \(bind: input.title), body = \(bind: input.body),
                verified_purchase = \(bind: verified ? 1 : 0), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND hidden_at IS NULL
            RETURNING id, product_id, author_name, rating, title, body, verified_purchase, helpful_count, hidden_at,
                created_at, updated_at
            """
        ).first().map { try Row($0).review }
    }

    /// Deletes the review (its author withdrew it); the review as it was.
    func delete(id: String, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("DELETE FROM review_votes WHERE review_id = \(bind: id)").run()
        return try await sql.raw("DELETE FROM reviews WHERE id = \(bind: id) AND hidden_at IS NULL RETURNING id")
            .first() != nil
    }

    /// Hides a visible review; the review as it was, nil when it is unknown or hidden already.
    func hide(id: String, now: Int, in sql: any SQLDatabase) async throws -> Review? {
        try await sql.raw(
            """
            UPDATE reviews SET hidden_at = \(bind: now) WHERE id = \(bind: id) AND hidden_at IS NULL
            RETURNING id, product_id, author_name, rating, title, body, verified_purchase, helpful_count, hidden_at,
                created_at, updated_at
            """
        ).first().map { try Row($0).review }
    }

    func review(id: String, in sql: any SQLDatabase) async throws -> (review: Review, userId: String, hidden: Bool)? {
        guard
            let row = try await sql.raw(
                """
                SELECT id, product_id, user_id, author_name, rating, title, body, verified_purchase, helpful_count,
                    hidden_at, created_at, updated_at FROM reviews WHERE id = \(bind: id)
                """
            ).first()
        else { return nil }
        let parsed = try Row(row)
        return (parsed.review, try row.decode(column: "user_id", as: String.self), parsed.hidden)
    }

    /// Counts the customer's vote once: true when this call added it.
    func vote(reviewId: String, userId: String, now: Int, in sql: any SQLDatabase) async throws -> Bool {
        let added =
            try await sql.raw(
                """
                INSERT INTO review_votes (review_id, user_id, created_at) VALUES (\(bind: reviewId), \(bind: userId), \(bind: now))
                ON CONFLICT (review_id, user_id) DO NOTHING RETURNING review_id
                """
            ).first() != nil
        if added {
            try await sql.raw("UPDATE reviews SET helpful_count = helpful_count + 1 WHERE id = \(bind: reviewId)").run()
        }
        return added
    }

    /// A page of a product's visible reviews in `sort` order; `after` is the cursor the previous page ended with.
    func list(
        productId: String, sort: ReviewSort, limit: Int, after: ReviewCursor?, in sql: any SQLDatabase
    ) async throws -> [Review] {
        var query: SQLQueryString = "\(Self.columns) WHERE product_id = \(bind: productId) AND hidden_at IS NULL"
        let order: SQLQueryString
        switch sort {
        case .newest:
            if let after { query = query + " AND id < \(bind: after.id)" }
            order = " ORDER BY id DESC"
        case .ratingDesc, .ratingAsc, .helpful:
            let column = sort == .helpful ? "helpful_count" : "rating"
            let beyond = sort == .ratingAsc ? ">" : "<"
            if let after, let key = after.key {
                query =
                    query
                    + " AND (\(unsafeRaw: column) \(unsafeRaw: beyond) \(bind: key) OR (\(unsafeRaw: column) = \(bind: key) AND id < \(bind: after.id)))"
            }
            order = " ORDER BY \(unsafeRaw: column) \(unsafeRaw: sort == .ratingAsc ? "ASC" : "DESC"), id DESC"
        }
        return try await sql.raw(query + order + " LIMIT \(bind: limit + 1)").all().map { try Row($0).review }
    }

    /// Every review, hidden ones too, newest first: the moderation queue.
    func all(limit: Int, after: String?, in sql: any SQLDatabase) async throws -> [ModeratedReview] {
        var query: SQLQueryString = "\(Self.columns)"
        if let after { query = query + " WHERE id < \(bind: after)" }
        return try await sql.raw(query + " ORDER BY id DESC LIMIT \(bind: limit + 1)").all().map {
            let row = try Row($0)
            return ModeratedReview(review: row.review, hidden: row.hidden)
        }
    }

    /// The product's aggregate as the aggregator left it.
    func summary(productId: String, in sql: any SQLDatabase) async throws -> RatingSummary {
        guard
            let row = try await sql.raw(
                """
                SELECT rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4, stars_5 FROM product_ratings
                WHERE product_id = \(bind: productId)
                """
            ).first()
        else { return RatingSummary(sum: 0, count: 0, stars: [0, 0, 0, 0, 0]) }
        return RatingSummary(
            sum: try row.decode(column: "rating_sum", as: Int.self),
            count: try row.decode(column: "rating_count", as: Int.self),
            stars: try (1...5).map { try row.decode(column: "stars_\($0)", as: Int.self) }
        )
    }

    /// Adds `delta` (one rating in or out per star) to the product's aggregate, once per event: an event at or
    /// before the one last applied is skipped, so a consumer that takes over and replays changes nothing. The
    /// aggregate after the change, nil when the event had been applied already.
    func apply(
        productId: String, stars delta: [Int], eventId: Int, in sql: any SQLDatabase
    ) async throws -> (sum: Int, count: Int)? {
        let (sum, count) = RatingSummary.totals(of: delta)
        // One statement: the first event of a product inserts its row, later ones add to it.
        return try await sql.raw(
            """
            INSERT INTO product_ratings AS r (product_id, rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4,
                stars_5, applied_event)
            VALUES (\(bind: productId), \(bind: count), \(bind: sum), \(bind: delta[0]), \(bind: delta[1]),
                \(bind: delta[2]), \(bind: delta[3]), \(bind: delta[4]), \(bind: eventId))
            ON CONFLICT (product_id) DO UPDATE SET rating_count = r.rating_count + excluded.rating_count,
                rating_sum = r.rating_sum + excluded.rating_sum, stars_1 = r.stars_1 + excluded.stars_1,
                stars_2 = r.stars_2 + excluded.stars_2, stars_3 = r.stars_3 + excluded.stars_3,
                stars_4 = r.stars_4 + excluded.stars_4, stars_5 = r.stars_5 + excluded.stars_5,
                applied_event = excluded.applied_event
            WHERE r.applied_event < excluded.applied_event
            RETURNING rating_sum, rating_count
            """
        ).first().map {
            (try $0.decode(column: "rating_sum", as: Int.self), try $0.decode(column: "rating_count", as: Int.self))
        }
    }

    /// Writes synthetic aggregates in one statement (a synthetic catalog's ratings, without reviews behind them).
    static func insertAggregates(
        _ rows: [(productId: String, stars: [Int])], in sql: any SQLDatabase
    ) async throws {
        guard !rows.isEmpty else { return }
        let values = rows.map { row -> any SQLExpression in
            let (sum, count) = RatingSummary.totals(of: row.stars)
            return SQLGroupExpression(
                SQLList(
                    [SQLBind(row.productId), SQLBind(count), SQLBind(sum)] + row.stars.map { SQLBind($0) } + [
                        SQLBind(0)
                    ]))
        }
        try await sql.raw(
            """
            INSERT INTO product_ratings (product_id, rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4,
                stars_5, applied_event)
            VALUES \(SQLList(values))
            """
        ).run()
    }
}

/// Where a page of reviews ended: the sort key (rating or helpful count) and the id; opaque to clients.
struct ReviewCursor: Sendable, Equatable {
    let key: Int?
    let id: String

    /// `<key>_<id>` for the keyed sorts, the id alone for newest.
    var encoded: String { key.map { "\($0)_\(id)" } ?? id }

    init(key: Int?, id: String) {
        self.key = key
        self.id = id
    }

    init?(_ text: String, sort: ReviewSort) {
        guard sort != .newest else {
            self.init(key: nil, id: text)
            return
        }
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let key = Int(parts[0]), (0...Int(Int32.max)).contains(key) else { return nil }
        self.init(key: key, id: String(parts[1]))
    }
}
