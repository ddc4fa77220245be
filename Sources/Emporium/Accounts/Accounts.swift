import Foundation
import SQLKit

/// Sign-up, login, refresh-token rotation with reuse detection, logout.
public struct Accounts: Sendable {
    struct Throttle: Sendable {
        var perEmail: Int
        var perAddress: Int
        var window: Duration
    }

    let store: AccountsStore
    let hasher: PasswordHasher
    let tokens: AccessTokens
    let refreshLifetime: Duration
    let throttle: Throttle

    public func signup(email: String, password: String, name: String, role: Role = .customer) async throws -> Session {
        try AccountRules.validateSignup(email: email, password: password, name: name)
        let email = AccountRules.normalizedEmail(email)
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let passwordHash = try await hasher.hash(password)
        let userId = Identifier.make("usr")
        let (user, refreshToken) = try await store.database.transaction { sql in
            let now = Database.nowMillis()
            guard
                try await store.insertUser(
                    id: userId, email: email, name: name, passwordHash: passwordHash, role: role, now: now, in: sql)
            else { throw AccountsError.emailTaken }
            let token = try await startFamily(userId: userId, now: now, in: sql)
            try await Outbox.append(
                "user.signed_up", aggregateId: userId, payload: ["userId": userId, "role": role.rawValue], in: sql)
            let user = User(id: userId, email: email, name: name, role: role, createdAt: Timestamp.rfc3339(now))
            return (user, token)
        }
        return try await session(user: user, refreshToken: refreshToken)
    }

    /// Checks the password; repeated attempts for one email or one client address are refused for a while.
    public func login(email: String, password: String, clientAddress: String) async throws -> Session {
        let email = AccountRules.normalizedEmail(email)
        let now = Database.nowMillis()
        let windowMillis = Int(throttle.window / .milliseconds(1))
        let emailKey = "email:" + email
        let addressKey = "ip:" + clientAddress
        let counts = try await store.countAttempts(keys: [emailKey, addressKey], now: now, windowMillis: windowMillis)
        let limits = [throttle.perEmail, throttle.perAddress]
        for (count, limit) in zip(counts, limits) where count.attempts > limit {
            let retryAfter = (count.windowStart + windowMillis - now + 999) / 1000
            throw AccountsError.loginThrottled(retryAfterSeconds: max(1, retryAfter))
        }
        guard let row = try await store.user(email: email) else {
            try await hasher.verifyAgainstDummy(password)
            throw AccountsError.invalidCredentials
        }
        guard try await hasher.verify(password, hash: row.passwordHash) else {
            throw AccountsError.invalidCredentials
        }
        try await store.forgiveAttempts(emailKey: emailKey, addressKey: addressKey)
        let refreshToken = try await store.database.transaction { sql in
            try await startFamily(userId: row.id, now: Database.nowMillis(), in: sql)
        }
        return try await session(user: row.user, refreshToken: refreshToken)
    }

    /// Swaps a refresh token for a new pair. A token presented twice revokes its whole family.
    public func refresh(_ refreshToken: String) async throws -> Session {
        enum Outcome: Sendable {
            case rotated(User, String)
            case refused(AccountsError)
        }
        let hash = sha256Hex(refreshToken)
        // The revocation must commit even though the caller gets an error, so the outcome is thrown after commit.
        let outcome = try await store.database.transaction { sql -> Outcome in
            let now = Database.nowMillis()
            if let used = try await store.useRefreshToken(hash: hash, now: now, in: sql) {
                guard let row = try await store.user(id: used.userId, in: sql) else {
                    return .refused(.refreshTokenUnknown)
                }
                let next = Identifier.secret()
                try await store.insertRefreshToken(
                    hash: sha256Hex(next),
                    familyId: used.familyId,
                    userId: used.userId,
                    expiresAt: now + Int(refreshLifetime / .milliseconds(1)),
                    now: now,
                    in: sql
                )
                return .rotated(row.user, next)
            }
            guard let state = try await store.tokenState(hash: hash, in: sql) else {
                return .refused(.refreshTokenUnknown)
            }
            if state.usedAt != nil {
                try await store.revokeFamily(id: state.familyId, now: now, in: sql)
                try await Outbox.append(
                    "auth.token_reused", aggregateId: state.familyId, payload: ["familyId": state.familyId], in: sql)
                return .refused(.refreshTokenReused)
            }
            if state.revokedAt != nil { return .refused(.refreshTokenRevoked) }
            return .refused(.refreshTokenExpired)
        }
        switch outcome {
        case .rotated(let user, let token): return try await session(user: user, refreshToken: token)
        case .refused(let error): throw error
        }
    }

    /// Ends the session the refresh token belongs to; unknown tokens are ignored.
    public func logout(_ refreshToken: String) async throws {
        let hash = sha256Hex(refreshToken)
        try await store.database.transaction { sql in
            if let state = try await store.tokenState(hash: hash, in: sql) {
                try await store.revokeFamily(id: state.familyId, now: Database.nowMillis(), in: sql)
            }
        }
    }

    public func user(id: String) async throws -> User {
        guard let row = try await store.database.read({ try await store.user(id: id, in: $0) }) else {
            throw AccountsError.userNotFound
        }
        return row.user
    }

    /// A customer account that cannot sign in (no password matches "!"): the demo store's reviewers.
    func insertUnusable(id: String, email: String, name: String, now: Int, in sql: any SQLDatabase) async throws {
        _ = try await store.insertUser(
            id: id, email: email, name: name, passwordHash: "!", role: .customer, now: now, in: sql)
    }

    /// The user's display name, read in the caller's transaction.
    func name(userId: String, in sql: any SQLDatabase) async throws -> String {
        guard let row = try await store.user(id: userId, in: sql) else { throw AccountsError.userNotFound }
        return row.user.name
    }

    private func startFamily(userId: String, now: Int, in sql: any SQLDatabase) async throws -> String {
        let familyId = Identifier.make("rtf")
        try await store.insertFamily(id: familyId, userId: userId, now: now, in: sql)
        let token = Identifier.secret()
        try await store.insertRefreshToken(
            hash: sha256Hex(token),
            familyId: familyId,
            userId: userId,
            expiresAt: now + Int(refreshLifetime / .milliseconds(1)),
            now: now,
            in: sql
        )
        return token
    }

    private func session(user: User, refreshToken: String) async throws -> Session {
        let access = try await tokens.issue(userId: user.id, role: user.role)
        return Session(user: user, accessToken: access, refreshToken: refreshToken, expiresIn: tokens.lifetimeSeconds)
    }
}
