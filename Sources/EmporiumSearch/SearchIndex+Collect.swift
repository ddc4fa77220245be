extension SearchIndex {
    /// Price facet bucket bounds in minor units; the last bucket is open.
    static let priceBounds = [0, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000]

    /// Filters the matches, counts the facets (each with every filter but its own) and keeps the best of the page.
    func collect(_ matches: DocScores, request: SearchRequest) -> Collected {
        let brandPass = BrandFilter(request.brands.isEmpty ? nil : request.brands.compactMap { brandOrds[$0.lowercased()] }, count: brandNames.count)
        let categoryPass = categoryFilter(request.category)
        let minPrice = request.minPrice ?? Int.min
        let maxPrice = request.maxPrice ?? Int.max
        let minRating = Float(request.minRating ?? -1)
        let stockOnly = request.inStockOnly

        var collected = Collected(
            brandCounts: [Int](repeating: 0, count: brandNames.count),
            categoryCounts: [Int](repeating: 0, count: categoryIds.count),
            priceCounts: [Int](repeating: 0, count: Self.priceBounds.count),
            ratingCounts: [Int](repeating: 0, count: 6),
            top: TopK(capacity: max(1, min(request.page * request.pageSize, 10_000)))
        )
        // Columns as local constants: no exclusivity checks or reference counting inside the loop.
        let rows = self.rows
        let allowedCategory = categoryPass ?? []
        let filtersCategory = categoryPass != nil
        let isAll = matches.allCount != nil
        let relevance = request.sort == .relevance
        let bounds = Self.priceBounds
        let count = matches.allCount ?? matches.docs.count
        let docs = matches.docs
        let scores = matches.scores
        let unfiltered = request.brands.isEmpty && request.category == nil && request.minPrice == nil
            && request.maxPrice == nil && request.minRating == nil
        if unfiltered {
            // The common case, words alone: every match counts everywhere, and only its facet key is read.
            let keys = facetKeys
            let required = FacetKey.alive | (stockOnly ? FacetKey.inStock : 0)
            for position in 0..<count {
                let doc = isAll ? position : Int(docs[position])
                let key = keys[doc]
                guard key & required == required else { continue }
                collected.total += 1
                let score = isAll ? 0 : scores[position]
                collected.top.insert(doc: UInt32(doc), key: relevance ? Double(score) : sortKey(doc, score: score, sort: request.sort))
                collected.brandCounts[FacetKey.brand(key)] += 1
                let category = FacetKey.category(key)
                if category >= 0 { collected.categoryCounts[category] += 1 }
                collected.priceCounts[FacetKey.priceBucket(key)] += 1
                collected.ratingCounts[FacetKey.ratingFloor(key)] += 1
            }
            return collected
        }
        for position in 0..<count {
            let doc = isAll ? position : Int(docs[position])
            let row = rows[doc]
            guard row.isAlive else { continue }
            // The stock filter has no facet, so it applies to every count.
            if stockOnly, !row.inStock { continue }
            let brand = row.brand
            let category = row.category
            let docPrice = row.price
            let docRating = row.ratingAverage
            let brandOK = brandPass.allows(brand)
            let categoryOK = !filtersCategory || (category >= 0 && allowedCategory[Int(category)])
            let priceOK = docPrice >= minPrice && docPrice <= maxPrice
            let ratingOK = docRating >= minRating
            let failures = (brandOK ? 0 : 1) + (categoryOK ? 0 : 1) + (priceOK ? 0 : 1) + (ratingOK ? 0 : 1)
            if failures > 1 { continue }
            if failures == 0 {
                collected.total += 1
                let score = isAll ? 0 : scores[position]
                let key = relevance ? Double(score) : sortKey(doc, score: score, sort: request.sort)
                collected.top.insert(doc: UInt32(doc), key: key)
            }
            // Each facet counts the documents that pass every filter but its own.
            if failures == 0 || !brandOK { collected.brandCounts[Int(brand)] += 1 }
            if (failures == 0 || !categoryOK), category >= 0 { collected.categoryCounts[Int(category)] += 1 }
            if failures == 0 || !priceOK {
                var bucket = 0
                while bucket + 1 < bounds.count, docPrice >= bounds[bucket + 1] { bucket += 1 }
                collected.priceCounts[bucket] += 1
            }
            if failures == 0 || !ratingOK { collected.ratingCounts[min(5, max(0, Int(docRating)))] += 1 }
        }
        return collected
    }

    private func sortKey(_ doc: Int, score: Float, sort: SearchRequest.Sort) -> Double {
        switch sort {
        case .relevance: Double(score)
        case .priceAsc: -Double(rows[doc].price)
        case .priceDesc: Double(rows[doc].price)
        case .newest: Double(createdAt[doc])
        case .rating: Double(rows[doc].rating) * 1e9 + Double(ratingCount[doc])
        }
    }

    static func priceBucket(_ price: Int) -> Int {
        var bucket = 0
        while bucket + 1 < priceBounds.count, price >= priceBounds[bucket + 1] { bucket += 1 }
        return bucket
    }

    /// Which category ordinals a category filter lets through: the category and everything under it.
    private func categoryFilter(_ id: String?) -> [Bool]? {
        guard let id else { return nil }
        var allowed = [Bool](repeating: false, count: categoryIds.count)
        guard let root = categoryOrds[id] else { return allowed }
        for ordinal in 0..<categoryIds.count {
            var current = Int32(ordinal)
            while current >= 0 {
                if current == root {
                    allowed[ordinal] = true
                    break
                }
                current = categoryParent[Int(current)]
            }
        }
        return allowed
    }

    /// Facet counts of a category include its sub-categories.
    func rolledUp(_ counts: [Int]) -> [Int] {
        var totals = counts
        for ordinal in counts.indices where counts[ordinal] > 0 {
            var parent = categoryParent[ordinal]
            while parent >= 0 {
                totals[Int(parent)] += counts[ordinal]
                parent = categoryParent[Int(parent)]
            }
        }
        return totals
    }
}

/// A brand filter as a lookup table by brand ordinal.
struct BrandFilter {
    private let table: [Bool]?

    init(_ ordinals: [Int32]?, count: Int) {
        guard let ordinals else {
            table = nil
            return
        }
        var table = [Bool](repeating: false, count: count)
        for ordinal in ordinals { table[Int(ordinal)] = true }
        self.table = table
    }

    func allows(_ ordinal: Int32) -> Bool {
        table.map { $0[Int(ordinal)] } ?? true
    }
}

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
