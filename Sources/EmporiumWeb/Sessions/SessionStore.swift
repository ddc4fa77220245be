import Emporium
import Foundation
import SQLKit

/// The storefront's sessions: one row per signed-in browser or guest with a cart, keyed by the hash of the cookie's
/// id (the table alone opens no session). Every node reads the same rows, so signing out ends a session everywhere.
struct SessionStore: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "web_sessions.1",
            [
                """
                CREATE TABLE web_sessions (id_hash TEXT PRIMARY KEY, user_id TEXT, user_name TEXT, role TEXT,
                    cart_token TEXT, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX web_sessions_expiry ON web_sessions (expires_at)",
            ])
    ]

    struct Row: Decodable, Sendable {
        let userId: String?
        let userName: String?
        let role: String?
        let cartToken: String?
    }

    func row(idHash: String, now: Int) async throws -> Row? {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT user_id, user_name, role, cart_token FROM web_sessions
                WHERE id_hash = \(bind: idHash) AND expires_at > \(bind: now)
                """
            ).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    /// Writes the session's row whole (a new session, a sign-in, a guest's first cart).
    func save(idHash: String, _ row: Row, now: Int, lifetimeMillis: Int) async throws {
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO web_sessions (id_hash, user_id, user_name, role, cart_token, created_at, expires_at)
                VALUES (\(bind: idHash), \(bind: row.userId), \(bind: row.userName), \(bind: row.role),
                    \(bind: row.cartToken), \(bind: now), \(bind: now + lifetimeMillis))
                ON CONFLICT (id_hash) DO UPDATE SET user_id = excluded.user_id, user_name = excluded.user_name,
                    role = excluded.role, cart_token = excluded.cart_token, expires_at = excluded.expires_at
                """
            ).run()
            // Expired sessions go as new ones come, a few at a time.
            try await sql.raw(
                """
                DELETE FROM web_sessions WHERE id_hash IN
                    (SELECT id_hash FROM web_sessions WHERE expires_at < \(bind: now) LIMIT 10)
                """
            ).run()
        }
    }

    func delete(idHash: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM web_sessions WHERE id_hash = \(bind: idHash)").run()
        }
    }
}
