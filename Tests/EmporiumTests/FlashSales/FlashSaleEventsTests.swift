import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Emporium

/// `GET /flash-sales/{id}/events`: a shopper watching on one node sees the purchases made through another.
@Suite(.timeLimit(.minutes(2)))
struct FlashSaleEventsTests {
    @Test(arguments: engines)
    func aWatcherOnOneNodeSeesRemainingFallAsBuyersBuyOnAnother(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { buyerNode, node in
            let admin = try await buyerNode.adminToken(node)
            let sale = try #require(
                try await buyerNode.createFlashSale(admin, stock: 3, quantity: 3, limit: 1)["id"] as? String)

            try await TestStore.withSecondApp(of: node, .live) { watcherNode, other in
                let port = try #require(watcherNode.port)
                try await EventStream.open(port: port, path: "/api/v1/flash-sales/\(sale)/events", headers: []) {
                    stream in
                    #expect(try await stream.nextEvent(named: "flash_sale") == #"{"remaining":3,"status":"live"}"#)
                    #expect(try await buyerNode.purchase(sale, as: try await buyerNode.customer()).status == .created)
                    #expect(try await stream.nextEvent(named: "flash_sale") == #"{"remaining":2,"status":"live"}"#)
                    for _ in 0..<2 {
                        #expect(
                            try await buyerNode.purchase(sale, as: try await buyerNode.customer()).status == .created)
                    }
                    // Two purchases within one coalescing interval may arrive as one event.
                    var last = try await stream.nextEvent(named: "flash_sale")
                    if last != #"{"remaining":0,"status":"sold_out"}"# {
                        last = try await stream.nextEvent(named: "flash_sale")
                    }
                    #expect(last == #"{"remaining":0,"status":"sold_out"}"#)
                }
                #expect(
                    try await eventually(poll: .milliseconds(20)) { other.flashSales.feed.listenerCount == 0 },
                    "the node forgets a watcher that went away")
                let missing = try await watcherNode.execute(uri: "/api/v1/flash-sales/fs_nothing/events", method: .get)
                #expect(missing.status == .notFound)
            }
            try await expectAuditPasses(node)
        }
    }
}
