import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// JSON in and out for the router test client.
extension TestClientProtocol {
    @discardableResult
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        json: String? = nil,
        token: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Signs a new customer up; the session's fields.
    func signup(
        email: String = "shopper-\(UUID().uuidString.prefix(8))@example.com", password: String = "correct horse"
    )
        async throws -> [String: Any]
    {
        let response = try await send(
            .post,
            "/api/v1/auth/signup",
            json: #"{"email": "\#(email)", "password": "\#(password)", "name": "Test Shopper"}"#
        )
        #expect(response.status == .created)
        return try response.jsonObject()
    }
}

extension TestResponse {
    func jsonObject() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        return try #require(object as? [String: Any])
    }

    /// The problem's `code`, checking the content type on the way.
    func problemCode() throws -> String? {
        #expect(headers[.contentType] == "application/problem+json")
        return try jsonObject()["code"] as? String
    }
}
