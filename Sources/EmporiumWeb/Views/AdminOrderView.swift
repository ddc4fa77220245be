import Emporium
import Foundation

/// Orders as the merchant reads them: a row of the list, and the order's page with what can be done to it next.
enum AdminOrderView {
    static func row(_ order: OrderSummary) -> [String: Any] {
        [
            "id": order.id, "url": "/admin/orders/" + order.id.queryEncoded, "status": order.status.rawValue,
            "statusLabel": Format.status(order.status), "placed": Format.date(order.createdAt),
            "total": Format.money(order.total), "customer": order.customerName,
        ]
    }

    static func page(_ order: Order) -> [String: Any] {
        var context = OrderView(order: order).context
        context["url"] = "/admin/orders/" + order.id.queryEncoded
        context["canShip"] = order.status.canMove(to: .shipped)
        context["canDeliver"] = order.status.canMove(to: .delivered)
        context["canCancel"] = order.status.canMove(to: .cancelled)
        context["cancelLabel"] = order.status == .confirmed ? "Cancel and refund" : "Cancel order"
        return context
    }

    /// The status filter's options, `current` selected.
    static func filters(_ current: OrderStatus?) -> [[String: Any]] {
        [["value": "", "label": "All", "selected": current == nil]]
            + OrderStatus.allCases.map { status in
                ["value": status.rawValue, "label": Format.status(status), "selected": status == current]
            }
    }
}
