import ArgumentParser
import Configuration
import Emporium
import EmporiumWeb
import Foundation
import Hummingbird
import Logging

@main
struct EmporiumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emporium",
        abstract: "Emporium, an online store platform.",
        subcommands: [
            Serve.self, Migrate.self, Admin.self, Seed.self, Export.self, Audit.self, Backup.self, Restore.self,
            SearchBench.self,
        ],
        defaultSubcommand: Serve.self
    )
}

/// Flags every command shares: where the data lives.
struct StorageOptions: ParsableArguments {
    @Option(
        help:
            "Directory for the SQLite file, images and the generated JWT secret (EMPORIUM_DATA_DIR). Default ./emporium-data"
    )
    var dataDir: String?

    @Option(help: "postgres://user:pass@host:port/db to use PostgreSQL instead of SQLite (EMPORIUM_DATABASE_URL)")
    var databaseUrl: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (EMPORIUM_LOG_LEVEL). Default info")
    var logLevel: String?

    @Option(help: "Log format: text, or json for one object a line (EMPORIUM_LOG_FORMAT). Default text")
    var logFormat: String?

    /// Flags over `EMPORIUM_*` variables over defaults.
    func configuration() throws -> AppConfiguration {
        var configuration = try AppConfiguration(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
        if let dataDir { configuration.dataDirectory = dataDir }
        if let databaseUrl { configuration.databaseURL = databaseUrl }
        if let logLevel, let level = Logger.Level(rawValue: logLevel) { configuration.logLevel = level }
        if let logFormat {
            guard let format = LogFormat(rawValue: logFormat) else {
                throw ValidationError("--log-format must be text or json, not \(logFormat)")
            }
            configuration.logFormat = format
        }
        return configuration
    }

    /// The command's logger, after every logger of the process is set to the configured format.
    func makeLogger(_ configuration: AppConfiguration) -> Logger {
        configuration.logFormat.bootstrap()
        var logger = Logger(label: "emporium")
        logger.logLevel = configuration.logLevel
        return logger
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a store node (the default command).")

    @OptionGroup var storage: StorageOptions

    @Option(help: "Address to listen on (EMPORIUM_HOST). Default 127.0.0.1")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one and logs it (EMPORIUM_PORT). Default 8080")
    var port: Int?

    @Flag(help: "Fill an empty store with the demo catalog (EMPORIUM_DEMO=true)")
    var demo = false

    @Flag(
        help:
            "The shop is served over HTTPS (a proxy in front): session cookies get `Secure` (EMPORIUM_SECURE_COOKIE=true)"
    )
    var secureCookie = false

    func run() async throws {
        var configuration = try storage.configuration()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if demo { configuration.demo = true }
        let logger = storage.makeLogger(configuration)
        let node = try await StoreNode.open(configuration, logger: logger)
        do {
            let secure = secureCookie || ProcessInfo.processInfo.environment["EMPORIUM_SECURE_COOKIE"] == "true"
            let storefront = try await Storefront.addOn(node, secureCookie: secure)
            try await buildApplication(node, addOns: [storefront]).runService()
        } catch {
            await node.database.close()
            throw error
        }
        await node.database.close()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await withStore(storage) { _ in }
        print("migrations applied")
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage admin accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an admin account.")

        @OptionGroup var storage: StorageOptions

        @Option(help: "The admin's email")
        var email: String

        @Option(help: "The admin's password (at least 8 characters)")
        var password: String

        @Option(help: "The admin's display name")
        var name = "Administrator"

        func run() async throws {
            do {
                let user = try await withStore(storage) { node in
                    try await node.accounts.signup(email: email, password: password, name: name, role: .admin).user
                }
                print("created admin \(user.email) (\(user.id))")
            } catch let error as AccountsError where error == .emailTaken {
                throw ValidationError("an account with the email \(email) already exists")
            } catch let problem as Problem {
                throw ValidationError(problem.detail)
            }
        }
    }
}

/// Opens the configured store with its database running and migrated, runs `body`, and closes it.
func withStore<T: Sendable>(_ storage: StorageOptions, _ body: @Sendable (StoreNode) async throws -> T) async throws
    -> T
{
    let configuration = try storage.configuration()
    let node = try await StoreNode.open(configuration, logger: storage.makeLogger(configuration))
    do {
        let value = try await node.database.withRunningClient { _ in
            try await node.migrate(adding: Storefront.migrations)
            return try await body(node)
        }
        await node.database.close()
        return value
    } catch {
        await node.database.close()
        throw error
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the catalog as one JSON object a line.")

    @OptionGroup var storage: StorageOptions

    @Option(help: "The file to write")
    var jsonl: String

    func run() async throws {
        let path = jsonl
        let written = try await withStore(storage) { try await CatalogSeeder(node: $0).exportJSONL(to: path) }
        print("exported \(written) products to \(path)")
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check the store's invariants (stock, reservations, flash sales, payments, refunds); exit 1 on any breach."
    )

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let breaches = try await withStore(storage) { try await StoreAudit(database: $0.database).breaches() }
        guard breaches.isEmpty else {
            for breach in breaches { print("BREACH " + breach) }
            print("audit failed: \(breaches.count) breaches")
            throw ExitCode(1)
        }
        print("audit passed: stock, reservations, flash sales, payments and refunds are consistent")
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent backup of a SQLite store (database, images, secret) to one tar file.",
        discussion: """
            Safe while the store serves orders: the database is copied by SQLite in one read transaction \
            (VACUUM INTO). A PostgreSQL store is backed up with pg_dump instead (see the README).
            """
    )

    @OptionGroup var storage: StorageOptions

    @Option(help: "The backup file to write (replaced once complete)")
    var to: String

    func run() async throws {
        let configuration = try storage.configuration()
        guard configuration.databaseURL == nil else {
            throw ValidationError(
                "this store is on PostgreSQL: back it up with pg_dump (README, Operations) and copy the images")
        }
        do {
            let summary = try StoreBackup.create(dataDirectory: configuration.dataDirectory, to: to)
            print("backed up \(summary.databaseBytes) bytes of database and \(summary.images) images to \(to)")
        } catch let failure as StoreBackup.Failure {
            throw ValidationError(failure.description)
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a working SQLite store of a backup, in an empty or new data directory.")

    @Option(help: "The backup file written by `emporium backup`")
    var from: String

    @Option(help: "The directory to restore into; it must be empty or not exist")
    var dataDir: String

    func run() async throws {
        do {
            let summary = try StoreBackup.restore(from: from, into: dataDir)
            print(
                "restored the backup of \(summary.createdAt) into \(dataDir): run `emporium audit --data-dir \(dataDir)`"
            )
        } catch let failure as StoreBackup.Failure {
            throw ValidationError(failure.description)
        }
    }
}
