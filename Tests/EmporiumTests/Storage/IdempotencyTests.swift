import Foundation
import HTTPTypes
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
