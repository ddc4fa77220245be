import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct AccountsTests {
    @Test(arguments: engines)
    func signupLoginMeRefreshAndReuseRevokesTheFamily(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, _ in
            let signup = try await client.signup(email: "Ada@Example.com")
            let user = try #require(signup["user"] as? [String: Any])
            #expect(user["email"] as? String == "ada@example.com")
            #expect(user["role"] as? String == "customer")
            #expect(signup["expiresIn"] as? Int == 900)

            let login = try await client.send(
                .post, "/api/v1/auth/login", json: #"{"email": "ada@example.com", "password": "correct horse"}"#)
            #expect(login.status == .ok)
            let session = try login.jsonObject()
            let access = try #require(session["accessToken"] as? String)
            let firstRefresh = try #require(session["refreshToken"] as? String)

            let me = try await client.send(.get, "/api/v1/me", token: access)
            #expect(me.status == .ok)
            #expect(try me.jsonObject()["id"] as? String == user["id"] as? String)

            let rotated = try await client.send(
                .post, "/api/v1/auth/refresh", json: #"{"refreshToken": "\#(firstRefresh)"}"#)
            #expect(rotated.status == .ok)
            let secondRefresh = try #require(try rotated.jsonObject()["refreshToken"] as? String)
            #expect(secondRefresh != firstRefresh)

            let reuse = try await client.send(
                .post, "/api/v1/auth/refresh", json: #"{"refreshToken": "\#(firstRefresh)"}"#)
            #expect(reuse.status == .unauthorized)
            #expect(try reuse.problemCode() == "token_reused")

            // The whole family is revoked: the newest token of it no longer works either.
            let afterRevocation = try await client.send(
                .post, "/api/v1/auth/refresh", json: #"{"refreshToken": "\#(secondRefresh)"}"#)
            #expect(afterRevocation.status == .unauthorized)
            #expect(try afterRevocation.problemCode() == "token_revoked")

            // Another login starts a new family that works.
            let again = try await client.send(
                .post, "/api/v1/auth/login", json: #"{"email": "ada@example.com", "password": "correct horse"}"#)
            let thirdRefresh = try #require(try again.jsonObject()["refreshToken"] as? String)
            let ok = try await client.send(
                .post, "/api/v1/auth/refresh", json: #"{"refreshToken": "\#(thirdRefresh)"}"#)
            #expect(ok.status == .ok)
        }
    }

    @Test(arguments: engines)
    func concurrentRefreshesWithOneTokenRotateOnceAndRevokeTheFamily(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, _ in
            let refresh = try #require(try await client.signup()["refreshToken"] as? String)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refreshToken": "\#(refresh)"}"#)
                            .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .unauthorized }.count == 7)
        }
    }

    @Test(arguments: engines)
    func emailIsUniqueAndInputIsValidated(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, _ in
            _ = try await client.signup(email: "taken@example.com")
            let duplicate = try await client.send(
                .post, "/api/v1/auth/signup",
                json: #"{"email": "TAKEN@example.com", "password": "12345678", "name": "X"}"#)
            #expect(duplicate.status == .conflict)
            #expect(try duplicate.problemCode() == "email_taken")

            let invalid = try await client.send(
                .post, "/api/v1/auth/signup", json: #"{"email": "not-an-email", "password": "short", "name": " "}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(try invalid.problemCode() == "validation_failed")
            let fields = try #require(try invalid.jsonObject()["errors"] as? [[String: Any]]).compactMap {
                $0["field"] as? String
            }
            #expect(Set(fields) == ["email", "password", "name"])
        }
    }

    @Test(arguments: engines)
    func wrongPasswordsAreRefusedThenThrottledPerEmail(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine, configure: { $0.loginFailuresPerEmail = 3 }) { client, _ in
            _ = try await client.signup(email: "victim@example.com")
            for _ in 0..<3 {
                let wrong = try await client.send(
                    .post, "/api/v1/auth/login", json: #"{"email": "victim@example.com", "password": "guess-guess"}"#)
                #expect(wrong.status == .unauthorized)
                #expect(try wrong.problemCode() == "invalid_credentials")
            }
            let throttled = try await client.send(
                .post, "/api/v1/auth/login", json: #"{"email": "victim@example.com", "password": "correct horse"}"#)
            #expect(throttled.status == .tooManyRequests)
            #expect(try throttled.problemCode() == "rate_limited")
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 > 0)

            let unknown = try await client.send(
                .post, "/api/v1/auth/login", json: #"{"email": "nobody@example.com", "password": "whatever1"}"#)
            #expect(unknown.status == .unauthorized)
        }
    }

    @Test(arguments: engines)
    func logoutEndsTheSessionAndTokensAreChecked(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, _ in
            let session = try await client.signup()
            let refresh = try #require(session["refreshToken"] as? String)
            let logout = try await client.send(.post, "/api/v1/auth/logout", json: #"{"refreshToken": "\#(refresh)"}"#)
            #expect(logout.status == .noContent)
            let after = try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refreshToken": "\#(refresh)"}"#)
            #expect(after.status == .unauthorized)

            let unknown = try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refreshToken": "nope"}"#)
            #expect(try unknown.problemCode() == "invalid_refresh_token")

            let anonymous = try await client.send(.get, "/api/v1/me")
            #expect(anonymous.status == .unauthorized)
            #expect(try anonymous.problemCode() == "authentication_required")
            let forged = try await client.send(.get, "/api/v1/me", token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad")
            #expect(forged.status == .unauthorized)
            #expect(try forged.problemCode() == "invalid_token")
        }
    }

    @Test(arguments: engines)
    func adminAccountsCarryTheAdminRole(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let session = try await node.accounts.signup(
                email: "boss@example.com", password: "admin-password", name: "Boss", role: .admin)
            let me = try await client.send(.get, "/api/v1/me", token: session.accessToken)
            #expect(try me.jsonObject()["role"] as? String == "admin")
        }
    }
}
