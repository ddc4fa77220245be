import Configuration
import Foundation
import Logging

/// Everything a node is configured with. `emporium` fills it from flags over `EMPORIUM_*` variables over defaults.
public struct AppConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Holds the SQLite file, images and the generated JWT secret.
    public var dataDirectory = "./emporium-data"
    /// `postgres://user:pass@host:port/db`; nil keeps everything in SQLite under `dataDirectory`.
    public var databaseURL: String?
    /// A PostgreSQL schema to keep the tables in (several stores, or tests, on one database).
    public var databaseSchema: String?
    /// PostgreSQL connections this node keeps at most (`EMPORIUM_DATABASE_POOL_SIZE`).
    public var databasePoolSize = 20
    /// At least 32 bytes; nodes on one database must share it. Nil: generated once into `dataDirectory`.
    public var jwtSecret: String?
    public var accessTokenLifetime: Duration = .seconds(15 * 60)
    public var refreshTokenLifetime: Duration = .seconds(30 * 24 * 3600)
    public var bcryptCost = 12
    /// Requests a second per client address; 0 turns per-IP rate limiting off.
    public var rateLimitPerSecond = 50.0
    public var rateLimitBurst = 100.0
    /// Trust `X-Forwarded-For` from the proxy in front (nginx) for the client address.
    public var trustForwardedFor = false
    /// Failed logins allowed per email, and per client address, within `loginWindow`.
    public var loginFailuresPerEmail = 5
    public var loginFailuresPerAddress = 50
    public var loginWindow: Duration = .seconds(15 * 60)
    public var logLevel: Logger.Level = .info
    public var accessLogLevel: Logger.Level? = .info
    /// `text` (swift-log's default lines) or `json` (one object a line, for a log collector).
    public var logFormat = LogFormat.text
    /// How often the gauges read from the database (orders by status, active reservations, outbox lag) are
    /// refreshed; nil turns them off.
    public var metricsInterval: Duration? = .seconds(15)
    public var dispatcher = DispatcherOptions()
    /// How concurrent checkouts of one SKU are settled (all correct; the benchmark compares their speed).
    public var reservationStrategy = ReservationStrategy.batched
    /// How long checkout holds stock for an unpaid order.
    public var reservationLifetime: Duration = .seconds(15 * 60)
    /// Flash-sale orders' reservation, and each node's admission control of purchases.
    public var flashSales = FlashSaleOptions()
    /// How often each node looks for expired reservations, unsettled payments and pending refunds.
    public var sweepInterval: Duration = .seconds(1)
    /// When the sweeper settles a payment attempt left open (no answer from the provider) by asking the provider.
    public var paymentSettleAfter: Duration = .seconds(30)
    /// The sandbox payment provider's latency and injected faults.
    public var paymentFaults = SandboxGateway.Faults()
    /// How often an idle server-sent-events stream gets a comment (keeps proxies from closing it, and finds
    /// clients that went away).
    public var eventStreamKeepAlive: Duration = .seconds(15)
    /// How long an author's read waits for the consumer that applies their own write (the review aggregates)
    /// before answering with what is there (`SessionPositions`).
    public var readYourWritesPatience: Duration = .seconds(2)
    /// Webhook sending: timeouts, retries, and whether endpoints on private networks are allowed.
    public var webhooks = WebhookOptions()
    /// Fill an empty store with the demo catalog at start.
    public var demo = false
    /// Identifies this node in leases and logs.
    public var nodeId = "node-" + UUID().uuidString.prefix(8).lowercased()

    public init() {}

    /// Reads `EMPORIUM_*` variables (and anything else `reader` provides) over the defaults.
    public init(reader: ConfigReader) throws {
        self.init()
        let config = reader.scoped(to: "emporium")
        host = config.string(forKey: "host", default: host)
        port = config.int(forKey: "port", default: port)
        dataDirectory = config.string(forKey: "data.dir", default: dataDirectory)
        databaseURL = config.string(forKey: "database.url", isSecret: true)
        databaseSchema = config.string(forKey: "database.schema")
        databasePoolSize = config.int(forKey: "database.pool.size", default: databasePoolSize)
        guard databasePoolSize >= 1 else {
            throw ConfigurationError("EMPORIUM_DATABASE_POOL_SIZE must be at least 1, not \(databasePoolSize)")
        }
        jwtSecret = config.string(forKey: "jwt.secret", isSecret: true)
        accessTokenLifetime = .seconds(config.int(forKey: "access.token.seconds", default: 15 * 60))
        bcryptCost = config.int(forKey: "bcrypt.cost", default: bcryptCost)
        rateLimitPerSecond = config.double(forKey: "rate.limit", default: rateLimitPerSecond)
        rateLimitBurst = config.double(forKey: "rate.burst", default: rateLimitBurst)
        trustForwardedFor = config.bool(forKey: "trust.forwarded.for", default: trustForwardedFor)
        logLevel = Logger.Level(rawValue: config.string(forKey: "log.level", default: "info")) ?? .info
        let accessLog = config.string(forKey: "access.log", default: "info")
        accessLogLevel = accessLog == "off" ? nil : Logger.Level(rawValue: accessLog) ?? .info
        let format = config.string(forKey: "log.format", default: logFormat.rawValue)
        guard let chosenFormat = LogFormat(rawValue: format) else {
            throw ConfigurationError("EMPORIUM_LOG_FORMAT must be text or json, not \(format)")
        }
        logFormat = chosenFormat
        let metricsSeconds = config.int(forKey: "metrics.interval.seconds", default: 15)
        metricsInterval = metricsSeconds > 0 ? .seconds(metricsSeconds) : nil
        demo = config.bool(forKey: "demo", default: demo)
        eventStreamKeepAlive = .seconds(config.int(forKey: "sse.keepalive.seconds", default: 15))
        let strategy = config.string(forKey: "reservation.strategy", default: reservationStrategy.rawValue)
        guard let chosen = ReservationStrategy(rawValue: strategy) else {
            let known = ReservationStrategy.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError("EMPORIUM_RESERVATION_STRATEGY must be one of \(known), not \(strategy)")
        }
        reservationStrategy = chosen
        reservationLifetime = .seconds(config.int(forKey: "reservation.seconds", default: 15 * 60))
        flashSales.reservationLifetime = .seconds(config.int(forKey: "flash.reservation.seconds", default: 5 * 60))
        flashSales.userRate = config.double(forKey: "flash.user.rate", default: flashSales.userRate)
        flashSales.userBurst = config.double(forKey: "flash.user.burst", default: flashSales.userBurst)
        flashSales.maxInFlight = config.int(forKey: "flash.max.in.flight", default: flashSales.maxInFlight)
        flashSales.queueDepth = config.int(forKey: "flash.queue.depth", default: flashSales.queueDepth)
        flashSales.streamInterval = .milliseconds(config.int(forKey: "flash.stream.interval.ms", default: 250))
        sweepInterval = .milliseconds(config.int(forKey: "sweep.interval.ms", default: 1000))
        paymentSettleAfter = .seconds(config.int(forKey: "payment.settle.seconds", default: 30))
        paymentFaults.latency = .milliseconds(config.int(forKey: "payment.latency.ms", default: 0))
        paymentFaults.errorRate = config.double(forKey: "payment.error.rate", default: 0)
        paymentFaults.timeoutRate = config.double(forKey: "payment.timeout.rate", default: 0)
        readYourWritesPatience = .milliseconds(config.int(forKey: "read.your.writes.ms", default: 2000))
        webhooks.addressPolicy.allowPrivate = config.bool(forKey: "webhook.allow.private", default: false)
        if let node = config.string(forKey: "node.id") { nodeId = node }
    }

    var sqlitePath: String { (dataDirectory as NSString).appendingPathComponent("emporium.sqlite") }
}

/// A configuration value that cannot work; the message says which and why.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
