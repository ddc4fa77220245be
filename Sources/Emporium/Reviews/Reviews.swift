import Foundation
import HTTPTypes
import SQLKit

/// Reviews and ratings: what shoppers write (rules in SQL: one review per customer per product, one helpful vote
/// per customer per review), what moderators hide, and each product's rating, kept from the event log.
///
/// Consistency is mixed on purpose. Reviews are read from the database, so a new one lists at once everywhere. A
/// product's rating (the summary, the product page, search) is an aggregate that one node keeps from
/// `review.*` events (`aggregator`): eventual for everyone, within a second. Its author reads their own change at
/// once through `SessionPositions`: every review write records the position of its event under the author and
/// `product:<id>`, and their reads of that product wait for the aggregator to pass it.
public struct Reviews: Sendable {
    let store: ReviewStore
    let catalog: Catalog
    let orders: Orders
    let accounts: Accounts
    let sessions: SessionPositions

    var database: Database { store.database }

    /// The cluster consumer that keeps every product's rating.
    static let aggregatorName = "review-aggregates"

    public struct ReviewPage: Sendable {
        public let items: [Review]
        public let nextCursor: String?
        public let summary: RatingSummary
    }

    /// A change and the event-log position it produced (the author's reads wait for it).
    public struct Written<Value: Sendable>: Sendable {
        public let value: Value
        public let position: Int
    }

    public func post(productId idOrSlug: String, userId: String, _ input: ReviewInput) async throws -> Written<Review> {
        try input.validate()
        return try await database.transaction { sql in
            guard let productId = try await catalog.liveProductId(idOrSlug, in: sql) else {
                throw ReviewError.productNotFound
            }
            let now = Database.nowMillis()
            guard
                let review = try await store.insert(
                    id: Identifier.make("rev", now: now), productId: productId, userId: userId,
                    authorName: try await accounts.name(userId: userId, in: sql), input: input,
                    verified: try await orders.hasBought(userId: userId, productId: productId, in: sql), now: now,
                    in: sql)
            else { throw ReviewError.alreadyReviewed }
            let position = try await record(
                "review.created", review, previousRating: nil, moderated: false, userId: userId, in: sql)
            return Written(value: review, position: position)
        }
    }

    public func update(productId idOrSlug: String, userId: String, _ input: ReviewInput) async throws -> Written<Review>
    {
        try input.validate()
        return try await database.transaction { sql in
            let (productId, mine) = try await ownReview(idOrSlug, userId: userId, in: sql)
            guard
                let review = try await store.update(
                    id: mine.id, input: input,
                    verified: try await orders.hasBought(userId: userId, productId: productId, in: sql),
                    now: Database.nowMillis(), in: sql)
            else { throw ReviewError.reviewNotFound }
            let position = try await record(
                "review.updated", review, previousRating: mine.rating, moderated: false, userId: userId, in: sql)
            return Written(value: review, position: position)
        }
    }

    /// The author withdraws their review: it is deleted, with its votes, and they may write another.
    public func delete(productId idOrSlug: String, userId: String) async throws -> Int {
        try await database.transaction { sql in
            let (_, mine) = try await ownReview(idOrSlug, userId: userId, in: sql)
            guard try await store.delete(id: mine.id, in: sql) else { throw ReviewError.reviewNotFound }
            return try await record(
                "review.deleted", mine, previousRating: nil, moderated: false, userId: userId, in: sql)
        }
    }

    /// Moderation: the review is hidden everywhere and leaves the aggregates; hiding it again changes nothing.
    public func hide(reviewId: String) async throws {
        try await database.transaction { sql in
            guard let found = try await store.review(id: reviewId, in: sql) else { throw ReviewError.reviewNotFound }
            guard !found.hidden, let review = try await store.hide(id: reviewId, now: Database.nowMillis(), in: sql)
            else { return }
            try await Outbox.append(
                "review.deleted", aggregateId: review.id,
                payload: ReviewChanged(review: review, previousRating: nil, moderated: true), in: sql)
        }
    }

    /// Counts the caller's helpful vote once; never on their own review (422).
    public func markHelpful(reviewId: String, userId: String) async throws -> Review {
        try await database.transaction { sql in
            guard let found = try await store.review(id: reviewId, in: sql), !found.hidden else {
                throw ReviewError.reviewNotFound
            }
            guard found.userId != userId else { throw ReviewError.ownReview }
            _ = try await store.vote(reviewId: reviewId, userId: userId, now: Database.nowMillis(), in: sql)
            guard let now = try await store.review(id: reviewId, in: sql) else { throw ReviewError.reviewNotFound }
            return now.review
        }
    }

    /// A page of the product's visible reviews and its rating summary. The summary is the aggregate, as everyone
    /// sees it, except for a reader who changed a review of this product: theirs waits for the aggregator to apply
    /// their change (`SessionPositions`).
    public func page(
        productId idOrSlug: String, sort: ReviewSort, limit: Int, cursor: String?, readerId: String?
    ) async throws -> ReviewPage {
        guard let productId = try await database.read({ try await catalog.liveProductId(idOrSlug, in: $0) }) else {
            throw ReviewError.productNotFound
        }
        let after = try cursor.map { text in
            guard let cursor = ReviewCursor(text, sort: sort) else {
                throw Problem(.badRequest, code: "invalid_request", detail: "cursor does not belong to this sort.")
            }
            return cursor
        }
        if let readerId { _ = try await sessions.catchUp(userId: readerId, scope: Self.scope(productId)) }
        return try await database.read { sql in
            let rows = try await store.list(productId: productId, sort: sort, limit: limit, after: after, in: sql)
            let items = Array(rows.prefix(limit))
            let next = rows.count > limit ? items.last.map { Self.cursor(of: $0, sort: sort).encoded } : nil
            return ReviewPage(
                items: items, nextCursor: next, summary: try await store.summary(productId: productId, in: sql))
        }
    }

    /// Every review, newest first, hidden ones included: the moderation queue.
    public func moderationQueue(limit: Int, after: String?) async throws -> (items: [ModeratedReview], next: String?) {
        try await database.read { sql in
            let rows = try await store.all(limit: limit, after: after, in: sql)
            let items = Array(rows.prefix(limit))
            return (items, rows.count > limit ? items.last?.review.id : nil)
        }
    }

    /// Whether `userId` should read product `productId` from the database rather than a cache: true when they
    /// changed a review of it lately, once the aggregator has applied that change (waiting for it, bounded).
    public func readsOwnWrites(userId: String, productId: String) async throws -> Bool {
        try await sessions.catchUp(userId: userId, scope: Self.scope(productId))
    }

    /// The consumer that keeps `product_ratings` and the product's rating columns: cluster scope, so one node
    /// applies each event, exactly once per product thanks to the aggregate's `applied_event` guard. A batch of
    /// events is one transaction, with one `product.rated` per product.
    var aggregator: EventConsumer {
        EventConsumer(
            name: Self.aggregatorName, scope: .cluster, types: ["review."],
            handleBatch: { events in try await aggregate(events) },
            handle: { event in try await aggregate([event]) })
    }

    private func aggregate(_ events: [OutboxEvent]) async throws {
        try await database.transaction { sql in
            var totals: [String: (sum: Int, count: Int)] = [:]
            var order: [String] = []
            for event in events {
                let change = try event.decode(ReviewChanged.self)
                var stars = [0, 0, 0, 0, 0]
                switch event.type {
                case "review.created": stars[change.review.rating - 1] += 1
                case "review.updated":
                    stars[change.review.rating - 1] += 1
                    if let previous = change.previousRating { stars[previous - 1] -= 1 }
                case "review.deleted": stars[change.review.rating - 1] -= 1
                default: continue
                }
                let productId = change.review.productId
                guard let total = try await store.apply(productId: productId, stars: stars, eventId: event.id, in: sql)
                else { continue }
                if totals[productId] == nil { order.append(productId) }
                totals[productId] = total
            }
            for productId in order {
                let total = totals[productId]!
                try await catalog.recordRating(productId: productId, sum: total.sum, count: total.count, in: sql)
            }
        }
    }

    private func ownReview(
        _ idOrSlug: String, userId: String, in sql: any SQLDatabase
    ) async throws -> (productId: String, review: Review) {
        guard let productId = try await catalog.liveProductId(idOrSlug, in: sql) else {
            throw ReviewError.productNotFound
        }
        guard let mine = try await store.mine(productId: productId, userId: userId, in: sql) else {
            throw ReviewError.reviewNotFound
        }
        return (productId, mine)
    }

    /// Appends the review's event and records its position for the author's reads of the product.
    private func record(
        _ type: String, _ review: Review, previousRating: Int?, moderated: Bool, userId: String,
        in sql: any SQLDatabase
    ) async throws -> Int {
        let position = try await Outbox.appendReturningPosition(
            type, aggregateId: review.id,
            payload: ReviewChanged(review: review, previousRating: previousRating, moderated: moderated), in: sql)
        try await sessions.record(
            userId: userId, scope: Self.scope(review.productId), consumer: Self.aggregatorName, position: position,
            in: sql)
        return position
    }

    static func scope(_ productId: String) -> String { "product:\(productId)" }

    static func cursor(of review: Review, sort: ReviewSort) -> ReviewCursor {
        switch sort {
        case .newest: ReviewCursor(key: nil, id: review.id)
        case .ratingDesc, .ratingAsc: ReviewCursor(key: review.rating, id: review.id)
        case .helpful: ReviewCursor(key: review.helpfulCount, id: review.id)
        }
    }
}
