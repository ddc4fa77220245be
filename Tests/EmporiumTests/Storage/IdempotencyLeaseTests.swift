import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@testable import Emporium

/// Claims of Idempotency-Keys are leases: a dead node's claim lapses within seconds, a live node's never does.
@Suite(.timeLimit(.minutes(2)))
struct IdempotencyLeaseTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    @Test(arguments: engines)
    func aDeadNodesClaimIsTakenOverWithinSeconds(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let body = #"{"email": "orphan@example.com", "password": "12345678", "name": "Orphan"}"#
            // Another node claimed the key, began the request and was killed: nobody renews its claim.
            var dead = node.idempotency
            dead.nodeId = "killed-node"
            let hash = node.idempotency.fingerprint("POST /api/v1/auth/signup?\n" + body)
            guard case .claimed = try await dead.claim(scope: "anonymous", key: "signup-orphan", requestHash: hash)
            else {
                Issue.record("the dead node's claim was not taken")
                return
            }

            let started = ContinuousClock.now
            let retried = try await client.send(
                .post, "/api/v1/auth/signup", json: body, headers: [Self.key: "signup-orphan"])
            let waited = ContinuousClock.now - started
            #expect(retried.status == .created)
            // Held while its node might have been alive, taken over soon after the lease ran out (the margin is for
            // PostgreSQL on a 2-core machine running every suite at once: 12 s seen).
            #expect(waited >= .milliseconds(node.idempotency.leaseMillis - 1_000))
            #expect(waited < .milliseconds(node.idempotency.leaseMillis + 12_000))
            let users = try await node.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM users").first()!.decode(column: "n", as: Int.self)
            }
            #expect(users == 1)
        }
    }

    /// A payment that takes longer than the lease keeps its claim: the retry waits for it and replays its answer
    /// instead of paying again beside it.
    @Test(arguments: engines)
    func aRequestLongerThanTheLeaseKeepsItsClaim(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine, configure: { $0.paymentFaults.latency = .seconds(7) }) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "SLOW-1", price: 2500, stock: 2)
            let shopper = try await client.customer()
            let order = try await client.pendingOrder(sku: "SLOW-1", as: shopper)
            let first = Task { try await client.pay(order, as: shopper, key: "pay-slow") }
            try await Task.sleep(for: .milliseconds(300))
            let retry = try await client.pay(order, as: shopper, key: "pay-slow")
            let original = try await first.value
            #expect(original.status == .ok)
            #expect(retry.status == .ok)
            // One of the two ran, the other waited for it and replayed its answer. Which one is which depends on which
            // claimed the key first: under a loaded CI the 300 ms head start is not always enough.
            let replayed = [original, retry].filter { $0.headers[HTTPField.Name("Idempotent-Replayed")!] == "true" }
            #expect(replayed.count == 1)
            #expect(String(buffer: retry.body) == String(buffer: original.body))
            #expect(try await providerCharges(node, orderId: order) == 1)
        }
    }
}
