import Testing

@testable import EmporiumSearch

/// The ranking rules shoppers rely on, pinned on a tiny catalog.
@Suite(.timeLimit(.minutes(1)))
struct RelevanceTests {
    static func document(
        _ id: String, _ title: String, brand: String = "Acme", description: String = "",
        category: [(String, String)] = [],
        price: Int = 1000, inStock: Bool = true, rating: Double = 0, created: Int = 0
    ) -> SearchDocument {
        SearchDocument(
            id: id, slug: id, title: title, brand: brand, description: description,
            categoryPath: category.map { SearchDocument.CategoryLevel(id: $0.0, name: $0.1) },
            price: price, inStock: inStock, ratingAverage: rating, ratingCount: rating > 0 ? 10 : 0, createdAt: created
        )
    }

    static func index(_ documents: [SearchDocument]) -> SearchIndex {
        let index = SearchIndex()
        index.upsert(documents)
        return index
    }

    static let catalog = index([
        document("p1", "Wireless Headphones", brand: "Auralis", description: "Closed-back over-ear headphones."),
        document("p2", "Smartphone X", brand: "Northfield", description: "A phone with a great camera."),
        document("p3", "Phone Case", brand: "Kestrel", description: "Fits most phones."),
        document("p4", "Desk Lamp", brand: "Lumo", description: "Pairs with wireless headphones for late nights."),
        document("p5", "Crème Brûlée Torch", brand: "Chefco", description: "Caramelise sugar."),
        document("p6", "Running Shoes", brand: "Stride", description: "Light runners for the road."),
    ])

    func ids(_ text: String, _ index: SearchIndex = catalog) -> [String] {
        index.search(SearchRequest(text: text)).hits.map(\.id)
    }

    @Test func stemsMatchOtherFormsOfAWord() {
        #expect(Set(ids("phones")).isSuperset(of: ["p2", "p3"]))
        #expect(ids("running").contains("p6"))
        #expect(ids("shoe") == ["p6"])
    }

    @Test func theLastWordMatchesAsAPrefix() {
        #expect(ids("headph").first == "p1")
        #expect(ids("wireless head").first == "p1")
    }

    @Test func oneTypoIsForgivenInLongerWordsAndRanksBelowExactMatches() {
        #expect(ids("wireles").first == "p1")
        #expect(ids("headphnes").contains("p1"))
        // Short words must match exactly.
        #expect(ids("lamb").isEmpty)
        let index = Self.index([
            Self.document("exact", "Torch"), Self.document("typo", "Porch"),
        ])
        #expect(ids("torch", index).first == "exact")
    }

    @Test func diacriticsAreFolded() {
        #expect(ids("creme brulee") == ["p5"])
        #expect(ids("CRÈME") == ["p5"])
    }

    @Test func titleMatchesOutrankDescriptionOnlyMatches() {
        #expect(ids("wireless headphones") == ["p1", "p4"])
    }

    @Test func everyWordMustMatchUnlessNothingDoes() {
        let all = Self.catalog.search(SearchRequest(text: "wireless lamp"))
        #expect(all.hits.map(\.id) == ["p4"])
        #expect(all.matchedAllWords)
        let any = Self.catalog.search(SearchRequest(text: "lamp shoes"))
        #expect(!any.matchedAllWords)
        #expect(Set(any.hits.map(\.id)) == ["p4", "p6"])
    }

    @Test func updatesAndRemovalsShowAtOnce() {
        let index = Self.index([Self.document("a", "Blue Kettle")])
        #expect(ids("kettle", index) == ["a"])
        index.upsert([Self.document("a", "Red Teapot")])
        #expect(ids("kettle", index).isEmpty)
        #expect(ids("teapot", index) == ["a"])
        index.upsert([Self.document("a", "Red Teapot", inStock: false)])
        #expect(index.search(SearchRequest(text: "teapot", inStockOnly: true)).total == 0)
        index.remove(ids: ["a"])
        #expect(ids("teapot", index).isEmpty)
        #expect(index.count == 0)
    }

    @Test func suggestionsCompleteTheLastWordAndNameProducts() {
        let suggestions = Self.catalog.suggest("wireless hea")
        #expect(suggestions.contains { $0.text == "wireless headphones" && $0.productId == nil })
        #expect(suggestions.contains { $0.productId == "p1" })
        #expect(suggestions.count <= 10)
        #expect(Self.catalog.suggest("").isEmpty)
    }

    @Test func sortsAndPages() {
        let index = Self.index(
            (0..<30).map {
                Self.document("d\($0)", "Mug \($0)", price: 1000 + $0 * 10, rating: Double($0 % 5) + 1, created: $0)
            })
        let cheapest = index.search(SearchRequest(text: "mug", sort: .priceAsc, pageSize: 5))
        #expect(cheapest.hits.map(\.id) == ["d0", "d1", "d2", "d3", "d4"])
        #expect(cheapest.total == 30)
        let second = index.search(SearchRequest(text: "mug", sort: .priceDesc, page: 2, pageSize: 5))
        #expect(second.hits.map(\.id) == ["d24", "d23", "d22", "d21", "d20"])
        #expect(index.search(SearchRequest(sort: .newest, pageSize: 1)).hits.first?.id == "d29")
        #expect(index.search(SearchRequest(sort: .rating, pageSize: 1)).hits.first?.ratingAverage == 5)
    }
}
