import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

extension TestClientProtocol {
    /// A new product holding `stock` units and a sale of `quantity` of them at `price`, live from a second ago
    /// (or from `startsIn` seconds) for `lasting` seconds; the sale's JSON.
    func createFlashSale(
        _ admin: String,
        sku: String = "FLASH-\(UUID().uuidString.prefix(8))",
        stock: Int = 10,
        quantity: Int = 5,
        limit: Int = 1,
        price: Int = 999,
        startsIn: TimeInterval = -1,
        lasting: TimeInterval = 3600
    ) async throws -> [String: Any] {
        _ = try await createProduct(admin, title: "Flash Kettle", sku: sku, price: 4999, stock: stock)
        let start = Date().addingTimeInterval(startsIn)
        let response = try await send(
            .post,
            "/api/v1/admin/flash-sales",
            json: #"""
                {"sku": "\#(sku)", "salePrice": {"amount": \#(price), "currency": "USD"}, "quantity": \#(quantity),
                 "perCustomerLimit": \#(limit), "startsAt": "\#(rfc3339(start))", "endsAt": "\#(rfc3339(start.addingTimeInterval(lasting)))"}
                """#,
            token: admin
        )
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try response.jsonObject()
    }

    func purchase(
        _ saleId: String, quantity: Int = 1, as shopper: Shopper, key: String = UUID().uuidString, address: Bool = false
    )
        async throws -> TestResponse
    {
        let shipping = address ? #", "shippingAddress": \#(testAddress)"# : ""
        return try await send(
            .post,
            "/api/v1/flash-sales/\(saleId)/purchase",
            json: #"{"quantity": \#(quantity)\#(shipping)}"#,
            headers: shopper.headers + [.idempotencyKeyHeader: key]
        )
    }

    func flashSale(_ saleId: String) async throws -> [String: Any] {
        let response = try await send(.get, "/api/v1/flash-sales/\(saleId)")
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.jsonObject()
    }

    /// Polls the sale until `done` holds (`eventually`, or `timeout` passes); its last JSON.
    func waitForFlashSale(
        _ saleId: String, timeout: Duration = .seconds(15), until done: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        var sale: [String: Any] = [:]
        _ = try await eventually(timeout: timeout, poll: .milliseconds(50)) {
            sale = try await flashSale(saleId)
            return done(sale)
        }
        return sale
    }
}

/// RFC 3339 to the second, as the API writes times.
func rfc3339(_ date: Date) -> String {
    date.formatted(.iso8601)
}

/// (status, problem code or nil) of an answer.
func outcome(_ response: TestResponse) throws -> (Int, String?) {
    (response.status.code, response.status.code < 300 ? nil : try response.jsonObject()["code"] as? String)
}

/// Rows of a table, straight from the database.
func count(_ table: String, in node: StoreNode, where condition: String = "1 = 1") async throws -> Int {
    try await node.database.read { sql in
        try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: condition)").first()!
            .decode(column: "n", as: Int.self)
    }
}
