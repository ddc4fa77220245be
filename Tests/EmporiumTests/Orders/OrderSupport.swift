import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

extension HTTPField.Name {
    static let idempotencyKeyHeader = Self("Idempotency-Key")!
}

enum TestCard {
    static let approved = "4242 4242 4242 4242"
    static let declined = "4000000000000002"
    static let insufficientFunds = "4000000000009995"
    static let providerError = "4000000000000119"
    static let timesOutAfterCharging = "4000000000003220"
}

let testAddress =
    #"{"name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH", "country": "GB"}"#

extension TestClientProtocol {
    func checkout(as shopper: Shopper, key: String = UUID().uuidString) async throws -> TestResponse {
        try await send(
            .post,
            "/api/v1/checkout",
            json: #"{"shippingAddress": \#(testAddress)}"#,
            headers: shopper.headers + [.idempotencyKeyHeader: key]
        )
    }

    func pay(_ orderId: String, card: String = TestCard.approved, as shopper: Shopper, key: String = UUID().uuidString)
        async throws -> TestResponse
    {
        try await send(
            .post,
            "/api/v1/orders/\(orderId)/pay",
            json: #"{"card": {"number": "\#(card)", "expMonth": 12, "expYear": 2031, "cvc": "123"}}"#,
            headers: shopper.headers + [.idempotencyKeyHeader: key]
        )
    }

    /// A customer with `quantity` of `sku` in the cart and a `pending_payment` order for it; the order's id.
    func pendingOrder(sku: String, quantity: Int = 1, as shopper: Shopper) async throws -> String {
        try await addToCart(sku, quantity, as: shopper)
        let response = try await checkout(as: shopper)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try #require(try response.jsonObject()["id"] as? String)
    }
}

/// Every test of money and stock ends here: the store's invariants hold.
func expectAuditPasses(_ node: StoreNode, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let breaches = try await StoreAudit(database: node.database).breaches()
    #expect(breaches.isEmpty, "\(breaches)", sourceLocation: sourceLocation)
}

/// How many approved charges the sandbox provider made for an order.
func providerCharges(_ node: StoreNode, orderId: String) async throws -> Int {
    try await node.database.read { sql in
        try await sql.raw(
            """
            SELECT COUNT(*) AS n FROM sandbox_ledger l JOIN payment_attempts a ON a.id = l.idempotency_key
            WHERE a.order_id = \(bind: orderId) AND l.kind = 'charge' AND l.outcome = 'approved'
            """
        ).first()!.decode(column: "n", as: Int.self)
    }
}
