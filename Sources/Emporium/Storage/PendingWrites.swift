import Foundation
import NIOCore
import SQLKit
import Synchronization

/// What a PostgreSQL transaction holds back until its commit, so that it all costs one round trip: the events it
/// appended (`Outbox.appendAll`) and the writes it ran through `atCommit`. A savepoint rolled back drops what was
/// held inside it (`mark`, `drop(after:)`).
final class PendingWrites: Sendable {
    struct Event: Sendable {
        let type: String
        let aggregateId: String
        let payload: String
    }

    struct Mark {
        fileprivate let events: Int
        fileprivate let statements: Int
    }

    private struct Held {
        var events: [Event] = []
        var statements: [any SQLExpression] = []
    }

    private let held = Mutex(Held())

    func append(_ more: [Event]) { held.withLock { $0.events += more } }

    func append(statement: any SQLExpression) { held.withLock { $0.statements.append(statement) } }

    func take() -> (events: [Event], statements: [any SQLExpression]) {
        held.withLock { held in
            defer { held = Held() }
            return (held.events, held.statements)
        }
    }

    var mark: Mark { held.withLock { Mark(events: $0.events.count, statements: $0.statements.count) } }

    func drop(after mark: Mark) {
        held.withLock { held in
            held.events.removeSubrange(min(mark.events, held.events.count)...)
            held.statements.removeSubrange(min(mark.statements, held.statements.count)...)
        }
    }
}

/// A PostgreSQL transaction whose writes wait for its commit (`SQLDatabase.atCommit`). A statement that is not a
/// plain INSERT, UPDATE or DELETE (a read, or a write with RETURNING) sends what is held first and then runs.
struct AtCommitSQLDatabase: SQLDatabaseLayer {
    let transaction: CountingSQLDatabase
    let pending: PendingWrites
    var base: any SQLDatabase { transaction }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        if Self.isPlainWrite(serialize(query).sql) { return pending.append(statement: query) }
        try await Outbox.flush(in: transaction)
        try await transaction.execute(sql: query, onRow)
    }

    static func isPlainWrite(_ sql: String) -> Bool {
        let verb = sql.prefix { !$0.isWhitespace }.uppercased()
        return ["INSERT", "UPDATE", "DELETE"].contains(verb)
            && sql.range(of: "RETURNING", options: .caseInsensitive) == nil
    }
}

extension SQLDatabase {
    /// This transaction, with its writes held until its commit on PostgreSQL, where they go with its events in one
    /// statement instead of a round trip each; itself elsewhere (SQLite runs a statement in-process). For writes
    /// that nothing later in the transaction reads back and that fail only by a bug: they run after everything
    /// else the transaction does, and a read through this view sends them first.
    var atCommit: any SQLDatabase {
        guard let transaction = self as? CountingSQLDatabase, let pending = transaction.pending else { return self }
        return AtCommitSQLDatabase(transaction: transaction, pending: pending)
    }
}
