import Foundation

/// An order as a list shows it: no items, history or payment, so a page of them is one query.
public struct OrderSummary: Sendable, Equatable {
    public let id: String
    public let status: OrderStatus
    public let total: Money
    public let createdAt: String
    /// The name on the shipping address.
    public let customerName: String
}

extension Orders {
    /// Every customer's orders, newest first, optionally of one status (the admin's lists); the cursor is the last
    /// order id of the previous page.
    public func summaries(status: OrderStatus?, limit: Int, cursor: String?) async throws -> (
        orders: [OrderSummary], next: String?
    ) {
        let rows = try await store.database.read { sql in
            try await store.list(userId: nil, status: status, limit: limit + 1, before: cursor, in: sql)
        }
        let page = Array(rows.prefix(limit))
        let orders = page.map { row in
            let address = try? JSONDecoder().decode(ShippingAddress.self, from: Data(row.shippingAddress.utf8))
            return OrderSummary(
                id: row.id, status: row.orderStatus, total: Money(amount: row.totalAmount, currency: row.currency),
                createdAt: Timestamp.rfc3339(row.createdAt), customerName: address?.name ?? "")
        }
        return (orders, rows.count > limit ? page.last?.id : nil)
    }
}
