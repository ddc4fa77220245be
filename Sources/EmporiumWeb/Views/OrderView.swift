import Emporium
import Foundation

/// An order as the customer reads it: status, timeline, items, totals, address and shipment.
struct OrderView {
    let order: Order

    var context: [String: Any] {
        var context: [String: Any] = [
            "id": order.id, "url": "/orders/" + order.id.queryEncoded,
            "status": order.status.rawValue, "statusLabel": Format.status(order.status),
            "placed": Format.date(order.createdAt),
            "items": order.items.map { item in
                [
                    "sku": item.sku, "title": item.title, "quantity": item.quantity,
                    "unitPrice": Format.money(item.unitPrice), "lineTotal": Format.money(item.lineTotal),
                ] as [String: Any]
            },
            "units": Format.count(order.items.reduce(0) { $0 + $1.quantity }, "item"),
            "subtotal": Format.money(order.subtotal),
            "shipping": order.shipping.amount == 0 ? "Free" : Format.money(order.shipping),
            "total": Format.money(order.total),
            "timeline": order.statusHistory.map { change in
                var entry: [String: Any] = [
                    "status": change.status.rawValue, "label": Format.status(change.status),
                    "date": Format.date(change.at),
                ]
                entry["note"] = Self.note(change.note)
                return entry
            },
            "awaitingPayment": order.status == .pendingPayment,
            "canCancel": order.status.canMove(to: .cancelled),
            "payUrl": "/orders/" + order.id.queryEncoded + "/pay",
        ]
        if let address = order.shippingAddress {
            var lines: [String: Any] = [
                "name": address.name, "line1": address.line1, "city": address.city, "postalCode": address.postalCode,
                "country": address.country,
            ]
            // An empty string opens a Mustache section: a missing line is left out.
            lines["line2"] = address.line2?.nilIfEmpty
            context["address"] = lines
        }
        if let shipment = order.shipment {
            context["shipment"] = ["carrier": shipment.carrier, "trackingNumber": shipment.trackingNumber]
        }
        if let payment = order.payment {
            context["payment"] = "\(payment.brand.capitalized) ending in \(payment.last4)"
        }
        return context
    }

    /// Minutes left on the order's reservation, as the pay page says it.
    static func timeLeft(until rfc3339: String, now: Date = Date()) -> String {
        guard let end = Format.parse(rfc3339) else { return "" }
        let seconds = Int(end.timeIntervalSince(now))
        guard seconds > 0 else { return "The reservation has run out." }
        let minutes = seconds / 60
        return minutes == 0
            ? "Less than a minute left to pay."
            : "\(Format.count(minutes, "minute")) left to pay before the items go back on sale."
    }

    static func note(_ note: String?) -> String? {
        switch note {
        case nil: nil
        case "payment_timeout": "Not paid in time"
        case let note?: note.replacingOccurrences(of: "_", with: " ").capitalized
        }
    }
}
