import Foundation
import SQLKit

/// Who pays a cancelled paid order's money back (Payments): writes the refund inside the cancel's transaction.
protocol OrderRefunds: Sendable {
    func issueRefund(orderId: String, in sql: any SQLDatabase) async throws
}

/// Checkout and the order lifecycle: reservation at checkout, expiry, cancel, ship, deliver.
public struct Orders: Sendable {
    let store: OrderStore
    let carts: Carts
    let inventory: Inventory
    public let reservations: StockReservations
    let refunds: any OrderRefunds
    let reservationLifetime: Duration

    /// Turns the customer's cart into a `pending_payment` order holding its stock, and empties the cart, in one
    /// transaction. Every line is reserved or none (409 `insufficient_stock` lists each short SKU).
    public func checkout(userId: String, address: ShippingAddress) async throws -> Order {
        var validator = Validator()
        address.validate(into: &validator)
        try validator.throwIfInvalid()
        let addressJSON = String(decoding: try JSONEncoder().encode(address), as: UTF8.self)
        let owner = CartOwner.user(userId)
        // The batch that reserves runs on another request's task: the answer's record goes along by hand.
        let recording = IdempotentResponse.current
        for _ in 0..<5 {
            let cart = try await carts.cart(owner)
            guard !cart.items.isEmpty else { throw OrderError.cartEmpty }
            let discontinued = cart.warnings.filter { $0.code == .unavailable && $0.reason == "discontinued" }.map(
                \.sku)
            if !discontinued.isEmpty {
                throw ReservationError.insufficientStock(
                    cart.items.filter { discontinued.contains($0.sku) }.map {
                        Shortfall(sku: $0.sku, requested: $0.quantity, available: 0)
                    }
                )
            }
            let lines = cart.items.map { StockRequest(sku: $0.sku, quantity: $0.quantity) }.sorted { $0.sku < $1.sku }
            let subtotal = cart.items.reduce(0) { $0 + $1.lineTotal.amount }
            let shipping = OrderRules.shipping(for: subtotal)
            let now = Database.nowMillis()
            let row = OrderStore.Row(
                id: Identifier.make("ord", now: now),
                userId: userId,
                status: OrderStatus.pendingPayment.rawValue,
                currency: cart.subtotal.currency,
                subtotalAmount: subtotal,
                shippingAmount: shipping,
                totalAmount: subtotal + shipping,
                shippingAddress: addressJSON,
                reservationExpiresAt: now + Int(reservationLifetime / .milliseconds(1)),
                paymentLock: nil,
                carrier: nil,
                trackingNumber: nil,
                createdAt: now
            )
            let items = cart.items.map {
                OrderItem(
                    sku: $0.sku, productId: $0.productId, title: $0.title, quantity: $0.quantity,
                    unitPrice: $0.unitPrice, lineTotal: $0.lineTotal)
            }
            // Built from what is about to be written, not read back: three statements fewer per checkout. Its
            // answer is made here, off the SQLite writer's thread.
            let order = try OrderStore.newOrder(row, items: items)
            let answer = await recording?.prepare(order)
            do {
                return try await reservations.reserve(lines) { [store, carts, inventory] sql in
                    recording?.forget()
                    // The cart must be the one priced above; a change meanwhile means pricing it again.
                    try await carts.empty(owner, atVersion: cart.version, in: sql)
                    // Nothing in this transaction reads the new order back: on PostgreSQL its rows go at the commit,
                    // with the events, in one statement.
                    try await store.insert(row, items: items, in: sql.atCommit)
                    try await inventory.hold(lines.map { (row.id, $0, row.reservationExpiresAt) }, in: sql.atCommit)
                    try await Outbox.append(
                        "order.created", aggregateId: row.id, payload: Self.event(row, status: .pendingPayment), in: sql
                    )
                    if let recording, let answer { try await recording.record(answer, in: sql) }
                    return order
                }
            } catch CartError.changedDuringCheckout {
                continue
            }
        }
        throw CartError.changedDuringCheckout
    }

    /// The order, if it is this user's (else 404: another customer's order is not revealed); any order for nil.
    /// Whether the customer has a confirmed, shipped or delivered order with the product (a verified purchase).
    func hasBought(userId: String, productId: String, in sql: any SQLDatabase) async throws -> Bool {
        try await store.hasBought(userId: userId, productId: productId, in: sql)
    }

    public func order(id: String, userId: String?) async throws -> Order {
        try await store.database.read { sql in
            guard let row = try await store.row(id: id, in: sql), userId == nil || row.userId == userId else {
                throw OrderError.notFound
            }
            return try await store.orders([row], in: sql)[0]
        }
    }

    public func status(id: String, userId: String) async throws -> OrderStatus {
        try await store.database.read { sql in
            guard let row = try await store.row(id: id, in: sql), row.userId == userId else {
                throw OrderError.notFound
            }
            return row.orderStatus
        }
    }

    /// A page of orders, newest first; the cursor is the last order id of the previous page.
    public func list(userId: String?, status: OrderStatus? = nil, limit: Int, cursor: String?) async throws -> (
        orders: [Order], next: String?
    ) {
        try await store.database.read { sql in
            let rows = try await store.list(userId: userId, status: status, limit: limit + 1, before: cursor, in: sql)
            let page = Array(rows.prefix(limit))
            return (try await store.orders(page, in: sql), rows.count > limit ? page.last?.id : nil)
        }
    }

    /// Who cancels an order: its customer (only their own), or the merchant (any).
    public enum Canceller: Sendable {
        case customer(userId: String)
        case merchant

        func may(cancel row: OrderStore.Row) -> Bool {
            switch self {
            case .customer(let userId): row.userId == userId
            case .merchant: true
            }
        }

        var note: String {
            switch self {
            case .customer: "cancelled by customer"
            case .merchant: "cancelled by merchant"
            }
        }
    }

    /// Cancels an order: an unpaid one returns its stock; a paid one is refunded (the refund row is written here and
    /// settled with the provider after commit) and its units go back on hand.
    public func cancel(id: String, by canceller: Canceller) async throws -> Order {
        try await store.database.transaction { sql in
            guard let row = try await store.row(id: id, in: sql), canceller.may(cancel: row) else {
                throw OrderError.notFound
            }
            switch row.orderStatus {
            case .pendingPayment:
                guard try await cancelUnpaid(row, note: canceller.note, in: sql) else {
                    throw PaymentError.inProgress
                }
            case .confirmed:
                guard
                    try await store.transition(
                        id: id, from: [.confirmed], to: .cancelled, note: "refund issued", in: sql) != nil
                else {
                    throw OrderError.invalidTransition(from: row.orderStatus, to: .cancelled)
                }
                try await refunds.issueRefund(orderId: id, in: sql)
                let items = try await store.orders([row], in: sql)[0].items
                try await inventory.restock(items.map { StockRequest(sku: $0.sku, quantity: $0.quantity) }, in: sql)
                var event = Self.event(row, status: .cancelled)
                event.note = "refund issued"
                try await Outbox.append("order.cancelled", aggregateId: id, payload: event, in: sql)
            default:
                throw OrderError.invalidTransition(from: row.orderStatus, to: .cancelled)
            }
            return try await store.order(id: id, in: sql)!
        }
    }

    /// The system's cancel of an unpaid order whose reservation ran out; false if it was paid or cancelled meanwhile.
    @discardableResult
    public func expire(id: String) async throws -> Bool {
        try await store.database.transaction { sql in
            guard let row = try await store.row(id: id, in: sql), row.orderStatus == .pendingPayment,
                row.paymentLock == nil
            else { return false }
            return try await cancelUnpaid(row, note: "payment_timeout", in: sql)
        }
    }

    /// Cancels several unpaid orders whose reservation ran out, in one transaction, taking them in id order; the
    /// ids it cancelled. On PostgreSQL one node sweeps at a time (a transaction-scoped advisory lock): nodes
    /// sweeping the same orders would only wait on each other's row locks, and on a flash sale's row.
    public func expire(ids: [String]) async throws -> [String] {
        try await store.database.transaction { sql in
            guard try await sql.tryAcquire(.expiry) else { return [] }
            var expired: [String] = []
            for id in ids.sorted() {
                guard let row = try await store.row(id: id, in: sql), row.orderStatus == .pendingPayment,
                    row.paymentLock == nil,
                    row.reservationExpiresAt <= Database.nowMillis()
                else { continue }
                if try await cancelUnpaid(row, note: "payment_timeout", in: sql) { expired.append(id) }
            }
            return expired
        }
    }

    private func cancelUnpaid(_ row: OrderStore.Row, note: String, in sql: any SQLDatabase) async throws -> Bool {
        // The lock check is in the UPDATE: a payment that claimed the order first wins.
        guard
            try await store.transition(
                id: row.id, from: [.pendingPayment], to: .cancelled, note: note, unpaying: true, in: sql) != nil
        else {
            return false
        }
        try await inventory.release(orderId: row.id, in: sql)
        var event = Self.event(row, status: .cancelled)
        event.note = note
        try await Outbox.append("order.cancelled", aggregateId: row.id, payload: event, in: sql)
        return true
    }

    public func ship(id: String, carrier: String, trackingNumber: String) async throws -> Order {
        var validator = Validator()
        validator.check(
            (1...100).contains(carrier.trimmingCharacters(in: .whitespaces).count), "carrier",
            "must be 1 to 100 characters")
        validator.check(
            (1...100).contains(trackingNumber.trimmingCharacters(in: .whitespaces).count), "trackingNumber",
            "must be 1 to 100 characters")
        try validator.throwIfInvalid()
        return try await move(id: id, from: .confirmed, to: .shipped) { sql in
            try await store.setShipment(id: id, carrier: carrier, trackingNumber: trackingNumber, in: sql)
        }
    }

    public func deliver(id: String) async throws -> Order {
        try await move(id: id, from: .shipped, to: .delivered) { _ in }
    }

    private func move(
        id: String,
        from: OrderStatus,
        to: OrderStatus,
        also: @Sendable (any SQLDatabase) async throws -> Void
    ) async throws -> Order {
        try await store.database.transaction { sql in
            guard let current = try await store.row(id: id, in: sql) else { throw OrderError.notFound }
            guard let row = try await store.transition(id: id, from: [from], to: to, note: nil, in: sql) else {
                throw OrderError.invalidTransition(from: current.orderStatus, to: to)
            }
            try await also(sql)
            try await Outbox.append(
                "order.\(to.rawValue)", aggregateId: id, payload: Self.event(row, status: to), in: sql)
            return try await store.order(id: id, in: sql)!
        }
    }

    /// Unpaid orders whose reservation has run out, oldest first.
    /// How many orders are in each status, every status present (0 for none).
    func countsByStatus() async throws -> [OrderStatus: Int] {
        let counts = try await store.database.read { try await store.countsByStatus(in: $0) }
        return Dictionary(uniqueKeysWithValues: OrderStatus.allCases.map { ($0, counts[$0.rawValue] ?? 0) })
    }

    func expiredOrderIds(limit: Int) async throws -> [String] {
        try await store.database.read { try await store.expiredIds(now: Database.nowMillis(), limit: limit, in: $0) }
    }

    static func event(_ row: OrderStore.Row, status: OrderStatus) -> OrderEvent {
        OrderEvent(
            orderId: row.id, userId: row.userId, status: status,
            total: Money(amount: row.totalAmount, currency: row.currency))
    }
}
