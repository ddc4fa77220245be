import Foundation
import NIOCore

/// The `flashSale` fields the generator reads.
struct FlashSaleBody: Codable, Sendable {
    var id: String
    var sku: String?
    var quantity: Int
    var remaining: Int
    var perCustomerLimit: Int?
    var status: String
}

/// One operation = one purchase attempt of one unit. Won: 201 (or 200) with a `pending_payment` order.
/// Refused: any answer api.md lists (409 sold_out / limit_exceeded, 403 sale_not_live, 429, 503), counted by
/// status and code. Both count toward throughput: answering "sold out" fast is the point of the endpoint.
struct FlashSaleWorkload: Sendable {
    let api: StoreAPI
    let saleID: String
    let shoppers: [Session]
    let connections: Int

    static let oneUnit = StoreAPI.json(["quantity": 1])
    static let refusals: Set<String> = ["sold_out", "limit_exceeded", "sale_not_live", "rate_limited", "overloaded"]

    func makeClient(_ index: Int) -> any VirtualClient {
        FlashSaleClient(
            path: "/api/v1/flash-sales/\(saleID.queryEscaped)/purchase",
            shoppers: Shoppers(api: api, all: shoppers, client: index, of: connections)
        )
    }
}

private struct FlashSaleClient: VirtualClient {
    let path: String
    var shoppers: Shoppers

    mutating func perform(_ recorder: inout Recorder) async -> Bool {
        let shopper = shoppers.next()
        let body = FlashSaleWorkload.oneUnit
        let key = UUID().uuidString
        guard let reply = await shoppers.send("purchase", .POST, path, body, as: shopper, &recorder, key: key) else {
            recorder.outcome("failed: purchase without reply")
            return false
        }
        if reply.status == 201 || reply.status == 200 {
            if (try? reply.decode(OrderBody.self))?.status == "pending_payment" {
                recorder.outcome("won")
            } else {
                recorder.outcome("won (order not pending_payment)")
            }
            return true
        }
        let code = reply.problemCode ?? "no code"
        let refused = [403, 409, 429, 503].contains(reply.status) && FlashSaleWorkload.refusals.contains(code)
        if refused, reply.status == 429 || reply.status == 503, reply.headers.first(name: "Retry-After") == nil {
            recorder.outcome("refused without Retry-After: HTTP \(reply.status) \(code)")
        } else {
            recorder.outcome("\(refused ? "refused" : "failed"): HTTP \(reply.status) \(code)")
        }
        return refused
    }
}

extension StoreAPI {
    /// Creates a product holding exactly `quantity` units and a sale of all of them, live from now until well
    /// after the run; waits until the sale says `live`.
    func createFlashSale(quantity: Int, perCustomerLimit: Int, lasting: Duration, admin: Session, runTag: String)
        async throws -> FlashSaleBody
    {
        let sku = "LOAD-FLASH-\(runTag)"
        let product = NewProduct(
            title: "Load Test Flash Item \(runTag)", description: "A flash-sale product made by emporium-load.",
            sku: sku, price: 4999, stock: quantity
        )
        try await createProduct(product, admin: admin, reuseExisting: false)

        struct NewSale: Encodable {
            var sku: String
            var salePrice: NewProduct.Money
            var quantity: Int
            var perCustomerLimit: Int
            var startsAt: String
            var endsAt: String
        }
        let now = Date()
        let sale = NewSale(
            sku: sku, salePrice: .init(amount: 999), quantity: quantity, perCustomerLimit: perCustomerLimit,
            startsAt: Self.rfc3339(now), endsAt: Self.rfc3339(now + Double(lasting.components.seconds) + 600)
        )
        let reply = try await send(.POST, "/api/v1/admin/flash-sales", body: Self.json(sale), token: admin.accessToken)
        guard reply.status == 201 else { throw unexpected("creating a flash sale of \(sku)", reply) }
        var created = try reply.decode(FlashSaleBody.self)
        // startsAt is "now" by our clock, rounded down to the second: give the server a moment to agree.
        for _ in 0..<50 where created.status == "scheduled" {
            try await Task.sleep(for: .milliseconds(200))
            created = try await flashSale(created.id)
        }
        guard created.status == "live" else {
            throw LoadError("flash sale \(created.id) is \(created.status), not live, after 10 s")
        }
        return created
    }

    func flashSale(_ id: String) async throws -> FlashSaleBody {
        let reply = try await send(.GET, "/api/v1/flash-sales/\(id.queryEscaped)")
        guard reply.status == 200 else { throw unexpected("reading flash sale \(id)", reply) }
        return try reply.decode(FlashSaleBody.self)
    }

    static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601)  // 2026-11-21T10:00:00Z
    }
}
