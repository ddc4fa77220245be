import Logging
import NIOCore
import PostgresKit
import SQLKit
import Synchronization

/// A PostgreSQL connection whose statements run as named prepared statements: each SQL text is parsed and planned
/// once per connection (postgres-nio keeps the connection's prepared statements and prepares on first use), where
/// an unnamed statement is parsed and planned on every call. Parsing and planning were a third of PostgreSQL's CPU
/// in the checkout benchmark (issue 21).
///
/// A statement is prepared when its binds are all of the plain types below (anything else runs unnamed) and it is
/// one of the first `PreparedStatementNames.limit` texts seen, so that batch statements whose text grows with their
/// row count cannot fill the server's memory. The name is a hash of the text and the binds' types, so a text bound
/// with other types (a NULL where a value was) gets a statement of its own.
struct PreparingSQLDatabase: SQLDatabaseLayer {
    let connection: PostgresConnection
    /// The connection's own `SQLDatabase`: dialect, unnamed statements, transaction control.
    let base: any SQLDatabase

    init(connection: PostgresConnection) {
        self.connection = connection
        self.base = connection.sql()
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        guard let (bindings, types) = Self.bindings(binds),
            let name = PreparedStatementNames.shared.name(sql: sql, types: types)
        else {
            return try await base.execute(sql: query, onRow)
        }
        do {
            try await DynamicStatement.$current.withValue(.init(name: name, sql: sql)) {
                for try await row in try await connection.execute(DynamicStatement(bindings: bindings), logger: logger)
                {
                    onRow(row.sql())
                }
            }
        } catch let error as PSQLError {
            // postgres-nio keeps a statement whose preparation failed as failed on its connection for good (it
            // fails so when first seen inside an aborted transaction, say). Any failure but a broken constraint,
            // which only execution meets, gives the text a new name for its next use.
            if error.serverInfo?[.sqlState]?.hasPrefix("23") != true {
                PreparedStatementNames.shared.retire(sql: sql, types: types)
            }
            throw error
        }
    }

    /// The binds as postgres-nio encodes them, with a letter per bind for its type; nil if one is of another type.
    private static func bindings(_ binds: [any Encodable & Sendable]) -> (PostgresBindings, String)? {
        var bindings = PostgresBindings(capacity: binds.count)
        var types = ""
        for bind in binds {
            if let optional = bind as? any OptionalBind, optional.isNil {
                bindings.appendNull()
                types += "n"
            } else if let value = bind as? String {
                bindings.append(value)
                types += "s"
            } else if let value = bind as? Int {
                bindings.append(value)
                types += "i"
            } else if let value = bind as? Bool {
                bindings.append(value)
                types += "b"
            } else if let value = bind as? Double {
                bindings.append(value)
                types += "d"
            } else {
                return nil
            }
        }
        return (bindings, types)
    }
}

private protocol OptionalBind {
    var isNil: Bool { get }
}

extension Optional: OptionalBind {
    var isNil: Bool { self == nil }
}

/// Which SQL texts are prepared, by name: the first `limit` seen in this process. A text whose statement failed
/// gets a new name (`retire`), at most `generations` in all; then it runs unnamed.
final class PreparedStatementNames: Sendable {
    static let shared = PreparedStatementNames()
    static let limit = 512
    static let generations = 4

    private struct Entry {
        let index: Int
        /// FNV-1a over the key: stable, and short enough for PostgreSQL's 63-byte names. Computed once per text, as
        /// every statement asks for its name.
        let hash: String
        var generation = 0

        var name: String { "emp_\(hash)_\(index)_\(generation)" }
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The statement's name, or nil when it runs unnamed: `limit` texts are prepared already and this is not one of
    /// them, or it was retired too often.
    func name(sql: String, types: String) -> String? {
        let key = types + ":" + sql
        return entries.withLock { entries in
            let entry: Entry
            if let known = entries[key] {
                entry = known
            } else {
                guard entries.count < Self.limit else { return nil }
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                entry = Entry(index: entries.count, hash: String(hash, radix: 16))
                entries[key] = entry
            }
            guard entry.generation < Self.generations else { return nil }
            return entry.name
        }
    }

    /// The next use of this text prepares it afresh under another name.
    func retire(sql: String, types: String) {
        entries.withLock { entries in entries[types + ":" + sql]?.generation += 1 }
    }
}

/// postgres-nio's prepared statements name their SQL statically (a type per statement); this one type reads the
/// name and text of the statement being run from a task local, which `execute` reads before it first suspends.
private struct DynamicStatement: PostgresPreparedStatement {
    struct Current: Sendable {
        let name: String
        let sql: String
    }

    @TaskLocal static var current = Current(name: "", sql: "")

    typealias Row = PostgresRow

    static var name: String { current.name }
    static var sql: String { current.sql }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
