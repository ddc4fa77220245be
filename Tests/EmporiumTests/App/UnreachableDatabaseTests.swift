import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import _ConnectionPoolModule

@testable import Emporium

/// A node whose PostgreSQL cannot be reached answers 503 `unavailable` with Retry-After, never 500: the pool's
/// give-up after a minute of failed connects.
@Suite(.timeLimit(.minutes(1)))
struct UnreachableDatabaseTests {
    @Test func aLostDatabaseIsAnswered503WithRetryAfter() async throws {
        // postgres-nio's PSQLError (a connection broken under the request) has no public initializer; its codes are
        // listed in `PostgresBackend.isUnreachable` beside this one.
        let error = _ConnectionPoolModule.ConnectionPoolError.connectionCreationCircuitBreakerTripped
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: EdgeMiddleware(accessLogLevel: nil))
        router.get("/lost") { _, _ -> String in throw error }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/lost", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            #expect(body?["code"] as? String == "unavailable")
        }
        // Anything else unknown is still a 500 without detail.
        #expect(!PostgresBackend.isUnreachable(CocoaError(.fileNoSuchFile)))
    }
}
