import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The business series of `/metrics`. Serialized: the gauges are the process's, and only these tests' stores refresh
/// them (`TestStore` turns the refresh off elsewhere).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MetricsTests {
    @Test(arguments: engines)
    func ordersByStatusAndActiveReservationsMatchTheStore(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine, configure: { $0.metricsInterval = .milliseconds(50) }) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "LAMP-1", price: 4500, stock: 10)
            _ = try await client.pendingOrder(sku: "LAMP-1", quantity: 2, as: try await client.customer())
            let payer = try await client.customer()
            let paid = try await client.pendingOrder(sku: "LAMP-1", quantity: 1, as: payer)
            #expect(try await client.pay(paid, as: payer).status == .ok)
            let canceller = try await client.customer()
            let cancelled = try await client.pendingOrder(sku: "LAMP-1", quantity: 3, as: canceller)
            _ = try await client.cartRequest(.post, "/api/v1/orders/\(cancelled)/cancel", as: canceller)

            let expected: [String: Double] = [
                #"emporium_orders{status="pending_payment"}"#: 1,
                #"emporium_orders{status="confirmed"}"#: 1,
                #"emporium_orders{status="shipped"}"#: 0,
                #"emporium_orders{status="delivered"}"#: 0,
                #"emporium_orders{status="cancelled"}"#: 1,
                "emporium_reservations_active": 1,
                "emporium_reservations_active_units": 2,
            ]
            var seen: [String: Double] = [:]
            let matched = try await eventually {
                seen = try await client.metrics()
                return expected.allSatisfy { seen[$0.key] == $0.value }
            }
            #expect(matched, "\(seen.filter { expected[$0.key] != nil })")
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func databaseStatementsAndTransactionsAreCountedByOperation(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "DESK-1", price: 9000, stock: 10)
            let checkout = #"operation="POST /api/v1/checkout""#
            func series(_ name: String) async throws -> Double {
                try await client.metrics().first {
                    $0.key.hasPrefix(name + "{") && $0.key.contains(checkout)
                        && $0.key.contains(#"engine="\#(engine)""#)
                }?.value ?? 0
            }
            let statementsBefore = try await series("emporium_db_statements_total")
            let transactionsBefore = try await series("emporium_db_transactions_total")
            _ = try await client.pendingOrder(sku: "DESK-1", as: try await client.customer())
            let statements = try await series("emporium_db_statements_total") - statementsBefore
            let transactions = try await series("emporium_db_transactions_total") - transactionsBefore
            // Other tests check out at the same time on this engine: at least this checkout's own work shows.
            #expect(statements >= 5, "\(statements)")
            #expect(transactions >= 1, "\(transactions)")
            let background = try await client.metrics().keys.contains {
                $0.hasPrefix("emporium_db_statements_total{") && $0.contains(#"operation="background""#)
            }
            #expect(background)
        }
    }

    @Test(arguments: engines)
    func outboxLagIsHowFarAConsumerIsBehindTheNewestEvent(engine: DatabaseEngine) async throws {
        let open = Mutex(false)
        // Stuck on the first order until the test lets it go; it starts at the log's beginning, so it sees that order.
        let stuck = EventConsumer(name: "lag-test", scope: .node(start: { 0 }), types: ["order.created"]) { _ in
            while !open.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await TestStore.withApp(engine, consumers: [stuck], configure: { $0.metricsInterval = .milliseconds(50) }) {
            client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "CLOCK-1", price: 3000, stock: 10)
            _ = try await client.pendingOrder(sku: "CLOCK-1", as: try await client.customer())
            try await Task.sleep(for: .milliseconds(1500))
            _ = try await client.pendingOrder(sku: "CLOCK-1", as: try await client.customer())

            let stuckLag = #"emporium_outbox_lag_seconds{consumer="lag-test"}"#
            let searchLag = #"emporium_outbox_lag_seconds{consumer="search-index"}"#
            var seen: [String: Double] = [:]
            let behind = try await eventually {
                seen = try await client.metrics()
                return (seen[stuckLag] ?? 0) >= 1.5 && seen[searchLag] == 0
            }
            #expect(behind, "\(seen.filter { $0.key.hasPrefix("emporium_outbox_lag") })")
            // The lag is the age gap between events, not time since: it stays put while the consumer is stuck.
            #expect((seen[stuckLag] ?? 0) < 10)

            open.withLock { $0 = true }
            let caughtUp = try await eventually {
                seen = try await client.metrics()
                return seen[stuckLag] == 0
            }
            #expect(caughtUp, "\(seen.filter { $0.key.hasPrefix("emporium_outbox_lag") })")
        }
    }

    @Test(arguments: engines)
    func searchesAndSuggestionsAreTimed(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            #expect(try await client.eventuallyReady())
            let searches = #"emporium_search_duration_seconds_count{operation="search"}"#
            let suggestions = #"emporium_search_duration_seconds_count{operation="suggest"}"#
            let before = try await client.metrics()
            for query in ["lamp", "desk", "headphones"] {
                #expect(try await client.send(.get, "/api/v1/products/search?q=\(query)").status == .ok)
            }
            #expect(try await client.send(.get, "/api/v1/products/suggest?q=la").status == .ok)
            let after = try await client.metrics()
            // Other suites search at the same time: at least ours were counted.
            #expect((after[searches] ?? 0) >= (before[searches] ?? 0) + 3)
            #expect((after[suggestions] ?? 0) >= (before[suggestions] ?? 0) + 1)
            #expect(
                after[#"emporium_search_duration_seconds_bucket{operation="search",le="0.001"}"#] != nil,
                "finer buckets than the default 5 ms")
        }
    }
}

extension TestClientProtocol {
    /// `/metrics` as series ("name{labels}") and their values.
    func metrics() async throws -> [String: Double] {
        let text = String(buffer: try await send(.get, "/metrics").body)
        var series: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            series[String(line[..<space])] = value
        }
        return series
    }
}
