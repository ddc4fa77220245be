import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct FlashSaleInputTests {
    @Test(arguments: engines)
    func creatingASaleSetsItsQuantityAsideOrSaysWhyNot(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "SET-1", price: 5000, stock: 10)
            func create(_ json: String, token: String? = nil) async throws -> TestResponse {
                try await client.send(.post, "/api/v1/admin/flash-sales", json: json, token: token ?? admin)
            }
            let start = rfc3339(Date())
            let end = rfc3339(Date().addingTimeInterval(3600))
            func body(
                sku: String = "SET-1", amount: Int = 100, currency: String = "USD", quantity: Int = 4, limit: Int = 1
            ) -> String {
                #"""
                {"sku": "\#(sku)", "salePrice": {"amount": \#(amount), "currency": "\#(currency)"}, "quantity": \#(quantity),
                 "perCustomerLimit": \#(limit), "startsAt": "\#(start)", "endsAt": "\#(end)"}
                """#
            }
            let created = try await create(body())
            #expect(created.status == .created)
            let sale = try created.jsonObject()
            #expect(
                sale["remaining"] as? Int == 4 && sale["quantity"] as? Int == 4 && sale["perCustomerLimit"] as? Int == 1
            )
            #expect(sale["status"] as? String == "live" && sale["sku"] as? String == "SET-1")
            #expect((sale["salePrice"] as? [String: Any])?["amount"] as? Int == 100)
            #expect(sale["productId"] is String && sale["title"] is String && sale["startsAt"] as? String == start)
            let stock = try await node.inventory.level(sku: "SET-1")
            #expect(stock.available == 6 && stock.reserved == 4)

            let short = try await create(body(quantity: 7))
            #expect(try outcome(short) == (409, "insufficient_stock"))
            #expect(try await node.inventory.level(sku: "SET-1").available == 6, "a refused sale sets nothing aside")
            #expect(try outcome(try await create(body(sku: "NOPE-1"))) == (404, "not_found"))
            #expect(try outcome(try await create(body(currency: "EUR"))) == (422, "validation_failed"))
            let invalid = try await create(
                #"{"sku": "bad sku", "salePrice": {"amount": -1, "currency": "usd"}, "quantity": 0, "perCustomerLimit": 0, "startsAt": "soon", "endsAt": "2020-01-01T00:00:00Z"}"#
            )
            #expect(invalid.status == .unprocessableContent)
            let fields = Set(
                (try invalid.jsonObject()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(
                fields == ["sku", "salePrice.amount", "salePrice.currency", "quantity", "perCustomerLimit", "startsAt"])
            let backwards = try await create(
                #"{"sku": "SET-1", "salePrice": {"amount": 1, "currency": "USD"}, "quantity": 1, "perCustomerLimit": 1, "startsAt": "\#(end)", "endsAt": "\#(start)"}"#
            )
            #expect(try outcome(backwards) == (422, "validation_failed"))
            #expect(try outcome(try await create(#"{"sku": "SET-1", "quantity": "two"}"#)) == (400, "invalid_request"))
            let customer = try #require(try await client.signup()["accessToken"] as? String)
            #expect(try outcome(try await create(body(), token: customer)) == (403, "forbidden"))
            #expect(try await client.send(.post, "/api/v1/admin/flash-sales", json: body()).status == .unauthorized)
            #expect(try outcome(try await client.send(.get, "/api/v1/flash-sales/fs_nothing")) == (404, "not_found"))
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: engines)
    func badPurchasesGetClearProblems(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(try await client.createFlashSale(admin, quantity: 5, limit: 2)["id"] as? String)
            let shopper = try await client.customer()
            let path = "/api/v1/flash-sales/\(sale)/purchase"
            let noKey = try await client.send(.post, path, json: #"{"quantity": 1}"#, headers: shopper.headers)
            #expect(try outcome(noKey) == (400, "idempotency_key_required"))
            let guest = try await client.send(
                .post, path, json: #"{"quantity": 1}"#, headers: [.idempotencyKeyHeader: "g"])
            #expect(guest.status == .unauthorized)
            #expect(
                try outcome(try await client.purchase(sale, quantity: 0, as: shopper)) == (422, "validation_failed"))
            #expect(try outcome(try await client.purchase(sale, quantity: 3, as: shopper)) == (409, "limit_exceeded"))
            let wrongType = try await client.send(
                .post, path, json: #"{"quantity": "1"}"#, headers: shopper.headers + [.idempotencyKeyHeader: "t"])
            #expect(try outcome(wrongType) == (400, "invalid_request"))
            let badAddress = try await client.send(
                .post, path,
                json:
                    #"{"quantity": 1, "shippingAddress": {"name": "", "line1": "x", "city": "y", "postalCode": "1", "country": "GB"}}"#,
                headers: shopper.headers + [.idempotencyKeyHeader: "a"]
            )
            #expect(try outcome(badAddress) == (422, "validation_failed"))
            #expect(try outcome(try await client.purchase("fs_missing", as: shopper)) == (404, "not_found"))
            #expect(try await count("orders", in: node) == 0)
            try await expectAuditPasses(node)
        }
    }

    @Test func aCustomerBeyondTheRateIsToldWhenToRetry() async throws {
        // A token a minute: the bucket cannot refill while the test runs, however slow the machine.
        try await TestStore.withApp(
            .sqlite,
            configure: {
                $0.flashSales.userRate = 1.0 / 60
                $0.flashSales.userBurst = 2
            }
        ) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(try await client.createFlashSale(admin, quantity: 5, limit: 5)["id"] as? String)
            let shopper = try await client.customer()
            #expect(try await client.purchase(sale, as: shopper).status == .created)
            #expect(try await client.purchase(sale, as: shopper).status == .created)
            let limited = try await client.purchase(sale, as: shopper)
            #expect(try outcome(limited) == (429, "rate_limited"))
            #expect(limited.headers[.retryAfter].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
            #expect(
                try await client.purchase(sale, as: try await client.customer()).status == .created,
                "other customers are not slowed")
            try await expectAuditPasses(node)
        }
    }

    @Test func aFullQueueTurnsBuyersAwayWithRetryAfter() async throws {
        final class Log: Sendable {
            let entries = Mutex<[String]>([])
            func add(_ entry: String) { entries.withLock { $0.append(entry) } }
            var all: [String] { entries.withLock { $0 } }
        }
        let queue = AdmissionQueue(maxInFlight: 1, depth: 1)
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        let log = Log()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await queue.run {
                    log.add("first")
                    for await _ in release { break }
                }
            }
            try #require(try await eventually(poll: .milliseconds(5)) { !log.all.isEmpty })
            group.addTask { try await queue.run { log.add("second") } }
            try #require(try await eventually(poll: .milliseconds(5)) { queue.waitingCount > 0 })
            await #expect(throws: FlashSaleError.overloaded) { try await queue.run {} }
            let problem = FlashSaleError.overloaded.problem
            #expect(
                problem.status == .serviceUnavailable && problem.headers[.retryAfter] == "1"
                    && problem.code == "overloaded")
            releaser.yield()
            try await group.waitForAll()
        }
        #expect(log.all == ["first", "second"])
        try await queue.run {}
    }
}
