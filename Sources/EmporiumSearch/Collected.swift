/// What one pass over the matches gathered.
struct Collected {
    var total = 0
    var matchedAll = true
    var brandCounts: [Int]
    var categoryCounts: [Int]
    var priceCounts: [Int]
    var ratingCounts: [Int]
    var top: TopK

    init(brandCounts: [Int], categoryCounts: [Int], priceCounts: [Int], ratingCounts: [Int], top: TopK) {
        self.brandCounts = brandCounts
        self.categoryCounts = categoryCounts
        self.priceCounts = priceCounts
        self.ratingCounts = ratingCounts
        self.top = top
    }

    func result(index: SearchIndex, request: SearchRequest) -> SearchResult {
        let ranked = top.sortedDescending()
        let start = min(ranked.count, (request.page - 1) * request.pageSize)
        let hits = ranked[start..<min(ranked.count, start + request.pageSize)].map { entry in
            let doc = Int(entry.doc)
            let record = index.records[doc]
            return SearchResult.Hit(
                id: record.id, slug: record.slug, title: record.title, brand: record.brand,
                price: index.rows[doc].price,
                currency: record.currency, thumbnailUrl: record.thumbnailUrl,
                ratingAverage: Double(index.rows[doc].rating) / 20,
                ratingCount: Int(index.ratingCount[doc]), inStock: index.rows[doc].inStock,
                score: entry.key.isFinite ? Float(entry.key) : 0
            )
        }
        // Most matches first, ties by name; selected brands below the first 20 follow them.
        let brandNames = index.brandNames
        let brandBefore = { (a: Int, b: Int) in
            brandCounts[a] != brandCounts[b] ? brandCounts[a] > brandCounts[b] : brandNames[a] < brandNames[b]
        }
        let topBrands = Self.best(brandCounts.indices.lazy.filter { brandCounts[$0] > 0 }, limit: 20, by: brandBefore)
        let selectedBrands = Set(request.brands.compactMap { index.brandOrds[$0.lowercased()].map(Int.init) })
            .filter { brandCounts[$0] > 0 && !topBrands.contains($0) }
            .sorted(by: brandBefore)
        let brands = (topBrands + selectedBrands).map { (value: brandNames[$0], count: brandCounts[$0]) }
        let categoryTotals = index.rolledUp(categoryCounts)
        let categoryNames = index.categoryNames
        let categories = Self.best(categoryTotals.indices.lazy.filter { categoryTotals[$0] > 0 }, limit: 50) { a, b in
            categoryTotals[a] != categoryTotals[b]
                ? categoryTotals[a] > categoryTotals[b] : categoryNames[a] < categoryNames[b]
        }.map {
            SearchResult.CategoryCount(id: index.categoryIds[$0], name: categoryNames[$0], count: categoryTotals[$0])
        }
        let bounds = SearchIndex.priceBounds
        let prices = bounds.indices.map { bucket in
            SearchResult.PriceBucket(
                from: bounds[bucket], to: bucket + 1 < bounds.count ? bounds[bucket + 1] : nil,
                count: priceCounts[bucket])
        }
        let ratings = (1...4).reversed().map { minimum in
            SearchResult.RatingCount(min: minimum, count: ratingCounts[minimum...].reduce(0, +))
        }
        return SearchResult(
            hits: hits, total: total, matchedAllWords: matchedAll, brandFacet: brands,
            categoryFacet: categories, priceFacet: prices, ratingFacet: ratings
        )
    }

    /// The first `limit` of `candidates` in the order `before`, in that order: one pass keeping the best so far,
    /// instead of sorting thousands of brands to show 20.
    static func best(_ candidates: some Sequence<Int>, limit: Int, by before: (Int, Int) -> Bool) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(limit + 1)
        for candidate in candidates {
            if best.count == limit {
                guard let last = best.last, before(candidate, last) else { continue }
                best.removeLast()
            }
            best.insert(candidate, at: best.firstIndex { before(candidate, $0) } ?? best.count)
        }
        return best
    }
}
