import Foundation
import SQLKit

/// Carts for customers and guests: online edits, offline sync (observed-remove, add-wins) and guest merge.
public struct Carts: Sendable {
    let store: CartStore
    public let feed: CartFeed

    public init(database: Database, feed: CartFeed = CartFeed()) {
        self.store = CartStore(database: database)
        self.feed = feed
    }

    /// The cart with today's prices and stock; an owner without a cart has an empty one at version 0.
    public func cart(_ owner: CartOwner) async throws -> CartView {
        try await store.database.read { sql in try await view(cartId: owner.cartId, version: nil, in: sql) }
    }

    /// Adds to a line. Never refused for stock (a short line gets a warning); capped at 99 with a warning.
    public func add(_ owner: CartOwner, sku: String, quantity: Int, ifMatch: Int? = nil) async throws -> CartView {
        try CartRules.validateQuantity(quantity, range: 1...CartRules.maxQuantity)
        return try await change(owner, ifMatch: ifMatch) { edit in
            try await edit.add(sku: sku, quantity: quantity, requireSellable: true)
        }
    }

    /// Sets a line's quantity; 0 removes it.
    public func set(_ owner: CartOwner, sku: String, quantity: Int, ifMatch: Int? = nil) async throws -> CartView {
        try CartRules.validateQuantity(quantity, range: 0...CartRules.maxQuantity)
        return try await change(owner, ifMatch: ifMatch) { edit in
            let current = try await store.quantity(cartId: edit.cartId, sku: sku, in: edit.sql)
            if quantity > current { try await edit.requireSellable(sku) }
            try await edit.set(sku: sku, from: current, to: quantity)
        }
    }

    /// Removes a line; removing a line that is not there changes nothing.
    public func remove(_ owner: CartOwner, sku: String, ifMatch: Int? = nil) async throws -> CartView {
        try await change(owner, ifMatch: ifMatch) { edit in
            let current = try await store.quantity(cartId: edit.cartId, sku: sku, in: edit.sql)
            try await edit.set(sku: sku, from: current, to: 0)
        }
    }

    /// Applies a device's offline ops in order, each op id once. A removal takes away only the units the device
    /// had seen at `baseVersion` (and what this batch added); what other devices added since survives.
    public func sync(_ owner: CartOwner, deviceId: String, baseVersion: Int, ops: [CartOp]) async throws -> CartView {
        try CartRules.validateSync(deviceId: deviceId, baseVersion: baseVersion, ops: ops)
        return try await change(owner, ifMatch: nil, offline: true) { edit in
            let base = min(baseVersion, edit.version - 1)
            try await store.forgetOps(
                cartId: edit.cartId, before: Database.nowMillis() - Int(CartRules.opMemory / .milliseconds(1)),
                in: edit.sql)
            for op in ops {
                guard try await store.claimOp(cartId: edit.cartId, deviceId: deviceId, opId: op.opId, in: edit.sql)
                else { continue }
                switch op.op {
                case .add:
                    guard try await edit.sellableOrWarn(op.sku) else { continue }
                    try await edit.add(sku: op.sku, quantity: op.quantity ?? 0)
                case .set, .remove:
                    let quantity = op.op == .set ? op.quantity ?? 0 : 0
                    if quantity > 0 { guard try await edit.sellableOrWarn(op.sku) else { continue } }
                    let removed = try await store.removeUnits(
                        cartId: edit.cartId, sku: op.sku, seenAt: base, alsoVersion: edit.version, in: edit.sql)
                    if removed > 0 { edit.changed = true }
                    if quantity > 0 {
                        try await edit.add(sku: op.sku, quantity: quantity)
                    } else {
                        try await store.dropLineIfEmpty(cartId: edit.cartId, sku: op.sku, in: edit.sql)
                    }
                }
            }
        }
    }

    /// Moves a guest's lines into the user's cart (quantities add, capped at 99). The guest cart is emptied in the
    /// same transaction, so a retried login merges nothing twice.
    public func mergeGuest(token: String, into userId: String) async throws {
        let guest = CartOwner.guest(token: token)
        let user = CartOwner.user(userId)
        let changed = try await store.database.transaction { sql -> [CartChanged] in
            guard try await store.lineCount(cartId: guest.cartId, in: sql) > 0 else { return [] }
            _ = try await store.lock(cartId: guest.cartId, ownerKind: guest.kind, in: sql)
            let lines = try await store.takeLines(cartId: guest.cartId, in: sql)
            var events = [try await store.recordChange(cartId: guest.cartId, in: sql)]
            let userVersion = try await store.lock(cartId: user.cartId, ownerKind: user.kind, in: sql)
            var edit = CartEdit(store: store, sql: sql, cartId: user.cartId, version: userVersion + 1, offline: true)
            for line in lines {
                guard try await edit.sellableOrWarn(line.sku) else { continue }
                try await edit.add(sku: line.sku, quantity: line.quantity)
            }
            if edit.changed { events.append(try await store.recordChange(cartId: user.cartId, in: sql)) }
            return events
        }
        for event in changed { feed.publish(event) }
    }

    /// Empties the cart inside the caller's transaction (checkout), if it is still at `version`; else
    /// `CartError.changedDuringCheckout`, so the caller prices the cart again.
    func empty(_ owner: CartOwner, atVersion version: Int, in sql: any SQLDatabase) async throws {
        guard try await store.recordChange(cartId: owner.cartId, from: version, in: sql) != nil else {
            throw CartError.changedDuringCheckout
        }
        // Its row lock, taken by the version move above, keeps the cart as it is until the commit that empties it.
        try await store.clearLines(cartId: owner.cartId, in: sql.atCommit)
    }

    /// Runs one change of a cart in a transaction: lock, check `If-Match`, edit, and if anything changed,
    /// move to the next version and tell every node. Answers the cart as the change left it.
    private func change(
        _ owner: CartOwner,
        ifMatch: Int?,
        offline: Bool = false,
        _ body: (inout CartEdit) async throws -> Void
    ) async throws -> CartView {
        let cartId = owner.cartId
        let (cart, event) = try await store.database.transaction { sql -> (CartView, CartChanged?) in
            let current = try await store.lock(cartId: cartId, ownerKind: owner.kind, in: sql)
            if let ifMatch, ifMatch != current { throw CartError.stale(currentVersion: current) }
            var edit = CartEdit(store: store, sql: sql, cartId: cartId, version: current + 1, offline: offline)
            try await body(&edit)
            let event = edit.changed ? try await store.recordChange(cartId: cartId, locked: current, in: sql) : nil
            var cart = try await view(cartId: cartId, version: event?.version ?? current, in: sql)
            cart.warnings += edit.warnings
            return (cart, event)
        }
        if let event { feed.publish(event) }
        return cart
    }

    /// The cart as `sql` sees it; its version read with its lines when the caller does not know it.
    private func view(cartId: String, version known: Int?, in sql: any SQLDatabase) async throws -> CartView {
        let (rows, stored) = try await store.lines(cartId: cartId, version: known == nil, in: sql)
        let version = known ?? stored ?? 0
        var items: [CartItem] = []
        var warnings: [CartWarning] = []
        for row in rows where row.quantity > 0 {
            let price = Money(amount: row.priceAmount, currency: row.priceCurrency)
            let available = max(0, row.available ?? 0)
            let title = row.variantTitle.isEmpty ? row.title : "\(row.title) (\(row.variantTitle))"
            items.append(
                CartItem(
                    sku: row.sku,
                    productId: row.productId,
                    title: title,
                    quantity: row.quantity,
                    unitPrice: price,
                    lineTotal: Money(amount: price.amount * row.quantity, currency: price.currency),
                    available: available
                )
            )
            if row.deletedAt != nil {
                warnings.append(.unavailable(row.sku, reason: "discontinued"))
            } else if available == 0 {
                warnings.append(.unavailable(row.sku, reason: "sold_out"))
            } else if available < row.quantity {
                var warning = CartWarning(sku: row.sku, code: .lowStock)
                warning.available = available
                warning.requested = row.quantity
                warnings.append(warning)
            }
            let noted = Money(amount: row.notedAmount, currency: row.notedCurrency)
            if noted != price {
                var warning = CartWarning(sku: row.sku, code: .priceChanged)
                warning.previousPrice = noted
                warning.currentPrice = price
                warnings.append(warning)
            }
        }
        let currency = items.first?.unitPrice.currency ?? "USD"
        let subtotal = Money(amount: items.reduce(0) { $0 + $1.lineTotal.amount }, currency: currency)
        return CartView(id: cartId, items: items, subtotal: subtotal, version: version, warnings: warnings)
    }
}

/// One change in progress: the locked cart, the version its new units are tagged with, what it warns about.
struct CartEdit {
    let store: CartStore
    let sql: any SQLDatabase
    let cartId: String
    /// The version this change will commit as.
    let version: Int
    /// Offline edits cannot be refused one by one: a op that cannot apply is skipped with a warning.
    let offline: Bool
    var changed = false
    var warnings: [CartWarning] = []

    func requireSellable(_ sku: String) async throws {
        try Self.requireSellable(sku, try await store.skuState(sku, in: sql))
    }

    /// 404 for an unknown SKU, 409 for a discontinued one.
    private static func requireSellable(_ sku: String, _ state: CartStore.SkuState) throws {
        switch state {
        case .missing: throw CartError.skuNotFound(sku)
        case .discontinued: throw CartError.skuUnavailable(sku)
        case .sellable: break
        }
    }

    /// For offline ops: skip the op and say why.
    mutating func sellableOrWarn(_ sku: String) async throws -> Bool {
        switch try await store.skuState(sku, in: sql) {
        case .missing: warnings.append(.unavailable(sku, reason: "unknown_sku"))
        case .discontinued: warnings.append(.unavailable(sku, reason: "discontinued"))
        case .sellable: return true
        }
        return false
    }

    /// Adds units of a line. With `requireSellable`, the SKU must exist and be on sale (else 404 or 409), which is
    /// asked in the same statement as the cart's lines.
    mutating func add(sku: String, quantity: Int, requireSellable: Bool = false) async throws {
        let lines = try await store.lines(cartId: cartId, having: sku, in: sql)
        if requireSellable { try Self.requireSellable(sku, lines.state) }
        if !lines.has {
            guard lines.count < CartRules.maxLines else {
                guard offline else { throw CartError.cartFull }
                warnings.append(CartWarning(sku: sku, code: .cartFull))
                return
            }
        }
        let added = try await store.noteLineAndAddUnits(
            cartId: cartId, sku: sku, quantity: quantity, version: version, in: sql)
        if added < quantity { warnings.append(.quantityLimited(sku)) }
        changed = true
    }

    mutating func set(sku: String, from current: Int, to quantity: Int) async throws {
        if quantity > current {
            try await add(sku: sku, quantity: quantity - current)
        } else if quantity < current {
            try await store.trimUnits(cartId: cartId, sku: sku, count: current - quantity, in: sql)
            if quantity == 0 {
                try await store.dropLineIfEmpty(cartId: cartId, sku: sku, in: sql)
            } else {
                try await store.noteLine(cartId: cartId, sku: sku, in: sql)
            }
            changed = true
        } else if quantity > 0 {
            // Setting the same quantity acknowledges today's price.
            if try await store.noteLine(cartId: cartId, sku: sku, in: sql) { changed = true }
        }
    }
}

extension CartRules {
    static func validateQuantity(_ quantity: Int, range: ClosedRange<Int>) throws {
        var validator = Validator()
        validator.check(range.contains(quantity), "quantity", "must be \(range.lowerBound) to \(range.upperBound)")
        try validator.throwIfInvalid()
    }
}
