import Emporium
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing

/// The engines every storage test runs on. PostgreSQL needs `EMPORIUM_TEST_POSTGRES_URL` (CI sets it); without it
/// the PostgreSQL variants are left out and `PostgresAvailability` reports them as skipped.
let engines: [DatabaseEngine] = TestStore.postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

@Suite struct PostgresAvailability {
    @Test(.enabled(if: TestStore.postgresURL == nil))
    func postgresVariantsAreSkippedWithoutAURL() throws {
        let message =
            "PostgreSQL variants of the storage tests skipped: set EMPORIUM_TEST_POSTGRES_URL (scripts/with-postgres does)"
        print("⚠️ " + message)
        if ProcessInfo.processInfo.environment["EMPORIUM_REQUIRE_POSTGRES"] == "1" {
            Issue.record("EMPORIUM_REQUIRE_POSTGRES=1 but EMPORIUM_TEST_POSTGRES_URL is not set")
            return
        }
        try Test.cancel(Comment(rawValue: message))
    }
}

enum TestStore {
    static let postgresURL = ProcessInfo.processInfo.environment["EMPORIUM_TEST_POSTGRES_URL"]
    /// The same server through its unix socket (scripts/with-postgres sets it).
    static let postgresSocketURL = ProcessInfo.processInfo.environment["EMPORIUM_TEST_POSTGRES_SOCKET_URL"]

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["EMPORIUM_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
            ?? .critical
        return logger
    }

    /// A configuration on a fresh SQLite file or a fresh PostgreSQL schema; skips the PostgreSQL variant without a URL.
    static func configuration(_ engine: DatabaseEngine) async throws -> AppConfiguration {
        var configuration = AppConfiguration()
        configuration.port = 0
        configuration.dataDirectory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("emporium-test-\(UUID().uuidString)").path
        configuration.jwtSecret = "test-secret-test-secret-test-secret-0123456789"
        configuration.bcryptCost = 4
        configuration.rateLimitPerSecond = 0
        configuration.accessLogLevel = nil
        configuration.dispatcher.pollInterval = .milliseconds(20)
        configuration.dispatcher.leaseDuration = .seconds(1)
        configuration.dispatcher.firstRetryDelay = .milliseconds(5)
        configuration.eventStreamKeepAlive = .milliseconds(100)
        // A loaded CI host can hold the review aggregator back past the production bound of 2 s; the tests check
        // that the author's read waits for it, not how fast it is.
        configuration.readYourWritesPatience = .seconds(20)
        // The gauges are the process's, shared by every test's store: only the metrics tests refresh them.
        configuration.metricsInterval = nil
        if engine == .postgres {
            guard let url = postgresURL else { throw ConfigurationError("EMPORIUM_TEST_POSTGRES_URL is not set") }
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await admin(url) { try await $0.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
            configuration.databaseURL = url
            configuration.databaseSchema = schema
        }
        return configuration
    }

    /// Removes what `configuration` made: the temp directory, the PostgreSQL schema.
    static func cleanUp(_ configuration: AppConfiguration) async {
        try? FileManager.default.removeItem(atPath: configuration.dataDirectory)
        if let url = configuration.databaseURL, let schema = configuration.databaseSchema {
            try? await admin(url) { try await $0.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
        }
    }

    private static func admin(_ url: String, _ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let database = try await Database.open(postgresURL: url, sqlitePath: "", logger: logger)
        try await database.withRunningClient { database in
            try await database.transaction { try await body($0) }
        }
    }

    /// Opens a node with its database running and migrated, runs `body`, then closes and cleans up.
    static func withNode<T: Sendable>(
        _ engine: DatabaseEngine,
        configure: (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable (StoreNode) async throws -> T
    ) async throws -> T {
        var configuration = try await configuration(engine)
        configure(&configuration)
        return try await cleaningUp(configuration) {
            try await withOpenNode(configuration) { node in
                try await node.database.withRunningClient { _ in
                    try await node.migrate()
                    return try await body(node)
                }
            }
        }
    }

    /// Builds the whole application on a fresh store and drives it through Hummingbird's router test client.
    /// `addOns` adds layers built on the node (the storefront).
    static func withApp(
        _ engine: DatabaseEngine,
        consumers: [EventConsumer] = [],
        addOns: (StoreNode) async throws -> [ApplicationAddOn] = { _ in [] },
        configure: (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, StoreNode) async throws -> Void
    ) async throws {
        var configuration = try await configuration(engine)
        configure(&configuration)
        try await cleaningUp(configuration) {
            try await withOpenNode(configuration) { node in
                let addOns = try await addOns(node)
                try await buildApplication(node, consumers: consumers, addOns: addOns).test(.router) { client in
                    try await body(client, node)
                }
            }
        }
    }

    /// Another node on `node`'s database, as a second process would be (its own node id), with its database client
    /// running; its connections close when `body` returns or throws. `node`'s owner cleans the store up.
    static func withSecondNode<T: Sendable>(
        of node: StoreNode,
        _ body: @Sendable (StoreNode) async throws -> T
    ) async throws -> T {
        try await withOpenNode(secondConfiguration(node)) { other in
            try await other.database.withRunningClient { _ in try await body(other) }
        }
    }

    /// Another node's whole application on `node`'s database (see `withSecondNode`), driven through Hummingbird's test
    /// client: `.router`, or `.live` for a real server on a free port. The application's services and server stop and
    /// the node's connections close when `body` returns or throws.
    static func withSecondApp<T: Sendable>(
        of node: StoreNode,
        _ setup: TestingSetup = .router,
        _ body: @Sendable (any TestClientProtocol, StoreNode) async throws -> T
    ) async throws -> T {
        try await withOpenNode(secondConfiguration(node)) { other in
            try await buildApplication(other).test(setup) { client in try await body(client, other) }
        }
    }

    /// `node`'s configuration (same database, data directory and secrets) under a node id of its own.
    private static func secondConfiguration(_ node: StoreNode) -> AppConfiguration {
        var configuration = node.configuration
        configuration.nodeId = "node-" + UUID().uuidString.prefix(8).lowercased()
        return configuration
    }

    /// Opens a node on `configuration`, runs `body`, and closes the node's database whether or not `body` threw. The
    /// database's client runs in `body` (`withRunningClient`, or the application's services).
    private static func withOpenNode<T>(
        _ configuration: AppConfiguration,
        _ body: (StoreNode) async throws -> T
    ) async throws -> T {
        let node = try await StoreNode.open(configuration, logger: logger)
        let value: T
        do {
            value = try await body(node)
        } catch {
            await node.database.close()
            throw error
        }
        await node.database.close()
        return value
    }

    /// Runs `body`, then removes what `configuration` made (`cleanUp`) whether or not `body` threw.
    private static func cleaningUp<T>(
        _ configuration: AppConfiguration,
        _ body: () async throws -> T
    ) async throws -> T {
        let value: T
        do {
            value = try await body()
        } catch {
            await cleanUp(configuration)
            throw error
        }
        await cleanUp(configuration)
        return value
    }
}
