import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Bad input of every kind gets the right 4xx problem+json, never a 500.
@Suite(.timeLimit(.minutes(2)))
struct EdgeTests {
    @Test func badInputOfEveryKindGetsAProblemNeverA500() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            let cases:
                [(
                    json: String?, contentType: String?, path: String, status: HTTPResponse.Status, code: String,
                    field: String?
                )] = [
                    ("{not json", nil, "/api/v1/auth/signup", .badRequest, "invalid_request", nil),
                    ("", nil, "/api/v1/auth/signup", .badRequest, "invalid_request", nil),
                    (
                        #"{"email": "a@b.co", "name": "A"}"#, nil, "/api/v1/auth/signup", .badRequest,
                        "invalid_request", "password"
                    ),
                    (
                        #"{"email": 12, "password": "12345678", "name": "A"}"#, nil, "/api/v1/auth/signup", .badRequest,
                        "invalid_request", "email"
                    ),
                    (
                        #"{"email": null, "password": "12345678", "name": "A"}"#, nil, "/api/v1/auth/signup",
                        .badRequest, "invalid_request", "email"
                    ),
                    (#"[1, 2]"#, nil, "/api/v1/auth/login", .badRequest, "invalid_request", nil),
                    (
                        #"{"refreshToken": "x"}"#, "text/plain", "/api/v1/auth/refresh", .unsupportedMediaType,
                        "unsupported_media_type", nil
                    ),
                    (nil, nil, "/api/v1/no/such/route", .notFound, "not_found", nil),
                ]
            for item in cases {
                var headers: HTTPFields = [:]
                if let contentType = item.contentType { headers[.contentType] = contentType }
                let response = try await client.send(.post, item.path, json: item.json, headers: headers)
                #expect(response.status == item.status, "\(item.path) \(item.json ?? "")")
                #expect(try response.problemCode() == item.code)
                let problem = try response.jsonObject()
                #expect(problem["status"] as? Int == Int(item.status.code))
                #expect((problem["type"] as? String)?.hasSuffix(item.code) == true)
                if let field = item.field {
                    let fields = (problem["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                    #expect(fields == [field])
                }
            }
        }
    }

    @Test func bodiesOverOneMebibyteAre413() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            let big =
                #"{"email": "a@b.co", "password": ""# + String(repeating: "x", count: 1 << 20) + #"", "name": "A"}"#
            let response = try await client.send(.post, "/api/v1/auth/signup", json: big)
            #expect(response.status == .contentTooLarge)
            #expect(try response.problemCode() == "payload_too_large")
        }
    }

    @Test func everyResponseCarriesARequestId() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            let echoed = try await client.send(
                .get, "/health/live", headers: [HTTPField.Name("X-Request-Id")!: "abc-123"])
            #expect(echoed.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
            let generated = try await client.send(.get, "/api/v1/missing")
            #expect((generated.headers[HTTPField.Name("X-Request-Id")!] ?? "").count >= 8)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await TestStore.withApp(
            .sqlite,
            configure: {
                // One token per 20 s: a loaded machine never refills the bucket within the test.
                $0.rateLimitPerSecond = 0.05
                $0.rateLimitBurst = 3
            }
        ) { client, _ in
            var statuses: [HTTPResponse.Status] = []
            var last: TestResponse?
            for _ in 0..<5 {
                let response = try await client.send(.get, "/api/v1/me")
                statuses.append(response.status)
                last = response
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == .unauthorized })
            #expect(statuses.last == .tooManyRequests)
            #expect(try last?.problemCode() == "rate_limited")
            #expect(last?.headers[.retryAfter].flatMap { Int($0) }.map { (1...20).contains($0) } == true)
            // Health probes are never limited.
            #expect(try await client.send(.get, "/health/live").status == .ok)
        }
    }

    @Test func healthMetricsAndOpenAPI() async throws {
        try await TestStore.withApp(.sqlite) { client, node in
            #expect(try await client.send(.get, "/health/live").status == .ok)
            #expect(try await client.eventuallyReady())
            node.readiness.waitFor("searchIndex")
            let loading = try await client.send(.get, "/health/ready")
            #expect(loading.status == .serviceUnavailable)
            #expect(try loading.problemCode() == "not_ready")
            node.readiness.ready("searchIndex")
            // Ready: every check the document requires says ok.
            let ready = try await client.send(.get, "/health/ready").jsonObject()
            #expect(ready["checks"] as? [String: String] == ["database": "ok", "searchIndex": "ok"])

            _ = try await client.send(.get, "/api/v1/me")
            let metrics = try await client.send(.get, "/metrics")
            let text = String(buffer: metrics.body)
            #expect(text.contains("hb_requests"))
            #expect(text.contains("http_server_request_duration"))
            #expect(text.contains(#"http_route="/api/v1/me""#))
            // The database opens before the routes bootstrap the registry: its counters must still be real ones.
            #expect(text.contains("emporium_sqlite_transactions_total"))
            #expect(text.contains("emporium_sqlite_commits_total"))
            #expect(text.contains("emporium_sqlite_writer_busy_seconds_total"))

            let openapi = try await client.send(.get, "/openapi.json")
            let document = try openapi.jsonObject()
            #expect(document["openapi"] as? String == "3.1.0")
        }
    }
}
