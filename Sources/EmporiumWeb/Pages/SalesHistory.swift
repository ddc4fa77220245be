import Emporium
import Foundation
import Synchronization

/// The dashboard's closed days (before today, UTC), read at most once per `maxAge` on this node; today's figures
/// are read at every request. A past day changes only when one of its paid orders is cancelled, so its figures
/// are at most `maxAge` late, and a dashboard on a store of 100,000 orders costs a range of today's orders instead
/// of a month's.
final class SalesHistory: Sendable {
    private struct Entry {
        let today: Int
        let readAt: ContinuousClock.Instant
        let closed: [DailySales]
    }

    private let entry = Mutex<Entry?>(nil)
    let maxAge: Duration

    init(maxAge: Duration = .seconds(30)) {
        self.maxAge = maxAge
    }

    /// The last `days` UTC days, oldest first, today last.
    func days(_ days: Int = 30, orders: Orders, now: Int = Database.nowMillis()) async throws -> [DailySales] {
        let today = now / Orders.dayMillis
        let cached = entry.withLock { entry -> [DailySales]? in
            guard let entry, entry.today == today, entry.closed.count == days - 1,
                entry.readAt.duration(to: .now) < maxAge
            else { return nil }
            return entry.closed
        }
        if let cached { return cached + (try await orders.dailySales(fromDay: today, toDay: today)) }
        let all = try await orders.dailySales(fromDay: today - (days - 1), toDay: today)
        let closed = Array(all.dropLast())
        entry.withLock { $0 = Entry(today: today, readAt: .now, closed: closed) }
        return all
    }
}
