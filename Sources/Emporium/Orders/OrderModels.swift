import Foundation

/// Where an order stands. `pending_payment` → `confirmed` → `shipped` → `delivered`; `cancelled` from
/// `pending_payment` or `confirmed`. Nothing else.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pendingPayment = "pending_payment"
    case confirmed
    case shipped
    case delivered
    case cancelled

    public func canMove(to next: OrderStatus) -> Bool {
        switch (self, next) {
        case (.pendingPayment, .confirmed), (.confirmed, .shipped), (.shipped, .delivered),
            (.pendingPayment, .cancelled), (.confirmed, .cancelled):
            true
        default:
            false
        }
    }
}

public struct ShippingAddress: Codable, Sendable, Equatable {
    public let name: String
    public let line1: String
    public let line2: String?
    public let city: String
    public let postalCode: String
    public let country: String

    public init(name: String, line1: String, line2: String? = nil, city: String, postalCode: String, country: String) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.postalCode = postalCode
        self.country = country
    }

    func validate(into validator: inout Validator) {
        for (field, value, limit) in [
            ("name", name, 200), ("line1", line1, 200), ("city", city, 100), ("postalCode", postalCode, 20),
        ] {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            validator.check(!trimmed.isEmpty, "shippingAddress.\(field)", "must not be empty")
            validator.check(trimmed.count <= limit, "shippingAddress.\(field)", "must be at most \(limit) characters")
        }
        validator.check((line2?.count ?? 0) <= 200, "shippingAddress.line2", "must be at most 200 characters")
        validator.check(
            country.count == 2 && country.allSatisfy { $0.isASCII && $0.isUppercase },
            "shippingAddress.country",
            "must be an ISO 3166-1 alpha-2 code such as US"
        )
    }
}

public struct OrderItem: Codable, Sendable, Equatable {
    public let sku: String
    public let productId: String
    public let title: String
    public let quantity: Int
    public let unitPrice: Money
    public let lineTotal: Money
}

public struct StatusChange: Codable, Sendable, Equatable {
    public let status: OrderStatus
    public let at: String
    public let note: String?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(at, forKey: .at)
        try container.encode(note, forKey: .note)
    }
}

/// What the order shows of its payment: never the card, only its last four digits and brand.
public struct PaymentSummary: Codable, Sendable, Equatable {
    public let id: String
    public let status: String
    public let last4: String
    public let brand: String
}

public struct Shipment: Codable, Sendable, Equatable {
    public let carrier: String
    public let trackingNumber: String
}

public struct Order: Codable, Sendable, Equatable {
    public let id: String
    public let status: OrderStatus
    public let items: [OrderItem]
    public let subtotal: Money
    public let shipping: Money
    public let total: Money
    /// Nil for a flash-sale purchase made without one.
    public let shippingAddress: ShippingAddress?
    public let reservationExpiresAt: String
    public let payment: PaymentSummary?
    public let shipment: Shipment?
    public let statusHistory: [StatusChange]
    public let createdAt: String

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(items, forKey: .items)
        try container.encode(subtotal, forKey: .subtotal)
        try container.encode(shipping, forKey: .shipping)
        try container.encode(total, forKey: .total)
        try container.encode(shippingAddress, forKey: .shippingAddress)
        try container.encode(reservationExpiresAt, forKey: .reservationExpiresAt)
        try container.encode(payment, forKey: .payment)
        try container.encode(shipment, forKey: .shipment)
        try container.encode(statusHistory, forKey: .statusHistory)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

public enum OrderError: Error, Equatable {
    case notFound
    case cartEmpty
    case invalidTransition(from: OrderStatus, to: OrderStatus)
    case expired
}

/// Shipping is flat, and free from a subtotal of 50.00.
enum OrderRules {
    static let freeShippingFrom = 5000
    static let flatShipping = 499

    static func shipping(for subtotal: Int) -> Int { subtotal >= freeShippingFrom ? 0 : flatShipping }
}

/// Payload of the `order.*` events.
public struct OrderEvent: Codable, Sendable {
    public let orderId: String
    public let userId: String
    public let status: OrderStatus
    public let total: Money
    public var note: String?
}
