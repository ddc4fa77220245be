import Foundation
import NIOCore
import NIOHTTP1

/// One operation = one order end to end: add a random SKU to the cart, check out, pay with the approved
/// test card. Counts toward throughput only when the order comes back `confirmed`.
struct CheckoutWorkload: Sendable {
    let api: StoreAPI
    let skus: [String]
    let shoppers: [Session]
    let connections: Int

    static let address = StoreAPI.json([
        "shippingAddress": [
            "name": "Load Test", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US",
        ]
    ])
    static let card = StoreAPI.json(
        Payment(card: .init(number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123")))

    struct Payment: Encodable {
        struct Card: Encodable {
            var number: String
            var expMonth: Int
            var expYear: Int
            var cvc: String
        }
        var card: Card
    }

    func makeClient(_ index: Int) -> any VirtualClient {
        CheckoutClient(skus: skus, shoppers: Shoppers(api: api, all: shoppers, client: index, of: connections))
    }
}

struct OrderBody: Decodable {
    var id: String
    var status: String
}

private struct CheckoutClient: VirtualClient {
    let skus: [String]
    var shoppers: Shoppers

    mutating func perform(_ recorder: inout Recorder) async -> Bool {
        let shopper = shoppers.next()
        let sku = skus.randomElement()!
        let started = ContinuousClock.now

        let item = StoreAPI.json(CartItem(sku: sku, quantity: 1))
        guard let added = await shoppers.send("cart.add", .POST, "/api/v1/cart/items", item, as: shopper, &recorder)
        else {
            recorder.outcome("failed: cart.add without reply")
            return false
        }
        guard added.isSuccess else {
            recorder.outcome("failed: cart.add \(describe(added))")
            return false
        }

        let checkout = await shoppers.send(
            "checkout", .POST, "/api/v1/checkout", CheckoutWorkload.address, as: shopper, &recorder,
            key: UUID().uuidString
        )
        guard let checkout, checkout.status == 201, let order = try? checkout.decode(OrderBody.self) else {
            if let checkout, checkout.status == 409, checkout.problemCode == "insufficient_stock" {
                recorder.outcome("refused: insufficient_stock")
            } else {
                recorder.outcome("failed: checkout \(checkout.map(describe) ?? "without reply")")
            }
            // The line is still in the cart: take it out so this shopper's next order starts clean.
            let path = "/api/v1/cart/items/\(sku.queryEscaped)"
            _ = await shoppers.send("cart.remove", .DELETE, path, nil, as: shopper, &recorder)
            return false
        }

        let paid = await shoppers.send(
            "pay", .POST, "/api/v1/orders/\(order.id.queryEscaped)/pay", CheckoutWorkload.card, as: shopper,
            &recorder, key: UUID().uuidString
        )
        guard let paid, paid.status == 200, let confirmed = try? paid.decode(OrderBody.self),
            confirmed.status == "confirmed"
        else {
            recorder.outcome("failed: pay \(paid.map(describe) ?? "without reply")")
            return false
        }
        recorder.record("order", started.duration(to: .now))
        recorder.outcome("confirmed")
        return true
    }
}

struct CartItem: Encodable {
    var sku: String
    var quantity: Int
}

/// "HTTP 409 insufficient_stock": status and problem code, the key an outcome is counted under.
func describe(_ reply: Reply) -> String {
    if let code = reply.problemCode { return "HTTP \(reply.status) \(code)" }
    return "HTTP \(reply.status)"
}
