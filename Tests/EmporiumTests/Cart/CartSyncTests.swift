import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Offline edits replayed through `/cart/sync`: observed-remove, add-wins, each op once.
@Suite(.timeLimit(.minutes(2)))
struct CartSyncTests {
    @Test(arguments: engines)
    func anOfflineRemovalKeepsWhatAnotherDeviceAddedMeanwhile(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "TEA-1", price: 800, stock: 100)
            let shopper = try await client.customer()
            let seen = try await client.addToCart("TEA-1", 2, as: shopper)
            let base = try #require(seen["version"] as? Int)

            // Device A goes offline having seen 2; device B adds 1 more online.
            try await client.addToCart("TEA-1", 1, as: shopper)
            let merged = try await client.syncCart(
                #"{"deviceId": "phone-a", "baseVersion": \#(base), "ops": [{"opId": "a-1", "op": "remove", "sku": "TEA-1"}]}"#,
                as: shopper
            )
            #expect(quantity(of: "TEA-1", in: merged) == 1, "B's addition must survive A's offline removal")
            #expect(merged["version"] as? Int == base + 2)

            // A removal by a device that had seen everything removes the line.
            let current = try #require(merged["version"] as? Int)
            let cleared = try await client.syncCart(
                #"{"deviceId": "phone-a", "baseVersion": \#(current), "ops": [{"opId": "a-2", "op": "set", "sku": "TEA-1", "quantity": 0}]}"#,
                as: shopper
            )
            #expect((cleared["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: engines)
    func aReplayedOpCountsOnceEvenWhenBothCopiesArriveTogether(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "JAM-1", price: 650, stock: 100)
            let shopper = try await client.customer()
            let batch = #"""
                {"deviceId": "laptop", "baseVersion": 0, "ops": [
                    {"opId": "op-1", "op": "add", "sku": "JAM-1", "quantity": 2},
                    {"opId": "op-2", "op": "add", "sku": "JAM-1", "quantity": 1}]}
                """#
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await client.syncCart(batch, as: shopper) } }
                try await group.waitForAll()
            }
            let again = try await client.syncCart(batch, as: shopper)
            #expect(quantity(of: "JAM-1", in: again) == 3)
            #expect(again["version"] as? Int == 1, "a batch of ops already applied is no change")

            // The same op id from another device is another op.
            let other = try await client.syncCart(
                #"{"deviceId": "phone", "baseVersion": 1, "ops": [{"opId": "op-1", "op": "add", "sku": "JAM-1", "quantity": 2}]}"#,
                as: shopper
            )
            #expect(quantity(of: "JAM-1", in: other) == 5)
        }
    }

    @Test(arguments: engines)
    func opsApplyInOrderAndSkipWhatCannotApply(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "OIL-1", price: 1100, stock: 100)
            _ = try await client.createProduct(admin, sku: "SALT-1", price: 300, stock: 100)
            let shopper = try await client.customer()
            try await client.addToCart("SALT-1", 4, as: shopper)  // version 1, seen by the device

            try await client.addToCart("SALT-1", 2, as: shopper)  // version 2, another device
            let merged = try await client.syncCart(
                #"""
                {"deviceId": "tablet", "baseVersion": 1, "ops": [
                    {"opId": "t1", "op": "add", "sku": "OIL-1", "quantity": 2},
                    {"opId": "t2", "op": "add", "sku": "GHOST-1", "quantity": 1},
                    {"opId": "t3", "op": "remove", "sku": "OIL-1"},
                    {"opId": "t4", "op": "add", "sku": "OIL-1", "quantity": 1},
                    {"opId": "t5", "op": "set", "sku": "SALT-1", "quantity": 1}]}
                """#,
                as: shopper
            )
            // OIL: added 2, removed (the device saw its own add), added 1. SALT: the 4 it saw became 1; the 2 added elsewhere stay.
            #expect(quantity(of: "OIL-1", in: merged) == 1)
            #expect(quantity(of: "SALT-1", in: merged) == 3)
            #expect(
                warnings(in: merged).contains {
                    $0["sku"] as? String == "GHOST-1" && $0["reason"] as? String == "unknown_sku"
                })
            #expect(merged["version"] as? Int == 3)
        }
    }

    @Test(arguments: engines)
    func aBaseVersionFromTheFutureMeansTheCurrentCart(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "RICE-1", price: 400, stock: 100)
            let guestAnswer = try await client.send(
                .post, "/api/v1/cart/items", json: #"{"sku": "RICE-1", "quantity": 2}"#)
            let guest = Shopper.guest(try #require(guestAnswer.headers[.cartTokenHeader]))
            let merged = try await client.syncCart(
                #"{"deviceId": "g", "baseVersion": 1000, "ops": [{"opId": "r", "op": "remove", "sku": "RICE-1"}]}"#,
                as: guest
            )
            #expect((merged["items"] as? [Any])?.isEmpty == true)
        }
    }
}
