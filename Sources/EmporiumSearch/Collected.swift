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
                id: record.id, slug: record.slug, title: record.title, brand: record.brand, price: index.rows[doc].price,
                currency: record.currency, thumbnailUrl: record.thumbnailUrl, ratingAverage: Double(index.rows[doc].rating) / 20,
                ratingCount: Int(index.ratingCount[doc]), inStock: index.rows[doc].inStock, score: entry.key.isFinite ? Float(entry.key) : 0
            )
        }
        var brands = brandCounts.indices.filter { brandCounts[$0] > 0 }
            .map { (value: index.brandNames[$0], count: brandCounts[$0]) }
        brands.sort { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        let selected = Set(request.brands.map { $0.lowercased() })
        brands = Array(brands.prefix(20)) + brands.dropFirst(20).filter { selected.contains($0.value.lowercased()) }
        let categoryTotals = index.rolledUp(categoryCounts)
        var categories = categoryTotals.indices.filter { categoryTotals[$0] > 0 }.map {
            SearchResult.CategoryCount(id: index.categoryIds[$0], name: index.categoryNames[$0], count: categoryTotals[$0])
        }
        categories.sort { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
        let bounds = SearchIndex.priceBounds
        let prices = bounds.indices.map { bucket in
            SearchResult.PriceBucket(from: bounds[bucket], to: bucket + 1 < bounds.count ? bounds[bucket + 1] : nil, count: priceCounts[bucket])
        }
        let ratings = (1...4).reversed().map { minimum in
            SearchResult.RatingCount(min: minimum, count: ratingCounts[minimum...].reduce(0, +))
        }
        return SearchResult(
            hits: hits, total: total, matchedAllWords: matchedAll, brandFacet: brands,
            categoryFacet: Array(categories.prefix(50)), priceFacet: prices, ratingFacet: ratings
        )
    }
}
