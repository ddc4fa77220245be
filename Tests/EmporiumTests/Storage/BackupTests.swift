import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Synchronization
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(3)))
struct BackupTests {
    /// `emporium backup` of a store that is taking orders: the restored store passes the audit, has the same catalog
    /// and the images.
    @Test func aBackupTakenDuringCheckoutsRestoresToAConsistentStore() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("emporium-backup-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let archive = scratch.appendingPathComponent("store.tar").path
        let restoredDirectory = scratch.appendingPathComponent("restored").path
        try await TestStore.withApp(.sqlite) { client, node in
            let admin = try await client.adminToken(node)
            let skus = ["BAK-0", "BAK-1", "BAK-2"]
            var productIds: [String] = []
            for sku in skus {
                productIds.append(
                    try #require(try await client.createProduct(admin, sku: sku, stock: 40)["id"] as? String))
            }
            #expect(
                try await ImageTests.upload(client, admin, productIds[0], type: "image/png", ImageTests.png).status
                    == .created)
            var shoppers: [Shopper] = []
            for _ in 0..<6 { shoppers.append(try await client.customer()) }
            let directory = node.configuration.dataDirectory

            // Shoppers order until told to stop; the backup is taken once some orders exist, while they go on.
            let load = Load()
            let summary = try await withThrowingTaskGroup(of: StoreBackup.Summary?.self) { group in
                for (index, shopper) in shoppers.enumerated() {
                    group.addTask {
                        var round = 0
                        while !load.stop.withLock({ $0 }) && round < 12 {
                            let order = try await client.pendingOrder(
                                sku: skus[(index + round) % skus.count], as: shopper)
                            if round % 2 == 0 { #expect(try await client.pay(order, as: shopper).status == .ok) }
                            load.placed.withLock { $0 += 1 }
                            round += 1
                        }
                        return nil
                    }
                }
                group.addTask {
                    #expect(try await eventually { load.placed.withLock { $0 } >= 6 })
                    defer { load.stop.withLock { $0 = true } }
                    return try StoreBackup.create(dataDirectory: directory, to: archive)
                }
                var summary: StoreBackup.Summary?
                for try await value in group where value != nil { summary = value }
                return summary
            }
            let ordersAtTheEnd = try await Self.orderCount(node.database)
            #expect(summary?.images == 1)

            try StoreBackup.restore(from: archive, into: restoredDirectory)
            var configuration = node.configuration
            configuration.dataDirectory = restoredDirectory
            let restored = try await StoreNode.open(configuration, logger: TestStore.logger)
            do {
                try await restored.database.withRunningClient { _ in
                    try await restored.migrate()
                    #expect(try await StoreAudit(database: restored.database).breaches() == [])
                    #expect(try await Self.catalog(restored.database) == Self.catalog(node.database))
                    // Taken mid-load: the orders placed before it, not the ones after.
                    let ordersInBackup = try await Self.orderCount(restored.database)
                    #expect(ordersInBackup >= 6 && ordersInBackup < ordersAtTheEnd)
                }
            } catch {
                await restored.database.close()
                throw error
            }
            await restored.database.close()
            let images = try FileManager.default.contentsOfDirectory(atPath: restoredDirectory + "/images")
            #expect(images.count == 1)
        }
    }

    @Test func restoreRefusesADirectoryThatIsNotEmpty() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emporium-restore-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kept = directory.appendingPathComponent("notes.txt")
        try Data("mine".utf8).write(to: kept)
        let archive = directory.appendingPathComponent("notes.txt").path
        #expect(throws: StoreBackup.Failure.self) { try StoreBackup.restore(from: archive, into: directory.path) }
        #expect(FileManager.default.contents(atPath: kept.path) == Data("mine".utf8))
    }

    private final class Load: Sendable {
        let placed = Mutex(0)
        let stop = Mutex(false)
    }

    private static func orderCount(_ database: Database) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM orders").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    private static func catalog(_ database: Database) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("SELECT id, title FROM products ORDER BY id").all().map {
                try $0.decode(column: "id", as: String.self) + " " + $0.decode(column: "title", as: String.self)
            }
        }
    }
}
