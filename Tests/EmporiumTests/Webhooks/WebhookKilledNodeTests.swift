import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A real node process killed with SIGKILL while a webhook post is in flight: the delivery row survives, and the
/// node started again on the same store sends it, with the same event id, once the dead send's hold lapses.
@Suite(.timeLimit(.minutes(2)))
struct WebhookKilledNodeTests {
    @Test func aDeliveryInFlightWhenTheNodeIsKilledArrivesAfterRestart() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: KilledNodeTests.binary),
            "build emporium first: \(KilledNodeTests.binary)")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("emporium-hook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        #expect(
            try KilledNodeTests.Node.run([
                "admin", "create", "--data-dir", data.path, "--email", "owner@example.com", "--password",
                "owner-password",
            ]))
        let environment = ["EMPORIUM_WEBHOOK_ALLOW_PRIVATE": "true"]
        let json: HTTPFields = [.contentType: "application/json"]
        // The first post hangs until the node is gone; the next ones are answered at once.
        try await WebhookReceiver.run(respond: { $0 == 0 ? .init(delay: .seconds(60)) : .init() }) { receiver, url in
            let first = try await KilledNodeTests.Node.start(
                data: data.path, bcryptCost: 4, environment: environment)
            let port = first.port
            let login = try await KilledNodeTests.Node.send(
                .post, "/api/v1/auth/login", port: port, headers: json,
                body: #"{"email": "owner@example.com", "password": "owner-password"}"#)
            let token =
                try #require(
                    try JSONSerialization.jsonObject(with: Data((login.body ?? ByteBuffer()).readableBytesView))
                        as? [String: Any])["accessToken"] as? String
            let admin = json + [.authorization: "Bearer \(token ?? "")"]
            let created = try await KilledNodeTests.Node.send(
                .post, "/api/v1/admin/webhooks", port: port, headers: admin,
                body: #"{"url": "\#(url)", "events": ["product.created"]}"#)
            #expect(created.status == .created)
            let secret =
                try #require(
                    try JSONSerialization.jsonObject(with: Data((created.body ?? ByteBuffer()).readableBytesView))
                        as? [String: Any])["secret"] as? String
            let product = try await KilledNodeTests.Node.send(
                .post, "/api/v1/admin/products", port: port, headers: admin,
                body: #"""
                    {"title": "Killed Mid Delivery", "description": "", "brand": "Auralis", "attributes": {},
                     "variants": [{"sku": "KILL-1", "title": "One", "attributes": {},
                                   "price": {"amount": 1000, "currency": "USD"}, "stock": 1}]}
                    """#)
            #expect(product.status == .created)
            #expect(try await eventually(timeout: .seconds(20)) { receiver.count == 1 })
            first.kill()

            let second = try await KilledNodeTests.Node.start(
                data: data.path, bcryptCost: 4, environment: environment)
            defer { second.kill() }
            // The dead send held the delivery for the timeout (10 s) and 5 s more; then the new node sends it.
            try #require(try await eventually(timeout: .seconds(40)) { receiver.count >= 2 })
            let received = receiver.received
            #expect(received[1].eventId == received[0].eventId && received[0].eventId != nil)
            #expect(signatureIsValid(received[1], secret: secret ?? ""))
        }
    }
}
