import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emporium-load",
        abstract: "Drive a running Emporium node over HTTP and report throughput and latency.",
        discussion: """
            Phases: setup (untimed: sign up --users shoppers; checkout creates --products products as the admin, \
            browse gathers product ids by searching, flash-sale creates a sale), then the timed run with \
            --connections virtual clients until --duration or --requests is reached, then GET /health/live on \
            the same connections for --health-duration seconds, then the ratio of the two throughputs.

            Scenarios, one operation each:
            checkout: add a random SKU to the cart, POST /checkout, POST /orders/{id}/pay with card 4242...; \
            throughput = confirmed orders/s; 409 insufficient_stock is a refusal, not an error.
            browse: GET /products/search?q=<word> and GET /products/{id}, alternately.
            flash-sale: POST /flash-sales/{id}/purchase {"quantity": 1}; won = 201/200; refused = 409 \
            sold_out or limit_exceeded, 403 sale_not_live, 429 or 503 with Retry-After; throughput = answered \
            purchases/s; prints the sale's remaining and sold units at the end.

            The server must run with per-IP rate limiting off (EMPORIUM_RATE_LIMIT=0): every virtual client \
            comes from 127.0.0.1. Signing up costs one bcrypt hash each on the server; EMPORIUM_BCRYPT_COST=4 \
            makes setup fast without touching the timed part. Access tokens last 15 minutes: they are \
            refreshed on a 401. Only 127.0.0.1 and localhost are accepted as --url.

            Exit status: 0 ok; 1 setup failed, the audit failed or the flash sale oversold; 3 no operation \
            succeeded.

            Example: emporium-load --url http://127.0.0.1:8080 --scenario checkout --connections 64 \
            --duration 30 --users 1000 --admin-email admin@example.test --admin-password secret123 \
            --audit-command '.build-release/release/emporium audit --data-dir /tmp/store'
            """
    )

    enum Scenario: String, ExpressibleByArgument, CaseIterable {
        case checkout, browse
        case flashSale = "flash-sale"
    }

    @Option(help: "The node's root URL; only 127.0.0.1 or localhost")
    var url = "http://127.0.0.1:8080"

    @Option(help: "checkout, browse or flash-sale")
    var scenario: Scenario = .checkout

    @Option(help: "Concurrent virtual clients, and the size of the HTTP connection pool")
    var connections = 64

    @Option(help: "Stop after this many operations (default: only --duration)")
    var requests: Int?

    @Option(help: "Stop after this many seconds (whichever of --requests and --duration comes first)")
    var duration = 30.0

    @Option(help: "Distinct shoppers signed up before the timed part (checkout and flash-sale)")
    var users = 1000

    @Option(help: "checkout: products LOAD-1 ... LOAD-P to buy from (reused when they exist)")
    var products = 100

    @Option(help: "An admin's email (made beforehand with `emporium admin create`); checkout and flash-sale")
    var adminEmail: String?

    @Option(help: "That admin's password")
    var adminPassword: String?

    @Option(help: "flash-sale: buy from this existing sale instead of creating one")
    var saleId: String?

    @Option(help: "flash-sale: units in the sale it creates")
    var saleQuantity = 100

    @Option(help: "flash-sale: perCustomerLimit of the sale it creates")
    var saleLimit = 1

    @Option(help: "Seconds of GET /health/live after the run (0 skips it)")
    var healthDuration = 5.0

    @Option(help: "Seconds one request may take before it counts as a timeout")
    var timeout = 10.0

    @Option(help: "Also write the summary as JSON to this file")
    var jsonOut: String?

    @Option(help: "A shell command run at the end (e.g. `emporium audit --data-dir D`); its failure fails the run")
    var auditCommand: String?

    func validate() throws {
        _ = try StoreAPI.checkedBaseURL(url)
        guard (1...4096).contains(connections) else { throw ValidationError("--connections must be 1...4096") }
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be in (0, 3600] seconds") }
        guard healthDuration >= 0, healthDuration <= 600 else { throw ValidationError("--health-duration: 0...600") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        if let requests, requests < 1 { throw ValidationError("--requests must be positive") }
        guard products >= 1, saleQuantity >= 1, saleLimit >= 1 else {
            throw ValidationError("--products, --sale-quantity and --sale-limit must be positive")
        }
        if scenario != .browse {
            // Each client owns its shoppers (no two clients share a cart), so there must be one at least each.
            guard users >= connections else {
                throw ValidationError(
                    "--users (\(users)) must be at least --connections (\(connections)) for \(scenario.rawValue)")
            }
            if scenario == .checkout || saleId == nil {
                guard adminEmail != nil, adminPassword != nil else {
                    throw ValidationError("\(scenario.rawValue) needs --admin-email and --admin-password")
                }
            }
        }
    }

    func run() async throws {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .seconds(5)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        )
        configuration.decompression = .disabled
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let api = StoreAPI(
            http: http, baseURL: try StoreAPI.checkedBaseURL(url), timeout: .nanoseconds(Int64(timeout * 1e9))
        )
        let outcome: Result<Int32, any Error>
        do {
            outcome = .success(try await measure(api))
        } catch {
            outcome = .failure(error)
        }
        try await http.shutdown()
        switch outcome {
        case .success(let status) where status != 0: throw ExitCode(status)
        case .success: return
        case .failure(let error as LoadError):
            printError("emporium-load: \(error)")
            throw ExitCode(1)
        case .failure(let error): throw error
        }
    }

    /// Setup, timed run, health run, report, audit; returns the exit status.
    private func measure(_ api: StoreAPI) async throws -> Int32 {
        let live: Reply
        do {
            live = try await api.send(.GET, "/health/live")
        } catch {
            throw LoadError("cannot reach \(api.baseURL): \(error)")
        }
        guard live.status == 200 else { throw api.unexpected("GET /health/live", live) }

        let startedAt = Date()
        let setupStart = ContinuousClock.now
        let runTag = String(UInt32.random(in: .min ... .max), radix: 16)
        let plan = try await setUp(api, runTag: runTag)
        let setupSeconds = setupStart.duration(to: .now).seconds
        printError(
            String(format: "setup done in %.1f s; ", setupSeconds) + "running \(scenario.rawValue) for \(duration) s")

        let limits = Limits(operations: requests, duration: .milliseconds(Int64(duration * 1000)))
        let (recorder, elapsed) = await Runner.run(
            label: scenario.rawValue, connections: connections, limits: limits, makeClient: plan.makeClient
        )
        var summary = Summary(
            scenario: scenario.rawValue, url: api.baseURL, connections: connections, users: plan.users,
            requestLimit: requests, durationLimitSeconds: duration, setupSeconds: setupSeconds,
            startedAt: startedAt.formatted(.iso8601), run: Summary.Phase(recorder, elapsed: elapsed),
            throughputUnit: plan.unit
        )
        var status: Int32 = recorder.succeeded == 0 ? 3 : 0

        if let sale = plan.sale {
            let after = try await api.flashSale(sale.id)
            let won = recorder.outcomes.filter { $0.key.hasPrefix("won") }.values.reduce(0, +)
            summary.flashSale = Summary.FlashSaleResult(
                id: sale.id, quantity: after.quantity, remainingBefore: sale.remaining, remaining: after.remaining,
                status: after.status, soldDuringRun: sale.remaining - after.remaining, wonThisRun: won
            )
            if let first = recorder.firstWin, let last = recorder.lastWin {
                let (seconds, attoseconds) = first.duration(to: last).components
                let window = Double(seconds) + Double(attoseconds) / 1e18
                summary.flashSale?.sellingSeconds = window
                summary.flashSale?.wonPerSecond = window > 0 ? Double(won) / window : nil
                let rate = String(
                    format: "%.2f s from the first win to the last (%.0f won/s)", window,
                    window > 0 ? Double(won) / window : 0)
                print(
                    "flash sale: \(won) won in \(rate); \(after.remaining) of \(after.quantity) left, \(after.status)")
            }
            if after.remaining < 0 || won > sale.remaining {
                printError(
                    "emporium-load: OVERSOLD: \(won) won from \(sale.remaining) remaining; now \(after.remaining)")
                status = 1
            }
        }

        if healthDuration > 0 {
            let (health, healthElapsed) = await Runner.run(
                label: "health", connections: connections,
                limits: Limits(operations: nil, duration: .milliseconds(Int64(healthDuration * 1000))),
                makeClient: { _ in HealthClient(api: api) }
            )
            let phase = Summary.Phase(health, elapsed: healthElapsed)
            summary.health = phase
            if phase.perSecond > 0 { summary.ratioToHealth = summary.run.perSecond / phase.perSecond }
        }

        if let auditCommand {
            let audit = try Audit.run(auditCommand)
            summary.audit = audit
            if audit.exitStatus != 0 { status = 1 }
        }
        summary.printReport()
        if let jsonOut { try summary.write(json: jsonOut) }
        return status
    }

    /// What setting up a scenario produced: how to make its clients, and what the report needs.
    private struct Plan: Sendable {
        var makeClient: @Sendable (Int) -> any VirtualClient
        var unit: String
        var users: Int
        var sale: FlashSaleBody?
    }

    private func setUp(_ api: StoreAPI, runTag: String) async throws -> Plan {
        let connections = self.connections
        switch scenario {
        case .browse:
            let ids = try await api.productIDs(searching: BrowseWorkload.words)
            guard !ids.isEmpty else { throw LoadError("browse: the searches found no products; seed the store first") }
            printError("browse: \(ids.count) product ids from \(BrowseWorkload.words.count + 1) searches")
            let workload = BrowseWorkload(api: api, productIDs: ids)
            return Plan(makeClient: workload.makeClient, unit: "requests/s", users: 0)
        case .checkout:
            let admin = try await api.logIn(email: adminEmail!, password: adminPassword!)
            let skus = try await api.ensureLoadProducts(
                count: products, stock: 1_000_000, admin: admin, width: connections)
            printError("checkout: \(skus.count) products ready; signing up \(users) shoppers")
            let shoppers = try await api.signUpShoppers(count: users, width: connections, runTag: runTag)
            let workload = CheckoutWorkload(api: api, skus: skus, shoppers: shoppers, connections: connections)
            return Plan(makeClient: workload.makeClient, unit: "confirmed orders/s", users: shoppers.count)
        case .flashSale:
            let sale: FlashSaleBody
            if let saleId {
                sale = try await api.flashSale(saleId)
            } else {
                let admin = try await api.logIn(email: adminEmail!, password: adminPassword!)
                sale = try await api.createFlashSale(
                    quantity: saleQuantity, perCustomerLimit: saleLimit, lasting: .seconds(duration), admin: admin,
                    runTag: runTag
                )
            }
            printError(
                "flash-sale: sale \(sale.id), \(sale.remaining) of \(sale.quantity) left; signing up \(users) shoppers")
            let shoppers = try await api.signUpShoppers(count: users, width: connections, runTag: runTag)
            let workload = FlashSaleWorkload(api: api, saleID: sale.id, shoppers: shoppers, connections: connections)
            return Plan(
                makeClient: workload.makeClient, unit: "answered purchases/s", users: shoppers.count, sale: sale)
        }
    }
}
