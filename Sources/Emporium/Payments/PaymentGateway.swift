import Foundation

/// A card as the shopper typed it. It goes to the provider and nowhere else: never stored, logged or echoed.
public struct Card: Codable, Sendable {
    public let number: String
    public let expMonth: Int
    public let expYear: Int
    public let cvc: String

    public init(number: String, expMonth: Int, expYear: Int, cvc: String) {
        self.number = number
        self.expMonth = expMonth
        self.expYear = expYear
        self.cvc = cvc
    }

    /// The number without spaces or dashes.
    var digits: String { number.filter { $0 != " " && $0 != "-" } }
    var last4: String { String(digits.suffix(4)) }

    var brand: String {
        let digits = self.digits
        if digits.hasPrefix("4") { return "visa" }
        if let two = Int(digits.prefix(2)), (51...55).contains(two) { return "mastercard" }
        if let four = Int(digits.prefix(4)), (2221...2720).contains(four) { return "mastercard" }
        if digits.hasPrefix("34") || digits.hasPrefix("37") { return "amex" }
        return "card"
    }

    /// Luhn, length, expiry and CVC: a card failing these never reaches the provider.
    func validate(now: Date = Date()) throws {
        var validator = Validator()
        let digits = self.digits
        let wellFormed =
            (12...19).contains(digits.count) && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
        validator.check(wellFormed && Self.luhn(digits), "card.number", "is not a valid card number")
        validator.check((1...12).contains(expMonth), "card.expMonth", "must be 1 to 12")
        let calendar = Calendar(identifier: .gregorian)
        var utc = calendar
        utc.timeZone = TimeZone(identifier: "UTC")!
        let year = utc.component(.year, from: now)
        let month = utc.component(.month, from: now)
        validator.check(
            expYear > year || (expYear == year && expMonth >= month), "card.expYear", "the card has expired")
        validator.check(expYear <= year + 30, "card.expYear", "is too far in the future")
        validator.check(
            (3...4).contains(cvc.count) && cvc.allSatisfy { $0.isASCII && $0.isNumber }, "card.cvc",
            "must be 3 or 4 digits")
        try validator.throwIfInvalid()
    }

    static func luhn(_ digits: String) -> Bool {
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            guard var digit = character.wholeNumberValue else { return false }
            if index % 2 == 1 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return sum % 10 == 0
    }
}

/// What the provider said about a charge.
public enum ChargeOutcome: Sendable, Equatable {
    case approved(reference: String)
    case declined(code: String)
}

/// What the provider knows of an earlier charge attempt (asked after a timeout).
public enum ChargeLookup: Sendable, Equatable {
    case approved(reference: String)
    case declined(code: String)
    case notFound
}

public enum GatewayError: Error, Equatable {
    /// The provider failed (5xx): nothing was charged, safe to retry.
    case unavailable
    /// No answer in time: the charge may or may not have happened.
    case timedOut
}

/// A payment provider. Every call carries an idempotency key, so a repeated call never charges twice.
public protocol PaymentGateway: Sendable {
    func charge(amount: Money, card: Card, idempotencyKey: String) async throws -> ChargeOutcome
    func lookup(idempotencyKey: String) async throws -> ChargeLookup
    func refund(reference: String, amount: Money, idempotencyKey: String) async throws -> String
}
