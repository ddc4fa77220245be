import Crypto
import EmporiumSearch
import Foundation
import Logging

/// One node of the store: its configuration, its database and the modules built on it.
public struct StoreNode: Sendable {
    public let configuration: AppConfiguration
    public let database: Database
    public let accounts: Accounts
    public let catalog: Catalog
    public let categories: Categories
    public let inventory: Inventory
    public let search: ProductSearch
    public let carts: Carts
    public let orders: Orders
    public let payments: Payments
    public let flashSales: FlashSales
    public let notifications: Notifications
    public let reviews: Reviews
    public let webhooks: Webhooks
    public let readiness: Readiness
    /// The log position when this node began serving; node consumers of its caches start there.
    let servingFrom = Once<Int>()
    /// Set once this node has applied the migrations: the services that read tables wait for it.
    let schemaReady = Once<Void>()
    /// Where this node's event consumers stand, for the outbox lag gauges.
    let consumerPositions = ConsumerPositions()
    public let logger: Logger
    let tokens: AccessTokens
    let idempotency: IdempotencyStore
    /// The server secret (JWT key); other keys are derived from it (`derivedKey`).
    let secret: String

    /// Every module's migrations, in the order they apply.
    public static let migrations: [Migration] =
        Outbox.migrations + AccountsStore.migrations + IdempotencyStore.migrations + CatalogStore.migrations
        + StockStore.migrations + CartStore.migrations + OrderStore.migrations + StockStore.reservationMigrations
        + PaymentStore.migrations + SandboxGateway.migrations + Notifications.migrations + FlashSaleStore.migrations
        + SessionPositions.migrations + ReviewStore.migrations + WebhookStore.migrations

    /// Opens the database and builds the modules. The caller runs the database (`DatabaseService`) and closes it.
    public static func open(_ configuration: AppConfiguration, logger: Logger) async throws -> StoreNode {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let secret = try jwtSecret(configuration, logger: logger)
        let database = try await Database.open(
            postgresURL: configuration.databaseURL,
            postgresSchema: configuration.databaseSchema,
            postgresPoolSize: configuration.databasePoolSize,
            sqlitePath: configuration.sqlitePath,
            logger: logger
        )
        do {
            let tokens = await AccessTokens.make(secret: secret, lifetime: configuration.accessTokenLifetime)
            let accounts = Accounts(
                store: AccountsStore(database: database),
                hasher: try await PasswordHasher.make(cost: configuration.bcryptCost),
                tokens: tokens,
                refreshLifetime: configuration.refreshTokenLifetime,
                throttle: .init(
                    perEmail: configuration.loginFailuresPerEmail,
                    perAddress: configuration.loginFailuresPerAddress,
                    window: configuration.loginWindow
                )
            )
            let inventory = Inventory(
                store: StockStore(database: database), saleUnits: FlashSaleStore(database: database))
            let catalogStore = CatalogStore(database: database)
            let images = ImageStore(
                blobs: try DirectoryBlobStore(
                    directory: (configuration.dataDirectory as NSString).appendingPathComponent("images"))
            )
            let readiness = Readiness()
            readiness.waitFor(ProductSearch.readinessKey)
            let carts = Carts(database: database)
            let orders = Orders(
                store: OrderStore(database: database),
                carts: carts,
                inventory: inventory,
                reservations: StockReservations(inventory: inventory, strategy: configuration.reservationStrategy),
                refunds: PaymentStore(database: database),
                reservationLifetime: configuration.reservationLifetime
            )
            let gateway = SandboxGateway(database: database, faults: configuration.paymentFaults)
            let idempotencySecret = SymmetricKey(data: SHA256.hash(data: Array(("idempotency:" + secret).utf8)))
            let catalog = Catalog(store: catalogStore, inventory: inventory, cache: ProductCache(), images: images)
            let idempotency = IdempotencyStore(
                database: database, secret: idempotencySecret, nodeId: configuration.nodeId)
            return StoreNode(
                configuration: configuration,
                database: database,
                accounts: accounts,
                catalog: catalog,
                categories: Categories(store: catalogStore, cache: CategoryTreeCache()),
                inventory: inventory,
                search: ProductSearch(index: SearchIndex(), database: database, readiness: readiness),
                carts: carts,
                orders: orders,
                payments: Payments(
                    orders: orders, gateway: gateway, staleAfter: configuration.paymentSettleAfter, logger: logger),
                flashSales: FlashSales(
                    database: database, orders: orders, idempotency: idempotency, options: configuration.flashSales),
                notifications: Notifications(database: database),
                reviews: Reviews(
                    store: ReviewStore(database: database), catalog: catalog, orders: orders, accounts: accounts,
                    sessions: SessionPositions(
                        database: database, patience: configuration.readYourWritesPatience)),
                webhooks: Webhooks(store: WebhookStore(database: database), options: configuration.webhooks),
                readiness: readiness,
                logger: logger,
                tokens: tokens,
                idempotency: idempotency,
                secret: secret
            )
        } catch {
            await database.close()
            throw error
        }
    }

    /// The event consumers of this node: its caches follow catalog and stock changes (node consumers), and it
    /// takes its turn at the cluster's work (notifications, rating aggregates, webhook deliveries).
    var nodeConsumers: [EventConsumer] {
        let catalog = self.catalog
        let categories = self.categories
        return [
            search.consumer,
            carts.feed.consumer(start: { [servingFrom] in try await servingFrom.value() }),
            orders.reservations.consumer,
            flashSales.consumer(start: { [servingFrom] in try await servingFrom.value() }),
            notifications.consumer,
            reviews.aggregator,
            webhooks.fanOut,
            EventConsumer(
                name: "product-cache",
                scope: .node(start: { [servingFrom] in try await servingFrom.value() }),
                types: ["product.", "inventory.changed", "category.", "catalog."]
            ) { event in
                switch event.type {
                case "inventory.changed":
                    catalog.cache.invalidate(productId: try event.decode(StockChanged.self).productId)
                case "catalog.reloaded": catalog.cache.invalidateAll()
                case let type where type.hasPrefix("product."): catalog.cache.invalidate(productId: event.aggregateId)
                default: break
                }
                // A rating changes no category's product count: rebuilding the tree counts the whole catalog.
                if event.type != "inventory.changed", event.type != "product.rated" { categories.cache.invalidate() }
            },
        ]
    }

    /// A node consumer of a cache kept beside this node's own (the storefront's rendered pages): it starts where the
    /// node began serving, as the node's caches do.
    public func cacheConsumer(
        name: String, types: [String], handle: @escaping @Sendable (OutboxEvent) async throws -> Void
    ) -> EventConsumer {
        EventConsumer(
            name: name, scope: .node(start: { [servingFrom] in try await servingFrom.value() }), types: types,
            handle: handle)
    }

    /// Applies pending migrations, then lets the services that wait for the schema begin; safe to call from
    /// several nodes at once.
    public func migrate(adding extra: [Migration] = []) async throws {
        try await database.migrate(Self.migrations + extra, logger: logger)
        schemaReady.set(())
    }

    /// A key for one purpose (signing the storefront's CSRF tokens), derived from the server secret: every node
    /// of a store derives the same one.
    public func derivedKey(_ purpose: String) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Array((purpose + ":" + secret).utf8)))
    }

    /// The configured secret, or the one generated into the data directory on first start.
    private static func jwtSecret(_ configuration: AppConfiguration, logger: Logger) throws -> String {
        if let secret = configuration.jwtSecret {
            guard secret.utf8.count >= 32 else {
                throw ConfigurationError("EMPORIUM_JWT_SECRET must be at least 32 bytes")
            }
            return secret
        }
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("jwt-secret")
        if let stored = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines),
            stored.utf8.count >= 32
        {
            return stored
        }
        if configuration.databaseURL != nil {
            logger.warning(
                "no EMPORIUM_JWT_SECRET: generated one in the data directory; nodes sharing this database must share it"
            )
        }
        let secret = Identifier.secret(byteCount: 48)
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ConfigurationError("cannot write \(path)")
        }
        return secret
    }
}
