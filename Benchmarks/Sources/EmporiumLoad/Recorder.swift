import Foundation
import NIOCore

/// What one virtual client saw; each client keeps its own and they are merged at the end, so the hot path
/// takes no lock.
struct Recorder: Sendable {
    /// Milliseconds per request (or per whole operation, e.g. "order"), by operation type.
    var latencies: [String: [Double]] = [:]
    /// HTTP status counts by operation type.
    var statuses: [String: [Int: Int]] = [:]
    /// Requests that got no HTTP status, by operation type and kind ("timeout", "connection", ...).
    var errors: [String: [String: Int]] = [:]
    /// How operations ended: "confirmed", "refused: insufficient_stock", "won", "failed: checkout 500", ...
    var outcomes: [String: Int] = [:]
    /// Operations finished (whatever their outcome), and those that count toward throughput.
    var operations = 0
    var succeeded = 0
    /// When the first and the last "won" outcome happened (flash-sale: the selling window).
    var firstWin: ContinuousClock.Instant?
    var lastWin: ContinuousClock.Instant?

    /// Sends one request, timing it and counting its status or its transport error; nil when there was no reply.
    mutating func call(_ operation: String, _ request: () async throws -> Reply) async -> Reply? {
        let start = ContinuousClock.now
        do {
            let reply = try await request()
            record(operation, start.duration(to: .now))
            statuses[operation, default: [:]][reply.status, default: 0] += 1
            return reply
        } catch {
            errors[operation, default: [:]][TransportFailure.kind(of: error), default: 0] += 1
            return nil
        }
    }

    mutating func record(_ operation: String, _ elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        latencies[operation, default: []].append(Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }

    mutating func outcome(_ name: String) {
        outcomes[name, default: 0] += 1
        if name == "won" {
            let now = ContinuousClock.now
            if firstWin == nil { firstWin = now }
            lastWin = now
        }
    }

    mutating func merge(_ other: Recorder) {
        latencies.merge(other.latencies) { $0 + $1 }
        statuses.merge(other.statuses) { $0.merging($1, uniquingKeysWith: +) }
        errors.merge(other.errors) { $0.merging($1, uniquingKeysWith: +) }
        outcomes.merge(other.outcomes, uniquingKeysWith: +)
        operations += other.operations
        succeeded += other.succeeded
        firstWin = [firstWin, other.firstWin].compactMap { $0 }.min()
        lastWin = [lastWin, other.lastWin].compactMap { $0 }.max()
    }

    var transportErrorCount: Int { errors.values.reduce(0) { $0 + $1.values.reduce(0, +) } }
}

/// Latency percentiles of one operation type, in milliseconds.
struct LatencyStats: Codable, Sendable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double
    var mean: Double

    init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        // Nearest rank: the smallest sample with at least p of the samples at or below it.
        func rank(_ p: Double) -> Double { sorted[Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        count = sorted.count
        p50 = rank(0.50)
        p90 = rank(0.90)
        p99 = rank(0.99)
        max = sorted[sorted.count - 1]
        mean = sorted.reduce(0, +) / Double(sorted.count)
    }
}
