import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Emporium

/// Deliveries to real receivers on 127.0.0.1: signed, retried with the same event id, logged, redelivered, and
/// never held back by another endpoint.
@Suite(.timeLimit(.minutes(3)))
struct WebhookDeliveryTests {
    @Test(arguments: engines)
    func aDeliveryIsSignedAndARetryAfterA500CarriesTheSameId(engine: DatabaseEngine) async throws {
        try await WebhookReceiver.run(respond: { $0 == 0 ? .init(status: .internalServerError) : .init() }) {
            receiver, url in
            try await TestStore.withApp(engine, configure: fastWebhooks) { client, node in
                let admin = try await client.adminToken(node)
                let endpoint = try await client.createWebhook(admin, url: url, events: ["product.created"])
                #expect(endpoint.secret.hasPrefix("whsec_"))
                let product = try #require(try await client.createProduct(admin)["id"] as? String)
                try #require(try await eventually(timeout: .seconds(20)) { receiver.count >= 2 })

                let (first, retry) = (receiver.received[0], receiver.received[1])
                #expect(first.eventId != nil && first.eventId == retry.eventId)
                #expect(
                    signatureIsValid(first, secret: endpoint.secret) && signatureIsValid(retry, secret: endpoint.secret)
                )
                #expect(!signatureIsValid(first, secret: "whsec_wrong"))
                #expect(retry.header("Emporium-Event") == "product.created")
                #expect(retry.json["type"] as? String == "product.created")
                #expect((retry.json["data"] as? [String: Any])?["productId"] as? String == product)
                #expect(retry.json["createdAt"] is String)
                // The retry waited for the backoff (200 ms, with jitter), not for the next poll.
                #expect(retry.at - first.at >= .milliseconds(150))

                // The log shows both attempts, and the secret is never shown again.
                #expect(
                    try await eventually(timeout: .seconds(20)) {
                        try await client.deliveries(admin, endpoint: endpoint.id).first?["status"] as? String
                            == "delivered"
                    })
                let delivery = try #require(try await client.deliveries(admin, endpoint: endpoint.id).first)
                #expect(delivery["eventId"] as? String == first.eventId)
                #expect(delivery["event"] as? String == "product.created")
                #expect(delivery["attempts"] as? Int == 2)
                #expect(delivery["lastResponseStatus"] as? Int == 200)
                #expect(delivery["deliveredAt"] is String && delivery["nextAttemptAt"] is NSNull)
                let log = try #require(delivery["attemptLog"] as? [[String: Any]])
                #expect(log.map { $0["responseStatus"] as? Int } == [500, 200])
                #expect(log.allSatisfy { $0["at"] is String && $0["durationMs"] is Int })
                let listed = try await client.send(.get, "/api/v1/admin/webhooks", token: admin).jsonObject()
                let items = try #require(listed["items"] as? [[String: Any]])
                #expect(items.count == 1 && items[0]["secret"] == nil && items[0]["url"] as? String == url)
            }
        }
    }

    @Test(arguments: engines)
    func redeliverSendsTheSameEventAgainAtOnce(engine: DatabaseEngine) async throws {
        try await WebhookReceiver.run { receiver, url in
            try await TestStore.withApp(engine, configure: fastWebhooks) { client, node in
                let admin = try await client.adminToken(node)
                let endpoint = try await client.createWebhook(admin, url: url, events: ["*"])
                _ = try await client.createProduct(admin)
                #expect(try await eventually(timeout: .seconds(20)) { receiver.count == 1 })
                let delivery = try #require(
                    try await client.deliveries(admin, endpoint: endpoint.id).first?["id"] as? String)
                #expect(
                    try await eventually(timeout: .seconds(20)) {
                        try await client.deliveries(admin, endpoint: endpoint.id).first?["status"] as? String
                            == "delivered"
                    })
                let path = "/api/v1/admin/webhooks/\(endpoint.id)/deliveries/\(delivery)/redeliver"
                #expect(try await client.send(.post, path, token: admin).status == .accepted)
                try #require(try await eventually(timeout: .seconds(20)) { receiver.count == 2 })
                #expect(receiver.received[1].eventId == receiver.received[0].eventId)
                #expect(
                    try await eventually(timeout: .seconds(20)) {
                        try await client.deliveries(admin, endpoint: endpoint.id).first?["attempts"] as? Int == 2
                    })
                let missing = "/api/v1/admin/webhooks/\(endpoint.id)/deliveries/whd_missing/redeliver"
                #expect(try await client.send(.post, missing, token: admin).status == .notFound)
            }
        }
    }

    @Test(arguments: engines)
    func aDeletedEndpointReceivesNothingMore(engine: DatabaseEngine) async throws {
        try await WebhookReceiver.run { receiver, url in
            try await TestStore.withApp(engine, configure: fastWebhooks) { client, node in
                let admin = try await client.adminToken(node)
                let endpoint = try await client.createWebhook(admin, url: url, events: ["product.created"])
                _ = try await client.createProduct(admin)
                #expect(try await eventually(timeout: .seconds(20)) { receiver.count == 1 })
                let path = "/api/v1/admin/webhooks/\(endpoint.id)"
                #expect(try await client.send(.delete, path, token: admin).status == .noContent)
                #expect(try await client.send(.delete, path, token: admin).status == .notFound)
                #expect(try await client.send(.get, path + "/deliveries", token: admin).status == .notFound)
                for _ in 0..<3 { _ = try await client.createProduct(admin) }
                // A second endpoint created after the deletion gets the next product: the pipeline runs.
                try await WebhookReceiver.run { other, otherURL in
                    _ = try await client.createWebhook(admin, url: otherURL, events: ["product.created"])
                    _ = try await client.createProduct(admin)
                    #expect(try await eventually(timeout: .seconds(20)) { other.count == 1 })
                }
                #expect(receiver.count == 1)
            }
        }
    }

    @Test(arguments: engines)
    func aSlowEndpointDoesNotHoldBackAFastOne(engine: DatabaseEngine) async throws {
        try await WebhookReceiver.run(respond: { _ in .init(delay: .seconds(300)) }) { slow, slowURL in
            try await WebhookReceiver.run { fast, fastURL in
                try await TestStore.withApp(
                    engine,
                    configure: {
                        fastWebhooks(&$0)
                        $0.webhooks.timeout = .seconds(400)
                    }
                ) { client, node in
                    let admin = try await client.adminToken(node)
                    _ = try await client.createWebhook(admin, url: slowURL, events: ["product.created"])
                    _ = try await client.createWebhook(admin, url: fastURL, events: ["product.created"])
                    for _ in 0..<20 { _ = try await client.createProduct(admin) }
                    #expect(try await eventually(timeout: .seconds(15)) { fast.count == 20 })
                    // The slow one never answers while the test runs: it holds its own first batch in flight, nothing else.
                    #expect(slow.count <= 8, "slow: \(slow.count)")
                }
            }
        }
    }

    @Test(arguments: engines)
    func failuresAreRetriedHonouringRetryAfterUntilTheyFail(engine: DatabaseEngine) async throws {
        let busy = WebhookReceiver.Answer(status: .serviceUnavailable, headers: [.retryAfter: "1"])
        try await WebhookReceiver.run(respond: { $0 == 0 ? busy : .init(status: .badGateway) }) { receiver, url in
            try await TestStore.withApp(
                engine,
                configure: {
                    fastWebhooks(&$0)
                    $0.webhooks.firstRetryDelay = .milliseconds(100)
                    $0.webhooks.growth = 2
                    $0.webhooks.retryFor = .seconds(10)
                }
            ) { client, node in
                let admin = try await client.adminToken(node)
                let endpoint = try await client.createWebhook(admin, url: url, events: ["product.created"])
                _ = try await client.createProduct(admin)
                #expect(
                    try await eventually(timeout: .seconds(40)) {
                        try await client.deliveries(admin, endpoint: endpoint.id).first?["status"] as? String
                            == "failed"
                    })
                let received = receiver.received
                // At least the Retry-After one and one more; how many more fit the window depends on the machine's
                // load (the schedule itself is `retriesBackOffFromFiveSecondsToHourlyWithJitter`'s).
                try #require(received.count >= 2)
                // Retry-After: 1 held the second attempt back a second, not the 100 ms of the backoff.
                #expect(received[1].at - received[0].at >= .milliseconds(900))
                let delivery = try #require(try await client.deliveries(admin, endpoint: endpoint.id).first)
                #expect(delivery["attempts"] as? Int == received.count)
                #expect(delivery["lastResponseStatus"] as? Int == 502)
                #expect((delivery["lastError"] as? String)?.contains("502") == true)
                #expect(delivery["nextAttemptAt"] is NSNull)
                #expect((delivery["attemptLog"] as? [Any])?.count == received.count)
            }
        }
    }

    @Test func retriesBackOffFromFiveSecondsToHourlyWithJitter() {
        let options = WebhookOptions()
        let schedule = (1...8).map { options.retryDelay(afterAttempt: $0, jitter: 1) / .seconds(1) }
        #expect(schedule == [5, 20, 80, 320, 1280, 3600, 3600, 3600])
        for attempt in 1...8 {
            let delay = options.retryDelay(afterAttempt: attempt)
            let plain = options.retryDelay(afterAttempt: attempt, jitter: 1)
            #expect(delay >= plain * 0.8 && delay <= plain * 1.2)
        }
        // 5 s, 20 s, ... then hourly: 29 attempts in the 24 hours before a delivery is given up.
        var elapsed = Duration.zero
        var attempts = 1
        while elapsed + options.retryDelay(afterAttempt: attempts, jitter: 1) <= options.retryFor {
            elapsed += options.retryDelay(afterAttempt: attempts, jitter: 1)
            attempts += 1
        }
        #expect(attempts == 29, "\(attempts)")
    }

    @Test(arguments: engines)
    func everyKindOfEventArrivesWithPublicDataOnly(engine: DatabaseEngine) async throws {
        try await WebhookReceiver.run { receiver, url in
            try await TestStore.withApp(engine, configure: fastWebhooks) { client, node in
                let admin = try await client.adminToken(node)
                let endpoint = try await client.createWebhook(admin, url: url, events: ["*"])
                let sku = "HOOK-\(UUID().uuidString.prefix(6))"
                let product = try #require(try await client.createProduct(admin, sku: sku, stock: 8)["id"] as? String)
                let shopper = try #require(try await client.signup()["accessToken"] as? String)
                let order = try await client.pendingOrder(sku: sku, as: .user(shopper))
                #expect(try await client.pay(order, card: TestCard.approved, as: .user(shopper)).status == .ok)
                #expect(try await client.postReview(product, rating: 4, token: shopper).status == .created)
                // 8 - 1 sold - 3 = 4 available: below the low-stock threshold of 5.
                let adjust = try await client.send(
                    .post, "/api/v1/admin/inventory/\(sku)/adjust", json: #"{"delta": -3, "reason": "damaged"}"#,
                    token: admin)
                #expect(adjust.status == .ok, "\(String(buffer: adjust.body))")
                let expected: Set = [
                    "product.created", "order.created", "order.confirmed", "review.created", "inventory.low",
                ]
                #expect(
                    try await eventually(timeout: .seconds(20)) {
                        expected.isSubset(of: Set(receiver.received.compactMap { $0.json["type"] as? String }))
                    })
                var byType: [String: [String: Any]] = [:]
                for received in receiver.received {
                    let type = try #require(received.json["type"] as? String)
                    byType[type] = received.json["data"] as? [String: Any]
                    #expect(received.header("Emporium-Event") == type)
                    #expect(signatureIsValid(received, secret: endpoint.secret))
                    // Public data only: nothing of cards, tokens, passwords or sessions. Ids are left out of the
                    // search, since their 26 random characters may spell "cvc" or "card" by chance.
                    let body = String(decoding: received.body, as: UTF8.self).lowercased()
                    #expect(!body.contains(shopper.lowercased()), "\(type) carries the shopper's token")
                    let text = body.replacing(/[a-z]+_[0-9a-z]{26}/, with: "")
                    for secret in ["password", "token", "card", "cvc", "4242424242424242", TestCard.approved] {
                        #expect(!text.contains(secret), "\(type) carries \(secret)")
                    }
                }
                #expect(byType["order.created"]?["orderId"] as? String == order)
                #expect(byType["order.confirmed"]?["status"] as? String == "confirmed")
                #expect((byType["order.confirmed"]?["total"] as? [String: Any])?["currency"] as? String == "USD")
                #expect(byType["review.created"]?["rating"] as? Int == 4)
                #expect(byType["review.created"]?["productId"] as? String == product)
                #expect(byType["inventory.low"]?["sku"] as? String == sku)
                #expect(byType["inventory.low"]?["available"] as? Int == 4)
            }
        }
    }
}
