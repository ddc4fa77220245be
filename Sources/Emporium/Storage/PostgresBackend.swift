import Logging
import PostgresKit
import SQLKit
import _ConnectionPoolModule

/// PostgreSQL through postgres-nio's `PostgresClient` pool.
final class PostgresBackend: DatabaseBackend {
    private let client: PostgresClient

    init(url: String, schema: String?, maxConnections: Int = 20, logger: Logger) throws {
        let parsed: SQLPostgresConfiguration
        do {
            parsed = try SQLPostgresConfiguration(url: url)
        } catch {
            throw ConfigurationError("the database URL is not a valid postgres:// URL")
        }
        let core = parsed.coreConfiguration
        var configuration: PostgresClient.Configuration
        if let socket = core.unixSocketPath {
            // `postgres+uds://user:password@localhost/path/to/.s.PGSQL.5432#database`: a server on this machine,
            // reached without TCP (each round trip costs both processes less in the kernel).
            configuration = PostgresClient.Configuration(
                unixSocketPath: socket, username: core.username, password: core.password, database: core.database)
        } else {
            guard let host = core.host else {
                throw ConfigurationError("the database URL must name a host")
            }
            let tls: PostgresClient.Configuration.TLS =
                switch (core.tls.isEnforced, core.tls.isAllowed) {
                case (true, _): .require(core.tls.sslContext!.configuration)
                case (_, true): .prefer(core.tls.sslContext!.configuration)
                default: .disable
                }
            configuration = PostgresClient.Configuration(
                host: host,
                port: core.port ?? 5432,
                username: core.username,
                password: core.password,
                database: core.database,
                tls: tls
            )
        }
        configuration.options.maximumConnections = maxConnections
        if let schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    func withReader<T: Sendable>(tally: StatementTally, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            // The statements run on the connection's event loop: see `EventLoopTaskExecutor`.
            try await withTaskExecutorPreference(EventLoopTaskExecutor.of(connection.eventLoop)) {
                try await body(CountingSQLDatabase(base: PreparingSQLDatabase(connection: connection), tally: tally))
            }
        }
    }

    func withTransaction<T: Sendable>(tally: StatementTally, _ body: (any SQLDatabase) async throws -> T) async throws
        -> T
    {
        try await client.withConnection { connection in
            let transaction = CountingSQLDatabase(
                base: PreparingSQLDatabase(connection: connection), tally: tally, pending: PendingWrites())
            return try await withTaskExecutorPreference(EventLoopTaskExecutor.of(connection.eventLoop)) {
                try await transaction.inTransaction(begin: "BEGIN") { sql in
                    let value = try await body(sql)
                    try await Outbox.flush(in: sql)
                    return value
                }
            }
        }
    }

    func withAutocommit<T: Sendable>(tally: StatementTally, _ body: (any SQLDatabase) async throws -> T) async throws
        -> T
    {
        try await withReader(tally: tally, body)
    }

    func run() async throws {
        await client.run()
    }

    func close() async {}
}

extension PostgresBackend {
    /// A deadlock (SQLSTATE 40P01) or a serialization failure (40001): PostgreSQL aborted the transaction, which
    /// can simply run again.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// The database cannot be reached: the pool gave up opening connections (its circuit breaker, after a minute of
    /// failed attempts), or the connection broke under the request. Nothing the request did was committed by us.
    static func isUnreachable(_ error: any Error) -> Bool {
        if let error = error as? _ConnectionPoolModule.ConnectionPoolError {
            return error == .connectionCreationCircuitBreakerTripped
        }
        guard let error = error as? PSQLError else { return false }
        return [.connectionError, .serverClosedConnection, .uncleanShutdown].contains(error.code)
    }
}
