import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct MethodNotAllowedTests {
    @Test func aKnownPathAskedWithAnotherMethodAnswers405WithAllow() async throws {
        try await TestStore.withApp(.sqlite) { client, _ in
            let checkout = try await client.send(.delete, "/api/v1/checkout")
            #expect(checkout.status == .methodNotAllowed)
            #expect(checkout.headers[.allow] == "POST")
            #expect(try checkout.problemCode() == "method_not_allowed")
            #expect(checkout.headers[.contentType] == "application/problem+json")

            let product = try await client.send(.put, "/api/v1/products/prd_anything")
            #expect(product.status == .methodNotAllowed)
            #expect(product.headers[.allow] == "GET, HEAD")

            // A route's own 404 keeps its meaning, and so does a path no route has.
            #expect(try await client.send(.get, "/api/v1/products/prd_none").status == .notFound)
            #expect(try await client.send(.get, "/api/v1/no-such-thing").status == .notFound)
            #expect(try await client.send(.delete, "/api/v1/no-such-thing").status == .notFound)
        }
    }

    @Test func everyRouteTakesTheMethodsItIsRegisteredWith() async throws {
        try await TestStore.withNode(.sqlite) { node in
            let table = RouteMethods()
            table.load(buildRouter(node))
            #expect(table.methods(for: "/api/v1/orders/ord_1/pay") == [.post])
            #expect(table.methods(for: "/api/v1/cart/items/SKU-1").isSuperset(of: [.put, .delete]))
            #expect(table.methods(for: "/health/live").contains(.get))
            #expect(table.methods(for: "/api/v1/nowhere").isEmpty)
        }
    }
}
