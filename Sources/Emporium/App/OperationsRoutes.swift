import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import NIOCore
import Prometheus
import SQLKit
import Synchronization

/// The process's Prometheus registry, bootstrapped as swift-metrics' backend on first use.
public enum MetricsRegistry {
    public static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A search takes well under the default histogram's first bucket (5 ms).
        factory.durationHistogramBuckets[SearchTimer.label] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .seconds(1),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}

/// What `/health/ready` waits for besides the database (the search index, later).
public final class Readiness: Sendable {
    /// Every component waited for, and whether it is ready.
    private let components = Mutex<[String: Bool]>([:])

    public init() {}

    public func waitFor(_ component: String) { components.withLock { $0[component] = false } }
    public func ready(_ component: String) { components.withLock { $0[component] = true } }
    /// Each component's state for `/health/ready`: `ok` or `loading`.
    var states: [String: String] { components.withLock { $0.mapValues { $0 ? "ok" : "loading" } } }
}

/// `/health/live`, `/health/ready`, `/metrics`, `/openapi.json`.
struct OperationsRoutes {
    let database: Database
    let readiness: Readiness

    func register(on router: Router<AppRequestContext>) {
        router.get("health/live") { _, _ in ["status": "ok"] }
        router.get("health/ready") { _, _ -> Response in
            var checks: [String: JSONValue] = [:]
            do {
                _ = try await database.read { try await $0.raw("SELECT 1 AS one").first() }
                checks["database"] = .string("ok")
            } catch {
                checks["database"] = .string("unavailable")
            }
            for (component, state) in readiness.states { checks[component] = .string(state) }
            guard checks.values.allSatisfy({ $0 == .string("ok") }) else {
                throw Problem(
                    .serviceUnavailable, code: "not_ready", detail: "Not ready yet.", extra: ["checks": .object(checks)]
                )
            }
            return try jsonResponse(.object(["status": .string("ready"), "checks": .object(checks)]))
        }
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            MetricsRegistry.shared.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
        router.get("openapi.json") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes))
            )
        }
    }

    private func jsonResponse(_ value: JSONValue) throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value)))
        )
    }
}

/// The OpenAPI 3.1 document of every endpoint, shipped as a resource of this module.
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return Array(#"{"openapi":"3.1.0","info":{"title":"Emporium API","version":"1.0.0"},"paths":{}}"#.utf8) }
        return Array(data)
    }()
}
