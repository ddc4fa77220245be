import Foundation

/// Where a sale stands, computed from the clock and its stock: a scheduled sale goes live at `startsAt`
/// without anyone telling it to.
public enum FlashSaleStatus: String, Codable, Sendable {
    case scheduled
    case live
    case soldOut = "sold_out"
    case ended
}

/// A flash sale as the API shows it.
public struct FlashSale: Codable, Sendable, Equatable {
    public let id: String
    public let sku: String
    public let productId: String
    public let title: String
    public let salePrice: Money
    public let quantity: Int
    public let remaining: Int
    public let perCustomerLimit: Int
    public let startsAt: String
    public let endsAt: String
    public let status: FlashSaleStatus
}

/// The body of `POST /admin/flash-sales`.
public struct NewFlashSale: Codable, Sendable {
    public let sku: String
    public let salePrice: Money
    public let quantity: Int
    public let perCustomerLimit: Int
    public let startsAt: String
    public let endsAt: String

    public init(
        sku: String, salePrice: Money, quantity: Int, perCustomerLimit: Int, startsAt: String, endsAt: String
    ) {
        self.sku = sku
        self.salePrice = salePrice
        self.quantity = quantity
        self.perCustomerLimit = perCustomerLimit
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

public enum FlashSaleError: Error, Equatable {
    case notFound
    /// Fewer than the requested units remain (none, for a sale that is sold out).
    case soldOut(remaining: Int)
    /// Scheduled or ended.
    case notLive(FlashSaleStatus)
    case limitExceeded(limit: Int)
    case rateLimited(retryAfterSeconds: Int)
    /// The sale's queue on this node is full.
    case overloaded
    /// The Idempotency-Key was used for another purchase body.
    case keyReused
    /// Another request with the same key won first (internal: answered with that request's order).
    case duplicate

    /// Refusals that a retry of an earlier winning request may hide behind.
    var mayHideAWinner: Bool {
        switch self {
        case .soldOut, .notLive, .limitExceeded, .duplicate: true
        default: false
        }
    }
}

/// Payload of `flash_sale.changed`: the sale's state after a transaction, and the units now held by the buyers
/// that transaction touched. `version` grows with every change of the row, so a node never goes back in time.
public struct FlashSaleChanged: Codable, Sendable {
    public let saleId: String
    public let remaining: Int
    public let closed: Bool
    public let version: Int
    public let buyers: [String: Int]
}

/// The knobs of admission control and of the sale's stream.
public struct FlashSaleOptions: Sendable {
    /// How long a flash-sale order holds its units for payment.
    public var reservationLifetime: Duration = .seconds(5 * 60)
    /// Purchase attempts a second per signed-in user on one node, and the burst; a rate of 0 turns it off.
    public var userRate = 10.0
    public var userBurst = 20.0
    /// Purchases of one sale settling at once on one node, and how many more may wait; beyond, 503 `overloaded`.
    public var maxInFlight = 256
    public var queueDepth = 1024
    /// The shortest time between two events of one `/flash-sales/{id}/events` stream (coalescing).
    public var streamInterval: Duration = .milliseconds(250)

    public init() {}
}

enum FlashSaleRules {
    static let maxQuantityPerPurchase = 99

    /// The validated sale: times as milliseconds.
    struct Checked {
        let startsAt: Int
        let endsAt: Int
    }

    static func validate(_ sale: NewFlashSale, now: Int) throws -> Checked {
        var validator = Validator()
        validator.check(CatalogRules.isValidSku(sale.sku), "sku", "must be 1 to 64 letters, digits, '.', '_' or '-'")
        let maxPrice = CatalogRules.maxPrice
        validator.check((0...maxPrice).contains(sale.salePrice.amount), "salePrice.amount", "must be 0 to \(maxPrice)")
        validator.check(
            CatalogRules.isCurrency(sale.salePrice.currency), "salePrice.currency", "must be an ISO 4217 code like USD")
        validator.check(
            (1...CatalogRules.maxStock).contains(sale.quantity), "quantity", "must be 1 to \(CatalogRules.maxStock)")
        validator.check(
            (1...max(1, sale.quantity)).contains(sale.perCustomerLimit),
            "perCustomerLimit",
            "must be at least 1 and at most the quantity"
        )
        let startsAt = parseTime(sale.startsAt)
        let endsAt = parseTime(sale.endsAt)
        validator.check(startsAt != nil, "startsAt", "must be an RFC 3339 time such as 2026-11-21T10:00:00Z")
        validator.check(endsAt != nil, "endsAt", "must be an RFC 3339 time such as 2026-11-21T11:00:00Z")
        if let startsAt, let endsAt {
            validator.check(endsAt > startsAt, "endsAt", "must be after startsAt")
            validator.check(endsAt > now, "endsAt", "must be in the future")
        }
        try validator.throwIfInvalid()
        return Checked(startsAt: startsAt ?? 0, endsAt: endsAt ?? 0)
    }

    /// RFC 3339 (`2026-11-21T10:00:00Z`, fractional seconds and offsets allowed) in UTC milliseconds.
    static func parseTime(_ text: String) -> Int? {
        guard text.utf8.count <= 40 else { return nil }
        let styles: [Date.ISO8601FormatStyle] = [.iso8601, Date.ISO8601FormatStyle(includingFractionalSeconds: true)]
        for style in styles {
            if let date = try? style.parse(text) { return Int((date.timeIntervalSince1970 * 1000).rounded(.down)) }
        }
        return nil
    }
}

/// A purchase the sale's row refused, and the row as the refusing transaction read it: committed state, so this
/// node's memory can learn from it (a sell-out seen here is known before its event arrives).
struct UnitsRefused: Error {
    let sale: FlashSaleStore.Row
    let reason: FlashSaleError
}

/// Who is buying from which sale with which Idempotency-Key and request: the identity of a purchase.
struct PurchaseKey: Sendable {
    let saleId: String
    let userId: String
    let keyHash: String
    let requestHash: String
}
