import Foundation
import SQLKit
import Synchronization

/// One purchase attempt: who buys how many units of which sale, under which Idempotency-Key.
public struct PurchaseRequest: Sendable {
    public let saleId: String
    public let userId: String
    public let quantity: Int
    public let shippingAddress: ShippingAddress?
    public let idempotencyKey: String

    public init(
        saleId: String, userId: String, quantity: Int, shippingAddress: ShippingAddress? = nil, idempotencyKey: String
    ) {
        self.saleId = saleId
        self.userId = userId
        self.quantity = quantity
        self.shippingAddress = shippingAddress
        self.idempotencyKey = idempotencyKey
    }
}

/// What one node lets through to the database: a token bucket per user and a bounded queue per sale.
final class FlashSaleAdmission: Sendable {
    let options: FlashSaleOptions
    private let buckets: TokenBuckets?
    private let queues = Mutex<[String: AdmissionQueue]>([:])

    init(options: FlashSaleOptions) {
        self.options = options
        self.buckets =
            options.userRate > 0 ? TokenBuckets(rate: options.userRate, burst: max(1, options.userBurst)) : nil
    }

    func takeToken(userId: String) throws {
        if let wait = buckets?.take(userId) {
            throw FlashSaleError.rateLimited(retryAfterSeconds: max(1, Int((wait / .seconds(1)).rounded(.up))))
        }
    }

    func queue(for saleId: String) -> AdmissionQueue {
        queues.withLock { queues in
            if let queue = queues[saleId] { return queue }
            let queue = AdmissionQueue(maxInFlight: options.maxInFlight, depth: options.queueDepth)
            queues[saleId] = queue
            return queue
        }
    }
}

extension FlashSales {
    /// A won purchase: the buyer and the units they now hold in the sale (for the batch's event).
    private struct Won: Sendable {
        let userId: String
        let units: Int
    }

    /// Buys units of a live sale: a `pending_payment` order holding them for `reservationLifetime`, paid through
    /// `POST /orders/{id}/pay`. Refusals that memory can decide (sold out, not live, over the limit, too fast, queue
    /// full) never reach the database and store nothing. The same key and body return the same order
    /// (`replayed`), also after the sale sold out; another body with the key is `keyReused`.
    public func purchase(_ request: PurchaseRequest) async throws -> (order: Order, replayed: Bool) {
        var validator = Validator()
        let most = FlashSaleRules.maxQuantityPerPurchase
        validator.check((1...most).contains(request.quantity), "quantity", "must be 1 to \(most)")
        request.shippingAddress?.validate(into: &validator)
        try validator.throwIfInvalid()
        guard let (sale, units) = try await cache.lookup(request.saleId, userId: request.userId) else {
            throw FlashSaleError.notFound
        }
        // Only someone who won before can be retrying; everyone else is answered from memory.
        if units == nil { try Self.refuseFromMemory(sale, quantity: request.quantity) }
        do {
            try admission.takeToken(userId: request.userId)
        } catch {
            FlashSaleOutcome.rateLimited.count()
            throw error
        }
        let key = purchaseKey(request)
        let overLimit = (units ?? 0) + request.quantity > sale.perCustomerLimit
        if units != nil, overLimit || !Self.canSell(sale, quantity: request.quantity) {
            // A winner whom memory would refuse may be retrying: their key decides. (One who may still buy goes to
            // the purchase, where a repeated key is caught by its unique record.)
            if let replay = try await replay(key) { return replay }
            try Self.refuseFromMemory(sale, quantity: request.quantity)
        }
        if overLimit {
            FlashSaleOutcome.limitExceeded.count()
            throw FlashSaleError.limitExceeded(limit: sale.perCustomerLimit)
        }
        do {
            let order = try await admission.queue(for: sale.id).run {
                do {
                    return try await settle(request, sale: sale, key: key)
                } catch let refused as UnitsRefused {
                    // Refusals are per request: the transaction (or the batch) that saw this row committed or made
                    // no change, so the row is the truth at its version.
                    cache.refresh(refused.sale)
                    throw refused.reason
                }
            }
            FlashSaleOutcome.admitted.count()
            return (order, false)
        } catch let error as FlashSaleError {
            // A request with the same key may have won meanwhile (a concurrent duplicate): its order is the answer.
            if error.mayHideAWinner, let replay = try await replay(key) { return replay }
            switch error {
            case .soldOut: FlashSaleOutcome.soldOut.count()
            case .notLive: FlashSaleOutcome.notLive.count()
            case .limitExceeded: FlashSaleOutcome.limitExceeded.count()
            case .overloaded: FlashSaleOutcome.overloaded.count()
            default: break
            }
            throw error
        }
    }

    private static func canSell(_ sale: FlashSaleStore.Row, quantity: Int) -> Bool {
        sale.status(at: Database.nowMillis()) == .live && sale.remaining >= quantity
    }

    private static func refuseFromMemory(_ sale: FlashSaleStore.Row, quantity: Int) throws {
        switch sale.status(at: Database.nowMillis()) {
        case .live where sale.remaining >= quantity: return
        case .live, .soldOut:
            FlashSaleOutcome.soldOut.count()
            throw FlashSaleError.soldOut(remaining: sale.remaining)
        case let status:
            FlashSaleOutcome.notLive.count()
            throw FlashSaleError.notLive(status)
        }
    }

    private func purchaseKey(_ request: PurchaseRequest) -> PurchaseKey {
        let address = Self.json(request.shippingAddress)
        return PurchaseKey(
            saleId: request.saleId,
            userId: request.userId,
            keyHash: sha256Hex(request.idempotencyKey),
            requestHash: idempotency.fingerprint(
                "POST flash-sales/\(request.saleId)/purchase\n\(request.quantity)\n\(address)")
        )
    }

    /// The address as stored with the order (and fingerprinted): sorted keys, `null` when there is none.
    private static func json(_ address: ShippingAddress?) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return address.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// The order an earlier request with this key won, as it is now.
    private func replay(_ key: PurchaseKey) async throws -> (order: Order, replayed: Bool)? {
        guard let orderId = try await database.read({ try await store.recordedOrder(key, in: $0) }) else {
            return nil
        }
        return (try await orders.order(id: orderId, userId: key.userId), true)
    }

    /// Takes the units, counts them against the buyer's limit, records the key and writes the order, in one
    /// transaction (or one savepoint of a batch): all of it or none.
    private func settle(_ request: PurchaseRequest, sale: FlashSaleStore.Row, key: PurchaseKey) async throws -> Order {
        let now = Database.nowMillis()
        let subtotal = sale.saleAmount * request.quantity
        let shipping = OrderRules.shipping(for: subtotal)
        let address = Self.json(request.shippingAddress)
        let row = OrderStore.Row(
            id: Identifier.make("ord", now: now),
            userId: request.userId,
            status: OrderStatus.pendingPayment.rawValue,
            currency: sale.currency,
            subtotalAmount: subtotal,
            shippingAmount: shipping,
            totalAmount: subtotal + shipping,
            shippingAddress: address,
            reservationExpiresAt: now + Int(options.reservationLifetime / .milliseconds(1)),
            paymentLock: nil,
            carrier: nil,
            trackingNumber: nil,
            createdAt: now
        )
        let unitPrice = Money(amount: sale.saleAmount, currency: sale.currency)
        let item = OrderItem(
            sku: sale.sku, productId: sale.productId, title: sale.title, quantity: request.quantity,
            unitPrice: unitPrice,
            lineTotal: Money(amount: subtotal, currency: sale.currency)
        )
        let work: @Sendable (any SQLDatabase) async throws -> Won = { [store, orders] sql in
            try await store.takeUnits(saleId: sale.id, quantity: request.quantity, now: Database.nowMillis(), in: sql)
            let units = try await store.countBuyer(
                saleId: sale.id, userId: request.userId, quantity: request.quantity, in: sql)
            try await store.recordPurchase(key, orderId: row.id, in: sql)
            try await orders.store.insert(row, items: [item], in: sql)
            try await orders.inventory.hold(
                [(row.id, StockRequest(sku: sale.sku, quantity: request.quantity), row.reservationExpiresAt)],
                saleId: sale.id, in: sql)
            try await Outbox.append(
                "order.created", aggregateId: row.id, payload: Orders.event(row, status: .pendingPayment), in: sql)
            return Won(userId: request.userId, units: units)
        }
        let strategy = orders.reservations.strategy
        switch strategy {
        case .batched:
            let purchase = FlashPurchaseBatcher.Purchase(
                key: key, quantity: request.quantity, order: row, item: item,
                orderCreated: Orders.event(row, status: .pendingPayment),
                fallback: { sql in try await work(sql).units }
            )
            _ = try await batcher.submit(purchase, saleId: sale.id)
        case .conditional, .rowLock:
            let lock = strategy == .rowLock
            try await database.transaction { sql in
                if lock {
                    // The naive design, kept for the benchmark: every buyer queues on the sale's row.
                    _ = try await store.lockedRow(id: sale.id, in: sql)
                }
                let won = try await work(sql)
                try await store.announce(saleId: sale.id, buyers: [won.userId: won.units], in: sql)
            }
        }
        return Order(
            id: row.id, status: .pendingPayment, items: [item],
            subtotal: Money(amount: subtotal, currency: sale.currency),
            shipping: Money(amount: shipping, currency: sale.currency),
            total: Money(amount: row.totalAmount, currency: sale.currency),
            shippingAddress: request.shippingAddress, reservationExpiresAt: Timestamp.rfc3339(row.reservationExpiresAt),
            payment: nil,
            shipment: nil,
            statusHistory: [StatusChange(status: .pendingPayment, at: Timestamp.rfc3339(now), note: nil)],
            createdAt: Timestamp.rfc3339(now)
        )
    }
}
