import SQLKit
import Synchronization

/// Where each of this node's consumers stands in the event log, as the dispatcher last recorded it.
public final class ConsumerPositions: Sendable {
    private let positions = Mutex<[String: Int]>([:])

    public init() {}

    func record(_ consumer: String, at position: Int) {
        positions.withLock { $0[consumer] = position }
    }

    /// A cluster consumer whose lease another node holds: that node reports its lag.
    func forget(_ consumer: String) {
        _ = positions.withLock { $0.removeValue(forKey: consumer) }
    }

    var current: [String: Int] { positions.withLock { $0 } }
}

extension EventLog {
    /// For each consumer, the seconds between the newest event's `created_at` and that of the event at its position:
    /// 0 for a consumer that has seen the newest event. A position with no event at or before it (a consumer that has
    /// seen nothing yet) counts from the first event after it. Two primary-key lookups per consumer.
    func lagSeconds(of positions: [String: Int]) async throws -> [String: Double] {
        try await database.read { sql in
            guard let newest = try await sql.raw("SELECT id, created_at FROM events ORDER BY id DESC LIMIT 1").first()
            else { return positions.mapValues { _ in 0 } }
            let newestId = try newest.decode(column: "id", as: Int.self)
            let newestAt = try newest.decode(column: "created_at", as: Int.self)
            var lags: [String: Double] = [:]
            for (consumer, position) in positions {
                guard position < newestId else {
                    lags[consumer] = 0
                    continue
                }
                var seenAt = try await sql.raw(
                    "SELECT created_at FROM events WHERE id <= \(bind: position) ORDER BY id DESC LIMIT 1"
                ).first()?.decode(column: "created_at", as: Int.self)
                if seenAt == nil {
                    seenAt = try await sql.raw(
                        "SELECT created_at FROM events WHERE id > \(bind: position) ORDER BY id LIMIT 1"
                    ).first()?.decode(column: "created_at", as: Int.self)
                }
                lags[consumer] = Double(max(0, newestAt - (seenAt ?? newestAt))) / 1000
            }
            return lags
        }
    }
}
