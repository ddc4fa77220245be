import SQLKit

/// The SQL of Accounts: users, refresh-token families and login throttling.
struct AccountsStore: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "accounts.1",
            [
                """
                CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                    password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE refresh_families (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),
                    created_at BIGINT NOT NULL, revoked_at BIGINT)
                """,
                """
                CREATE TABLE refresh_tokens (token_hash TEXT PRIMARY KEY,
                    family_id TEXT NOT NULL REFERENCES refresh_families (id), user_id TEXT NOT NULL,
                    expires_at BIGINT NOT NULL, used_at BIGINT, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)",
                "CREATE TABLE login_attempts (key TEXT PRIMARY KEY, attempts BIGINT NOT NULL, window_start BIGINT NOT NULL)",
            ])
    ]

    struct UserRow: Decodable {
        let id: String
        let email: String
        let name: String
        let passwordHash: String
        let role: String
        let createdAt: Int

        var user: User {
            User(
                id: id, email: email, name: name, role: Role(rawValue: role) ?? .customer,
                createdAt: Timestamp.rfc3339(createdAt))
        }
    }

    /// Inserts the user unless the email is taken; false when it is.
    func insertUser(
        id: String, email: String, name: String, passwordHash: String, role: Role, now: Int, in sql: any SQLDatabase
    )
        async throws -> Bool
    {
        try await sql.raw(
            """
            INSERT INTO users (id, email, name, password_hash, role, created_at)
            VALUES (\(bind: id), \(bind: email), \(bind: name), \(bind: passwordHash), \(bind: role.rawValue), \(bind: now))
            ON CONFLICT (email) DO NOTHING RETURNING id
            """
        ).first() != nil
    }

    func user(email: String) async throws -> UserRow? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM users WHERE email = \(bind: email)").first(
                decoding: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    func user(id: String, in sql: any SQLDatabase) async throws -> UserRow? {
        try await sql.raw("SELECT * FROM users WHERE id = \(bind: id)").first(
            decoding: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func insertFamily(id: String, userId: String, now: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "INSERT INTO refresh_families (id, user_id, created_at) VALUES (\(bind: id), \(bind: userId), \(bind: now))"
        ).run()
    }

    func insertRefreshToken(
        hash: String, familyId: String, userId: String, expiresAt: Int, now: Int, in sql: any SQLDatabase
    )
        async throws
    {
        try await sql.raw(
            """
            INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at, created_at)
            VALUES (\(bind: hash), \(bind: familyId), \(bind: userId), \(bind: expiresAt), \(bind: now))
            """
        ).run()
    }

    /// Marks an unused, unexpired token of a live family as used; its family and user, or nil if it was not such.
    func useRefreshToken(hash: String, now: Int, in sql: any SQLDatabase) async throws -> (
        familyId: String, userId: String
    )? {
        guard
            let row = try await sql.raw(
                """
                UPDATE refresh_tokens SET used_at = \(bind: now)
                WHERE token_hash = \(bind: hash) AND used_at IS NULL AND expires_at > \(bind: now)
                  AND family_id IN (SELECT id FROM refresh_families WHERE revoked_at IS NULL)
                RETURNING family_id, user_id
                """
            ).first()
        else { return nil }
        return (
            try row.decode(column: "family_id", as: String.self), try row.decode(column: "user_id", as: String.self)
        )
    }

    struct TokenState: Decodable {
        let familyId: String
        let usedAt: Int?
        let expiresAt: Int
        let revokedAt: Int?
    }

    func tokenState(hash: String, in sql: any SQLDatabase) async throws -> TokenState? {
        try await sql.raw(
            """
            SELECT t.family_id, t.used_at, t.expires_at, f.revoked_at
            FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
            WHERE t.token_hash = \(bind: hash)
            """
        ).first(decoding: TokenState.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func revokeFamily(id: String, now: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "UPDATE refresh_families SET revoked_at = \(bind: now) WHERE id = \(bind: id) AND revoked_at IS NULL"
        ).run()
    }

    /// Counts one login attempt for each key in a fixed window; per key, the count so far and when its window started.
    func countAttempts(keys: [String], now: Int, windowMillis: Int) async throws -> [(attempts: Int, windowStart: Int)]
    {
        try await database.transaction { sql in
            var counts: [(attempts: Int, windowStart: Int)] = []
            for key in keys {
                let row = try await sql.raw(
                    """
                    INSERT INTO login_attempts (key, attempts, window_start) VALUES (\(bind: key), 1, \(bind: now))
                    ON CONFLICT (key) DO UPDATE SET
                      attempts = CASE WHEN login_attempts.window_start <= \(bind: now - windowMillis) THEN 1
                                      ELSE login_attempts.attempts + 1 END,
                      window_start = CASE WHEN login_attempts.window_start <= \(bind: now - windowMillis) THEN \(bind: now)
                                          ELSE login_attempts.window_start END
                    RETURNING attempts, window_start
                    """
                ).first()
                counts.append(
                    (
                        try row?.decode(column: "attempts", as: Int.self) ?? 1,
                        try row?.decode(column: "window_start", as: Int.self) ?? now
                    )
                )
            }
            return counts
        }
    }

    /// Forgets attempts after a successful login: the email's entirely, the address's by one.
    func forgiveAttempts(emailKey: String, addressKey: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM login_attempts WHERE key = \(bind: emailKey)").run()
            try await sql.raw(
                "UPDATE login_attempts SET attempts = attempts - 1 WHERE key = \(bind: addressKey) AND attempts > 0"
            ).run()
        }
    }
}
