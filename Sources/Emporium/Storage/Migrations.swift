import Foundation
import Logging
import SQLKit

/// One versioned schema change. `{serial}` in a statement becomes the engine's auto-increment key type.
public struct Migration: Sendable {
    public let id: String
    public let statements: [String]

    public init(_ id: String, _ statements: [String]) {
        self.id = id
        self.statements = statements
    }
}

extension Database {
    /// Applies the migrations not applied yet, in order, in one transaction.
    ///
    /// On PostgreSQL an advisory lock (one per schema) serializes nodes that start together: concurrent
    /// `CREATE TABLE` otherwise fails on `pg_type`'s unique index.
    public func migrate(_ migrations: [Migration], logger: Logger) async throws {
        let appliedNow = try await transaction { sql -> [String] in
            try await sql.acquire(.migrations)
            try await sql.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)"
            ).run()
            let applied = Set(
                try await sql.raw("SELECT id FROM schema_migrations").all().map {
                    try $0.decode(column: "id", as: String.self)
                }
            )
            var appliedNow: [String] = []
            for migration in migrations where !applied.contains(migration.id) {
                for statement in migration.statements {
                    try await sql.execute(sql: SQLRaw(sql.engine.render(statement))) { _ in }
                }
                try await sql.raw(
                    "INSERT INTO schema_migrations (id, applied_at) VALUES (\(bind: migration.id), \(bind: Database.nowMillis()))"
                ).run()
                appliedNow.append(migration.id)
            }
            return appliedNow
        }
        if !appliedNow.isEmpty {
            logger.info("applied migrations", metadata: ["migrations": .string(appliedNow.joined(separator: ","))])
        }
    }
}

extension DatabaseEngine {
    func render(_ statement: String) -> String {
        switch self {
        case .sqlite: statement.replacingOccurrences(of: "{serial}", with: "INTEGER PRIMARY KEY AUTOINCREMENT")
        case .postgres: statement.replacingOccurrences(of: "{serial}", with: "BIGSERIAL PRIMARY KEY")
        }
    }
}

extension SQLDatabase {
    /// The engine behind this connection, for the few statements that differ.
    var engine: DatabaseEngine { dialect.name == "sqlite" ? .sqlite : .postgres }
}
