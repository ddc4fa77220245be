import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Synchronization
import Testing

@testable import Emporium

/// Webhooks reach public addresses only, checked at creation and again at send time.
@Suite(.timeLimit(.minutes(2)))
struct WebhookAddressTests {
    @Test func privateAndSpecialAddressesAreRecognised() {
        let refused: [[UInt8]] = [
            [127, 0, 0, 1], [10, 1, 2, 3], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1],
            [169, 254, 169, 254],
            [0, 0, 0, 0], [100, 64, 0, 1], [255, 255, 255, 255], [224, 0, 0, 1],
            ipv6("::1"), ipv6("::"), ipv6("fe80::1"), ipv6("fc00::1"), ipv6("fd12:3456::1"), ipv6("::ffff:10.0.0.1"),
            ipv6("::ffff:169.254.169.254"), ipv6("ff02::1"), ipv6("64:ff9b::7f00:1"),
        ]
        let allowed: [[UInt8]] = [
            [93, 184, 216, 34], [8, 8, 8, 8], [172, 32, 0, 1], [192, 169, 0, 1], ipv6("2606:4700::1111"),
            ipv6("::ffff:8.8.8.8"),
        ]
        for address in refused { #expect(WebhookAddressPolicy.isPrivate(address), "\(address)") }
        for address in allowed { #expect(!WebhookAddressPolicy.isPrivate(address), "\(address)") }
    }

    @Test func urlsMustBeHttpAndResolveToPublicAddressesAtCreation() async throws {
        try await TestStore.withApp(.sqlite, configure: { $0.webhooks.resolve = Self.fakeDNS(Switch()) }) {
            client, node in
            let admin = try await client.adminToken(node)
            for url in [
                "http://127.0.0.1:9/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
                "http://localhost/hook", "http://internal.example/hook", "ftp://hooks.example/", "not a url",
                "http://user:pass@hooks.example/", "http://unresolvable.example/",
            ] {
                let response = try await client.send(
                    .post, "/api/v1/admin/webhooks", json: #"{"url": "\#(url)", "events": ["*"]}"#, token: admin)
                #expect(response.status == .unprocessableContent, "\(url)")
                let errors = try response.jsonObject()["errors"] as? [[String: Any]] ?? []
                #expect(errors.contains { $0["field"] as? String == "url" }, "\(url)")
            }
            for events in [#"[]"#, #"["order.exploded"]"#, #"["cart.changed"]"#] {
                let response = try await client.send(
                    .post, "/api/v1/admin/webhooks",
                    json: #"{"url": "https://hooks.example/in", "events": \#(events)}"#,
                    token: admin)
                #expect(response.status == .unprocessableContent, "\(events)")
            }
            let shopper = try #require(try await client.signup()["accessToken"] as? String)
            let forbidden = try await client.send(
                .post, "/api/v1/admin/webhooks", json: #"{"url": "https://hooks.example/in", "events": ["*"]}"#,
                token: shopper)
            #expect(forbidden.status == .forbidden)
            _ = try await client.createWebhook(admin, url: "https://hooks.example/in", events: ["order.created", "*"])
        }
    }

    @Test func aHostThatTurnsPrivateIsNotSentTo() async throws {
        let turnedPrivate = Switch()
        let dns = Self.fakeDNS(turnedPrivate)
        try await TestStore.withApp(
            .sqlite,
            configure: {
                fastWebhooks(&$0)
                $0.webhooks.addressPolicy.allowPrivate = false
                $0.webhooks.resolve = dns
            }
        ) { client, node in
            let admin = try await client.adminToken(node)
            let endpoint = try await client.createWebhook(admin, url: "https://hooks.example/in", events: ["*"])
            turnedPrivate.turnOn()
            _ = try await client.createProduct(admin)
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    let error = try await client.deliveries(admin, endpoint: endpoint.id).first?["lastError"] as? String
                    return error?.contains("not sent") == true && error?.contains("private") == true
                })
            let delivery = try #require(try await client.deliveries(admin, endpoint: endpoint.id).first)
            #expect(delivery["status"] as? String == "pending" && delivery["lastResponseStatus"] is NSNull)
        }
    }

    /// hooks.example is public until `turnedPrivate` is on, internal.example and localhost are private, anything
    /// else does not resolve.
    static func fakeDNS(_ turnedPrivate: Switch) -> @Sendable (String) async throws -> [[UInt8]] {
        { host in
            switch host {
            case "hooks.example": turnedPrivate.isOn ? [[10, 0, 0, 7]] : [[93, 184, 216, 34]]
            case "internal.example": [[192, 168, 0, 10]]
            case "localhost": [[127, 0, 0, 1]]
            case "127.0.0.1": [[127, 0, 0, 1]]
            case "169.254.169.254": [[169, 254, 169, 254]]
            case "::1": [ipv6("::1")]
            default: throw WebhookAddressPolicy.ResolutionFailed()
            }
        }
    }
}

final class Switch: Sendable {
    private let state = Atomic<Bool>(false)
    var isOn: Bool { state.load(ordering: .acquiring) }
    func turnOn() { state.store(true, ordering: .releasing) }
}

/// The 16 bytes of an IPv6 address in text.
func ipv6(_ text: String) -> [UInt8] {
    var address = in6_addr()
    precondition(inet_pton(AF_INET6, text, &address) == 1, text)
    return withUnsafeBytes(of: address) { Array($0) }
}

/// The attempt log keeps 14 days.
@Suite(.timeLimit(.minutes(2)))
struct WebhookRetentionTests {
    @Test(arguments: engines)
    func attemptsAndFinishedDeliveriesOlderThanTheRetentionAreForgotten(engine: DatabaseEngine) async throws {
        try await WebhookReceiver.run { receiver, url in
            try await TestStore.withApp(engine, configure: fastWebhooks) { client, node in
                let admin = try await client.adminToken(node)
                let endpoint = try await client.createWebhook(admin, url: url, events: ["product.created"])
                _ = try await client.createProduct(admin)
                #expect(
                    try await eventually(timeout: .seconds(20)) {
                        try await client.deliveries(admin, endpoint: endpoint.id).first?["status"] as? String
                            == "delivered"
                    })
                let store = node.webhooks.store
                // Nothing is older than a day: nothing goes.
                try await store.purge(before: Database.nowMillis() - 24 * 3600 * 1000)
                #expect(try await client.deliveries(admin, endpoint: endpoint.id).count == 1)
                // Everything so far is older than "now + 1 s": the delivered row and its attempt go.
                try await store.purge(before: Database.nowMillis() + 1_000)
                #expect(try await client.deliveries(admin, endpoint: endpoint.id).isEmpty)
                let attempts = try await node.database.read { sql in
                    try await sql.raw("SELECT COUNT(*) AS n FROM webhook_attempts").first()!
                        .decode(column: "n", as: Int.self)
                }
                #expect(attempts == 0 && receiver.count == 1)
            }
        }
    }
}
