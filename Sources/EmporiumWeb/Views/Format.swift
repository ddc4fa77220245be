import Emporium
import Foundation

/// How the shop writes prices, ratings, dates and statuses: formatted here, in Swift, so templates only place text.
public enum Format {
    /// `$1,299.99` for 129999 USD cents; other currencies as `1,299.99 EUR`.
    public static func money(_ money: Money) -> String {
        money.currency == "USD" ? "$" + amount(money.amount) : amount(money.amount) + " " + money.currency
    }

    /// Minor units as a decimal amount with thousands separators: `1,299.99`, `-5.00`.
    public static func amount(_ minor: Int) -> String {
        let sign = minor < 0 ? "-" : ""
        let whole = String(minor.magnitude / 100)
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let cents = minor.magnitude % 100
        return sign + grouped + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    /// A decimal amount as typed in a form (`12.99`, `12`, `12.5`) in minor units; nil when it is not one.
    public static func minorUnits(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, whole < 10_000_000 else {
            return nil
        }
        guard parts.count == 2 else { return whole * 100 }
        let fraction = parts[1]
        guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isASCII), let cents = Int(fraction) else {
            return nil
        }
        return whole * 100 + (fraction.count == 1 ? cents * 10 : cents)
    }

    /// Five stars, filled to the nearest whole star: `★★★★☆` for 4.4.
    public static func stars(_ average: Double) -> String {
        let filled = max(0, min(5, Int(average.rounded())))
        return String(repeating: "★", count: filled) + String(repeating: "☆", count: 5 - filled)
    }

    /// `4.4 out of 5`, for screen readers and beside the stars.
    public static func rating(_ average: Double) -> String {
        String(format: "%.1f out of 5", average)
    }

    /// An RFC 3339 UTC time as `Dec 7, 2026, 14:05 UTC`; the text itself when it is not one.
    public static func date(_ rfc3339: String) -> String {
        guard let date = parse(rfc3339) else { return rfc3339 }
        return date.formatted(dateStyle) + " UTC"
    }

    // Format styles, not a DateFormatter and an ISO8601DateFormatter made per call: on Linux each of those opened an
    // ICU formatter, a tenth of a millisecond, and an admin list formats fifty dates.
    static func parse(_ rfc3339: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(rfc3339) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(rfc3339)
    }

    static let utc = TimeZone(identifier: "UTC")!

    private static let dateStyle = Date.VerbatimFormatStyle(
        format: """
            \(month: .abbreviated) \(day: .defaultDigits), \(year: .defaultDigits), \
            \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)
            """,
        locale: Locale(identifier: "en_US_POSIX"), timeZone: utc, calendar: Calendar(identifier: .gregorian))

    /// An order status as a shopper reads it.
    public static func status(_ status: OrderStatus) -> String {
        switch status {
        case .pendingPayment: "Awaiting payment"
        case .confirmed: "Confirmed"
        case .shipped: "Shipped"
        case .delivered: "Delivered"
        case .cancelled: "Cancelled"
        }
    }

    /// `1 item`, `3 items`.
    public static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
