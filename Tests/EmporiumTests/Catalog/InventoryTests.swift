import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct InventoryTests {
    static func events(_ node: StoreNode, type: String) async throws -> [String] {
        try await node.database.read { sql in
            try await sql.raw("SELECT payload FROM events WHERE type = \(bind: type) ORDER BY id").all()
                .map { try $0.decode(column: "payload", as: String.self) }
        }
    }

    @Test(arguments: engines)
    func stockIsSetAndAdjustedButAvailableNeverFallsBelowZero(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "MUG-1", stock: 10)
            let level = try await client.send(.get, "/api/v1/admin/inventory/MUG-1", token: admin).jsonObject()
            #expect(level["onHand"] as? Int == 10 && level["reserved"] as? Int == 0 && level["available"] as? Int == 10)

            let set = try await client.send(
                .put, "/api/v1/admin/inventory/MUG-1", json: #"{"onHand": 8}"#, token: admin)
            #expect(try set.jsonObject()["available"] as? Int == 8)
            let removed = try await client.send(
                .post, "/api/v1/admin/inventory/MUG-1/adjust", json: #"{"delta": -5, "reason": "broken"}"#, token: admin
            )
            #expect(try removed.jsonObject()["available"] as? Int == 3)

            let tooMany = try await client.send(
                .post, "/api/v1/admin/inventory/MUG-1/adjust", json: #"{"delta": -4, "reason": "lost"}"#, token: admin)
            #expect(tooMany.status == .conflict)
            #expect(try tooMany.problemCode() == "insufficient_stock")
            let negative = try await client.send(
                .put, "/api/v1/admin/inventory/MUG-1", json: #"{"onHand": -1}"#, token: admin)
            #expect(negative.status == .unprocessableContent)
            let noReason = try await client.send(
                .post, "/api/v1/admin/inventory/MUG-1/adjust", json: #"{"delta": 1, "reason": ""}"#, token: admin)
            #expect(noReason.status == .unprocessableContent)
            let unknown = try await client.send(.get, "/api/v1/admin/inventory/NOPE", token: admin)
            #expect(unknown.status == .notFound)

            #expect(try await node.inventory.level(sku: "MUG-1").available == 3)
            // Every change wrote an event; the drop under the threshold of 5 wrote one `inventory.low`.
            #expect(try await Self.events(node, type: "inventory.changed").count == 3)
            let low = try await Self.events(node, type: "inventory.low")
            #expect(low.count == 1)
            #expect(low.first?.contains(#""available":3"#) == true)
        }
    }

    @Test(arguments: engines)
    func concurrentAdjustmentsNeverOversubtract(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "HOT-1", stock: 20)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        try await client.send(
                            .post, "/api/v1/admin/inventory/HOT-1/adjust",
                            json: #"{"delta": -1, "reason": "sold offline"}"#, token: admin
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 20)
            #expect(statuses.filter { $0 == .conflict }.count == 10)
            #expect(try await node.inventory.level(sku: "HOT-1").onHand == 0)
        }
    }
}
