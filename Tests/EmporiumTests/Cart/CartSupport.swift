import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension HTTPField.Name {
    static let cartTokenHeader = Self("Cart-Token")!
}

/// The caller of a cart request: a customer's access token, a guest's cart token, or nobody yet.
enum Shopper {
    case user(String)
    case guest(String)
    case newGuest

    var headers: HTTPFields {
        switch self {
        case .user(let token): [.authorization: "Bearer \(token)"]
        case .guest(let token): [.cartTokenHeader: token]
        case .newGuest: [:]
        }
    }
}

extension TestClientProtocol {
    @discardableResult
    func cartRequest(
        _ method: HTTPRequest.Method,
        _ path: String = "/api/v1/cart",
        as shopper: Shopper,
        json: String? = nil,
        headers: HTTPFields = [:],
        expect status: HTTPResponse.Status = .ok
    ) async throws -> [String: Any] {
        var all = shopper.headers
        all.append(contentsOf: headers)
        let response = try await send(method, path, json: json, headers: all)
        #expect(response.status == status, "\(method) \(path): \(String(buffer: response.body))")
        return response.body.readableBytes == 0 ? [:] : try response.jsonObject()
    }

    @discardableResult
    func addToCart(_ sku: String, _ quantity: Int = 1, as shopper: Shopper) async throws -> [String: Any] {
        try await cartRequest(
            .post, "/api/v1/cart/items", as: shopper, json: #"{"sku": "\#(sku)", "quantity": \#(quantity)}"#)
    }

    @discardableResult
    func syncCart(_ json: String, as shopper: Shopper) async throws -> [String: Any] {
        try await cartRequest(.post, "/api/v1/cart/sync", as: shopper, json: json)
    }
}

/// The quantity of `sku` in a cart answer (0 when the line is absent).
func quantity(of sku: String, in cart: [String: Any]) -> Int {
    let items = cart["items"] as? [[String: Any]] ?? []
    return items.first { $0["sku"] as? String == sku }?["quantity"] as? Int ?? 0
}

func warnings(in cart: [String: Any]) -> [[String: Any]] {
    cart["warnings"] as? [[String: Any]] ?? []
}

extension TestClientProtocol {
    /// A newly signed-up customer.
    func customer() async throws -> Shopper {
        .user(try #require(try await signup()["accessToken"] as? String))
    }
}
