import Hummingbird
import Logging
import Metrics
import NIOCore
import SQLKit
import Synchronization

/// Counts the statements of one transaction (or one read) as they run; `Database` adds them up per operation.
final class StatementTally: Sendable {
    private let statements = Atomic<Int>(0)

    var count: Int { statements.load(ordering: .relaxed) }

    func add() { statements.add(1, ordering: .relaxed) }
}

/// What one request did to the database: its transactions and statements, named after its route when it ends
/// (`DatabaseWorkMiddleware`). Work outside a request (event consumers, sweepers) counts as `background`.
final class RequestDatabaseWork: Sendable {
    @TaskLocal static var current: RequestDatabaseWork?

    private let transactions = Atomic<Int>(0)
    private let statements = Atomic<Int>(0)

    func add(statements count: Int, transaction: Bool) {
        statements.add(count, ordering: .relaxed)
        if transaction { transactions.add(1, ordering: .relaxed) }
    }

    /// `emporium_db_statements_total` and `emporium_db_transactions_total`, by engine and operation.
    static func record(engine: DatabaseEngine, operation: String, statements: Int, transactions: Int) {
        let dimensions = [("engine", engine.rawValue), ("operation", operation)]
        if statements > 0 {
            Counter(label: "emporium_db_statements_total", dimensions: dimensions).increment(by: statements)
        }
        if transactions > 0 {
            Counter(label: "emporium_db_transactions_total", dimensions: dimensions).increment(by: transactions)
        }
    }

    func flush(engine: DatabaseEngine, operation: String) {
        Self.record(
            engine: engine, operation: operation, statements: statements.load(ordering: .relaxed),
            transactions: transactions.load(ordering: .relaxed))
    }
}

/// Gives each request a `RequestDatabaseWork` and, when it is answered, counts it under `METHOD /route/{param}`.
struct DatabaseWorkMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let engine: DatabaseEngine

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let work = RequestDatabaseWork()
        defer {
            work.flush(engine: engine, operation: "\(request.method) \(context.endpointPath ?? "unmatched")")
        }
        return try await RequestDatabaseWork.$current.withValue(work) { try await next(request, context) }
    }
}

/// An `SQLDatabase` layered on another: it answers as `base` does except where it runs statements.
protocol SQLDatabaseLayer: SQLDatabase {
    var base: any SQLDatabase { get }
}

extension SQLDatabaseLayer {
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }
}

/// An `SQLDatabase` that counts what runs through it (PostgreSQL's connections; SQLite's direct driver counts itself).
struct CountingSQLDatabase: SQLDatabaseLayer {
    let base: any SQLDatabase
    let tally: StatementTally
    /// What a transaction holds back until its commit (PostgreSQL transactions; nil for reads).
    var pending: PendingWrites? = nil

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        tally.add()
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        tally.add()
        try await base.execute(sql: query, onRow)
    }
}
