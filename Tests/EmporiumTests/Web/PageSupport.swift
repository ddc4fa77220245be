import Emporium
import EmporiumWeb
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// One browser on the storefront: keeps the session cookie between requests and sends forms with the CSRF token
/// of the last page it read.
struct BrowserSession {
    let client: any TestClientProtocol
    var cookie: String?
    var csrf: String?

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    mutating func get(_ path: String) async throws -> TestResponse {
        let response = try await client.execute(uri: path, method: .get, headers: headers, body: nil)
        remember(response)
        return response
    }

    /// Posts `fields` as a form, with this browser's CSRF token unless `csrf` is false.
    mutating func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> TestResponse {
        var fields = fields
        if csrf, let token = self.csrf { fields.append(("csrf", token)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = self.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.execute(
            uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Reads a page first, for its CSRF token, then posts the form.
    mutating func submit(_ path: String, from page: String, _ fields: [(String, String)]) async throws -> TestResponse {
        _ = try await get(page)
        return try await post(path, fields)
    }

    private var headers: HTTPFields {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return headers
    }

    private mutating func remember(_ response: TestResponse) {
        if let setCookie = response.headers[.setCookie], let pair = setCookie.split(separator: ";").first {
            cookie = String(pair)
        }
        if let token = Self.value(of: "csrf", in: String(buffer: response.body)) { csrf = token }
    }

    /// The value of the first hidden input named `name` on a page.
    static func value(of name: String, in html: String) -> String? {
        guard let start = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

extension TestStore {
    /// The whole application with the storefront on a fresh store.
    static func withStorefront(
        _ engine: DatabaseEngine,
        configure: (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, StoreNode) async throws -> Void
    ) async throws {
        try await withApp(engine, addOns: { [try await Storefront.addOn($0)] }, configure: configure, body)
    }
}

extension TestResponse {
    var html: String { String(buffer: body) }
}

/// Signs a customer up through the signup page; returns the browser signed in.
func signedUpBrowser(
    _ client: any TestClientProtocol, email: String = "page-\(UUID().uuidString.prefix(8))@example.com"
)
    async throws -> BrowserSession
{
    var browser = BrowserSession(client)
    let response = try await browser.submit(
        "/signup", from: "/signup", [("name", "Page Shopper"), ("email", email), ("password", "correct horse")])
    #expect(response.status == .seeOther, "\(response.html.prefix(300))")
    return browser
}
