import Emporium
import Foundation

/// A flash sale as shoppers see it: sale price against the regular one, units left, and the clock.
struct FlashSaleView {
    let sale: FlashSale
    let product: Product?

    static func card(_ sale: FlashSale) -> [String: Any] {
        [
            "url": "/flash/" + sale.id.queryEncoded, "title": sale.title, "price": Format.money(sale.salePrice),
            "status": sale.status.rawValue, "statusLabel": statusLabel(sale.status),
            "remaining": sale.remaining, "quantity": sale.quantity, "live": sale.status == .live,
            "when": clock(sale),
        ]
    }

    var context: [String: Any] {
        let regular = product?.variants.first { $0.sku == sale.sku }?.price
        var context: [String: Any] = [
            "id": sale.id, "title": sale.title, "price": Format.money(sale.salePrice),
            "regularPrice": regular.map(Format.money) ?? "", "hasRegularPrice": regular != nil,
            "status": sale.status.rawValue, "statusLabel": Self.statusLabel(sale.status),
            "remaining": sale.remaining, "quantity": sale.quantity,
            "live": sale.status == .live, "limit": sale.perCustomerLimit,
            "limitText": "Limit \(sale.perCustomerLimit) per customer",
            "when": Self.clock(sale),
            "startsAt": sale.startsAt, "endsAt": sale.endsAt,
            "eventsUrl": "/api/v1/flash-sales/" + sale.id.queryEncoded + "/events",
        ]
        // Absent, not empty: an empty string opens a Mustache section.
        if let image = product?.images.first { context["image"] = ["url": image.url, "alt": image.alt] }
        if let product { context["productUrl"] = "/p/" + product.slug.queryEncoded }
        if let regular, regular.amount > sale.salePrice.amount {
            context["saving"] = "Save \(100 - sale.salePrice.amount * 100 / regular.amount)%"
        }
        return context
    }

    static func statusLabel(_ status: FlashSaleStatus) -> String {
        switch status {
        case .scheduled: "Coming soon"
        case .live: "Live now"
        case .soldOut: "Sold out"
        case .ended: "Ended"
        }
    }

    /// "Starts in 2 h 5 min", "Ends in 12 min", "Ended".
    static func clock(_ sale: FlashSale, now: Date = Date()) -> String {
        switch sale.status {
        case .scheduled: "Starts in " + duration(until: sale.startsAt, now: now)
        case .live, .soldOut: "Ends in " + duration(until: sale.endsAt, now: now)
        case .ended: "Ended"
        }
    }

    static func duration(until rfc3339: String, now: Date) -> String {
        guard let end = Format.parse(rfc3339) else { return "" }
        let seconds = max(0, Int(end.timeIntervalSince(now)))
        let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60)
        if days > 0 { return "\(days) d \(hours) h" }
        if hours > 0 { return "\(hours) h \(minutes) min" }
        return minutes > 0 ? "\(minutes) min" : "\(seconds) s"
    }
}
