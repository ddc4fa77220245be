import Foundation
import HTTPTypes
import Hummingbird

/// `/products/{idOrSlug}/reviews*`, `/reviews/{id}/helpful` and the moderation queue `/admin/reviews*`.
struct ReviewRoutes {
    let reviews: Reviews

    /// The event-log position a review write produced: a client may keep it to know what its reads reflect.
    static let positionHeader = HTTPField.Name("Emporium-Position")!

    /// `{items, nextCursor, summary}`.
    struct ReviewList: ResponseEncodable {
        let items: [Review]
        let nextCursor: String?
        let summary: RatingSummary

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(items, forKey: .items)
            try container.encode(nextCursor, forKey: .nextCursor)
            try container.encode(summary, forKey: .summary)
        }

        enum CodingKeys: String, CodingKey { case items, nextCursor, summary }
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("products/{idOrSlug}/reviews") { request, context -> ReviewList in
            let page = try PageRequest(request)
            var sort = ReviewSort.newest
            if let raw = request.uri.queryParameters["sort"] {
                guard let parsed = ReviewSort(rawValue: String(raw)) else {
                    throw Problem(
                        .badRequest, code: "invalid_request",
                        detail: "sort must be one of \(ReviewSort.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                sort = parsed
            }
            let result = try await reviews.page(
                productId: try context.parameters.require("idOrSlug"), sort: sort, limit: page.limit,
                cursor: page.after, readerId: context.identity?.userId)
            return ReviewList(
                items: result.items, nextCursor: PageRequest.cursor(result.nextCursor), summary: result.summary)
        }
        api.post("products/{idOrSlug}/reviews") { request, context -> EditedResponse<Review> in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(ReviewInput.self, context: context)
            let written = try await reviews.post(
                productId: try context.parameters.require("idOrSlug"), userId: identity.userId, body)
            return EditedResponse(
                status: .created, headers: [Self.positionHeader: String(written.position)], response: written.value)
        }
        api.put("products/{idOrSlug}/reviews/mine") { request, context -> EditedResponse<Review> in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(ReviewInput.self, context: context)
            let written = try await reviews.update(
                productId: try context.parameters.require("idOrSlug"), userId: identity.userId, body)
            return EditedResponse(
                status: .ok, headers: [Self.positionHeader: String(written.position)], response: written.value)
        }
        api.delete("products/{idOrSlug}/reviews/mine") { _, context -> Response in
            let identity = try context.requireIdentity()
            let position = try await reviews.delete(
                productId: try context.parameters.require("idOrSlug"), userId: identity.userId)
            return Response(status: .noContent, headers: [Self.positionHeader: String(position)])
        }
        api.post("reviews/{id}/helpful") { _, context -> Review in
            let identity = try context.requireIdentity()
            return try await reviews.markHelpful(
                reviewId: try context.parameters.require("id"), userId: identity.userId)
        }
        api.get("admin/reviews") { request, context -> Page<ModeratedReview> in
            _ = try context.requireAdmin()
            let page = try PageRequest(request)
            let (items, next) = try await reviews.moderationQueue(limit: page.limit, after: page.after)
            return Page(items: items, lastId: next)
        }
        api.delete("admin/reviews/{id}") { _, context -> HTTPResponse.Status in
            _ = try context.requireAdmin()
            try await reviews.hide(reviewId: try context.parameters.require("id"))
            return .noContent
        }
    }
}

extension Review: ResponseEncodable {}

extension ReviewError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .productNotFound: .notFound("The product")
        case .reviewNotFound: .notFound("The review")
        case .alreadyReviewed:
            Problem(
                .conflict, code: "already_reviewed",
                detail: "You have reviewed this product already; change it with PUT .../reviews/mine.")
        case .ownReview:
            Problem(
                .unprocessableContent, code: "own_review", detail: "A review cannot be marked helpful by its author.")
        }
    }
}
