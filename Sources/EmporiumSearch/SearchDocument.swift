/// A product as the search engine sees it: text to match, numbers to filter, facet and sort on.
public struct SearchDocument: Sendable, Equatable {
    /// One level of the product's category path, root first.
    public struct CategoryLevel: Sendable, Equatable {
        public let id: String
        public let name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public var id: String
    public var slug: String
    public var title: String
    public var brand: String
    public var description: String
    public var categoryPath: [CategoryLevel]
    /// The lowest variant price, in minor units.
    public var price: Int
    public var currency: String
    public var inStock: Bool
    public var ratingAverage: Double
    public var ratingCount: Int
    /// Milliseconds since 1970, for "newest".
    public var createdAt: Int
    public var thumbnailUrl: String?

    public init(
        id: String,
        slug: String,
        title: String,
        brand: String,
        description: String,
        categoryPath: [CategoryLevel],
        price: Int,
        currency: String = "USD",
        inStock: Bool,
        ratingAverage: Double = 0,
        ratingCount: Int = 0,
        createdAt: Int,
        thumbnailUrl: String? = nil
    ) {
        self.id = id
        self.slug = slug
        self.title = title
        self.brand = brand
        self.description = description
        self.categoryPath = categoryPath
        self.price = price
        self.currency = currency
        self.inStock = inStock
        self.ratingAverage = ratingAverage
        self.ratingCount = ratingCount
        self.createdAt = createdAt
        self.thumbnailUrl = thumbnailUrl
    }
}

/// The fields text is matched in, with their weight in the ranking (title > brand > category > description).
enum Field: Int, CaseIterable {
    case title = 0
    case brand, category, description

    var weight: Float {
        switch self {
        case .title: 3.0
        case .brand: 2.0
        case .category: 1.5
        case .description: 1.0
        }
    }
}
