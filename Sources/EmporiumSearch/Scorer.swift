import Foundation

/// BM25F over the four weighted fields, computed only for the documents a query still needs.
struct Scorer {
    let index: SearchIndex
    let averages: SIMD4<Float>
    let weights: SIMD4<Float>
    let documentCount: Float

    init(index: SearchIndex) {
        self.index = index
        documentCount = Float(max(index.liveCount, 1))
        var averages = SIMD4<Float>(repeating: 1)
        var weights = SIMD4<Float>(repeating: 0)
        for field in Field.allCases {
            averages[field.rawValue] = max(1, Float(index.fieldLengthSums[field.rawValue]) / Float(max(index.liveCount, 1)))
            weights[field.rawValue] = field.weight
        }
        self.averages = averages
        self.weights = weights
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
        let k1 = SearchIndex.k1
        let b = SearchIndex.b
        let shifts = SIMD4<UInt64>(0, 8, 16, 24)
        let tf = SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: (SIMD4(repeating: stats) &>> shifts) & 0xFF))
        let length = SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: (SIMD4(repeating: stats >> 32) &>> shifts) & 0xFF))
        let norm = k1 * (1 - b + b * length / averages)
        let terms = weights * tf * (k1 + 1) / (tf + norm)
        return terms[0] + terms[1] + terms[2] + terms[3]
    }
}
