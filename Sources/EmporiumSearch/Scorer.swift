import Foundation

/// BM25F over the four weighted fields, computed only for the documents a query still needs.
struct Scorer {
    let index: SearchIndex
    /// BM25's length normalisation `k1 * (1 - b + b * length / average)` as `normBase + normScale * length`: a
    /// multiply-add per posting instead of a division (the divisions were most of the time of scoring a broad word).
    let normBase: SIMD4<Float>
    let normScale: SIMD4<Float>
    /// The field weights times `k1 + 1`.
    let weights: SIMD4<Float>
    let documentCount: Float

    init(index: SearchIndex) {
        self.index = index
        documentCount = Float(max(index.liveCount, 1))
        var averages = SIMD4<Float>(repeating: 1)
        var weights = SIMD4<Float>(repeating: 0)
        for field in Field.allCases {
            averages[field.rawValue] = max(
                1, Float(index.fieldLengthSums[field.rawValue]) / Float(max(index.liveCount, 1)))
            weights[field.rawValue] = field.weight
        }
        normBase = SIMD4(repeating: SearchIndex.k1 * (1 - SearchIndex.b))
        normScale = SearchIndex.k1 * SearchIndex.b / averages
        self.weights = weights * (SearchIndex.k1 + 1)
    }

    func idf(_ term: Int32) -> Float {
        let frequency = Float(index.postingDocs[Int(term)].count)
        return log(1 + (documentCount - frequency + 0.5) / (frequency + 0.5))
    }

    /// The four fields side by side and without branches (which field a word is in is unpredictable); a field
    /// without the word adds exactly 0, so the sum is the same as adding only the fields that have it. Before the
    /// term's weight; `stats` as in `PostingStats`.
    @inline(__always)
    func score(_ stats: UInt64) -> Float {
        let shifts = SIMD4<UInt64>(0, 8, 16, 24)
        let tf = SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: (SIMD4(repeating: stats) &>> shifts) & 0xFF))
        let length = SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: (SIMD4(repeating: stats >> 32) &>> shifts) & 0xFF))
        let norm = normBase + normScale * length
        let terms = weights * tf / (tf + norm)
        return terms[0] + terms[1] + terms[2] + terms[3]
    }
}
