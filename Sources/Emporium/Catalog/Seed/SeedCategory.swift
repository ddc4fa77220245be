/// A category to create, named by a key that products refer to; parents come before children.
public struct SeedCategory: Sendable, Equatable {
    public let key: String
    public let name: String
    public let parentKey: String?

    public init(key: String, name: String, parentKey: String? = nil) {
        self.key = key
        self.name = name
        self.parentKey = parentKey
    }
}

/// A product to create in the category `categoryKey`; `product.categoryId` is left nil (the seeder fills it).
public struct SeedProduct: Sendable {
    public let categoryKey: String
    public let product: NewProduct
    public let svgImage: String?

    public init(categoryKey: String, product: NewProduct, svgImage: String? = nil) {
        self.categoryKey = categoryKey
        self.product = product
        self.svgImage = svgImage
    }
}
