import Logging
import Metrics
import ServiceLifecycle

/// Refreshes the gauges that need the database on a timer, so a scrape of `/metrics` runs no query however often it
/// comes: `emporium_orders{status}`, `emporium_reservations_active` (lines) and `_units`, and
/// `emporium_outbox_lag_seconds{consumer}`. Every node reports the store-wide counts (a dashboard takes their max)
/// and the lag of the consumers it runs.
struct StoreGauges: Service {
    let orders: Orders
    let inventory: Inventory
    let log: EventLog
    let positions: ConsumerPositions
    let interval: Duration
    let prepare: @Sendable () async throws -> Void
    let logger: Logger

    func run() async throws {
        _ = MetricsRegistry.shared
        try await cancelWhenGracefulShutdown {
            try await prepare()
            var reported: Set<String> = []
            while !Task.isCancelled {
                do {
                    reported = try await refresh(reported: reported)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("refreshing the store gauges failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Reads the counts and the lag once and records them; the consumers whose lag it recorded. A consumer it
    /// reported before and no longer runs (a cluster consumer another node took over) loses its series.
    func refresh(reported: Set<String>) async throws -> Set<String> {
        for (status, count) in try await orders.countsByStatus() {
            Gauge(label: "emporium_orders", dimensions: [("status", status.rawValue)]).record(count)
        }
        let reservations = try await inventory.activeReservations()
        Gauge(label: "emporium_reservations_active").record(reservations.lines)
        Gauge(label: "emporium_reservations_active_units").record(reservations.units)
        let lags = try await log.lagSeconds(of: positions.current)
        for (consumer, seconds) in lags {
            Gauge(label: "emporium_outbox_lag_seconds", dimensions: [("consumer", consumer)]).record(seconds)
        }
        for consumer in reported.subtracting(lags.keys) {
            Gauge(label: "emporium_outbox_lag_seconds", dimensions: [("consumer", consumer)]).destroy()
        }
        return Set(lags.keys)
    }
}
