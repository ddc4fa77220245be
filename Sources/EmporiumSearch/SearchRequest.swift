/// A search: free text (may be empty to browse), filters, sort and page.
public struct SearchRequest: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable {
        case relevance
        case priceAsc = "price_asc"
        case priceDesc = "price_desc"
        case newest
        case rating
    }

    public var text: String
    /// A category id; its sub-categories are included.
    public var category: String?
    public var brands: [String]
    public var minPrice: Int?
    public var maxPrice: Int?
    public var inStockOnly: Bool
    public var minRating: Double?
    public var sort: Sort
    /// 1-based.
    public var page: Int
    public var pageSize: Int

    public init(
        text: String = "",
        category: String? = nil,
        brands: [String] = [],
        minPrice: Int? = nil,
        maxPrice: Int? = nil,
        inStockOnly: Bool = false,
        minRating: Double? = nil,
        sort: Sort = .relevance,
        page: Int = 1,
        pageSize: Int = 20
    ) {
        self.text = text
        self.category = category
        self.brands = brands
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.inStockOnly = inStockOnly
        self.minRating = minRating
        self.sort = sort
        self.page = page
        self.pageSize = pageSize
    }
}

/// A page of results with facet counts; each facet counted with every filter applied but its own.
public struct SearchResult: Sendable, Equatable {
    public struct Hit: Sendable, Equatable {
        public let id: String
        public let slug: String
        public let title: String
        public let brand: String
        public let price: Int
        public let currency: String
        public let thumbnailUrl: String?
        public let ratingAverage: Double
        public let ratingCount: Int
        public let inStock: Bool
        public let score: Float
    }

    public struct CategoryCount: Sendable, Equatable {
        public let id: String
        public let name: String
        public let count: Int
    }

    public struct PriceBucket: Sendable, Equatable {
        public let from: Int
        /// Exclusive; nil for the open top bucket.
        public let to: Int?
        public let count: Int
    }

    public struct RatingCount: Sendable, Equatable {
        public let min: Int
        public let count: Int
    }

    public let hits: [Hit]
    public let total: Int
    /// False when no product had every word, and products with any word are shown instead.
    public let matchedAllWords: Bool
    public let brandFacet: [(value: String, count: Int)]
    public let categoryFacet: [CategoryCount]
    public let priceFacet: [PriceBucket]
    public let ratingFacet: [RatingCount]

    public static func == (lhs: SearchResult, rhs: SearchResult) -> Bool {
        lhs.hits == rhs.hits && lhs.total == rhs.total && lhs.matchedAllWords == rhs.matchedAllWords
            && lhs.brandFacet.map(\.value) == rhs.brandFacet.map(\.value)
            && lhs.brandFacet.map(\.count) == rhs.brandFacet.map(\.count)
            && lhs.categoryFacet == rhs.categoryFacet && lhs.priceFacet == rhs.priceFacet
            && lhs.ratingFacet == rhs.ratingFacet
    }
}

/// A type-ahead suggestion: a completed word (no product), or a product title.
public struct Suggestion: Sendable, Equatable {
    public let text: String
    public let productId: String?
}
