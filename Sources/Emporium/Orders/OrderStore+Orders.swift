import Foundation
import SQLKit

/// Full orders, as the API shows them: the order row with its items, status history and payment.
extension OrderStore {
    /// Full orders for rows: items and history in one query, payments in another, whatever the number of rows;
    /// `known`, when the caller knows each order's payment (a capture), spares the second. `then` is history the
    /// caller writes after this read, in the same transaction (a capture's, held for its commit).
    func orders(
        _ rows: [Row], payments known: [String: PaymentSummary]? = nil, then later: [String: StatusChange] = [:],
        in sql: any SQLDatabase
    ) async throws -> [Order] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id)
        var items: [String: [OrderItem]] = [:]
        var history: [String: [StatusChange]] = [:]
        // Items and history in one statement (on PostgreSQL a round trip less): a row is one or the other.
        for row in try await sql.raw(
            """
            SELECT 'i' AS kind, order_id, position AS ordinal, sku, product_id, title, quantity, unit_amount,
                CAST(NULL AS TEXT) AS status, CAST(NULL AS TEXT) AS note, CAST(NULL AS BIGINT) AS at
            FROM order_items WHERE order_id IN (\(binds: ids))
            UNION ALL
            SELECT 'h', order_id, seq, NULL, NULL, NULL, NULL, NULL, status, note, at
            FROM order_history WHERE order_id IN (\(binds: ids))
            ORDER BY 2, 1 DESC, 3
            """
        ).all() {
            let orderId = try row.decode(column: "order_id", as: String.self)
            guard try row.decode(column: "kind", as: String.self) == "i" else {
                history[orderId, default: []].append(
                    StatusChange(
                        status: OrderStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .cancelled,
                        at: Timestamp.rfc3339(try row.decode(column: "at", as: Int.self)),
                        note: try row.decode(column: "note", as: String?.self)
                    )
                )
                continue
            }
            let currency = rows.first { $0.id == orderId }?.currency ?? "USD"
            let quantity = try row.decode(column: "quantity", as: Int.self)
            let unit = try row.decode(column: "unit_amount", as: Int.self)
            items[orderId, default: []].append(
                OrderItem(
                    sku: try row.decode(column: "sku", as: String.self),
                    productId: try row.decode(column: "product_id", as: String.self),
                    title: try row.decode(column: "title", as: String.self),
                    quantity: quantity,
                    unitPrice: Money(amount: unit, currency: currency),
                    lineTotal: Money(amount: unit * quantity, currency: currency)
                )
            )
        }
        let payments: [String: PaymentSummary]
        if let known {
            payments = known
        } else {
            payments = try await PaymentStore(database: database).summaries(orderIds: ids, in: sql)
        }
        for (orderId, change) in later { history[orderId, default: []].append(change) }
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
