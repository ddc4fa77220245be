import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct CatalogTests {
    @Test(arguments: engines)
    func adminCreatesUpdatesAndDeletesProducts(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let category = try await client.send(
                .post, "/api/v1/admin/categories", json: #"{"name": "Electronics"}"#, token: admin)
            #expect(category.status == .created)
            let electronicsId = try #require(try category.jsonObject()["id"] as? String)
            let audio = try await client.send(
                .post, "/api/v1/admin/categories", json: #"{"name": "Audio", "parentId": "\#(electronicsId)"}"#,
                token: admin)
            let audioJSON = try audio.jsonObject()
            #expect(audioJSON["path"] as? [String] == ["Electronics", "Audio"])
            let audioId = try #require(audioJSON["id"] as? String)

            let created = try await client.createProduct(
                admin, title: "Crème Brûlée Torch", sku: "TORCH-1", price: 2599, categoryId: audioId)
            let id = try #require(created["id"] as? String)
            #expect(created["slug"] as? String == "creme-brulee-torch")
            #expect((created["price"] as? [String: Any])?["amount"] as? Int == 2599)
            #expect((created["category"] as? [String: Any])?["path"] as? [String] == ["Electronics", "Audio"])
            #expect(created["inStock"] as? Bool == true)

            // A second product with the same title gets its own slug.
            let twin = try await client.createProduct(admin, title: "Crème Brûlée Torch", sku: "TORCH-2")
            #expect(twin["slug"] as? String == "creme-brulee-torch-2")
            #expect(twin["category"] is NSNull)

            let bySlug = try await client.send(.get, "/api/v1/products/creme-brulee-torch")
            #expect(bySlug.status == .ok)
            #expect(try bySlug.jsonObject()["id"] as? String == id)

            let patched = try await client.send(
                .patch, "/api/v1/admin/products/\(id)",
                json:
                    #"{"title": "Kitchen Torch", "variants": [{"sku": "TORCH-1", "price": {"amount": 1999, "currency": "USD"}}, {"sku": "TORCH-1B", "title": "Refill", "price": {"amount": 499, "currency": "USD"}, "stock": 3}]}"#,
                token: admin)
            #expect(patched.status == .ok)
            let patchedJSON = try patched.jsonObject()
            #expect(patchedJSON["title"] as? String == "Kitchen Torch")
            #expect(patchedJSON["slug"] as? String == "creme-brulee-torch")
            #expect((patchedJSON["variants"] as? [[String: Any]])?.count == 2)
            #expect((patchedJSON["price"] as? [String: Any])?["amount"] as? Int == 499)
            // Fields a variant change leaves out stay as they were.
            #expect((patchedJSON["variants"] as? [[String: Any]])?.first?["title"] as? String == "Black")
            let noPrice = try await client.send(
                .patch, "/api/v1/admin/products/\(id)", json: #"{"variants": [{"sku": "NEW-1", "title": "X"}]}"#,
                token: admin)
            #expect(noPrice.status == .unprocessableContent)

            let tree = try await client.send(.get, "/api/v1/categories").jsonObject()
            let roots = try #require(tree["items"] as? [[String: Any]])
            #expect(roots.first?["productCount"] as? Int == 1)
            #expect((roots.first?["children"] as? [[String: Any]])?.first?["productCount"] as? Int == 1)

            #expect(try await client.send(.delete, "/api/v1/admin/products/\(id)", token: admin).status == .noContent)
            let gone = try await client.send(.get, "/api/v1/products/\(id)")
            #expect(gone.status == .notFound)
            #expect(try gone.problemCode() == "not_found")
            #expect(try await client.send(.delete, "/api/v1/admin/products/\(id)", token: admin).status == .notFound)
            // Still in the database for old orders.
            let kept = try await node.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM products WHERE id = \(bind: id)").first()!.decode(
                    column: "n", as: Int.self)
            }
            #expect(kept == 1)
        }
    }

    @Test(arguments: engines)
    func invalidProductsGetFieldErrors(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            _ = try await client.createProduct(admin, sku: "TAKEN-1")
            let long = String(repeating: "x", count: 201)
            let cases: [(String, Set<String>)] = [
                (
                    #"{"title": " ", "variants": [{"sku": "A1", "price": {"amount": 100, "currency": "USD"}}]}"#,
                    ["title"]
                ),
                (
                    #"{"title": "T", "variants": [{"sku": "A1", "price": {"amount": -1, "currency": "USD"}}]}"#,
                    ["variants.0.price.amount"]
                ),
                (#"{"title": "T", "variants": []}"#, ["variants"]),
                (
                    #"{"title": "T", "variants": [{"sku": "TAKEN-1", "price": {"amount": 1, "currency": "USD"}}]}"#,
                    ["variants"]
                ),
                (
                    #"{"title": "T", "variants": [{"sku": "D", "price": {"amount": 1, "currency": "USD"}}, {"sku": "D", "price": {"amount": 1, "currency": "USD"}}]}"#,
                    ["variants.1.sku"]
                ),
                (
                    #"{"title": "T", "categoryId": "cat_nope", "variants": [{"sku": "C1", "price": {"amount": 1, "currency": "USD"}}]}"#,
                    ["categoryId"]
                ),
                (
                    #"{"title": "\#(long)", "variants": [{"sku": "bad sku!", "price": {"amount": 1, "currency": "usd"}}]}"#,
                    ["title", "variants.0.sku", "variants.0.price.currency"]
                ),
            ]
            for (body, fields) in cases {
                let response = try await client.send(.post, "/api/v1/admin/products", json: body, token: admin)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(try response.problemCode() == "validation_failed")
                let errors = try #require(try response.jsonObject()["errors"] as? [[String: Any]])
                #expect(Set(errors.compactMap { $0["field"] as? String }) == fields, "\(body)")
            }
            let wrongType = try await client.send(
                .post, "/api/v1/admin/products", json: #"{"title": "T", "variants": [{"sku": "X", "price": 100}]}"#,
                token: admin)
            #expect(wrongType.status == .badRequest)
            let count = try await node.database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM products").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 1)
        }
    }

    @Test(arguments: engines)
    func shoppersCannotUseAdminEndpoints(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let shopper = try #require(try await client.signup()["accessToken"] as? String)
            let requests: [(HTTPRequest.Method, String, String?)] = [
                (.post, "/api/v1/admin/categories", #"{"name": "X"}"#),
                (.post, "/api/v1/admin/products", #"{"title": "T", "variants": []}"#),
                (.patch, "/api/v1/admin/products/prd_x", #"{"title": "T"}"#),
                (.delete, "/api/v1/admin/products/prd_x", nil),
                (.get, "/api/v1/admin/inventory/SKU", nil),
                (.put, "/api/v1/admin/inventory/SKU", #"{"onHand": 1}"#),
                (.post, "/api/v1/admin/inventory/SKU/adjust", #"{"delta": 1, "reason": "x"}"#),
            ]
            for (method, path, body) in requests {
                let forbidden = try await client.send(method, path, json: body, token: shopper)
                #expect(forbidden.status == .forbidden, "\(method) \(path)")
                #expect(try forbidden.problemCode() == "forbidden")
                let anonymous = try await client.send(method, path, json: body)
                #expect(anonymous.status == .unauthorized, "\(method) \(path)")
            }
        }
    }

    @Test(arguments: engines)
    func productPagesHaveETagsAndCacheHeaders(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { client, node in
            let admin = try await client.adminToken(node)
            let id = try #require(try await client.createProduct(admin, sku: "ETAG-1")["id"] as? String)
            let first = try await client.send(.get, "/api/v1/products/\(id)")
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl]?.hasPrefix("public, max-age=") == true)
            let notModified = try await client.send(.get, "/api/v1/products/\(id)", headers: [.ifNoneMatch: etag])
            #expect(notModified.status == .notModified)
            _ = try await client.send(
                .post, "/api/v1/admin/inventory/ETAG-1/adjust", json: #"{"delta": -3, "reason": "damaged"}"#,
                token: admin)
            // The node's own consumer drops the cached page within its poll interval (the cross-node test times it).
            var after: TestResponse?
            let changed = try await eventually {
                after = try await client.send(.get, "/api/v1/products/\(id)", headers: [.ifNoneMatch: etag])
                return after?.status == .ok
            }
            try #require(changed)
            let variants = try #require(try after?.jsonObject()["variants"] as? [[String: Any]])
            #expect(variants.first?["available"] as? Int == 7)
        }
    }
}
