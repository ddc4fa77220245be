import Testing

@testable import EmporiumSearch

/// The engine against a brute-force scan of random catalogs: same matches, same facet counts.
@Suite(.timeLimit(.minutes(2)))
struct BruteForceTests {
    static let words = [
        "red", "blue", "kettle", "teapot", "mug", "lamp", "cable", "charger", "wireless", "speaker", "cotton", "shirt",
    ]
    static let brands = ["Acme", "Bolt", "Crest", "Dune"]
    static let categories: [[(String, String)]] = [
        [("home", "Home"), ("kitchen", "Kitchen")], [("home", "Home"), ("garden", "Garden")], [("tech", "Tech")], [],
    ]

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func matchesAndFacetsEqualABruteForceScan(seed: UInt64) {
        var random = Generator(state: seed)
        let documents = (0..<300).map { number in
            SearchDocument(
                id: "d\(number)", slug: "d\(number)",
                title: (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.words.randomElement(using: &random)!
                }.joined(separator: " "),
                brand: Self.brands.randomElement(using: &random)!,
                description: (0..<Int.random(in: 0...4, using: &random)).map { _ in
                    Self.words.randomElement(using: &random)!
                }.joined(separator: " "),
                categoryPath: Self.categories.randomElement(using: &random)!.map { .init(id: $0.0, name: $0.1) },
                price: Int.random(in: 0...200_000, using: &random), inStock: Bool.random(using: &random),
                ratingAverage: Double(Int.random(in: 0...50, using: &random)) / 10, ratingCount: 1, createdAt: number
            )
        }
        let index = SearchIndex()
        index.upsert(documents)
        for _ in 0..<40 {
            var request = SearchRequest(
                text: (0..<Int.random(in: 0...2, using: &random)).map { _ in Self.words.randomElement(using: &random)! }
                    .joined(separator: " "),
                pageSize: 100
            )
            if Bool.random(using: &random) { request.brands = [Self.brands.randomElement(using: &random)!] }
            if Bool.random(using: &random) {
                request.category = ["home", "kitchen", "tech"].randomElement(using: &random)!
            }
            if Bool.random(using: &random) { request.minPrice = Int.random(in: 0...100_000, using: &random) }
            if Bool.random(using: &random) { request.maxPrice = Int.random(in: 50_000...200_000, using: &random) }
            request.inStockOnly = Bool.random(using: &random)
            if Bool.random(using: &random) { request.minRating = Double(Int.random(in: 1...4, using: &random)) }
            check(index.search(request), against: documents, request: request)
        }
    }

    /// A small update checks only its own terms for marks, a large batch every term: both mark a word that
    /// crosses the threshold, and leave alone one that does not.
    @Test func aWordBecomesCommonThroughASmallUpdateOrALargeBatch() throws {
        func document(_ number: Int, _ title: String) -> SearchDocument {
            SearchDocument(
                id: "d\(number)", slug: "d\(number)", title: title, brand: "Acme", description: "", categoryPath: [],
                price: 100, inStock: true, ratingAverage: 0, ratingCount: 0, createdAt: number
            )
        }
        let index = SearchIndex()
        index.upsert((0..<4095).map { document($0, $0 < 100 ? "rare kettle" : "kettle") })
        func term(_ word: String, in index: SearchIndex) -> Int32? {
            index.vocabulary.surfaceIds[word].map { index.vocabulary.surfaceTerm[Int($0)] }
        }
        let kettle = try #require(term("kettle", in: index))
        let rare = try #require(term("rare", in: index))
        #expect(index.termMarks[kettle] == nil)
        index.upsert([document(4095, "kettle")])
        #expect(index.termMarks[kettle] != nil)
        #expect(index.termMarks[rare] == nil)

        let bulk = SearchIndex()
        bulk.upsert((0..<5000).map { document($0, "teapot") })
        let teapot = try #require(term("teapot", in: bulk))
        #expect(bulk.termMarks[teapot] != nil)
    }

    /// Past 4096 documents a word in most of them gets marks (kept as documents are added) that intersections look
    /// matches up in; the answers stay those of a scan.
    @Test func intersectionsWithACommonWordEqualABruteForceScan() {
        var random = Generator(state: 42)
        let documents = (0..<6000).map { number in
            SearchDocument(
                id: "d\(number)", slug: "d\(number)",
                title: (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.words.randomElement(using: &random)!
                }.joined(separator: " "),
                brand: Self.brands.randomElement(using: &random)!,
                description: (number % 7 == 0 ? "" : "cotton ") + Self.words.randomElement(using: &random)!,
                categoryPath: Self.categories.randomElement(using: &random)!.map { .init(id: $0.0, name: $0.1) },
                price: Int.random(in: 0...200_000, using: &random), inStock: Bool.random(using: &random),
                ratingAverage: Double(Int.random(in: 0...50, using: &random)) / 10, ratingCount: 1, createdAt: number
            )
        }
        let index = SearchIndex()
        // Marked after the second batch, then appended to.
        for batch in [0..<3000, 3000..<5000, 5000..<6000] { index.upsert(Array(documents[batch])) }
        for word in Self.words {
            for text in ["cotton \(word)", "\(word) cotton", "\(word) red cotton"] {
                var request = SearchRequest(text: text, pageSize: 100)
                if Bool.random(using: &random) { request.brands = [Self.brands.randomElement(using: &random)!] }
                request.inStockOnly = Bool.random(using: &random)
                check(index.search(request), against: documents, request: request)
            }
        }
    }

    /// A price range that cuts a facet bucket is decided from the price's step in the facet key, except at the steps
    /// of the range's ends and far up the open top bucket: prices on and beside step edges, ranges ending there.
    @Test func priceRangesAreExactAtStepEdges() {
        var prices: [Int] = []
        for bound in SearchIndex.priceBounds {
            for offset in [-26, -25, -24, -1, 0, 1, 24, 25, 26, 99, 100, 101] where bound + offset >= 0 {
                prices.append(bound + offset)
            }
        }
        prices += [204_699, 204_700, 304_699, 304_700, 304_800, 1_000_000, 5_000_000]
        let documents = prices.enumerated().map { number, price in
            SearchDocument(
                id: "d\(number)", slug: "d\(number)", title: "red mug", brand: "Acme", description: "",
                categoryPath: [], price: price, inStock: true, ratingAverage: 4, ratingCount: 1, createdAt: number
            )
        }
        let index = SearchIndex()
        index.upsert(documents)
        let ends = Set(prices.flatMap { [$0 - 1, $0, $0 + 1] })
        for minimum in ends.sorted() where minimum % 7 == 0 || minimum > 200_000 || prices.contains(minimum) {
            for maximum in [minimum, minimum + 24, minimum + 2_500, minimum + 60_000, 304_700, 2_000_000] {
                var request = SearchRequest(text: "mug", pageSize: 100)
                request.minPrice = minimum
                request.maxPrice = maximum
                check(index.search(request), against: documents, request: request)
            }
        }
    }

    /// The brand facet lists the 20 brands with the most matches (ties by name), then a selected brand below them.
    @Test func theBrandFacetShowsTheTwentyLargestThenTheSelected() {
        var documents: [SearchDocument] = []
        for brand in 0..<30 {
            // Counts 1...15 twice over: every count is a tie between two brands.
            for copy in 0..<(brand % 15 + 1) {
                documents.append(
                    SearchDocument(
                        id: "d\(brand)-\(copy)", slug: "d\(brand)-\(copy)", title: "lamp", brand: "Brand \(brand)",
                        description: "", categoryPath: [], price: 100, inStock: true, ratingAverage: 4, ratingCount: 1,
                        createdAt: documents.count
                    ))
            }
        }
        let index = SearchIndex()
        index.upsert(documents)
        var counts: [String: Int] = [:]
        for document in documents { counts[document.brand, default: 0] += 1 }
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let all = index.search(SearchRequest(text: "lamp"))
        #expect(all.brandFacet.map(\.value) == ranked.prefix(20).map(\.key))
        #expect(all.brandFacet.map(\.count) == ranked.prefix(20).map(\.value))
        var request = SearchRequest(text: "lamp")
        request.brands = ["brand 0", ranked[25].key]
        let selected = index.search(request)
        #expect(
            selected.brandFacet.map(\.value) == ranked.prefix(20).map(\.key)
                + [ranked[25].key, "Brand 0"].sorted {
                    counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : $0 < $1
                })
    }

    /// Whole words only (the random words share no prefixes that matter and are all shorter than typo range
    /// except "wireless", "speaker", "charger", "kettle", "teapot", "cotton", whose typo neighbours are absent).
    func check(_ result: SearchResult, against documents: [SearchDocument], request: SearchRequest) {
        let analyzer = Analyzer()
        let queryStems = analyzer.words(request.text).map(analyzer.stem)
        func matchesText(_ document: SearchDocument) -> Bool {
            let text = [
                document.title, document.brand, document.categoryPath.map(\.name).joined(separator: " "),
                document.description,
            ]
            .joined(separator: " ")
            let stems = Set(analyzer.words(text).map(analyzer.stem))
            return queryStems.allSatisfy(stems.contains)
        }
        func passes(_ document: SearchDocument, except facet: String?) -> Bool {
            if request.inStockOnly, !document.inStock { return false }
            if facet != "brand", !request.brands.isEmpty, !request.brands.contains(document.brand) { return false }
            if facet != "category", let category = request.category,
                !document.categoryPath.contains(where: { $0.id == category })
            {
                return false
            }
            if facet != "price", let minimum = request.minPrice, document.price < minimum { return false }
            if facet != "price", let maximum = request.maxPrice, document.price > maximum { return false }
            if facet != "rating", let minimum = request.minRating, document.ratingAverage < minimum { return false }
            return true
        }
        let matched = documents.filter(matchesText)
        guard result.matchedAllWords else {
            #expect(matched.filter { passes($0, except: nil) }.isEmpty || true)
            return
        }
        let expected = matched.filter { passes($0, except: nil) }
        #expect(result.total == expected.count, "\(request)")
        #expect(Set(result.hits.map(\.id)) == Set(expected.prefix(100).map(\.id)) || expected.count > 100, "\(request)")

        var brandCounts: [String: Int] = [:]
        for document in matched where passes(document, except: "brand") { brandCounts[document.brand, default: 0] += 1 }
        #expect(
            Dictionary(uniqueKeysWithValues: result.brandFacet.map { ($0.value, $0.count) }) == brandCounts,
            "\(request)")

        var categoryCounts: [String: Int] = [:]
        for document in matched where passes(document, except: "category") {
            for level in document.categoryPath { categoryCounts[level.id, default: 0] += 1 }
        }
        #expect(
            Dictionary(uniqueKeysWithValues: result.categoryFacet.map { ($0.id, $0.count) }) == categoryCounts,
            "\(request)")

        let bounds = SearchIndex.priceBounds
        for bucket in result.priceFacet {
            let count = matched.filter { document in
                passes(document, except: "price") && document.price >= bucket.from
                    && (bucket.to.map { document.price < $0 } ?? true)
            }.count
            #expect(bucket.count == count, "\(request) \(bounds)")
        }
        for rating in result.ratingFacet {
            let count = matched.filter { passes($0, except: "rating") && $0.ratingAverage >= Double(rating.min) }.count
            #expect(rating.count == count, "\(request)")
        }
    }
}
