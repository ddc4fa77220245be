import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    @Test(arguments: engines)
    func identicalRequestsArrivingTogetherDoTheWorkOnceAndGetOneAnswer(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let body = #"{"email": "twice@example.com", "password": "12345678", "name": "Twice"}"#
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await client.send(.post, "/api/v1/auth/signup", json: body, headers: [Self.key: "signup-1"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.allSatisfy { $0.status == .created })
            #expect(Set(responses.map { String(buffer: $0.body) }).count == 1)
            #expect(responses.filter { $0.headers[HTTPField.Name("Idempotent-Replayed")!] == "true" }.count == 5)
            let users = try await node.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM users").first()!.decode(column: "n", as: Int.self)
            }
            #expect(users == 1)
        }
    }

    @Test(arguments: engines)
    func aKeyReusedWithAnotherBodyIs422AndErrorsReplayToo(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, _ in
            let first = try await client.send(
                .post, "/api/v1/auth/signup", json: #"{"email": "bad", "password": "12345678", "name": "A"}"#,
                headers: [Self.key: "k2"])
            #expect(first.status == .unprocessableContent)
            let replay = try await client.send(
                .post, "/api/v1/auth/signup", json: #"{"email": "bad", "password": "12345678", "name": "A"}"#,
                headers: [Self.key: "k2"])
            #expect(replay.status == .unprocessableContent)
            #expect(String(buffer: replay.body) == String(buffer: first.body))

            let other = try await client.send(
                .post, "/api/v1/auth/signup",
                json: #"{"email": "ok@example.com", "password": "12345678", "name": "A"}"#,
                headers: [Self.key: "k2"])
            #expect(other.status == .unprocessableContent)
            #expect(try other.problemCode() == "idempotency_key_reused")

            let tooLong = try await client.send(
                .post, "/api/v1/auth/logout", json: #"{"refreshToken": "x"}"#,
                headers: [Self.key: String(repeating: "k", count: 256)])
            #expect(tooLong.status == .badRequest)
        }
    }

    @Test(arguments: engines)
    func anExpiredKeyIsClaimedAfreshAndALiveOneIsNot(engine: DatabaseEngine) async throws {
        try await TestStore.withNode(engine) { node in
            let store = node.idempotency
            let stored = IdempotencyStore.StoredResponse(status: 201, headers: [], body: Data("first".utf8))
            #expect(try await Self.outcome(store.claim(scope: "u1", key: "k", requestHash: "a")) == "claimed")
            #expect(try await Self.outcome(store.claim(scope: "u1", key: "k", requestHash: "a")) == "inProgress")
            try await store.complete(scope: "u1", key: "k", response: stored)
            #expect(try await Self.outcome(store.claim(scope: "u1", key: "k", requestHash: "a")) == "completed first")
            #expect(try await Self.outcome(store.claim(scope: "u1", key: "k", requestHash: "b")) == "mismatch")

            // Past the retention, the record is taken over whole: another body, and no stored answer.
            var forgetful = store
            forgetful.retainMillis = 1
            try await Task.sleep(for: .milliseconds(5))
            #expect(try await Self.outcome(forgetful.claim(scope: "u1", key: "k", requestHash: "b")) == "claimed")
            #expect(try await Self.outcome(store.claim(scope: "u1", key: "k", requestHash: "b")) == "inProgress")
            #expect(try await Self.outcome(store.claim(scope: "u1", key: "k", requestHash: "a")) == "mismatch")
        }
    }

    /// The rule "a checkout's answer commits with its outcome, or not at all" (a payment's too, on PostgreSQL): the
    /// transaction that decides the request stores the answer with the claim (`IdempotentResponse.record`), so
    /// nothing the middleware does afterwards (or fails to do, on a node that dies) can separate an order from its
    /// answer.
    @Test(arguments: engines)
    func anAnswerIsStoredByTheTransactionThatDecidesIt(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "ONE-1", price: 1000, stock: 1)
            var shoppers: [(shopper: Shopper, userId: String)] = []
            for _ in 0..<2 {
                let session = try await client.signup()
                let token = try #require(session["accessToken"] as? String)
                let user = try #require(session["user"] as? [String: Any])
                shoppers.append((.user(token), try #require(user["id"] as? String)))
                try await client.addToCart("ONE-1", 1, as: .user(token))
            }
            let address = ShippingAddress(name: "A", line1: "1 St", city: "C", postalCode: "12345", country: "DE")
            let card = Card(number: TestCard.approved, expMonth: 12, expYear: 2040, cvc: "123")
            // Only the claim and the domain's work: the middleware's own storing never runs here.
            func answered(_ userId: String, _ key: String, _ work: () async throws -> Order) async throws -> Order {
                let store = node.idempotency
                #expect(try await Self.outcome(store.claim(scope: userId, key: key, requestHash: key)) == "claimed")
                let recording = IdempotentResponse(store: store, scope: userId, key: key) { generator in
                    // The answer names the order, enough to tell which outcome it belongs to.
                    let order = try #require(generator as? Order)
                    return Response(
                        status: .ok, body: .init(byteBuffer: ByteBuffer(string: order.id + " " + order.status.rawValue))
                    )
                }
                return try await IdempotentResponse.$current.withValue(recording) {
                    try await IdempotentResponse.answering({ $0 }, work)
                }
            }

            let order = try await answered(shoppers[0].userId, "co") {
                try await node.orders.checkout(userId: shoppers[0].userId, address: address)
            }
            let stored = try await node.idempotency.claim(scope: shoppers[0].userId, key: "co", requestHash: "co")
            #expect(Self.outcome(stored) == "completed \(order.id) pending_payment")

            let paid = try await answered(shoppers[0].userId, "pay") {
                try await node.payments.pay(orderId: order.id, userId: shoppers[0].userId, card: card)
            }
            #expect(paid.status == .confirmed)
            // A payment's answer too on PostgreSQL; SQLite's writer leaves it to the middleware (see `Payments`).
            let storedPay = try await node.idempotency.claim(scope: shoppers[0].userId, key: "pay", requestHash: "pay")
            #expect(
                Self.outcome(storedPay) == (engine == .postgres ? "completed \(order.id) confirmed" : "inProgress"))

            // A checkout that fails (the one unit is sold) rolls back, answer and all: the key stays claimed.
            await #expect(throws: ReservationError.self) {
                try await answered(shoppers[1].userId, "co") {
                    try await node.orders.checkout(userId: shoppers[1].userId, address: address)
                }
            }
            let failed = try await node.idempotency.claim(scope: shoppers[1].userId, key: "co", requestHash: "co")
            #expect(Self.outcome(failed) == "inProgress")
        }
    }

    static func outcome(_ claim: IdempotencyStore.Claim) -> String {
        switch claim {
        case .claimed: "claimed"
        case .completed(let stored): "completed " + String(decoding: stored.body, as: UTF8.self)
        case .inProgress: "inProgress"
        case .mismatch: "mismatch"
        }
    }

    @Test(arguments: engines)
    func keysAreScopedToTheCaller(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, _ in
            let alice = try #require(try await client.signup()["accessToken"] as? String)
            let bob = try #require(try await client.signup()["accessToken"] as? String)
            let body = #"{"refreshToken": "none"}"#
            let a = try await client.send(
                .post, "/api/v1/auth/logout", json: body, token: alice, headers: [Self.key: "same"])
            let b = try await client.send(
                .post, "/api/v1/auth/logout", json: body, token: bob, headers: [Self.key: "same"])
            #expect(a.status == .noContent)
            #expect(b.status == .noContent)
            #expect(b.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
        }
    }
}
