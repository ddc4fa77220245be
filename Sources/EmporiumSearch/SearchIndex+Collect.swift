extension SearchIndex {
    /// Price facet bucket bounds in minor units; the last bucket is open.
    static let priceBounds = [0, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000]

    /// Filters the matches, counts the facets (each with every filter but its own) and keeps the best of the page.
    func collect(_ matches: DocScores, request: SearchRequest) -> Collected {
        var collected = Collected(
            brandCounts: [Int](repeating: 0, count: brandNames.count),
            categoryCounts: [Int](repeating: 0, count: categoryIds.count),
            priceCounts: [Int](repeating: 0, count: Self.priceBounds.count),
            ratingCounts: [Int](repeating: 0, count: 6),
            top: TopK(capacity: max(1, min(request.page * request.pageSize, 10_000)))
        )
        let unfiltered =
            request.brands.isEmpty && request.category == nil && request.minPrice == nil
            && request.maxPrice == nil && request.minRating == nil
        if unfiltered {
            collectUnfiltered(matches, request: request, into: &collected)
        } else {
            collectFiltered(matches, request: request, into: &collected)
        }
        return collected
    }

    /// The common case, words alone: every match counts everywhere, and only its facet key is read. Counters are
    /// indexed by the key's own bit fields (category + 1, so "none" needs no branch; price bucket and rating
    /// together, so one increment instead of two), and folded into the facets afterwards.
    private func collectUnfiltered(_ matches: DocScores, request: SearchRequest, into collected: inout Collected) {
        let required = FacetKey.alive | (request.inStockOnly ? FacetKey.inStock : 0)
        let relevance = request.sort == .relevance
        var brands = [UInt32](repeating: 0, count: brandNames.count)
        var categories = [UInt32](repeating: 0, count: categoryIds.count + 1)
        var pricesAndRatings = [UInt32](repeating: 0, count: FacetKey.priceAndRatingSlots)
        var total = 0
        var top = collected.top
        facetKeys.withUnsafeBufferPointer { keys in
            brands.withUnsafeMutableBufferPointer { brands in
                categories.withUnsafeMutableBufferPointer { categories in
                    pricesAndRatings.withUnsafeMutableBufferPointer { pricesAndRatings in
                        matches.forEach(prefetching: keys) { doc, score in
                            let key = keys[doc]
                            guard key & required == required else { return }
                            total += 1
                            top.insert(
                                doc: UInt32(doc),
                                key: relevance ? Double(score) : sortKey(doc, score: score, sort: request.sort))
                            brands[FacetKey.brand(key)] &+= 1
                            categories[FacetKey.categorySlot(key)] &+= 1
                            pricesAndRatings[FacetKey.priceAndRatingSlot(key)] &+= 1
                        }
                    }
                }
            }
        }
        collected.total = total
        collected.top = top
        for brand in brands.indices { collected.brandCounts[brand] = Int(brands[brand]) }
        for category in collected.categoryCounts.indices {
            collected.categoryCounts[category] = Int(categories[category + 1])
        }
        for slot in pricesAndRatings.indices where pricesAndRatings[slot] > 0 {
            let key = UInt64(slot) << FacetKey.priceAndRatingShift
            collected.priceCounts[FacetKey.priceBucket(key)] += Int(pricesAndRatings[slot])
            collected.ratingCounts[FacetKey.ratingFloor(key)] += Int(pricesAndRatings[slot])
        }
    }

    /// With filters: each facet counts the matches that pass every filter but its own. The facet key answers every
    /// filter but an exact price; a price is read only for matches in a bucket the price range cuts through.
    private func collectFiltered(_ matches: DocScores, request: SearchRequest, into collected: inout Collected) {
        let brandPass = BrandFilter(
            request.brands.isEmpty ? nil : request.brands.compactMap { brandOrds[$0.lowercased()] },
            count: brandNames.count)
        let allowedCategory = categoryFilter(request.category)
        let minPrice = request.minPrice ?? Int.min
        let maxPrice = request.maxPrice ?? Int.max
        let buckets = PriceRange(minPrice: minPrice, maxPrice: maxPrice)
        let minRating = Float(request.minRating ?? -1)
        let required = FacetKey.alive | (request.inStockOnly ? FacetKey.inStock : 0)
        let relevance = request.sort == .relevance
        var total = 0
        var top = collected.top
        facetKeys.withUnsafeBufferPointer { keys in
            rows.withUnsafeBufferPointer { rows in
                collected.brandCounts.withUnsafeMutableBufferPointer { brandCounts in
                    collected.categoryCounts.withUnsafeMutableBufferPointer { categoryCounts in
                        collected.priceCounts.withUnsafeMutableBufferPointer { priceCounts in
                            collected.ratingCounts.withUnsafeMutableBufferPointer { ratingCounts in
                                matches.forEach(prefetching: keys) { doc, score in
                                    let key = keys[doc]
                                    // The stock filter has no facet, so it applies to every count.
                                    guard key & required == required else { return }
                                    let brand = FacetKey.brand(key)
                                    let category = FacetKey.category(key)
                                    let bucket = FacetKey.priceBucket(key)
                                    let brandOK = brandPass.allows(Int32(brand))
                                    let categoryOK = allowedCategory.map { category >= 0 && $0[category] } ?? true
                                    let priceOK =
                                        switch buckets.coverage[bucket] {
                                        case .none: false
                                        case .all: true
                                        case .part: buckets.allows(key, bucket: bucket) { rows[doc].price }
                                        }
                                    let ratingOK = FacetKey.ratingAverage(key) >= minRating
                                    let failures =
                                        (brandOK ? 0 : 1) + (categoryOK ? 0 : 1) + (priceOK ? 0 : 1)
                                        + (ratingOK ? 0 : 1)
                                    if failures > 1 { return }
                                    if failures == 0 {
                                        total += 1
                                        top.insert(
                                            doc: UInt32(doc),
                                            key: relevance
                                                ? Double(score) : sortKey(doc, score: score, sort: request.sort))
                                    }
                                    if failures == 0 || !brandOK { brandCounts[brand] += 1 }
                                    if failures == 0 || !categoryOK, category >= 0 { categoryCounts[category] += 1 }
                                    if failures == 0 || !priceOK { priceCounts[bucket] += 1 }
                                    if failures == 0 || !ratingOK { ratingCounts[FacetKey.ratingFloor(key)] += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        collected.total = total
        collected.top = top
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

/// How a price range covers each price facet bucket, and where it cuts the buckets it covers in part.
struct PriceRange {
    enum Coverage { case none, all, part }
    let minPrice: Int
    let maxPrice: Int
    let coverage: [Coverage]
    /// Per bucket, the price steps (`FacetKey.priceStep`) of the range's ends: -1 and `Int.max` where it doesn't
    /// cut that side.
    private let lowStep: [Int]
    private let highStep: [Int]

    init(minPrice: Int, maxPrice: Int) {
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        let bounds = SearchIndex.priceBounds
        var coverage: [Coverage] = []
        var lowStep: [Int] = []
        var highStep: [Int] = []
        for bucket in bounds.indices {
            // Bucket 0 also holds anything below its bound, the last one anything above.
            let low = bucket == 0 ? Int.min : bounds[bucket]
            let high = bucket + 1 < bounds.count ? bounds[bucket + 1] - 1 : Int.max
            if high < minPrice || low > maxPrice {
                coverage.append(.none)
            } else {
                coverage.append(low >= minPrice && high <= maxPrice ? .all : .part)
            }
            lowStep.append(minPrice > low ? FacetKey.priceStep(minPrice, bucket: bucket) : -1)
            highStep.append(maxPrice < high ? FacetKey.priceStep(maxPrice, bucket: bucket) : Int.max)
        }
        self.coverage = coverage
        self.lowStep = lowStep
        self.highStep = highStep
    }

    /// Whether the price of a document in a bucket this range cuts is in the range: from its key when its step lies
    /// strictly inside or outside the range's steps, else from `price()` (the row, a cache miss).
    @inline(__always)
    func allows(_ key: UInt64, bucket: Int, price: () -> Int) -> Bool {
        let step = FacetKey.priceStep(key)
        if step != FacetKey.priceStepUnknown {
            if step > lowStep[bucket] && step < highStep[bucket] { return true }
            if step < lowStep[bucket] || step > highStep[bucket] { return false }
        }
        let exact = price()
        return exact >= minPrice && exact <= maxPrice
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
