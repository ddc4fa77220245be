import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Emporium

/// Requests the document declares invalid are refused, whoever sends them.
@Suite(.timeLimit(.minutes(1)))
struct ContractTests {
    @Test func anEmptyCursorIsRefused() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            let shopper = try await client.customer()
            let page = try await client.send(.get, "/api/v1/orders?cursor=", headers: shopper.headers)
            #expect(page.status == .badRequest)
            #expect(try page.problemCode() == "invalid_request")
        }
    }

    @Test func aMalformedCartTokenIsRefusedAlsoFromASignedInCustomer() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            let shopper = try await client.customer()
            let cart = try await client.send(
                .get, "/api/v1/cart", headers: shopper.headers + [.cartToken: "not-a-token"])
            #expect(cart.status == .badRequest)
            #expect(try cart.problemCode() == "invalid_cart_token")
            #expect(try await client.send(.get, "/api/v1/cart", headers: shopper.headers).status == .ok)
        }
    }

    @Test func aCartLinePathWithAnOverlongSkuIsRefused() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            let shopper = try await client.customer()
            let sku = String(repeating: "A", count: 65)
            let removed = try await client.send(.delete, "/api/v1/cart/items/\(sku)", headers: shopper.headers)
            #expect(removed.status == .badRequest)
            #expect(try removed.problemCode() == "invalid_request")
        }
    }

    /// Without credentials a route that needs them answers 401, whatever Idempotency-Key came with it: the key is
    /// not claimed in a scope that every anonymous caller would share.
    @Test func anUnauthenticatedRequestIs401WithAnyIdempotencyKey() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            let key = HTTPField.Name("Idempotency-Key")!
            for body in [#"{"shippingAddress": {}}"#, #"{"shippingAddress": null}"#] {
                let response = try await client.send(.post, "/api/v1/checkout", json: body, headers: [key: "same-key"])
                #expect(response.status == .unauthorized)
            }
        }
    }
}
