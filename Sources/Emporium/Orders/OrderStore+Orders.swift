import Foundation
import SQLKit

/// Full orders, as the API shows them: the order row with its items, status history and payment.
extension OrderStore {
    /// Full orders for rows: items, history and payment in three queries, whatever the number of rows; `known`,
    /// when the caller knows each order's payment (a capture), spares the third.
    func orders(_ rows: [Row], payments known: [String: PaymentSummary]? = nil, in sql: any SQLDatabase) async throws
        -> [Order]
    {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id)
        var items: [String: [OrderItem]] = [:]
        for item in try await sql.raw(
            "SELECT order_id, sku, product_id, title, quantity, unit_amount FROM order_items WHERE order_id IN (\(binds: ids)) ORDER BY order_id, position"
        ).all() {
            let orderId = try item.decode(column: "order_id", as: String.self)
            let currency = rows.first { $0.id == orderId }?.currency ?? "USD"
            let quantity = try item.decode(column: "quantity", as: Int.self)
            let unit = try item.decode(column: "unit_amount", as: Int.self)
            items[orderId, default: []].append(
                OrderItem(
                    sku: try item.decode(column: "sku", as: String.self),
                    productId: try item.decode(column: "product_id", as: String.self),
                    title: try item.decode(column: "title", as: String.self),
                    quantity: quantity,
                    unitPrice: Money(amount: unit, currency: currency),
                    lineTotal: Money(amount: unit * quantity, currency: currency)
                )
            )
        }
        var history: [String: [StatusChange]] = [:]
        for change in try await sql.raw(
            "SELECT order_id, status, note, at FROM order_history WHERE order_id IN (\(binds: ids)) ORDER BY order_id, seq"
        ).all() {
            history[try change.decode(column: "order_id", as: String.self), default: []].append(
                StatusChange(
                    status: OrderStatus(rawValue: try change.decode(column: "status", as: String.self)) ?? .cancelled,
                    at: Timestamp.rfc3339(try change.decode(column: "at", as: Int.self)),
                    note: try change.decode(column: "note", as: String?.self)
                )
            )
        }
        let payments: [String: PaymentSummary]
        if let known {
            payments = known
        } else {
            payments = try await PaymentStore(database: database).summaries(orderIds: ids, in: sql)
        }
        return try rows.map { row in
            try Self.order(row, items: items[row.id] ?? [], history: history[row.id] ?? [], payment: payments[row.id])
        }
    }

    /// A new order as `insertNew` writes it, without reading it back: its items, one history entry, no payment.
    static func newOrder(_ row: Row, items: [OrderItem]) throws -> Order {
        let created = StatusChange(status: .pendingPayment, at: Timestamp.rfc3339(row.createdAt), note: nil)
        return try order(row, items: items, history: [created], payment: nil)
    }

    private static func order(_ row: Row, items: [OrderItem], history: [StatusChange], payment: PaymentSummary?)
        throws -> Order
    {
        Order(
            id: row.id,
            status: row.orderStatus,
            items: items,
            subtotal: Money(amount: row.subtotalAmount, currency: row.currency),
            shipping: Money(amount: row.shippingAmount, currency: row.currency),
            total: Money(amount: row.totalAmount, currency: row.currency),
            shippingAddress: try JSONDecoder().decode(ShippingAddress?.self, from: Data(row.shippingAddress.utf8)),
            reservationExpiresAt: Timestamp.rfc3339(row.reservationExpiresAt),
            payment: payment,
            shipment: row.carrier.map { Shipment(carrier: $0, trackingNumber: row.trackingNumber ?? "") },
            statusHistory: history,
            createdAt: Timestamp.rfc3339(row.createdAt)
        )
    }
}
