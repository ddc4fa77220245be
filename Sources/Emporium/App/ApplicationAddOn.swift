import Hummingbird

/// What a layer built on the store (the storefront) adds to a node's application, so that the API core does not
/// depend on it: its tables, middleware that sees every request just inside the edge (to answer its own errors),
/// its routes, paths the per-address rate limit leaves alone (static files), and event consumers (its caches).
public struct ApplicationAddOn: Sendable {
    public var migrations: [Migration]
    public var isUnmetered: @Sendable (String) -> Bool
    public var addMiddleware: @Sendable (Router<AppRequestContext>) -> Void
    public var addRoutes: @Sendable (Router<AppRequestContext>) -> Void
    public var consumers: [EventConsumer]

    public init(
        migrations: [Migration] = [],
        isUnmetered: @escaping @Sendable (String) -> Bool = { _ in false },
        addMiddleware: @escaping @Sendable (Router<AppRequestContext>) -> Void = { _ in },
        consumers: [EventConsumer] = [],
        addRoutes: @escaping @Sendable (Router<AppRequestContext>) -> Void
    ) {
        self.migrations = migrations
        self.isUnmetered = isUnmetered
        self.addMiddleware = addMiddleware
        self.addRoutes = addRoutes
        self.consumers = consumers
    }
}
