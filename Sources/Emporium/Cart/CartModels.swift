import Foundation

/// Whose cart: a signed-in customer's, or a guest's (identified by its `Cart-Token`).
public enum CartOwner: Sendable, Equatable {
    case user(String)
    case guest(token: String)

    /// The cart's id: derived from its owner, so reading a cart never has to create it. A guest's id is a hash
    /// of its token, the only form in which the token is kept.
    public var cartId: String {
        switch self {
        case .user(let id): "crt_" + sha256Hex("user:" + id).prefix(26)
        case .guest(let token): "crt_" + sha256Hex("guest:" + token).prefix(26)
        }
    }

    var kind: String {
        switch self {
        case .user: "user"
        case .guest: "guest"
        }
    }

    /// 128 random bits, base64url: 22 characters.
    public static func newGuestToken() -> String { Identifier.secret(byteCount: 16) }

    public static func isWellFormedGuestToken(_ token: String) -> Bool {
        token.utf8.count == 22
            && token.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F
            }
    }
}

/// A cart as the shopper sees it: today's prices and stock, and what changed since they last looked.
public struct CartView: Codable, Sendable, Equatable {
    public let id: String
    public let items: [CartItem]
    public let subtotal: Money
    public let version: Int
    public var warnings: [CartWarning]
}

public struct CartItem: Codable, Sendable, Equatable {
    public let sku: String
    public let productId: String
    public let title: String
    public let quantity: Int
    public let unitPrice: Money
    public let lineTotal: Money
    public let available: Int
}

/// Something the shopper should know about a line, instead of the cart silently changing it.
public struct CartWarning: Codable, Sendable, Equatable {
    public let sku: String
    public let code: Code
    public var previousPrice: Money?
    public var currentPrice: Money?
    public var available: Int?
    public var requested: Int?
    public var reason: String?
    public var limit: Int?

    public enum Code: String, Codable, Sendable {
        case priceChanged = "price_changed"
        case lowStock = "low_stock"
        case unavailable
        case quantityLimited = "quantity_limited"
        case cartFull = "cart_full"
    }

    init(sku: String, code: Code) {
        self.sku = sku
        self.code = code
    }

    static func unavailable(_ sku: String, reason: String) -> CartWarning {
        var warning = CartWarning(sku: sku, code: .unavailable)
        warning.reason = reason
        return warning
    }

    static func quantityLimited(_ sku: String) -> CartWarning {
        var warning = CartWarning(sku: sku, code: .quantityLimited)
        warning.limit = CartRules.maxQuantity
        return warning
    }
}

/// One edit a device made while offline, replayed through `/cart/sync`.
public struct CartOp: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case add
        case set
        case remove
    }

    public let opId: String
    public let op: Kind
    public let sku: String
    public let quantity: Int?

    public init(opId: String, op: Kind, sku: String, quantity: Int?) {
        self.opId = opId
        self.op = op
        self.sku = sku
        self.quantity = quantity
    }
}

public enum CartRules {
    public static let maxQuantity = 99
    public static let maxLines = 100
    public static let maxOps = 100
    public static let maxIdLength = 64
    /// How long an applied op id is remembered, so a replay within it counts once.
    public static let opMemory: Duration = .seconds(30 * 24 * 3600)

    static func validateSync(deviceId: String, baseVersion: Int, ops: [CartOp]) throws {
        var validator = Validator()
        validator.check(
            (1...maxIdLength).contains(deviceId.count), "deviceId", "must be 1 to \(maxIdLength) characters")
        validator.check(baseVersion >= 0, "baseVersion", "must be 0 or more")
        validator.check(ops.count <= maxOps, "ops", "must hold at most \(maxOps) ops")
        for (index, op) in ops.enumerated() {
            let field = "ops[\(index)]"
            validator.check(
                (1...maxIdLength).contains(op.opId.count), field + ".opId", "must be 1 to \(maxIdLength) characters")
            validator.check((1...255).contains(op.sku.count), field + ".sku", "must be 1 to 255 characters")
            switch op.op {
            case .add:
                validator.check(
                    (1...maxQuantity).contains(op.quantity ?? 0), field + ".quantity",
                    "must be 1 to \(maxQuantity) for add")
            case .set:
                validator.check(
                    op.quantity.map { (0...maxQuantity).contains($0) } ?? false, field + ".quantity",
                    "must be 0 to \(maxQuantity) for set")
            case .remove:
                break
            }
        }
        try validator.throwIfInvalid()
    }
}

public enum CartError: Error, Equatable {
    case skuNotFound(String)
    case skuUnavailable(String)
    case cartFull
    case stale(currentVersion: Int)
    /// The cart changed while a checkout was turning it into an order (another device editing it).
    case changedDuringCheckout
}

/// Payload of `cart.changed`: every node tells its listening devices.
public struct CartChanged: Codable, Sendable {
    public let cartId: String
    public let version: Int
}
