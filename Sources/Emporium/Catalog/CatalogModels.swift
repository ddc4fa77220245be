import Foundation

/// An amount of money in the currency's minor unit: `{"amount": 129999, "currency": "USD"}`.
public struct Money: Codable, Sendable, Equatable, Hashable {
    public var amount: Int
    public var currency: String

    public init(amount: Int, currency: String = "USD") {
        self.amount = amount
        self.currency = currency
    }
}

/// A product as shoppers and the API see it.
public struct Product: Codable, Sendable, Equatable {
    public struct CategoryRef: Codable, Sendable, Equatable {
        public let id: String
        public let name: String
        public let path: [String]
    }

    public struct Image: Codable, Sendable, Equatable {
        public let url: String
        public let alt: String
    }

    public struct Variant: Codable, Sendable, Equatable {
        public let sku: String
        public let title: String
        public let attributes: [String: String]
        public let price: Money
        public let available: Int
    }

    public struct Rating: Codable, Sendable, Equatable {
        public let average: Double
        public let count: Int
    }

    public let id: String
    public let slug: String
    public let title: String
    public let description: String
    public let brand: String
    public let category: CategoryRef?
    public let attributes: [String: String]
    public let price: Money
    public let images: [Image]
    public let variants: [Variant]
    public let rating: Rating
    public let inStock: Bool
    public let createdAt: String
    public let updatedAt: String
    /// Increments on every change of the product itself (not of its stock; the page ETag covers both).
    public let version: Int

    // Every member is written, `category` as null when the product has none.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(slug, forKey: .slug)
        try container.encode(title, forKey: .title)
        try container.encode(description, forKey: .description)
        try container.encode(brand, forKey: .brand)
        try container.encode(category, forKey: .category)
        try container.encode(attributes, forKey: .attributes)
        try container.encode(price, forKey: .price)
        try container.encode(images, forKey: .images)
        try container.encode(variants, forKey: .variants)
        try container.encode(rating, forKey: .rating)
        try container.encode(inStock, forKey: .inStock)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(version, forKey: .version)
    }
}

/// What an admin sends to create a product (and what the seeders produce).
public struct NewProduct: Codable, Sendable, Equatable {
    public struct Variant: Codable, Sendable, Equatable {
        public var sku: String
        public var title: String
        public var attributes: [String: String]
        public var price: Money
        public var stock: Int

        public init(sku: String, title: String, attributes: [String: String] = [:], price: Money, stock: Int) {
            self.sku = sku
            self.title = title
            self.attributes = attributes
            self.price = price
            self.stock = stock
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sku = try container.decode(String.self, forKey: .sku)
            title = try container.decodeIfPresent(String.self, forKey: .title) ?? ""
            attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
            price = try container.decode(Money.self, forKey: .price)
            stock = try container.decodeIfPresent(Int.self, forKey: .stock) ?? 0
        }
    }

    public var title: String
    public var description: String
    public var brand: String
    public var categoryId: String?
    public var attributes: [String: String]
    public var variants: [Variant]

    public init(
        title: String,
        description: String,
        brand: String,
        categoryId: String?,
        attributes: [String: String] = [:],
        variants: [Variant]
    ) {
        self.title = title
        self.description = description
        self.brand = brand
        self.categoryId = categoryId
        self.attributes = attributes
        self.variants = variants
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decode(String.self, forKey: .title)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        brand = try container.decodeIfPresent(String.self, forKey: .brand) ?? ""
        categoryId = try container.decodeIfPresent(String.self, forKey: .categoryId)
        attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        variants = try container.decode([Variant].self, forKey: .variants)
    }
}

/// A partial change of one variant, by SKU: only the fields given change. An unknown SKU is a new variant,
/// which needs a price.
public struct VariantChanges: Codable, Sendable, Equatable {
    public var sku: String
    public var title: String?
    public var attributes: [String: String]?
    public var price: Money?
    public var stock: Int?

    public init(
        sku: String, title: String? = nil, attributes: [String: String]? = nil, price: Money? = nil, stock: Int? = nil
    ) {
        self.sku = sku
        self.title = title
        self.attributes = attributes
        self.price = price
        self.stock = stock
    }

    /// The variant to validate: absent fields take harmless defaults.
    var forValidation: NewProduct.Variant {
        NewProduct.Variant(
            sku: sku, title: title ?? "", attributes: attributes ?? [:], price: price ?? Money(amount: 0),
            stock: stock ?? 0)
    }
}

/// A category of the tree, with its ancestors' names.
public struct Category: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let path: [String]
}

/// What went wrong in Catalog or Inventory, in the shop's words; the routes map each to a problem.
public enum CatalogError: Error, Equatable {
    case productNotFound
    case skuNotFound(String)
    case duplicateSku([String])
    case insufficientStock(sku: String, available: Int)
    case belowReserved(sku: String, reserved: Int)
    case unsupportedImage(String)
}
