import Foundation
import Logging
import Metrics
import SQLKit
import ServiceLifecycle

/// Flash sales: a quantity of one SKU set aside at a sale price and sold first come first served within a time
/// window and a per-customer limit, never one unit more, on one node or many.
public struct FlashSales: Sendable {
    let database: Database
    let store: FlashSaleStore
    /// The sold variant's product, title and currency.
    let catalog: CatalogStore
    let orders: Orders
    let idempotency: IdempotencyStore
    let options: FlashSaleOptions
    let cache: FlashSaleCache
    let feed = FlashSaleFeed()
    let admission: FlashSaleAdmission
    /// Group commit of purchases (strategy `batched`), set-based and apart from checkouts': a batch of purchases
    /// locks its sale's row only, never a stock row, so it cannot deadlock with a close that takes a sale and then
    /// its stock.
    let batcher: FlashPurchaseBatcher

    init(database: Database, orders: Orders, idempotency: IdempotencyStore, options: FlashSaleOptions) {
        self.database = database
        self.store = FlashSaleStore(database: database)
        self.catalog = CatalogStore(database: database)
        self.orders = orders
        self.idempotency = idempotency
        self.options = options
        self.cache = FlashSaleCache(store: store)
        self.admission = FlashSaleAdmission(options: options)
        self.batcher = FlashPurchaseBatcher(store: store, inventory: orders.inventory, window: .milliseconds(1))
    }

    /// Creates a sale, setting its quantity aside from the SKU's available stock in the same guarded statement
    /// (409 `insufficient_stock` when it is not there).
    public func create(_ new: NewFlashSale) async throws -> FlashSale {
        let now = Database.nowMillis()
        let checked = try FlashSaleRules.validate(new, now: now)
        let sale = try await database.transaction { sql -> FlashSaleStore.Row in
            guard let variant = try await catalog.variant(sku: new.sku, in: sql), variant.deletedAt == nil else {
                throw CatalogError.skuNotFound(new.sku)
            }
            guard variant.priceCurrency == new.salePrice.currency else {
                throw Problem.validation([
                    FieldError("salePrice.currency", "must be \(variant.priceCurrency), the currency of \(new.sku)")
                ])
            }
            try await orders.inventory.setAside(sku: new.sku, quantity: new.quantity, in: sql)
            let sale = FlashSaleStore.Row(
                id: Identifier.make("fs", now: now),
                sku: new.sku,
                productId: variant.productId,
                title: variant.variantTitle.isEmpty ? variant.title : "\(variant.title) (\(variant.variantTitle))",
                saleAmount: new.salePrice.amount,
                currency: new.salePrice.currency,
                quantity: new.quantity,
                remaining: new.quantity,
                perCustomerLimit: new.perCustomerLimit,
                startsAt: checked.startsAt,
                endsAt: checked.endsAt,
                closedAt: nil,
                version: 0
            )
            try await store.insert(sale, now: now, in: sql)
            try await store.announce(saleId: sale.id, buyers: [:], in: sql)
            return sale
        }
        return sale.view(at: Database.nowMillis())
    }

    /// The sale as the database has it now.
    public func sale(id: String) async throws -> FlashSale {
        guard let sale = try await database.read({ try await store.row(id: id, in: $0) }) else {
            throw FlashSaleError.notFound
        }
        cache.refresh(sale)
        return sale.view(at: Database.nowMillis())
    }

    /// The sales that are live or still to come, soonest ending first.
    public func openSales(limit: Int) async throws -> [FlashSale] {
        let now = Database.nowMillis()
        return try await database.read { try await store.openSales(now: now, limit: limit, in: $0) }.map {
            $0.view(at: now)
        }
    }

    /// Every sale, ended ones too, the latest to start first (the admin's list).
    public func recentSales(limit: Int) async throws -> [FlashSale] {
        let now = Database.nowMillis()
        return try await database.read { try await store.recentSales(limit: limit, in: $0) }.map { $0.view(at: now) }
    }

    /// Closes the sales that have ended: what they still hold goes back to their SKU.
    func closeEnded() async throws {
        let now = Database.nowMillis()
        for id in try await database.read({ try await store.endedOpenSales(now: now, limit: 50, in: $0) }) {
            try await database.transaction { sql in
                guard let closed = try await store.close(saleId: id, now: now, in: sql) else { return }
                try await orders.inventory.giveBack(sku: closed.sku, quantity: closed.units, in: sql)
                try await store.announce(saleId: id, buyers: [:], in: sql)
            }
        }
    }

    /// Every node keeps its memory of sales and its streams up to date from the event log.
    func consumer(start: @escaping @Sendable () async throws -> Int) -> EventConsumer {
        EventConsumer(name: "flash-sale-memory", scope: .node(start: start), types: ["flash_sale.changed"]) {
            [cache, feed] event in
            let change = try event.decode(FlashSaleChanged.self)
            cache.apply(change)
            feed.publish(saleId: change.saleId)
        }
    }
}

/// Runs on every node: closes ended sales. Each close is a guarded UPDATE, so several nodes sweeping close a sale once.
struct FlashSaleSweeper: Service {
    let flashSales: FlashSales
    let interval: Duration
    /// Waits for the migrations: the sweep reads tables.
    var prepare: @Sendable () async throws -> Void = {}
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            guard (try? await prepare()) != nil else { return }
            while !Task.isCancelled {
                do {
                    try await flashSales.closeEnded()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("flash sale sweep failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Admission counts for `/metrics`: `emporium_flash_sale_admissions_total{outcome=...}`.
enum FlashSaleOutcome: String, CaseIterable, Sendable {
    case admitted
    case soldOut = "sold_out"
    case notLive = "not_live"
    case limitExceeded = "limit_exceeded"
    case rateLimited = "rate_limited"
    case overloaded

    private static let counters: [FlashSaleOutcome: Counter] = {
        _ = MetricsRegistry.shared
        return Dictionary(
            uniqueKeysWithValues: allCases.map {
                ($0, Counter(label: "emporium_flash_sale_admissions_total", dimensions: [("outcome", $0.rawValue)]))
            })
    }()

    func count() { Self.counters[self]?.increment() }
}
