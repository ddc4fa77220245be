import Emporium
import Foundation

/// Products as the merchant edits them: list rows with stock per variant, and the edit page's variants with their
/// stock levels and ledger. Prices are shown as the decimals the forms take (`12.99`).
enum AdminProductView {
    static func row(_ product: Product) -> [String: Any] {
        [
            "id": product.id, "title": product.title, "brand": product.brand,
            "url": "/admin/products/" + product.id.queryEncoded, "price": Format.money(product.price),
            "variants": product.variants.map { variant in
                [
                    "sku": variant.sku, "title": variant.title.isEmpty ? variant.sku : variant.title,
                    "available": variant.available, "low": variant.available < 5,
                ] as [String: Any]
            },
        ]
    }

    /// A price as the form shows it: `12.99`, no symbol or separators.
    static func decimal(_ money: Money) -> String {
        Format.amount(money.amount).replacingOccurrences(of: ",", with: "")
    }

    static func variant(
        _ variant: Product.Variant, level: StockLevel?, movements: [StockMovement], priceValue: String?,
        errors: [String: String]
    ) -> [String: Any] {
        var context: [String: Any] = [
            "sku": variant.sku, "title": variant.title, "priceField": "price." + variant.sku,
            "priceId": "price-" + variant.sku, "price": priceValue ?? decimal(variant.price),
            "onHand": level?.onHand ?? 0, "reserved": level?.reserved ?? 0, "available": variant.available,
            "inventoryUrl": "/admin/inventory/" + variant.sku.queryEncoded,
            "movements": movements.map { movement in
                [
                    "delta": movement.delta > 0 ? "+\(movement.delta)" : "\(movement.delta)",
                    "reason": movement.reason, "onHandAfter": movement.onHandAfter, "date": Format.date(movement.at),
                ] as [String: Any]
            },
            "hasMovements": !movements.isEmpty,
        ]
        context["priceError"] = errors["price." + variant.sku]
        context["stockError"] = errors["stock." + variant.sku]
        return context
    }

    /// The category picker's options, `selected` chosen; the first option is "none".
    static func categories(_ categories: [Category], selected: String?) -> [[String: Any]] {
        [["id": "", "name": "No category", "selected": (selected ?? "").isEmpty]]
            + categories.map { category in
                [
                    "id": category.id, "name": category.path.joined(separator: " › "),
                    "selected": category.id == selected,
                ]
            }
    }

    /// The form field that a catalog problem's field path is about (`variants.0.price.amount` is `price`).
    static func newProductField(_ path: String) -> String {
        let parts = path.split(separator: ".").map(String.init)
        guard parts.first == "variants" else { return parts.last ?? path }
        switch parts.count > 2 ? parts[2] : "sku" {
        case "title": return "variantTitle"
        case "price": return "price"
        case "stock": return "stock"
        default: return "sku"
        }
    }
}

/// A decimal price typed in a form (`12.99`) in minor units, or the message to show beside the field.
enum PriceField {
    static func minorUnits(_ text: String) -> Result<Int, PriceError> {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return .failure(.missing) }
        guard let amount = Format.minorUnits(text) else { return .failure(.notADecimal) }
        return .success(amount)
    }

    enum PriceError: Error {
        case missing, notADecimal

        var message: String {
            switch self {
            case .missing: "Enter a price"
            case .notADecimal: "Enter the price as a decimal, like 12.99"
            }
        }
    }
}
