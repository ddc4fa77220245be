import Emporium

/// The cart page's view model: lines with image, prices and quantity, the subtotal and the warnings.
struct CartPageView {
    let cart: CartView
    /// Each line's product (for its image and link), when it still exists.
    let products: [String: Product]

    var context: [String: Any] {
        [
            "lines": cart.items.map { item in
                let product = products[item.productId]
                return [
                    "sku": item.sku, "title": item.title, "quantity": item.quantity,
                    "unitPrice": Format.money(item.unitPrice), "lineTotal": Format.money(item.lineTotal),
                    "url": product.map { "/p/" + $0.slug.queryEncoded } ?? "",
                    "image": product?.images.first?.url ?? "", "hasImage": product?.images.first != nil,
                    "variant": product?.variants.first { $0.sku == item.sku }.map(\.title) ?? "",
                    "max": max(item.quantity, min(CartRules.maxQuantity, max(item.available, 1))),
                ] as [String: Any]
            },
            "isEmpty": cart.items.isEmpty,
            "subtotal": Format.money(cart.subtotal),
            "units": Format.count(cart.items.reduce(0) { $0 + $1.quantity }, "item"),
            "version": cart.version,
            "warnings": cart.warnings.map { ["message": Self.message($0, titles: titles)] },
        ]
    }

    private var titles: [String: String] {
        Dictionary(cart.items.map { ($0.sku, $0.title) }, uniquingKeysWith: { first, _ in first })
    }

    /// A warning as the shopper reads it.
    static func message(_ warning: CartWarning, titles: [String: String]) -> String {
        let name = titles[warning.sku] ?? warning.sku
        switch warning.code {
        case .priceChanged:
            let from = warning.previousPrice.map(Format.money) ?? "its old price"
            let to = warning.currentPrice.map(Format.money) ?? "a new price"
            return "The price of \(name) changed from \(from) to \(to)."
        case .lowStock:
            return "Only \(warning.available ?? 0) of \(name) left; your quantity may not all be available."
        case .unavailable:
            return "\(name) is no longer available; remove it to check out."
        case .quantityLimited:
            return "At most \(warning.limit ?? CartRules.maxQuantity) of one item fit in a cart."
        case .cartFull:
            return "Your cart is full (at most \(CartRules.maxLines) different items)."
        }
    }
}
