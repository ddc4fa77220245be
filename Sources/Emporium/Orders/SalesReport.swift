import Foundation

/// One UTC day of sales: the paid orders placed that day and what they came to.
public struct DailySales: Sendable, Equatable {
    /// Midnight UTC starting the day, in Unix milliseconds.
    public let dayStart: Int
    public let orders: Int
    public let revenue: Money
}

extension Orders {
    public static let dayMillis = 86_400_000

    /// The last `days` UTC days up to `now`'s, oldest first, every day present (zeros for a day without sales).
    /// Paid orders only: confirmed, shipped or delivered; a cancelled one was refunded.
    public func dailySales(days: Int = 30, now: Int = Database.nowMillis(), currency: String = "USD") async throws
        -> [DailySales]
    {
        let today = now / Self.dayMillis
        return try await dailySales(fromDay: today - (days - 1), toDay: today, currency: currency)
    }

    /// The UTC days `fromDay` through `toDay` (days since 1970), oldest first, every day present.
    public func dailySales(fromDay: Int, toDay: Int, currency: String = "USD") async throws -> [DailySales] {
        let rows = try await store.database.read { sql in
            try await store.dailySales(since: fromDay * Self.dayMillis, until: (toDay + 1) * Self.dayMillis, in: sql)
        }
        let byDay = Dictionary(rows.map { ($0.day, $0) }, uniquingKeysWith: { first, _ in first })
        return (fromDay...toDay).map { day in
            DailySales(
                dayStart: day * Self.dayMillis, orders: byDay[day]?.orders ?? 0,
                revenue: Money(amount: byDay[day]?.revenue ?? 0, currency: currency))
        }
    }

    /// How many orders are in `status` now.
    public func count(status: OrderStatus) async throws -> Int {
        try await store.database.read { try await store.count(status: status, in: $0) }
    }
}
