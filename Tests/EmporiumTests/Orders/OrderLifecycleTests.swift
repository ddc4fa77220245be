import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(2)))
struct OrderLifecycleTests {
    @Test(arguments: engines)
    func anExpiredOrderIsCancelledAndReturnsItsStock(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(
            engine,
            configure: {
                $0.reservationLifetime = .seconds(3)
                $0.sweepInterval = .milliseconds(50)
            }
        ) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "VASE-1", price: 2000, stock: 2)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "VASE-1", quantity: 2, as: shopper)
            #expect(try await node.inventory.level(sku: "VASE-1").available == 0)

            #expect(
                try await eventually(timeout: .seconds(20), poll: .milliseconds(50)) {
                    try await client.cartRequest(.get, "/api/v1/orders/\(order)/status", as: shopper)["status"]
                        as? String == "cancelled"
                })
            let stock = try await node.inventory.level(sku: "VASE-1")
            #expect(stock.available == 2 && stock.reserved == 0)
            let cancelled = try await client.cartRequest(.get, "/api/v1/orders/\(order)", as: shopper)
            let history = cancelled["statusHistory"] as? [[String: Any]] ?? []
            #expect(history.map { $0["status"] as? String } == ["pending_payment", "cancelled"])
            #expect(history.last?["note"] as? String == "payment_timeout")

            let late = try await client.pay(order, as: shopper)
            #expect(late.status == .conflict)
            #expect(try late.problemCode() == "order_expired")
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func everyInvalidTransitionAnswers409(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let adminShopper = Shopper.user(admin)
            _ = try await client.createProduct(admin, sku: "DESK-1", price: 30000, stock: 10)
            let shopper = try await client.customer()
            func post(_ path: String, json: String? = nil, as who: Shopper) async throws -> (Int, String?) {
                let response = try await client.send(.post, path, json: json, headers: who.headers)
                return (response.status.code, response.status == .ok ? nil : try response.problemCode())
            }
            let ship = #"{"carrier": "UPS", "trackingNumber": "1Z999"}"#
            let order = try await client.pendingOrder(sku: "DESK-1", as: shopper)
            #expect(
                try await post("/api/v1/admin/orders/\(order)/ship", json: ship, as: adminShopper) == (
                    409, "invalid_transition"
                ))
            #expect(
                try await post("/api/v1/admin/orders/\(order)/deliver", as: adminShopper) == (409, "invalid_transition")
            )

            #expect(try await client.pay(order, as: shopper).status == .ok)
            #expect(
                try await post("/api/v1/admin/orders/\(order)/deliver", as: adminShopper) == (409, "invalid_transition")
            )
            #expect(try await client.pay(order, as: shopper).status == .conflict)
            #expect(
                try await post(
                    "/api/v1/admin/orders/\(order)/ship", json: #"{"carrier": "", "trackingNumber": "1"}"#,
                    as: adminShopper
                ).0 == 422)
            #expect(try await post("/api/v1/admin/orders/\(order)/ship", json: ship, as: adminShopper).0 == 200)
            #expect(
                try await post("/api/v1/admin/orders/\(order)/ship", json: ship, as: adminShopper) == (
                    409, "invalid_transition"
                ))
            #expect(try await post("/api/v1/orders/\(order)/cancel", as: shopper) == (409, "invalid_transition"))
            #expect(try await post("/api/v1/admin/orders/\(order)/deliver", as: adminShopper).0 == 200)
            #expect(try await post("/api/v1/orders/\(order)/cancel", as: shopper) == (409, "invalid_transition"))
            #expect(
                try await post("/api/v1/admin/orders/\(order)/deliver", as: adminShopper) == (409, "invalid_transition")
            )
            let delivered = try await client.cartRequest(.get, "/api/v1/orders/\(order)", as: shopper)
            #expect(
                (delivered["statusHistory"] as? [[String: Any]])?.map { $0["status"] as? String } == [
                    "pending_payment", "confirmed", "shipped", "delivered",
                ])
            #expect((delivered["shipment"] as? [String: Any])?["trackingNumber"] as? String == "1Z999")

            let unpaid = try await client.pendingOrder(sku: "DESK-1", as: shopper)
            #expect(try await post("/api/v1/orders/\(unpaid)/cancel", as: shopper).0 == 200)
            #expect(try await post("/api/v1/orders/\(unpaid)/cancel", as: shopper) == (409, "invalid_transition"))
            #expect(try await client.pay(unpaid, as: shopper).status == .conflict)
            #expect(try await node.inventory.level(sku: "DESK-1").available == 9)
            #expect(try await post("/api/v1/admin/orders/\(unpaid)/ship", json: ship, as: shopper).0 == 403)
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func cancellingAPaidOrderRefundsItAndRestocks(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "SOFA-1", price: 80000, stock: 2)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "SOFA-1", as: shopper)
            #expect(try await client.pay(order, as: shopper).status == .ok)
            #expect(try await node.inventory.level(sku: "SOFA-1").onHand == 1)
            let cancelled = try await client.cartRequest(.post, "/api/v1/orders/\(order)/cancel", as: shopper)
            #expect(cancelled["status"] as? String == "cancelled")
            #expect((cancelled["statusHistory"] as? [[String: Any]])?.last?["note"] as? String == "refund issued")
            #expect(try await node.inventory.level(sku: "SOFA-1").onHand == 2)

            // Notifications come from the event log through a cluster consumer.
            var types: [String] = []
            _ = try await eventually(poll: .milliseconds(50)) {
                let page = try await client.cartRequest(.get, "/api/v1/notifications", as: shopper)
                types = (page["items"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
                return types.contains("order.refunded")
            }
            #expect(Set(types) == ["order.confirmed", "order.cancelled", "order.refunded"])
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func anotherCustomersOrderIsNotFound(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "LAMP-9", price: 5000, stock: 10)
            let alice = try await client.customer()
            let bob = try await client.customer()
            let order = try await client.pendingOrder(sku: "LAMP-9", as: alice)
            for (method, path) in [
                (HTTPRequest.Method.get, "/api/v1/orders/\(order)"), (.get, "/api/v1/orders/\(order)/status"),
                (.post, "/api/v1/orders/\(order)/cancel"),
            ] {
                let response = try await client.send(method, path, headers: bob.headers)
                #expect(response.status == .notFound, "\(method) \(path)")
            }
            #expect(try await client.pay(order, as: bob).status == .notFound)
            #expect((try await client.cartRequest(.get, "/api/v1/orders", as: bob)["items"] as? [Any])?.isEmpty == true)
            #expect(
                try await client.cartRequest(.get, "/api/v1/orders/\(order)/status", as: alice)["status"] as? String
                    == "pending_payment")
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func ordersListNewestFirstInPages(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "CARD-1", price: 300, stock: 100)
            let shopper = try await client.customer()
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await client.pendingOrder(sku: "CARD-1", as: shopper)) }
            let first = try await client.cartRequest(.get, "/api/v1/orders?limit=3", as: shopper)
            let cursor = try #require(first["nextCursor"] as? String)
            let second = try await client.cartRequest(.get, "/api/v1/orders?limit=3&cursor=\(cursor)", as: shopper)
            #expect(second["nextCursor"] is NSNull)
            let listed = ((first["items"] as? [[String: Any]] ?? []) + (second["items"] as? [[String: Any]] ?? []))
                .compactMap { $0["id"] as? String }
            #expect(listed == ids.reversed())
            let pending = try await client.cartRequest(
                .get, "/api/v1/admin/orders?status=pending_payment&limit=100", as: .user(admin))
            #expect((pending["items"] as? [Any])?.count == 5)
            #expect(
                try await client.send(.get, "/api/v1/admin/orders?status=lost", headers: Shopper.user(admin).headers)
                    .status == .badRequest)
            try await expectAuditPasses(node)
        }
    }
}
