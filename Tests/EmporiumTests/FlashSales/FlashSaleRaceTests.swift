import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

// Serialized: six cases of a hundred concurrent buyers at once would starve the rest of the suite of both cores.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct FlashSaleRaceTests {
    static let cases = engines.flatMap { engine in ReservationStrategy.allCases.map { (engine, $0) } }

    @Test(arguments: cases)
    func oneCustomerRacingThemselvesGetsNoMoreThanTheLimit(engine: DatabaseEngine, strategy: ReservationStrategy)
        async throws
    {
        try await TestStore.withApp(
            engine,
            configure: {
                $0.reservationStrategy = strategy
                $0.flashSales.userRate = 0
            }
        ) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(
                try await client.createFlashSale(admin, stock: 20, quantity: 10, limit: 2)["id"] as? String)
            let shopper = try await client.customer()
            let outcomes = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<30 {
                    group.addTask { try outcome(try await client.purchase(sale, as: shopper)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.0 == 201 }.count == 2)
            #expect(outcomes.filter { $0 == (409, "limit_exceeded") }.count == 28, "\(outcomes)")

            // The same key sent eight times at once buys once, and every copy gets that order.
            let twin = try await client.customer()
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await client.purchase(sale, as: twin, key: "one-click")
                        #expect(response.status == .created, "\(String(buffer: response.body))")
                        return try response.jsonObject()["id"] as? String
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(ids).count == 1 && ids.allSatisfy { $0 != nil })
            #expect(try await client.flashSale(sale)["remaining"] as? Int == 7)
            #expect(try await count("orders", in: node) == 3)
            try await expectAuditPasses(node)
        }
    }

    @Test(arguments: cases)
    func manyBuyersRacingSellExactlyTheQuantity(engine: DatabaseEngine, strategy: ReservationStrategy) async throws {
        try await TestStore.withApp(engine, configure: { $0.reservationStrategy = strategy }) { client, node in
            let admin = try await client.adminToken(node)
            let created = try await client.createFlashSale(admin, sku: "RACE-1", stock: 25, quantity: 20, limit: 1)
            let sale = try #require(created["id"] as? String)
            let shoppers = try await withThrowingTaskGroup(of: Shopper.self) { group in
                for _ in 0..<100 { group.addTask { try await client.customer() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for shopper in shoppers {
                    group.addTask { try outcome(try await client.purchase(sale, as: shopper)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.0 == 201 }.count == 20)
            #expect(outcomes.filter { $0 == (409, "sold_out") }.count == 80, "\(outcomes)")
            let after = try await client.flashSale(sale)
            #expect(after["remaining"] as? Int == 0)
            #expect(after["status"] as? String == "sold_out")
            let stock = try await node.inventory.level(sku: "RACE-1")
            #expect(stock.reserved == 20 && stock.available == 5, "the sale's units never touch the SKU's own 5")
            #expect(try await count("orders", in: node) == 20)
            try await expectAuditPasses(node)
        }
    }

    /// Buyers who already hold their limit race beside new ones: each of them is refused, and the units they would
    /// have taken go to the next buyers in line, so the sale still sells out exactly (the set-based batch's rounds).
    @Test(arguments: cases)
    func buyersAtTheirLimitLeaveTheirUnitsToTheNextInLine(engine: DatabaseEngine, strategy: ReservationStrategy)
        async throws
    {
        try await TestStore.withApp(
            engine,
            configure: {
                $0.reservationStrategy = strategy
                $0.flashSales.userRate = 0
            }
        ) { client, node in
            let admin = try await client.adminToken(node)
            let sale = try #require(
                try await client.createFlashSale(admin, sku: "ROUND-1", stock: 30, quantity: 30, limit: 2)["id"]
                    as? String)
            let shoppers = try await withThrowingTaskGroup(of: Shopper.self) { group in
                for _ in 0..<40 { group.addTask { try await client.customer() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Ten of them buy two units first, one by one: 10 units remain.
            for shopper in shoppers.prefix(10) {
                #expect(try await client.purchase(sale, quantity: 2, as: shopper).status == .created)
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, (Int, String?)).self) { group in
                for (index, shopper) in shoppers.enumerated() {
                    group.addTask { (index, try outcome(try await client.purchase(sale, as: shopper))) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let holders = (0..<10).compactMap { outcomes[$0] }
            let newcomers = (10..<40).compactMap { outcomes[$0] }
            // A holder is refused as over the limit, or as sold out when it comes after the last unit went.
            #expect(holders.allSatisfy { $0 == (409, "limit_exceeded") || $0 == (409, "sold_out") }, "\(holders)")
            #expect(newcomers.filter { $0.0 == 201 }.count == 10, "\(newcomers)")
            #expect(newcomers.filter { $0 == (409, "sold_out") }.count == 20, "\(newcomers)")
            #expect(try await client.flashSale(sale)["remaining"] as? Int == 0)
            #expect(try await count("orders", in: node) == 20)
            try await expectAuditPasses(node)
        }
    }
}
