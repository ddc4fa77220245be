import Crypto
import Emporium
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// A real HTTP receiver on 127.0.0.1: records every POST to `/hook` and answers as `respond` says for the n-th one.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let headers: HTTPFields
        let body: [UInt8]
        let at: ContinuousClock.Instant

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }
        var eventId: String? { json["id"] as? String }
        var header: (String) -> String? { { self.headers[HTTPField.Name($0)!] } }
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        var delay: Duration = .zero
        var headers: HTTPFields = [:]
    }

    private let log = Mutex<[Received]>([])
    private let respond: @Sendable (Int) -> Answer

    private init(respond: @escaping @Sendable (Int) -> Answer) {
        self.respond = respond
    }

    var received: [Received] { log.withLock { $0 } }
    var count: Int { log.withLock { $0.count } }

    /// Runs a receiver for the length of `body`, which gets it and its URL.
    static func run<T: Sendable>(
        respond: @escaping @Sendable (Int) -> Answer = { _ in Answer() },
        _ body: @Sendable (WebhookReceiver, String) async throws -> T
    ) async throws -> T {
        let receiver = WebhookReceiver(respond: respond)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            let index = receiver.log.withLock { log in
                log.append(Received(headers: request.headers, body: bytes, at: .now))
                return log.count - 1
            }
            let answer = receiver.respond(index)
            if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
            return Response(status: answer.status, headers: answer.headers)
        }
        let (ports, started) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                started.yield(channel.localAddress?.port ?? 0)
                started.finish()
            },
            logger: TestStore.logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            return try await body(receiver, "http://127.0.0.1:\(port)/hook")
        }
    }
}

/// Checks `Emporium-Signature` with an HMAC computed here, as a receiver would: over `"<t>.<raw body>"`, with a
/// 5-minute tolerance.
func signatureIsValid(_ received: WebhookReceiver.Received, secret: String) -> Bool {
    guard let header = received.header("Emporium-Signature") else { return false }
    var parts: [String: String] = [:]
    for item in header.split(separator: ",") {
        let pair = item.split(separator: "=", maxSplits: 1)
        if pair.count == 2 { parts[String(pair[0])] = String(pair[1]) }
    }
    guard let t = parts["t"], let timestamp = Int(t), let v1 = parts["v1"] else { return false }
    guard abs(Int(Date().timeIntervalSince1970) - timestamp) <= 300 else { return false }
    let expected = HMAC<SHA256>.authenticationCode(
        for: Array((t + ".").utf8) + received.body, using: SymmetricKey(data: Array(secret.utf8)))
    return expected.map { String(format: "%02x", $0) }.joined() == v1
}

/// Webhook timings short enough for tests, and loopback receivers allowed.
func fastWebhooks(_ configuration: inout AppConfiguration) {
    configuration.webhooks.addressPolicy.allowPrivate = true
    configuration.webhooks.firstRetryDelay = .milliseconds(200)
    configuration.webhooks.pollInterval = .milliseconds(20)
    configuration.webhooks.leaseDuration = .seconds(1)
    configuration.webhooks.timeout = .seconds(5)
}

extension TestClientProtocol {
    /// Creates an endpoint; its id and secret.
    func createWebhook(_ admin: String, url: String, events: [String]) async throws -> (id: String, secret: String) {
        let list = events.map { "\"\($0)\"" }.joined(separator: ", ")
        let response = try await send(
            .post, "/api/v1/admin/webhooks", json: #"{"url": "\#(url)", "events": [\#(list)]}"#, token: admin)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        let body = try response.jsonObject()
        return (try #require(body["id"] as? String), try #require(body["secret"] as? String))
    }

    func deliveries(_ admin: String, endpoint: String) async throws -> [[String: Any]] {
        let response = try await send(.get, "/api/v1/admin/webhooks/\(endpoint)/deliveries", token: admin)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.jsonObject()["items"] as? [[String: Any]] ?? []
    }
}
