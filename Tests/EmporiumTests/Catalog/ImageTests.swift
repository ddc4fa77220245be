import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct ImageTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)

    static func upload(_ client: any TestClientProtocol, _ token: String, _ id: String, type: String, _ bytes: [UInt8])
        async throws -> TestResponse
    {
        try await client.execute(
            uri: "/api/v1/admin/products/\(id)/images",
            method: .post,
            headers: [.contentType: type, .authorization: "Bearer \(token)"],
            body: ByteBuffer(bytes: bytes)
        )
    }

    @Test func imagesAreCheckedFromTheirBytesAndServedImmutable() async throws {
        try await TestStore.withApp(.sqlite) { client, node in
            let admin = try await client.adminToken(node)
            let id = try #require(try await client.createProduct(admin, sku: "IMG-1")["id"] as? String)

            let uploaded = try await Self.upload(client, admin, id, type: "image/png", Self.png)
            #expect(uploaded.status == .created)
            let url = try #require(try uploaded.jsonObject()["url"] as? String)
            #expect(url.hasPrefix("/api/v1/images/") && url.hasSuffix(".png"))

            let served = try await client.send(.get, url)
            #expect(served.status == .ok)
            #expect(Array(served.body.readableBytesView) == Self.png)
            #expect(served.headers[.contentType] == "image/png")
            #expect(served.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(served.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(served.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let etag = try #require(served.headers[.eTag])
            #expect(try await client.send(.get, url, headers: [.ifNoneMatch: etag]).status == .notModified)

            var images: [[String: Any]] = []
            _ = try await eventually(timeout: .seconds(1)) {
                images =
                    (try await client.send(.get, "/api/v1/products/\(id)").jsonObject()["images"] as? [[String: Any]])
                    ?? []
                return !images.isEmpty
            }
            #expect(images.first?["url"] as? String == url)

            // A JPEG header on PNG bytes, text claiming to be PNG, and unknown types are refused.
            #expect(
                try await Self.upload(client, admin, id, type: "image/jpeg", Self.png).status == .unsupportedMediaType)
            #expect(
                try await Self.upload(client, admin, id, type: "image/png", Array("hello".utf8)).status
                    == .unsupportedMediaType)
            #expect(
                try await Self.upload(client, admin, id, type: "image/gif", Array("GIF89a".utf8)).status
                    == .unsupportedMediaType)
            #expect(try await client.send(.get, "/api/v1/images/../../etc/passwd").status == .notFound)
            #expect(
                try await client.send(.get, "/api/v1/images/\(String(repeating: "a", count: 64)).png").status
                    == .notFound)
        }
    }

    @Test(arguments: [
        #"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#,
        #"<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>"#,
        #"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>"#,
        #"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/#x)"/></svg>"#,
        #"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>"#,
        #"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>"#,
    ])
    func activeOrExternalSVGIsRefused(svg: String) throws {
        #expect(throws: CatalogError.self) { try ImageKind.check(Array(svg.utf8), declaredType: "image/svg+xml") }
    }

    @Test func plainSVGIsAccepted() throws {
        let svg =
            ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="10" height="10"/><use href="#g"/></svg>"##
        #expect(try ImageKind.check(Array(svg.utf8), declaredType: "image/svg+xml") == .svg)
    }
}
