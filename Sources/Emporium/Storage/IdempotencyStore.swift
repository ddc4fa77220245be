import Crypto
import Foundation
import SQLKit
import Synchronization

/// Idempotency-Key records: claimed by a unique insert before any work, then holding the response to replay.
///
/// Keys are stored hashed, and responses sealed (AES-GCM) with a key derived from the server secret and the
/// client's raw key, so the table alone reveals neither tokens nor addresses that responses carry.
///
/// A claim is a lease held by one node (`node_id`, `locked_until`): the node renews it while the request runs
/// (`renew`, from the middleware's heartbeat), so a claim whose node died lapses within `leaseMillis` and the
/// retried request, on any node, takes it over and does the work.
/// Keys claimed by requests running in this process, by scope.
final class InFlightKeys: Sendable {
    private struct Claimed: Hashable {
        let scope: String
        let key: String
    }

    private let keys = Mutex(Set<Claimed>())

    func insert(scope: String, key: String) { _ = keys.withLock { $0.insert(Claimed(scope: scope, key: key)) } }
    func remove(scope: String, key: String) { _ = keys.withLock { $0.remove(Claimed(scope: scope, key: key)) } }
    func contains(scope: String, key: String) -> Bool { keys.withLock { $0.contains(Claimed(scope: scope, key: key)) } }
}

struct IdempotencyStore: Sendable {
    let database: Database
    let secret: SymmetricKey
    /// The keys this process is working on. A lapsed claim of this process whose key is still here belongs to a
    /// live request whose heartbeat was merely late (a starved machine): it is waited for, never taken over.
    let inFlight = InFlightKeys()
    /// This node, recorded with its claims.
    var nodeId = "node"
    /// How long a claim holds without being renewed: the longest a retry waits for a dead node's claim.
    var leaseMillis = 5_000
    var retainMillis = 24 * 3600 * 1000

    static let migrations: [Migration] = [
        Migration(
            "idempotency.1",
            [
                """
                CREATE TABLE idempotency_keys (scope TEXT NOT NULL, key_hash TEXT NOT NULL, request_hash TEXT NOT NULL,
                    status BIGINT, response TEXT, created_at BIGINT NOT NULL, locked_until BIGINT NOT NULL,
                    PRIMARY KEY (scope, key_hash))
                """
            ]),
        Migration("idempotency.2", ["ALTER TABLE idempotency_keys ADD COLUMN node_id TEXT"]),
    ]

    struct StoredResponse: Codable, Sendable {
        var status: Int
        var headers: [[String]]
        var body: Data
    }

    enum Claim: Sendable {
        /// This request owns the key: do the work, then `complete` or `release`.
        case claimed
        /// A request with this key finished: replay it.
        case completed(StoredResponse)
        /// Another request with this key is running.
        case inProgress
        /// The key was used with another request body.
        case mismatch
    }

    func claim(scope: String, key: String, requestHash: String) async throws -> Claim {
        let keyHash = sha256Hex(key)
        let now = Database.nowMillis()
        // Each statement guards itself, so no transaction is needed: one round trip for a new key on PostgreSQL.
        return try await database.autocommit { sql -> Claim in
            // A new key is claimed; so is an expired record's, taken over whole, as the key may be used afresh
            // after 24 h. One statement: claims run on the SQLite writer, one for every checkout and payment.
            let inserted = try await sql.raw(
                """
                INSERT INTO idempotency_keys (scope, key_hash, request_hash, created_at, locked_until, node_id)
                VALUES (\(bind: scope), \(bind: keyHash), \(bind: requestHash), \(bind: now), \(bind: now + leaseMillis),
                    \(bind: nodeId))
                ON CONFLICT (scope, key_hash) DO UPDATE SET request_hash = excluded.request_hash, status = NULL,
                    response = NULL, created_at = excluded.created_at, locked_until = excluded.locked_until,
                    node_id = excluded.node_id
                WHERE idempotency_keys.created_at < \(bind: now - retainMillis)
                RETURNING key_hash
                """
            ).first()
            if inserted != nil { return .claimed }
            guard
                let row = try await sql.raw(
                    """
                    SELECT request_hash, status, response, locked_until, node_id FROM idempotency_keys
                    WHERE scope = \(bind: scope) AND key_hash = \(bind: keyHash)
                    """
                ).first()
            else { return .inProgress }
            guard try row.decode(column: "request_hash", as: String.self) == requestHash else { return .mismatch }
            if let sealed = try row.decode(column: "response", as: String?.self) {
                return .completed(try open(sealed, key: key))
            }
            let holder = try row.decode(column: "node_id", as: String?.self)
            if try row.decode(column: "locked_until", as: Int.self) < now,
                holder != nodeId || !inFlight.contains(scope: scope, key: key)
            {
                let takenOver = try await sql.raw(
                    """
                    UPDATE idempotency_keys SET locked_until = \(bind: now + leaseMillis), node_id = \(bind: nodeId)
                    WHERE scope = \(bind: scope) AND key_hash = \(bind: keyHash) AND response IS NULL
                      AND locked_until < \(bind: now)
                    RETURNING key_hash
                    """
                ).first()
                if takenOver != nil { return .claimed }
            }
            return .inProgress
        }
    }

    /// Extends this node's claim of a running request; false when the claim is no longer this node's.
    @discardableResult
    func renew(scope: String, key: String) async throws -> Bool {
        let now = Database.nowMillis()
        return try await database.autocommit { sql in
            try await sql.raw(
                """
                UPDATE idempotency_keys SET locked_until = \(bind: now + leaseMillis)
                WHERE scope = \(bind: scope) AND key_hash = \(bind: sha256Hex(key)) AND response IS NULL
                    AND node_id = \(bind: nodeId)
                RETURNING key_hash
                """
            ).first() != nil
        }
    }

    func complete(scope: String, key: String, response: StoredResponse) async throws {
        let sealed = try seal(response, key: key)
        try await database.autocommit { sql in
            try await complete(scope: scope, key: key, status: response.status, sealed: sealed, in: sql)
        }
    }

    /// Stores a response sealed beforehand (`seal`) in the caller's transaction (`IdempotentResponse.record`).
    func complete(scope: String, key: String, status: Int, sealed: String, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE idempotency_keys SET status = \(bind: status), response = \(bind: sealed)
            WHERE scope = \(bind: scope) AND key_hash = \(bind: sha256Hex(key))
            """
        ).run()
    }

    /// Gives the key back after a failure that a retry may fix (a 5xx), so the retry does the work.
    func release(scope: String, key: String) async throws {
        try await database.autocommit { sql in
            try await sql.raw(
                """
                DELETE FROM idempotency_keys
                WHERE scope = \(bind: scope) AND key_hash = \(bind: sha256Hex(key)) AND response IS NULL
                """
            ).run()
        }
    }

    /// A keyed hash of a request, to recognise a repeat: requests can hold card numbers, which a plain hash would
    /// let anyone with the table guess back.
    func fingerprint(_ request: String) -> String {
        hexString(HMAC<SHA256>.authenticationCode(for: Array(request.utf8), using: secret))
    }

    private func derivedKey(_ key: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: secret,
            salt: Array(key.utf8),
            info: Array("emporium idempotency response".utf8),
            outputByteCount: 32
        )
    }

    /// The response as its record keeps it: JSON, sealed with a key derived from the client's key.
    func seal(_ response: StoredResponse, key: String) throws -> String {
        let plain = try JSONEncoder().encode(response)
        return try AES.GCM.seal(plain, using: derivedKey(key)).combined!.base64EncodedString()
    }

    private func open(_ sealed: String, key: String) throws -> StoredResponse {
        guard let data = Data(base64Encoded: sealed) else { throw ConfigurationError("corrupt idempotency record") }
        let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: derivedKey(key))
        return try JSONDecoder().decode(StoredResponse.self, from: plain)
    }
}
