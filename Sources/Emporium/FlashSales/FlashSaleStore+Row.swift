extension FlashSaleStore {
    /// A sale as stored, and what it shows at a given instant (`status`, `view`).
    struct Row: Decodable, Sendable, Equatable {
        let id: String
        let sku: String
        let productId: String
        let title: String
        let saleAmount: Int
        let currency: String
        let quantity: Int
        var remaining: Int
        let perCustomerLimit: Int
        let startsAt: Int
        let endsAt: Int
        var closedAt: Int?
        var version: Int

        func status(at now: Int) -> FlashSaleStatus {
            if now >= endsAt || closedAt != nil { return .ended }
            if now < startsAt { return .scheduled }
            return remaining == 0 ? .soldOut : .live
        }

        func view(at now: Int) -> FlashSale {
            FlashSale(
                id: id, sku: sku, productId: productId, title: title,
                salePrice: Money(amount: saleAmount, currency: currency),
                quantity: quantity, remaining: remaining, perCustomerLimit: perCustomerLimit,
                startsAt: Timestamp.rfc3339(startsAt), endsAt: Timestamp.rfc3339(endsAt), status: status(at: now)
            )
        }
    }
}
