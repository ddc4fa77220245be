import Foundation
import SQLKit

/// A store's order history for benchmarks: `count` orders of the catalog's variants spread over the last `days`
/// days, with the statuses an older order has reached (delivered, shipped, confirmed; one in ten cancelled) and
/// their timelines. They have no payments or stock movements, so `emporium audit` reports them: seed a store for
/// measuring, not one that sells.
public struct OrderSeeder: Sendable {
    let node: StoreNode

    public init(node: StoreNode) {
        self.node = node
    }

    struct SeedVariant: Sendable {
        let sku: String
        let productId: String
        let title: String
        let price: Int
        let currency: String
    }

    public func seed(
        count: Int, days: Int = 60, seed: UInt64 = 1, now: Int = Database.nowMillis(),
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let variants = try await node.database.read { try await node.catalog.store.seedVariants(limit: 500, in: $0) }
        guard !variants.isEmpty else {
            throw ConfigurationError("the store has no products; seed a catalog first (--demo or --synthetic N)")
        }
        let batch = 500
        var written = 0
        while written < count {
            let size = min(batch, count - written)
            let orders = (written..<written + size).map { index in
                var random = SeedRandom(seed: seed, index: index)
                return Self.order(index: index, variants: variants, days: days, now: now, random: &random)
            }
            try await node.database.transaction { sql in try await OrderStore.insertSeeded(orders, in: sql) }
            written += size
            progress(written)
        }
        try await gatherStatistics()
    }

    /// A bulk load leaves the planner without statistics (PostgreSQL's autovacuum gathers them later, and sets the
    /// visibility map that index-only scans need; SQLite never does): gather them now, so a benchmark meets the
    /// plans of a store that has lived a while.
    func gatherStatistics() async throws {
        switch node.database.engine {
        case .sqlite: try await node.database.transaction { sql in try await sql.raw("ANALYZE").run() }
        case .postgres:
            try await node.database.read { sql in
                for table in ["orders", "order_items", "order_history", "stock", "products", "variants"] {
                    try await sql.raw("VACUUM ANALYZE \(unsafeRaw: table)").run()
                }
            }
        }
    }

    struct SeededOrder: Sendable {
        let row: OrderStore.Row
        let items: [OrderItem]
        let history: [(status: OrderStatus, at: Int)]
    }

    static func order(index: Int, variants: [SeedVariant], days: Int, now: Int, random: inout SeedRandom)
        -> SeededOrder
    {
        let minute = 60_000
        let createdAt = now - Int(random.unit() * Double(days * Orders.dayMillis))
        let lines = 1 + Int(random.next() % 3)
        var items: [OrderItem] = []
        for position in 0..<lines {
            let variant = variants[(Int(random.next() % UInt64(variants.count)) + position) % variants.count]
            guard !items.contains(where: { $0.sku == variant.sku }) else { continue }
            let quantity = 1 + Int(random.next() % 2)
            let unit = Money(amount: variant.price, currency: variant.currency)
            items.append(
                OrderItem(
                    sku: variant.sku, productId: variant.productId, title: variant.title, quantity: quantity,
                    unitPrice: unit, lineTotal: Money(amount: variant.price * quantity, currency: variant.currency)))
        }
        let age = now - createdAt
        var history: [(OrderStatus, Int)] = [(.pendingPayment, createdAt), (.confirmed, createdAt + minute)]
        if random.unit() < 0.1 {
            history.append((.cancelled, createdAt + 30 * minute))
        } else {
            if age > 2 * Orders.dayMillis { history.append((.shipped, createdAt + Orders.dayMillis)) }
            if age > 5 * Orders.dayMillis { history.append((.delivered, createdAt + 4 * Orders.dayMillis)) }
        }
        history = history.filter { $0.1 <= now }
        let status = history.last?.0 ?? .pendingPayment
        let subtotal = items.reduce(0) { $0 + $1.lineTotal.amount }
        let shipping = OrderRules.shipping(for: subtotal)
        let shipped = history.contains { $0.0 == .shipped }
        let address =
            #"{"name":"Seeded Customer","line1":"1 Bench Street","city":"Springfield","#
            + #""postalCode":"12345","country":"US"}"#
        let row = OrderStore.Row(
            id: Identifier.make("ord", now: createdAt), userId: "usr_seed\(index % 1000)", status: status.rawValue,
            currency: items[0].unitPrice.currency, subtotalAmount: subtotal, shippingAmount: shipping,
            totalAmount: subtotal + shipping, shippingAddress: address, reservationExpiresAt: createdAt + 15 * minute,
            paymentLock: nil, carrier: shipped ? "UPS" : nil, trackingNumber: shipped ? "1Z\(100_000 + index)" : nil,
            createdAt: createdAt)
        return SeededOrder(row: row, items: items, history: history)
    }
}

extension CatalogStore {
    /// Up to `limit` variants of live products, for seeded orders.
    func seedVariants(limit: Int, in sql: any SQLDatabase) async throws -> [OrderSeeder.SeedVariant] {
        try await sql.raw(
            """
            SELECT v.sku, v.product_id, p.title, v.price_amount, v.price_currency FROM variants v
            JOIN products p ON p.id = v.product_id WHERE p.deleted_at IS NULL ORDER BY v.sku LIMIT \(bind: limit)
            """
        ).all().map { row in
            OrderSeeder.SeedVariant(
                sku: try row.decode(column: "sku", as: String.self),
                productId: try row.decode(column: "product_id", as: String.self),
                title: try row.decode(column: "title", as: String.self),
                price: try row.decode(column: "price_amount", as: Int.self),
                currency: try row.decode(column: "price_currency", as: String.self))
        }
    }
}

extension OrderStore {
    /// Seeded orders with their items and whole timelines: three statements a batch.
    static func insertSeeded(_ orders: [OrderSeeder.SeededOrder], in sql: any SQLDatabase) async throws {
        guard !orders.isEmpty else { return }
        let rows = orders.map { order -> SQLQueryString in
            let row = order.row
            let updatedAt = order.history.last?.at ?? row.createdAt
            return """
                (\(bind: row.id), \(bind: row.userId), \(bind: row.status), \(bind: row.currency),
                \(bind: row.subtotalAmount), \(bind: row.shippingAmount), \(bind: row.totalAmount),
                \(bind: row.shippingAddress), \(bind: row.reservationExpiresAt), \(bind: row.carrier),
                \(bind: row.trackingNumber), \(bind: row.createdAt), \(bind: updatedAt))
                """
        }
        try await sql.raw(
            """
            INSERT INTO orders (id, user_id, status, currency, subtotal_amount, shipping_amount, total_amount,
                shipping_address, reservation_expires_at, carrier, tracking_number, created_at, updated_at)
            VALUES \(rows.joined(separator: ", "))
            """
        ).run()
        let items = orders.flatMap { order in
            order.items.enumerated().map { position, item -> SQLQueryString in
                """
                (\(bind: order.row.id), \(bind: position), \(bind: item.sku), \(bind: item.productId),
                \(bind: item.title), \(bind: item.quantity), \(bind: item.unitPrice.amount))
                """
            }
        }
        try await sql.raw(
            """
            INSERT INTO order_items (order_id, position, sku, product_id, title, quantity, unit_amount)
            VALUES \(items.joined(separator: ", "))
            """
        ).run()
        let history = orders.flatMap { order in
            order.history.enumerated().map { seq, change -> SQLQueryString in
                "(\(bind: order.row.id), \(bind: seq + 1), \(bind: change.status.rawValue), NULL, \(bind: change.at))"
            }
        }
        try await sql.raw(
            "INSERT INTO order_history (order_id, seq, status, note, at) VALUES \(history.joined(separator: ", "))"
        ).run()
    }
}
