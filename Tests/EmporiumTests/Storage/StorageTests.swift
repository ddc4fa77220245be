import Foundation
import SQLKit
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct StorageTests {
    struct Refused: Error {}

    @Test(arguments: engines)
    func aTransactionThatThrowsLeavesNothingBehind(engine: DatabaseEngine) async throws {
        try await TestStore.withNode(engine) { node in
            await #expect(throws: Refused.self) {
                try await node.database.transaction { sql in
                    try await Outbox.append("test.rolled_back", aggregateId: "x", payload: ["a": 1], in: sql)
                    throw Refused()
                }
            }
            let count = try await node.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM events").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    /// On SQLite concurrent transactions commit in groups, each in its own savepoint: one that throws must undo only
    /// its own work, and every caller must get its own value back.
    @Test(arguments: engines)
    func concurrentTransactionsKeepTheirOwnOutcomes(engine: DatabaseEngine) async throws {
        try await TestStore.withNode(engine) { node in
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        do {
                            let value = try await node.database.transaction { sql -> Int in
                                try await Outbox.append(
                                    "test.grouped", aggregateId: "\(index)", payload: ["i": index], in: sql)
                                if index % 3 == 0 { throw Refused() }
                                return index
                            }
                            #expect(value == index)
                            return (index, true)
                        } catch is Refused {
                            return (index, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes.count == 200)
            #expect(outcomes.filter { !$0.value }.keys.sorted() == Array(stride(from: 0, to: 200, by: 3)))
            let stored = try await node.database.read { sql in
                try await sql.raw("SELECT aggregate_id FROM events WHERE type = 'test.grouped'").all()
                    .map { Int(try $0.decode(column: "aggregate_id", as: String.self))! }
            }
            #expect(stored.sorted() == (0..<200).filter { $0 % 3 != 0 })
        }
    }

    @Test func aTransactionAfterCloseFailsInsteadOfWaiting() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "emporium-close-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await Database.open(
            postgresURL: nil, sqlitePath: directory.appendingPathComponent("store.sqlite").path,
            logger: TestStore.logger)
        #expect(
            try await database.transaction { sql in
                try await sql.raw("SELECT 1 AS one").first()!.decode(column: "one", as: Int.self)
            } == 1)
        await database.close()
        await #expect(throws: (any Error).self) {
            try await database.transaction { sql in try await sql.raw("SELECT 1 AS one").run() }
        }
    }

    @Test func sqliteWriteTransactionsRunOnTheWritersOwnThread() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "emporium-thread-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await Database.open(
            postgresURL: nil, sqlitePath: directory.appendingPathComponent("store.sqlite").path,
            logger: TestStore.logger)
        // Nested async calls too: the body's nonisolated code stays on the writer's thread, never the cooperative pool.
        @Sendable func nestedThreadName() async -> String { currentThreadName() }
        let names = try await database.transaction { _ in [currentThreadName(), await nestedThreadName()] }
        #expect(names == ["sqlite-writer", "sqlite-writer"])
        await database.close()
    }

    @Test(arguments: engines)
    func nodesStartingTogetherMigrateOnceWithoutErrors(engine: DatabaseEngine) async throws {
        try await TestStore.withNode(engine) { node in
            // Three more nodes on the same database migrate at the same moment.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await TestStore.withSecondNode(of: node) { other in try await other.migrate() }
                    }
                }
                try await group.waitForAll()
            }
            let applied = try await node.database.read { sql in
                try await sql.raw("SELECT id FROM schema_migrations ORDER BY id").all().map {
                    try $0.decode(column: "id", as: String.self)
                }
            }
            #expect(applied == StoreNode.migrations.map(\.id).sorted())
        }
    }

    @Test func identifiersSortByCreationTimeAndNeverRepeat() {
        let earlier = Identifier.make("ord", now: 1_000)
        let later = Identifier.make("ord", now: 2_000)
        #expect(earlier < later)
        #expect(earlier.hasPrefix("ord_"))
        #expect(Set((0..<1000).map { _ in Identifier.make("x") }).count == 1000)
    }
}

/// The OS name of the calling thread (Linux).
private func currentThreadName() -> String {
    ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
}

extension StorageTests {
    /// A statement prepared for the first time inside an aborted transaction fails there, and postgres-nio keeps
    /// it as failed on that connection; it must still work on the next use (`PreparedStatementNames.retire`).
    @Test(.enabled(if: TestStore.postgresURL != nil, "prepared statements are PostgreSQL's"))
    func aStatementFirstPreparedInAnAbortedTransactionWorksAfterwards() async throws {
        try await TestStore.withNode(.postgres) { node in
            let tag = UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let query: SQLQueryString = "SELECT \(bind: "ok") AS answer -- \(unsafeRaw: tag)"
            await #expect(throws: (any Error).self) {
                try await node.database.transaction { sql in
                    _ = try? await sql.raw("SELECT 1 / \(bind: 0) AS boom").all()
                    _ = try await sql.raw(query).all()
                }
            }
            for _ in 0..<5 {
                let answer = try await node.database.read { sql in
                    try await sql.raw(query).first()?.decode(column: "answer", as: String.self)
                }
                #expect(answer == "ok")
            }
        }
    }
}

extension StorageTests {
    /// A node on the database's own machine reaches PostgreSQL through its unix socket
    /// (`postgres+uds://user:password@localhost/<socket path>#database`), as scripts/with-postgres offers it.
    @Test(.enabled(if: TestStore.postgresSocketURL != nil, "needs EMPORIUM_TEST_POSTGRES_SOCKET_URL"))
    func aNodeReachesPostgreSQLThroughItsUnixSocket() async throws {
        let socketURL = try #require(TestStore.postgresSocketURL)
        try await TestStore.withNode(.postgres, configure: { $0.databaseURL = socketURL }) { node in
            try await node.database.transaction { sql in
                try await Outbox.append("test.socket", aggregateId: "x", payload: ["a": 1], in: sql)
            }
            let count = try await node.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM events WHERE type = 'test.socket'").first()!
                    .decode(column: "n", as: Int.self)
            }
            #expect(count == 1)
        }
    }
}
