import Hummingbird
import Logging
import ServiceLifecycle

/// Assembles the HTTP application of one node: middleware, every module's routes, and the services that run
/// beside the server (database, event dispatcher). `consumers` adds event consumers (tests use it); `addOns` adds
/// layers built on the store, such as the storefront's pages.
public func buildApplication(
    _ node: StoreNode,
    consumers extraConsumers: [EventConsumer] = [],
    addOns: [ApplicationAddOn] = []
) -> some ApplicationProtocol {
    _ = MetricsRegistry.shared
    let configuration = node.configuration
    let router = buildRouter(node, addOns: addOns)
    let dispatcher = EventDispatcher(
        database: node.database,
        nodeId: configuration.nodeId,
        consumers: node.nodeConsumers + extraConsumers + addOns.flatMap(\.consumers),
        options: configuration.dispatcher,
        prepare: { try await node.schemaReady.value() },
        positions: node.consumerPositions,
        logger: node.logger
    )
    var services: [any Service] = [
        DatabaseService(database: node.database),
        SearchIndexBuilder(search: node.search, prepare: { try await node.schemaReady.value() }, logger: node.logger),
        dispatcher,
        ReservationSweeper(
            orders: node.orders, payments: node.payments, interval: configuration.sweepInterval,
            prepare: { try await node.schemaReady.value() }, logger: node.logger),
        FlashSaleSweeper(
            flashSales: node.flashSales, interval: configuration.sweepInterval,
            prepare: { try await node.schemaReady.value() }, logger: node.logger),
        WebhookSender(
            webhooks: node.webhooks, nodeId: configuration.nodeId, prepare: { try await node.schemaReady.value() },
            logger: node.logger),
    ]
    if let interval = configuration.metricsInterval {
        services.append(
            StoreGauges(
                orders: node.orders,
                inventory: node.inventory,
                log: EventLog(database: node.database),
                positions: node.consumerPositions,
                interval: interval,
                prepare: { try await node.schemaReady.value() },
                logger: node.logger
            )
        )
    }
    var app = Application(
        router: router,
        // A deep accept queue: a flash sale opens a thousand connections at once, and with Hummingbird's 256 the
        // kernel drops SYNs that a client (or nginx) then resends only after a second.
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: nil, backlog: 4096),
        services: services,
        onServerRunning: { channel in
            node.logger.info(
                "Emporium is listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        },
        logger: node.logger
    )
    // The one place a serving node migrates: before the server accepts requests; the dispatcher and the search
    // index builder wait for it (`schemaReady`), and the database client runs beside them as a service.
    app.beforeServerStarts {
        try await node.migrate(adding: addOns.flatMap(\.migrations))
        node.servingFrom.set(try await EventLog(database: node.database).head())
        if configuration.demo, try await CatalogSeeder(node: node).seedDemo() {
            node.logger.notice("the demo catalog is in place: try GET /api/v1/categories")
        }
    }
    return app
}

/// The router of one node: middleware and every module's routes.
func buildRouter(_ node: StoreNode, addOns: [ApplicationAddOn] = []) -> Router<AppRequestContext> {
    let configuration = node.configuration
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: EdgeMiddleware(accessLogLevel: configuration.accessLogLevel))
    for addOn in addOns { addOn.addMiddleware(router) }
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: DatabaseWorkMiddleware(engine: node.database.engine))
    let routeMethods = RouteMethods()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeMethods))
    if configuration.rateLimitPerSecond > 0 {
        router.add(
            middleware: RateLimitMiddleware(
                buckets: TokenBuckets(rate: configuration.rateLimitPerSecond, burst: configuration.rateLimitBurst),
                trustForwardedFor: configuration.trustForwardedFor,
                isUnmetered: { path in addOns.contains { $0.isUnmetered(path) } }
            )
        )
    }
    router.add(middleware: AuthenticationMiddleware(tokens: node.tokens))
    router.add(
        middleware: IdempotencyMiddleware(
            store: node.idempotency, requiredFor: requiresIdempotencyKey, handledByRoute: isFlashSalePurchase)
    )

    OperationsRoutes(database: node.database, readiness: node.readiness).register(on: router)
    let api = router.group("api/v1")
    let carts = node.carts
    AccountsRoutes(accounts: node.accounts, trustForwardedFor: configuration.trustForwardedFor) { request in
        // A guest who signs in brings their cart along.
        let token = try request.headers[.cartToken].map(CartRoutes.guestToken)
        return { session in
            if let token { try await carts.mergeGuest(token: token, into: session.user.id) }
        }
    }.register(on: api)
    CartRoutes(carts: carts, keepAlive: configuration.eventStreamKeepAlive).register(on: api)
    OrderRoutes(orders: node.orders, payments: node.payments, notifications: node.notifications).register(on: api)
    FlashSaleRoutes(flashSales: node.flashSales, keepAlive: configuration.eventStreamKeepAlive).register(on: api)
    SearchRoutes(search: node.search).register(on: api)
    let reviews = node.reviews
    CatalogRoutes(catalog: node.catalog, categories: node.categories, inventory: node.inventory) { userId, productId in
        try await reviews.readsOwnWrites(userId: userId, productId: productId)
    }.register(on: api)
    ReviewRoutes(reviews: reviews).register(on: api)
    WebhookRoutes(webhooks: node.webhooks).register(on: api)
    for addOn in addOns { addOn.addRoutes(router) }

    routeMethods.load(router)
    return router
}

/// Every route as "METHOD /path/{parameter}", for the OpenAPI completeness test.
public func routeDescriptions(_ node: StoreNode) -> [String] {
    buildRouter(node).routes.map { "\($0.method) \($0.path)" }
}

/// Checkout, payment and flash-sale purchases must carry an `Idempotency-Key`.
@Sendable func requiresIdempotencyKey(_ path: String) -> Bool {
    path == "/api/v1/checkout" || (path.hasPrefix("/api/v1/orders/") && path.hasSuffix("/pay"))
        || isFlashSalePurchase(path)
}

/// A flash-sale purchase keeps its own key records: only a winning purchase stores one, in its own transaction.
@Sendable func isFlashSalePurchase(_ path: String) -> Bool {
    path.hasPrefix("/api/v1/flash-sales/") && path.hasSuffix("/purchase")
}
