import Emporium
import Foundation

/// Flash sales, reviews and webhooks as the merchant reads them.
enum AdminShopView {
    static func sale(_ sale: FlashSale) -> [String: Any] {
        [
            "id": sale.id, "title": sale.title, "sku": sale.sku, "price": Format.money(sale.salePrice),
            "remaining": sale.remaining, "quantity": sale.quantity, "limit": sale.perCustomerLimit,
            "status": sale.status.rawValue, "statusLabel": FlashSaleView.statusLabel(sale.status),
            "startsAt": Format.date(sale.startsAt), "endsAt": Format.date(sale.endsAt),
            "url": "/flash/" + sale.id.queryEncoded,
        ]
    }

    static func review(_ moderated: ModeratedReview) -> [String: Any] {
        let review = moderated.review
        return [
            "id": review.id, "author": review.author.name, "stars": Format.stars(Double(review.rating)),
            "rating": Format.rating(Double(review.rating)), "title": review.title, "body": review.body,
            "date": Format.date(review.createdAt), "verified": review.verifiedPurchase, "hidden": moderated.hidden,
            "hideUrl": "/admin/reviews/" + review.id.queryEncoded + "/hide",
        ]
    }

    static func endpoint(_ endpoint: WebhookEndpoint, deliveries: [WebhookDelivery]) -> [String: Any] {
        [
            "id": endpoint.id, "url": endpoint.url, "events": endpoint.events.joined(separator: ", "),
            "enabled": endpoint.enabled, "created": Format.date(endpoint.createdAt),
            "deliveries": deliveries.map { delivery in
                var row: [String: Any] = [
                    "id": delivery.id, "event": delivery.event, "status": delivery.status.rawValue,
                    "attempts": delivery.attempts, "created": Format.date(delivery.createdAt),
                    "redeliverUrl": "/admin/webhooks/\(endpoint.id.queryEncoded)/deliveries/"
                        + "\(delivery.id.queryEncoded)/redeliver",
                ]
                row["response"] = delivery.lastResponseStatus.map { "HTTP \($0)" } ?? delivery.lastError
                return row
            },
            "hasDeliveries": !deliveries.isEmpty,
        ]
    }

    /// A `datetime-local` value (`2026-12-07T14:30`, seconds optional) read as UTC, in RFC 3339; the text itself
    /// when it is not one (the service then refuses it with its own message).
    static func utc(_ local: String) -> String {
        let text = local.trimmingCharacters(in: .whitespaces)
        let parts = text.split(separator: "T")
        guard parts.count == 2, parts[0].count == 10 else { return text }
        let time = parts[1].count == 5 ? parts[1] + ":00" : parts[1]
        return "\(parts[0])T\(time)Z"
    }

    /// A time as a `datetime-local` input shows it in UTC: `2026-12-07T14:30`.
    static func local(_ date: Date) -> String {
        String(date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false)).prefix(16))
    }
}
