import Foundation

/// The rules every product and category must satisfy; each broken one becomes a 422 field error.
enum CatalogRules {
    static let maxTitle = 200
    static let maxDescription = 5000
    static let maxBrand = 100
    static let maxAttributes = 50
    static let maxVariants = 100
    static let maxPrice = 100_000_000_00
    static let maxStock = 1_000_000_000

    static func validate(_ product: NewProduct) throws {
        var validator = Validator()
        validateFields(
            title: product.title,
            description: product.description,
            brand: product.brand,
            attributes: product.attributes,
            into: &validator
        )
        validator.check(!product.variants.isEmpty, "variants", "must have at least one variant")
        validator.check(product.variants.count <= maxVariants, "variants", "must have at most \(maxVariants) variants")
        validateVariants(product.variants, into: &validator)
        try validator.throwIfInvalid()
    }

    static func validateFields(
        title: String?,
        description: String?,
        brand: String?,
        attributes: [String: String]?,
        into validator: inout Validator
    ) {
        if let title {
            let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
            validator.check(!trimmed.isEmpty, "title", "must not be empty")
            validator.check(trimmed.count <= maxTitle, "title", "must be at most \(maxTitle) characters")
        }
        if let description {
            validator.check(
                description.count <= maxDescription, "description", "must be at most \(maxDescription) characters")
        }
        if let brand {
            validator.check(brand.count <= maxBrand, "brand", "must be at most \(maxBrand) characters")
        }
        if let attributes {
            validator.check(
                attributes.count <= maxAttributes, "attributes", "must have at most \(maxAttributes) entries")
            validator.check(
                attributes.allSatisfy { (1...50).contains($0.key.count) && $0.value.count <= 200 },
                "attributes",
                "keys must be 1 to 50 characters and values at most 200"
            )
        }
    }

    static func validateVariants(_ variants: [NewProduct.Variant], into validator: inout Validator) {
        var seen: Set<String> = []
        let currencies = Set(variants.map(\.price.currency))
        validator.check(currencies.count <= 1, "variants", "must all be priced in one currency")
        for (index, variant) in variants.enumerated() {
            let field = "variants.\(index)"
            validator.check(isValidSku(variant.sku), "\(field).sku", "must be 1 to 64 letters, digits, '.', '_' or '-'")
            validator.check(seen.insert(variant.sku).inserted, "\(field).sku", "is a duplicate SKU")
            validator.check(variant.title.count <= maxTitle, "\(field).title", "must be at most \(maxTitle) characters")
            validator.check(variant.price.amount >= 0, "\(field).price.amount", "must not be negative")
            validator.check(variant.price.amount <= maxPrice, "\(field).price.amount", "is too large")
            validator.check(
                isCurrency(variant.price.currency), "\(field).price.currency", "must be an ISO 4217 code like USD")
            validator.check((0...maxStock).contains(variant.stock), "\(field).stock", "must be 0 to \(maxStock)")
            validator.check(variant.attributes.count <= maxAttributes, "\(field).attributes", "has too many entries")
        }
    }

    static func isValidSku(_ sku: String) -> Bool {
        (1...64).contains(sku.utf8.count)
            && sku.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
    }

    static func isCurrency(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { (0x41...0x5A).contains($0) }
    }

    static func validateCategory(name: String) throws {
        var validator = Validator()
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(!trimmed.isEmpty, "name", "must not be empty")
        validator.check(trimmed.count <= 100, "name", "must be at most 100 characters")
        try validator.throwIfInvalid()
    }
}

/// URL slugs from titles: lowercase ASCII words joined by dashes ("Crème Brûlée Torch" → "creme-brulee-torch").
enum Slug {
    static func make(_ title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pendingDash, !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.unicodeScalars.append(scalar)
                if slug.count >= 80 { break }
            } else {
                pendingDash = true
            }
        }
        return slug.isEmpty ? "product" : slug
    }
}
