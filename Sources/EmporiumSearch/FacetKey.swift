/// The packing of `SearchIndex.postingStats`: the term's count in each field (low 32 bits) and the document's
/// field lengths (high 32 bits), 8 bits a field. A document's lengths never change (new text is a new document),
/// so scoring reads them beside the posting, in order, instead of at the document: a scattered read per match
/// was half the time of a broad search.
enum PostingStats {
    static func make(fields: UInt32, lengths: UInt32) -> UInt64 { UInt64(fields) | UInt64(lengths) << 32 }
}

/// The packing of `SearchIndex.facetKeys`.
enum FacetKey {
    static let alive: UInt64 = 1 << 51
    static let inStock: UInt64 = 1 << 52

    static func make(_ row: SearchIndex.DocRow) -> UInt64 {
        var key = UInt64(UInt32(bitPattern: row.brand)) & 0xFFFFF
        key |= (UInt64(row.category + 1) & 0xFFFFF) << 20
        key |= UInt64(SearchIndex.priceBucket(row.price)) << 40
        key |= UInt64(row.rating) << 44
        if row.isAlive { key |= alive }
        if row.inStock { key |= inStock }
        key |= UInt64(priceStep(row.price)) << priceStepShift
        return key
    }

    /// Where a price lies inside its bucket, in steps of `stepSize(bucket)` (bits 53-63): a price range that cuts
    /// a bucket is decided from the key, and only prices in the step of either end of the range read the row.
    static let priceStepShift: UInt64 = 53
    /// A step past the bucket's last (prices far up the open top bucket): the row tells.
    static let priceStepUnknown = 2047

    static func priceStep(_ key: UInt64) -> Int { Int(key >> priceStepShift) }

    /// The step of `price` in `bucket`, past `priceStepUnknown` for prices beyond the last step.
    static func priceStep(_ price: Int, bucket: Int) -> Int {
        max(0, price - SearchIndex.priceBounds[bucket]) / stepSize[bucket]
    }

    static func priceStep(_ price: Int) -> Int {
        min(priceStepUnknown, priceStep(price, bucket: SearchIndex.priceBucket(price)))
    }

    /// Each bucket's width in 2,047 steps; the open top bucket in steps of 100 minor units.
    private static let stepSize: [Int] = {
        let bounds = SearchIndex.priceBounds
        return bounds.indices.map { bucket in
            guard bucket + 1 < bounds.count else { return 100 }
            return (bounds[bucket + 1] - bounds[bucket] + priceStepUnknown - 1) / priceStepUnknown
        }
    }()

    static func brand(_ key: UInt64) -> Int { Int(key & 0xFFFFF) }
    /// The category ordinal, or -1.
    static func category(_ key: UInt64) -> Int { Int((key >> 20) & 0xFFFFF) - 1 }
    /// The category ordinal + 1, or 0 for none.
    static func categorySlot(_ key: UInt64) -> Int { Int((key >> 20) & 0xFFFFF) }
    /// Price bucket and rating side by side, as one counter index.
    static let priceAndRatingShift: UInt64 = 40
    static let priceAndRatingSlots = 1 << 11
    static func priceAndRatingSlot(_ key: UInt64) -> Int { Int((key >> priceAndRatingShift) & 0x7FF) }
    static func priceBucket(_ key: UInt64) -> Int { Int((key >> 40) & 0xF) }
    static func ratingFloor(_ key: UInt64) -> Int { Int((key >> 44) & 0x7F) / 20 }
    /// As `DocRow.ratingAverage`.
    static func ratingAverage(_ key: UInt64) -> Float { Float((key >> 44) & 0x7F) / 20 }
}
