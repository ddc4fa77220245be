import ArgumentParser
import Configuration
import Emporium
import Foundation
import Hummingbird
import Logging

@main
struct EmporiumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emporium",
        abstract: "Emporium, an online store platform.",
        subcommands: [Serve.self, Migrate.self, Admin.self],
        defaultSubcommand: Serve.self
    )
}

/// Flags every command shares: where the data lives.
struct StorageOptions: ParsableArguments {
    @Option(help: "Directory for the SQLite file, images and the generated JWT secret (EMPORIUM_DATA_DIR). Default ./emporium-data")
    var dataDir: String?

    @Option(help: "postgres://user:pass@host:port/db to use PostgreSQL instead of SQLite (EMPORIUM_DATABASE_URL)")
    var databaseUrl: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (EMPORIUM_LOG_LEVEL). Default info")
    var logLevel: String?

    /// Flags over `EMPORIUM_*` variables over defaults.
    func configuration() -> AppConfiguration {
        var configuration = AppConfiguration(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
        if let dataDir { configuration.dataDirectory = dataDir }
        if let databaseUrl { configuration.databaseURL = databaseUrl }
        if let logLevel, let level = Logger.Level(rawValue: logLevel) { configuration.logLevel = level }
        return configuration
    }

    func makeLogger(_ configuration: AppConfiguration) -> Logger {
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

    func run() async throws {
        var configuration = storage.configuration()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if demo { configuration.demo = true }
        let logger = storage.makeLogger(configuration)
        let node = try await StoreNode.open(configuration, logger: logger)
        let app = buildApplication(node)
        do {
            try await app.runService()
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
        let configuration = storage.configuration()
        let node = try await StoreNode.open(configuration, logger: storage.makeLogger(configuration))
        defer { Task { await node.database.close() } }
        try await node.database.withRunningClient { _ in try await node.migrate() }
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
            let configuration = storage.configuration()
            let node = try await StoreNode.open(configuration, logger: storage.makeLogger(configuration))
            do {
                let user = try await node.database.withRunningClient { _ in
                    try await node.migrate()
                    return try await node.accounts.signup(email: email, password: password, name: name, role: .admin).user
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
