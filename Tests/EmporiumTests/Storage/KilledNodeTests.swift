import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real node process, killed with SIGKILL in the middle of a request that carries an Idempotency-Key: the retry,
/// on the node started again on the same store, takes the dead claim over within seconds and does the work once.
@Suite(.timeLimit(.minutes(2)))
struct KilledNodeTests {
    /// The debug `emporium` binary, built by `swift test` beside the tests.
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/emporium").path

    @Test func aRequestOfAKilledNodeCompletesOnceWhenRetriedAfterRestart() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build emporium first: \(Self.binary)")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("emporium-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let body = #"{"email": "killed@example.com", "password": "12345678", "name": "Killed Mid Request"}"#
        let key: HTTPFields = [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "signup-kill"]

        // bcrypt at cost 15 keeps the signup busy for two seconds or more: the kill, a second in, lands inside it,
        // after the claim (taken before the handler runs) even on a loaded machine.
        let first = try await Node.start(data: data.path, bcryptCost: 15)
        let inFlight = Task {
            try? await Node.send(.post, "/api/v1/auth/signup", port: first.port, headers: key, body: body)
        }
        try await Task.sleep(for: .seconds(1))
        first.kill()
        let killed = ContinuousClock.now
        _ = await inFlight.value

        let second = try await Node.start(data: data.path, bcryptCost: 4)
        defer { second.kill() }
        let port = second.port
        let retried = try await Node.send(.post, "/api/v1/auth/signup", port: port, headers: key, body: body)
        // Measured from the kill, not from the second start: how long that start takes under CI's load varies.
        let waited = ContinuousClock.now - killed
        #expect(retried.status == .created, "\(String(buffer: retried.body ?? ByteBuffer()))")
        // The dead node's claim, taken at most a second before the kill, held the key (so the kill was mid-request)
        // until its 5-second lease lapsed, and no longer than a few seconds after.
        #expect(waited > .milliseconds(3_500) && waited < .seconds(20), "waited \(waited)")
        // Done once: a second retry replays the answer, and the account exists once.
        let again = try await Node.send(.post, "/api/v1/auth/signup", port: port, headers: key, body: body)
        #expect(again.status == .created)
        #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
        let login = try await Node.send(
            .post, "/api/v1/auth/login", port: port, headers: [.contentType: "application/json"],
            body: #"{"email": "killed@example.com", "password": "12345678"}"#)
        #expect(login.status == .ok)
    }

    /// One `emporium serve` process on 127.0.0.1.
    struct Node {
        let process: Process
        let port: Int

        /// Starts a node on a port of its own choosing, below Linux's ephemeral range (32768 and up) so that no
        /// outgoing connection of the running suite holds it. A port some other listener holds makes the process exit
        /// at once; the node then tries another one, up to five times.
        static func start(
            data: String, bcryptCost: Int, environment extra: [String: String] = [:]
        ) async throws -> Node {
            for _ in 0..<5 {
                if let node = try await start(
                    data: data, port: Int.random(in: 12_000..<32_000), bcryptCost: bcryptCost, environment: extra)
                {
                    return node
                }
            }
            throw NodeError(message: "emporium serve found no free port in five tries")
        }

        /// The node on `port` once it is ready, or nil when the process ended first (the port was taken).
        private static func start(
            data: String, port: Int, bcryptCost: Int, environment extra: [String: String]
        ) async throws -> Node? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: KilledNodeTests.binary)
            process.arguments = ["serve", "--data-dir", data, "--port", "\(port)", "--log-level", "error"]
            var environment = ProcessInfo.processInfo.environment
            environment["EMPORIUM_BCRYPT_COST"] = "\(bcryptCost)"
            environment["EMPORIUM_RATE_LIMIT"] = "0"
            environment["EMPORIUM_ACCESS_LOG"] = "off"
            environment["EMPORIUM_DATABASE_URL"] = nil
            environment.merge(extra) { $1 }
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let node = Node(process: process, port: port)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if let ready = try? await send(.get, "/health/ready", port: port), ready.status == .ok { return node }
                guard process.isRunning else { return nil }
                try await Task.sleep(for: .milliseconds(100))
            }
            node.kill()
            throw NodeError(message: "emporium serve on port \(port) did not become ready")
        }

        /// Runs `emporium <arguments>` to its end; whether it succeeded.
        static func run(_ arguments: [String]) throws -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: KilledNodeTests.binary)
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["EMPORIUM_DATABASE_URL"] = nil
            environment["EMPORIUM_BCRYPT_COST"] = "4"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        }

        func kill() {
            guard process.isRunning else { return }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        static func send(
            _ method: HTTPRequest.Method, _ uri: String, port: Int, headers: HTTPFields = [:], body: String? = nil
        ) async throws -> TestClient.Response {
            try await TestClient.withClient(
                host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20))
            ) { client in
                try await client.execute(
                    .init(uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }))
            }
        }
    }

    struct NodeError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
