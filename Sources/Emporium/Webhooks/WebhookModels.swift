import Foundation

/// A merchant's webhook endpoint, as the API shows it (the secret only once, at creation).
public struct WebhookEndpoint: Codable, Sendable, Equatable {
    public let id: String
    public let url: String
    public let events: [String]
    public let enabled: Bool
    public let createdAt: String
    /// Only in the answer to its creation.
    public var secret: String?
}

/// One event on its way to one endpoint.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case pending, delivered, failed
    }

    /// One try: when, what the receiver answered (or why there was no answer) and how long it took.
    public struct Attempt: Codable, Sendable, Equatable {
        public let at: String
        public let responseStatus: Int?
        public let error: String?
        public let durationMs: Int

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(at, forKey: .at)
            try container.encode(responseStatus, forKey: .responseStatus)
            try container.encode(error, forKey: .error)
            try container.encode(durationMs, forKey: .durationMs)
        }
    }

    public let id: String
    public let eventId: String
    public let event: String
    public let status: Status
    public let attempts: Int
    public let lastResponseStatus: Int?
    public let lastError: String?
    public let nextAttemptAt: String?
    public let deliveredAt: String?
    public let createdAt: String
    /// Every attempt of the last 14 days, oldest first.
    public let attemptLog: [Attempt]

    enum CodingKeys: String, CodingKey {
        case id, eventId, event, status, attempts, lastResponseStatus, lastError, nextAttemptAt, deliveredAt, createdAt
        case attemptLog
    }

    /// Absent values are written as `null`: every delivery has the same members.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(event, forKey: .event)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastResponseStatus, forKey: .lastResponseStatus)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(deliveredAt, forKey: .deliveredAt)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(attemptLog, forKey: .attemptLog)
    }
}

/// The body of `POST /admin/webhooks`.
public struct WebhookInput: Decodable, Sendable {
    public let url: String
    public let events: [String]
}

public enum WebhookError: Error, Equatable {
    case endpointNotFound
    case deliveryNotFound
}

/// The events an endpoint can subscribe to, and the public data each carries: only what a merchant's own systems
/// may see (no card data, no tokens, no password hashes; nothing of carts or sessions).
public enum WebhookEvents {
    public static let types = [
        "order.created", "order.confirmed", "order.shipped", "order.delivered", "order.cancelled", "order.refunded",
        "product.created", "product.updated", "product.deleted", "inventory.low", "review.created", "review.updated",
        "review.deleted",
    ]

    /// Every subscribable type: what `*` stands for.
    static let all = "*"

    static func subscribes(_ events: [String], to type: String) -> Bool {
        events.contains(all) || events.contains(type)
    }

    /// `{id, type, createdAt, data}`: the body every endpoint receives for `event`, the same on every retry.
    static func body(of event: OutboxEvent) throws -> String {
        let envelope: [String: JSONValue] = [
            "id": .string(eventId(event.id)),
            "type": .string(event.type),
            "createdAt": .string(
                Date(timeIntervalSince1970: Double(event.createdAt) / 1000).formatted(millisecondTime)),
            "data": try data(of: event),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(JSONValue.object(envelope)), as: UTF8.self)
    }

    static func eventId(_ id: Int) -> String { "evt_\(id)" }

    private static let millisecondTime = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func data(of event: OutboxEvent) throws -> JSONValue {
        switch event.type {
        case let type where type.hasPrefix("order."):
            let order = try event.decode(OrderEvent.self)
            var data: [String: JSONValue] = [
                "orderId": .string(order.orderId),
                "customerId": .string(order.userId),
                "status": .string(order.status.rawValue),
                "total": .object(["amount": .int(order.total.amount), "currency": .string(order.total.currency)]),
            ]
            if let note = order.note { data["reason"] = .string(note) }
            return .object(data)
        case let type where type.hasPrefix("product."):
            return .object(["productId": .string(event.aggregateId)])
        case "inventory.low":
            let low = try event.decode(LowStock.self)
            return .object([
                "sku": .string(low.sku), "productId": .string(low.productId), "available": .int(low.available),
                "threshold": .int(low.threshold),
            ])
        default:
            let review = try event.decode(ReviewChanged.self).review
            return .object([
                "reviewId": .string(review.id), "productId": .string(review.productId), "rating": .int(review.rating),
                "title": .string(review.title), "body": .string(review.body),
                "verifiedPurchase": .bool(review.verifiedPurchase), "authorName": .string(review.author.name),
            ])
        }
    }
}
