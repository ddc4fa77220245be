import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension TestClientProtocol {
    /// Creates an admin through the module (admins never sign up through the API); its access token.
    func adminToken(_ node: StoreNode) async throws -> String {
        try await node.accounts.signup(
            email: "admin-\(UUID().uuidString.prefix(8))@example.com", password: "admin-password", name: "Admin",
            role: .admin
        ).accessToken
    }

    /// Creates a product through the API; its JSON.
    func createProduct(
        _ token: String,
        title: String = "Wireless Headphones",
        sku: String = "SKU-\(UUID().uuidString.prefix(8))",
        price: Int = 12999,
        stock: Int = 10,
        categoryId: String? = nil
    ) async throws -> [String: Any] {
        let category = categoryId.map { #", "categoryId": "\#($0)""# } ?? ""
        let response = try await send(
            .post,
            "/api/v1/admin/products",
            json: #"""
                {"title": "\#(title)", "description": "Closed-back, 30 h battery.", "brand": "Auralis"\#(category),
                 "attributes": {"color": "black"},
                 "variants": [{"sku": "\#(sku)", "title": "Black", "attributes": {"color": "black"},
                               "price": {"amount": \#(price), "currency": "USD"}, "stock": \#(stock)}]}
                """#,
            token: token
        )
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try response.jsonObject()
    }
}
