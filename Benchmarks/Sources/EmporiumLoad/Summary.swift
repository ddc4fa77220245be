import Foundation

/// Everything a run reports; printed as a table and, with --json-out, written as JSON.
struct Summary: Codable, Sendable {
    struct Phase: Codable, Sendable {
        var operations: Int
        var succeeded: Int
        var seconds: Double
        /// Succeeded operations a second (checkout: confirmed orders; flash-sale: answered purchases).
        var perSecond: Double
        var latencyMs: [String: LatencyStats]
        var statuses: [String: [String: Int]]
        var transportErrors: [String: [String: Int]]
        var outcomes: [String: Int]

        init(_ recorder: Recorder, elapsed: Duration) {
            operations = recorder.operations
            succeeded = recorder.succeeded
            seconds = elapsed.seconds
            perSecond = seconds > 0 ? Double(recorder.succeeded) / seconds : 0
            latencyMs = recorder.latencies.compactMapValues(LatencyStats.init)
            statuses = recorder.statuses.mapValues { counts in
                Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), $0.value) })
            }
            transportErrors = recorder.errors
            outcomes = recorder.outcomes
        }
    }

    struct FlashSaleResult: Codable, Sendable {
        var id: String
        var quantity: Int
        var remainingBefore: Int
        var remaining: Int
        var status: String
        var soldDuringRun: Int
        var wonThisRun: Int
        /// Seconds from the first won purchase to the last (to sold out, when the run sold everything).
        var sellingSeconds: Double?
        /// Won purchases per second over that window.
        var wonPerSecond: Double?
    }

    struct AuditResult: Codable, Sendable {
        var command: String
        var exitStatus: Int32
        var output: String
    }

    var scenario: String
    var url: String
    var connections: Int
    var users: Int
    var requestLimit: Int?
    var durationLimitSeconds: Double
    var setupSeconds: Double
    var startedAt: String
    var run: Phase
    var throughputUnit: String
    var health: Phase?
    /// run.perSecond ÷ health.perSecond, measured on the same server with the same connections.
    var ratioToHealth: Double?
    var flashSale: FlashSaleResult?
    var audit: AuditResult?

    func write(json path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    /// The operation types in the order a reader wants them: the whole operation first, then its steps.
    static let order = [
        "order", "cart.add", "checkout", "pay", "cart.remove", "search", "product", "purchase", "health",
    ]

    func printReport() {
        let limit = requestLimit.map { "\($0) operations or \(durationLimitSeconds) s" } ?? "\(durationLimitSeconds) s"
        print("scenario \(scenario) on \(url): \(connections) connections, \(users) users, limit \(limit)")
        print(String(format: "setup (untimed) %.1f s", setupSeconds))
        print(
            String(
                format: "%d operations in %.2f s, %d succeeded: %.1f ", run.operations, run.seconds, run.succeeded,
                run.perSecond)
                + throughputUnit
        )
        printPhase(run)
        if let health {
            print(
                String(
                    format: "GET /health/live, same connections, %.1f s: %.0f req/s", health.seconds, health.perSecond))
            printPhase(health)
        }
        if let ratioToHealth {
            print("ratio \(throughputUnit) ÷ health req/s = " + String(format: "%.4f", ratioToHealth))
        }
        if let sale = flashSale {
            print(
                "flash sale \(sale.id): quantity \(sale.quantity), remaining \(sale.remaining) (was \(sale.remainingBefore)),"
                    + " sold during the run \(sale.soldDuringRun), won by this run \(sale.wonThisRun), status \(sale.status)"
            )
        }
        if let audit {
            print("audit `\(audit.command)` exited \(audit.exitStatus):")
            print(audit.output.trimmingCharacters(in: .newlines))
        }
    }

    private func printPhase(_ phase: Phase) {
        let names = phase.latencyMs.keys.sorted {
            (Self.order.firstIndex(of: $0) ?? 99, $0) < (Self.order.firstIndex(of: $1) ?? 99, $1)
        }
        print("  operation       count     p50 ms     p90 ms     p99 ms     max ms  statuses")
        for name in names {
            guard let stats = phase.latencyMs[name] else { continue }
            let statuses = (phase.statuses[name] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            print(
                "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(
                        format: "%9d %10.2f %10.2f %10.2f %10.2f", stats.count, stats.p50, stats.p90, stats.p99,
                        stats.max)
                    + "  " + statuses.joined(separator: ", ")
            )
        }
        for (name, count) in phase.outcomes.sorted(by: { $0.key < $1.key }) {
            print("  outcome \(name): \(count)")
        }
        for (operation, kinds) in phase.transportErrors.sorted(by: { $0.key < $1.key }) {
            for (kind, count) in kinds.sorted(by: { $0.key < $1.key }) {
                print("  error \(operation) \(kind): \(count)")
            }
        }
    }
}

enum Audit {
    /// Runs `command` through /bin/sh, its stdout and stderr together. Blocking is fine: nothing else runs then.
    static func run(_ command: String) throws -> Summary.AuditResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Summary.AuditResult(
            command: command, exitStatus: process.terminationStatus, output: String(decoding: output, as: UTF8.self)
        )
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
