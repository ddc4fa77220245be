@testable import Emporium
import Foundation
import SQLKit
import Testing

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

    @Test(arguments: engines)
    func nodesStartingTogetherMigrateOnceWithoutErrors(engine: DatabaseEngine) async throws {
        try await TestStore.withNode(engine) { node in
            // Three more nodes on the same database migrate at the same moment.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let other = try await StoreNode.open(node.configuration, logger: TestStore.logger)
                        do {
                            try await other.database.withRunningClient { _ in try await other.migrate() }
                        } catch {
                            await other.database.close()
                            throw error
                        }
                        await other.database.close()
                    }
                }
                try await group.waitForAll()
            }
            let applied = try await node.database.read { sql in
                try await sql.raw("SELECT id FROM schema_migrations ORDER BY id").all().map { try $0.decode(column: "id", as: String.self) }
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
