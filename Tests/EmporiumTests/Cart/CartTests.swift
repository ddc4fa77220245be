import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(2)))
struct CartTests {
    @Test(arguments: engines)
    func concurrentAddsFromManyDevicesAllCount(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "MUG-1", price: 1500, stock: 100)
            let shopper = try await client.customer()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await client.addToCart("MUG-1", 1, as: shopper) }
                }
                try await group.waitForAll()
            }
            let cart = try await client.cartRequest(.get, as: shopper)
            #expect(quantity(of: "MUG-1", in: cart) == 50)
            #expect(cart["version"] as? Int == 50)
            #expect((cart["subtotal"] as? [String: Any])?["amount"] as? Int == 50 * 1500)
        }
    }

    @Test(arguments: engines)
    func cartAnswersCarryTodaysPricesAndWarnInsteadOfDroppingLines(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let lamp = try #require(
                try await client.createProduct(admin, title: "Desk Lamp", sku: "LAMP-1", price: 4000, stock: 3)["id"]
                    as? String)
            let chair = try #require(
                try await client.createProduct(admin, title: "Chair", sku: "CHAIR-1", price: 9000, stock: 5)["id"]
                    as? String)
            let shopper = try await client.customer()
            try await client.addToCart("LAMP-1", 2, as: shopper)
            let added = try await client.addToCart("CHAIR-1", 1, as: shopper)
            #expect(warnings(in: added).isEmpty)
            let items = try #require(added["items"] as? [[String: Any]])
            #expect(items.map { $0["sku"] as? String } == ["LAMP-1", "CHAIR-1"])
            #expect(items[0]["title"] as? String == "Desk Lamp (Black)")
            #expect(items[0]["productId"] as? String == lamp)
            #expect(items[0]["available"] as? Int == 3)
            #expect((items[0]["lineTotal"] as? [String: Any])?["amount"] as? Int == 8000)

            _ = try await client.send(
                .patch, "/api/v1/admin/products/\(lamp)",
                json: #"{"variants": [{"sku": "LAMP-1", "price": {"amount": 3500, "currency": "USD"}}]}"#, token: admin)
            _ = try await client.send(
                .post, "/api/v1/admin/inventory/LAMP-1/adjust", json: #"{"delta": -2, "reason": "broken"}"#,
                token: admin)
            _ = try await client.send(.delete, "/api/v1/admin/products/\(chair)", token: admin)

            let cart = try await client.cartRequest(.get, as: shopper)
            #expect(quantity(of: "LAMP-1", in: cart) == 2)
            #expect(quantity(of: "CHAIR-1", in: cart) == 1)
            #expect((cart["subtotal"] as? [String: Any])?["amount"] as? Int == 2 * 3500 + 9000)
            let byCode = Dictionary(grouping: warnings(in: cart)) { $0["code"] as? String ?? "" }
            let priceChanged = try #require(byCode["price_changed"]?.first)
            #expect(priceChanged["sku"] as? String == "LAMP-1")
            #expect((priceChanged["previousPrice"] as? [String: Any])?["amount"] as? Int == 4000)
            #expect((priceChanged["currentPrice"] as? [String: Any])?["amount"] as? Int == 3500)
            let low = try #require(byCode["low_stock"]?.first)
            #expect(low["available"] as? Int == 1 && low["requested"] as? Int == 2)
            let unavailable = try #require(byCode["unavailable"]?.first)
            #expect(unavailable["sku"] as? String == "CHAIR-1" && unavailable["reason"] as? String == "discontinued")

            // Setting the line again acknowledges the new price.
            let acknowledged = try await client.cartRequest(
                .put, "/api/v1/cart/items/LAMP-1", as: shopper, json: #"{"quantity": 1}"#)
            #expect(!warnings(in: acknowledged).contains { $0["code"] as? String == "price_changed" })
            #expect(!warnings(in: acknowledged).contains { $0["code"] as? String == "low_stock" })
        }
    }

    @Test(arguments: engines)
    func staleIfMatchIsRefusedAndNothingChanges(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "PEN-1", price: 200, stock: 50)
            let shopper = try await client.customer()
            try await client.addToCart("PEN-1", 1, as: shopper)
            let response = try await client.send(.get, "/api/v1/cart", headers: shopper.headers)
            #expect(response.headers[.eTag] == "\"1\"")
            #expect(
                try await client.send(.get, "/api/v1/cart", headers: shopper.headers + [.ifNoneMatch: "\"1\""]).status
                    == .notModified)

            try await client.addToCart("PEN-1", 1, as: shopper)  // another device: version 2
            let stale = try await client.send(
                .put, "/api/v1/cart/items/PEN-1", json: #"{"quantity": 5}"#,
                headers: shopper.headers + [.ifMatch: "\"1\""])
            #expect(stale.status == .preconditionFailed)
            #expect(try stale.problemCode() == "precondition_failed")
            #expect(try stale.jsonObject()["currentVersion"] as? Int == 2)
            #expect(quantity(of: "PEN-1", in: try await client.cartRequest(.get, as: shopper)) == 2)

            let fresh = try await client.cartRequest(
                .put, "/api/v1/cart/items/PEN-1", as: shopper, json: #"{"quantity": 5}"#, headers: [.ifMatch: "\"2\""])
            #expect(quantity(of: "PEN-1", in: fresh) == 5 && fresh["version"] as? Int == 3)
            let removed = try await client.cartRequest(
                .delete, "/api/v1/cart/items/PEN-1", as: shopper, headers: [.ifMatch: "\"3\""])
            #expect((removed["items"] as? [Any])?.isEmpty == true && removed["version"] as? Int == 4)
            // Removing what is not there is no change.
            #expect(
                try await client.cartRequest(.delete, "/api/v1/cart/items/PEN-1", as: shopper)["version"] as? Int == 4)
        }
    }

    @Test(arguments: engines)
    func badCartInputGetsClearProblems(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let id = try #require(
                try await client.createProduct(admin, sku: "CUP-1", price: 300, stock: 5)["id"] as? String)
            let shopper = try await client.customer()
            func code(_ method: HTTPRequest.Method, _ path: String, _ json: String?, headers: HTTPFields? = nil)
                async throws -> (Int, String?)
            {
                let response = try await client.send(method, path, json: json, headers: headers ?? shopper.headers)
                return (response.status.code, try response.problemCode())
            }
            #expect(
                try await code(.post, "/api/v1/cart/items", #"{"sku": "NOPE", "quantity": 1}"#) == (
                    404, "sku_not_found"
                ))
            #expect(
                try await code(.post, "/api/v1/cart/items", #"{"sku": "CUP-1", "quantity": 0}"#) == (
                    422, "validation_failed"
                ))
            #expect(
                try await code(.post, "/api/v1/cart/items", #"{"sku": "CUP-1", "quantity": 100}"#) == (
                    422, "validation_failed"
                ))
            #expect(
                try await code(.post, "/api/v1/cart/items", #"{"sku": "CUP-1", "quantity": "two"}"#) == (
                    400, "invalid_request"
                ))
            #expect(try await code(.post, "/api/v1/cart/items", #"{"sku": "CUP-1""#) == (400, "invalid_request"))
            #expect(
                try await code(.put, "/api/v1/cart/items/CUP-1", #"{"quantity": -1}"#) == (422, "validation_failed"))
            #expect(
                try await code(
                    .put, "/api/v1/cart/items/CUP-1", #"{"quantity": 1}"#, headers: shopper.headers + [.ifMatch: "soon"]
                ) == (400, "invalid_request"))
            #expect(
                try await code(
                    .post, "/api/v1/cart/sync",
                    #"{"deviceId": "", "baseVersion": -1, "ops": [{"opId": "a", "op": "add", "sku": "CUP-1", "quantity": 0}]}"#
                ) == (422, "validation_failed"))
            #expect(
                try await code(
                    .post, "/api/v1/cart/sync",
                    #"{"deviceId": "d", "baseVersion": 0, "ops": [{"opId": "a", "op": "move", "sku": "CUP-1"}]}"#) == (
                        400, "invalid_request"
                    ))
            #expect(
                try await code(.get, "/api/v1/cart", nil, headers: [.cartTokenHeader: "short"]) == (
                    400, "invalid_cart_token"
                ))
            #expect(
                try await code(.get, "/api/v1/cart", nil, headers: [.authorization: "Bearer not-a-token"]) == (
                    401, "invalid_token"
                ))

            _ = try await client.send(.delete, "/api/v1/admin/products/\(id)", token: admin)
            #expect(
                try await code(.post, "/api/v1/cart/items", #"{"sku": "CUP-1", "quantity": 1}"#) == (
                    422, "sku_unavailable"
                ))
        }
    }

    @Test(arguments: engines)
    func aLineStopsAt99AndSaysSo(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "CLIP-1", price: 10, stock: 1000)
            let shopper = try await client.customer()
            try await client.addToCart("CLIP-1", 60, as: shopper)
            let capped = try await client.addToCart("CLIP-1", 60, as: shopper)
            #expect(quantity(of: "CLIP-1", in: capped) == 99)
            #expect(
                warnings(in: capped).contains {
                    $0["code"] as? String == "quantity_limited" && $0["limit"] as? Int == 99
                })
        }
    }

    @Test(arguments: engines)
    func anotherShoppersCartCanNeverBeReadOrChanged(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "BAG-1", price: 2500, stock: 20)
            let alice = try await client.customer()
            let bob = try await client.customer()
            let aliceCart = try await client.addToCart("BAG-1", 3, as: alice)

            let bobCart = try await client.cartRequest(.get, as: bob)
            #expect((bobCart["items"] as? [Any])?.isEmpty == true)
            #expect(bobCart["id"] as? String != aliceCart["id"] as? String)
            try await client.cartRequest(.delete, "/api/v1/cart/items/BAG-1", as: bob)
            try await client.syncCart(
                #"{"deviceId": "bob-phone", "baseVersion": 99, "ops": [{"opId": "1", "op": "remove", "sku": "BAG-1"}]}"#,
                as: bob)
            #expect(quantity(of: "BAG-1", in: try await client.cartRequest(.get, as: alice)) == 3)

            // Guests: each token reaches only its own cart, and the cart id is no key to anything.
            let guestAnswer = try await client.send(
                .post, "/api/v1/cart/items", json: #"{"sku": "BAG-1", "quantity": 1}"#)
            let guestToken = try #require(guestAnswer.headers[.cartTokenHeader])
            let otherGuest = try await client.send(.get, "/api/v1/cart")
            #expect(otherGuest.headers[.cartTokenHeader] != guestToken)
            #expect((try otherGuest.jsonObject()["items"] as? [Any])?.isEmpty == true)
            #expect(quantity(of: "BAG-1", in: try await client.cartRequest(.get, as: .guest(guestToken))) == 1)
            #expect(quantity(of: "BAG-1", in: try await client.cartRequest(.get, as: alice)) == 3)
        }
    }

    @Test(arguments: engines)
    func aGuestCartMergesIntoTheAccountOnceEvenWhenLoginIsRetried(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "HAT-1", price: 1200, stock: 200)
            _ = try await client.createProduct(admin, sku: "SOCK-1", price: 500, stock: 200)
            let email = "merge-\(UUID().uuidString.prefix(8))@example.com"
            let account = Shopper.user(try #require(try await client.signup(email: email)["accessToken"] as? String))
            try await client.addToCart("HAT-1", 1, as: account)

            let first = try await client.send(.post, "/api/v1/cart/items", json: #"{"sku": "HAT-1", "quantity": 2}"#)
            let guest = Shopper.guest(try #require(first.headers[.cartTokenHeader]))
            try await client.addToCart("SOCK-1", 98, as: guest)
            try await client.addToCart("SOCK-1", 1, as: guest)
            try await client.addToCart("SOCK-1", 3, as: account)

            let login = #"{"email": "\#(email)", "password": "correct horse"}"#
            for _ in 0..<3 {
                let response = try await client.send(.post, "/api/v1/auth/login", json: login, headers: guest.headers)
                #expect(response.status == .ok)
            }
            let merged = try await client.cartRequest(.get, as: account)
            #expect(quantity(of: "HAT-1", in: merged) == 3)
            #expect(quantity(of: "SOCK-1", in: merged) == 99)
            #expect((try await client.cartRequest(.get, as: guest)["items"] as? [Any])?.isEmpty == true)

            // Signing up with a guest cart brings it along too.
            let another = Shopper.guest(
                try #require(try await client.send(.get, "/api/v1/cart").headers[.cartTokenHeader]))
            try await client.addToCart("HAT-1", 4, as: another)
            let signup = try await client.send(
                .post,
                "/api/v1/auth/signup",
                json:
                    #"{"email": "new-\#(UUID().uuidString.prefix(8))@example.com", "password": "correct horse", "name": "New"}"#,
                headers: another.headers
            )
            let newUser = Shopper.user(try #require(try signup.jsonObject()["accessToken"] as? String))
            #expect(quantity(of: "HAT-1", in: try await client.cartRequest(.get, as: newUser)) == 4)

            // A malformed token is refused before any account is made.
            let bad = try await client.send(
                .post,
                "/api/v1/auth/signup",
                json:
                    #"{"email": "bad-\#(UUID().uuidString.prefix(8))@example.com", "password": "correct horse", "name": "Bad"}"#,
                headers: [.cartTokenHeader: "nope"]
            )
            #expect(bad.status == .badRequest)
        }
    }
}

extension HTTPFields {
    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var all = lhs
        all.append(contentsOf: rhs)
        return all
    }
}
