import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct NotificationTests {
    @Test(arguments: engines)
    func aNotificationIsMarkedReadByItsOwnerOnly(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let sku = "SKU-\(UUID().uuidString.prefix(8))"
            _ = try await client.createProduct(admin, sku: sku)
            let token = try #require(try await client.signup()["accessToken"] as? String)
            let shopper = Shopper.user(token)
            let order = try await client.pendingOrder(sku: sku, as: shopper)
            #expect(try await client.pay(order, as: shopper).status == .ok)
            var notification: [String: Any] = [:]
            #expect(
                try await eventually {
                    let page = try await client.send(.get, "/api/v1/notifications", token: token).jsonObject()
                    notification = (page["items"] as? [[String: Any]])?.first ?? [:]
                    return notification["type"] as? String == "order.confirmed"
                })
            let id = try #require(notification["id"] as? String)
            #expect(notification["read"] as? Bool == false)
            let other = try #require(try await client.signup()["accessToken"] as? String)
            let stranger = try await client.send(.post, "/api/v1/notifications/\(id)/read", token: other)
            #expect(stranger.status == .notFound)
            let read = try await client.send(.post, "/api/v1/notifications/\(id)/read", token: token)
            #expect(read.status == .ok)
            #expect(try read.jsonObject()["read"] as? Bool == true && read.jsonObject()["id"] as? String == id)
            let again = try await client.send(.post, "/api/v1/notifications/\(id)/read", token: token)
            #expect(again.status == .ok)
            let page = try await client.send(.get, "/api/v1/notifications", token: token).jsonObject()
            #expect((page["items"] as? [[String: Any]])?.first?["read"] as? Bool == true)
        }
    }
}
