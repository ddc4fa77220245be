import CPrefetch

/// Documents with scores, ascending by document id.
struct DocScores {
    var docs: [UInt32]
    var scores: [Float]
    /// Every document, unscored (browsing without words).
    var allCount: Int?

    init(docs: [UInt32], scores: [Float]) {
        self.docs = docs
        self.scores = scores
    }

    init(all count: Int) {
        docs = []
        scores = []
        allCount = count
    }

    var isEmpty: Bool { allCount == nil && docs.isEmpty }

    /// Calls `body` with each document and its score, in document order.
    @inline(__always)
    func forEach(_ body: (Int, Float) -> Void) {
        if let allCount {
            for doc in 0..<allCount { body(doc, 0) }
            return
        }
        docs.withUnsafeBufferPointer { docs in
            scores.withUnsafeBufferPointer { scores in
                for position in docs.indices { body(Int(docs[position]), scores[position]) }
            }
        }
    }

    /// `forEach`, asking the CPU to load `column`'s entry of the document a few matches ahead, so that a column read
    /// at scattered documents (a broad word's matches) waits for memory less often.
    @inline(__always)
    func forEach<Value>(prefetching column: UnsafeBufferPointer<Value>, _ body: (Int, Float) -> Void) {
        // Matches of a word in a good part of the catalog are read nearly in sequence, which the CPU follows alone.
        guard allCount == nil, let base = column.baseAddress, docs.count * 4 < column.count else {
            forEach(body)
            return
        }
        docs.withUnsafeBufferPointer { docs in
            scores.withUnsafeBufferPointer { scores in
                let ahead = Self.prefetchDistance
                var position = 0
                while position + ahead < docs.count {
                    emporium_prefetch(base + Int(docs[position + ahead]))
                    body(Int(docs[position]), scores[position])
                    position += 1
                }
                while position < docs.count {
                    body(Int(docs[position]), scores[position])
                    position += 1
                }
            }
        }
    }

    /// How many matches ahead `forEach(prefetching:)` asks for: enough to cover a memory access at a few ns a match.
    static let prefetchDistance = 24

    /// Documents in any list, scores added.
    static func union(_ lists: [DocScores]) -> DocScores {
        merge(lists) { $0 + $1 }
    }

    /// Documents in any list, keeping each document's best score.
    static func bestOf(_ lists: [DocScores]) -> DocScores {
        merge(lists) { max($0, $1) }
    }

    private static func merge(_ lists: [DocScores], _ combine: (Float, Float) -> Float) -> DocScores {
        let total = lists.reduce(0) { $0 + $1.docs.count }
        let largest = lists.reduce(0) { max($0, Int($1.docs.last ?? 0)) } + 1
        // Big unions (short prefixes, common words) go through a dense array instead of a sort. Scores are
        // positive, so 0 is the identity of both sum and max: a document's first score needs no "seen yet" branch,
        // and the bits of the documents seen are walked word by word instead of testing every slot.
        if total > largest / 16 {
            var dense = [Float](repeating: 0, count: largest)
            var seen = [UInt64](repeating: 0, count: largest / 64 + 1)
            dense.withUnsafeMutableBufferPointer { dense in
                seen.withUnsafeMutableBufferPointer { seen in
                    for list in lists {
                        // swift-format-ignore: ReplaceForEachWithForLoop
                        // (a posting list's own forEach walks its packed storage; it is no Sequence.)
                        list.forEach { doc, score in
                            dense[doc] = combine(dense[doc], score)
                            seen[doc >> 6] |= 1 << UInt64(doc & 63)
                        }
                    }
                }
            }
            let count = seen.reduce(0) { $0 + $1.nonzeroBitCount }
            var scores: [Float] = []
            let docs = [UInt32](unsafeUninitializedCapacity: count) { docs, docsCount in
                scores = [Float](unsafeUninitializedCapacity: count) { scores, scoresCount in
                    var next = 0
                    for word in seen.indices {
                        var bits = seen[word]
                        while bits != 0 {
                            let doc = word << 6 | bits.trailingZeroBitCount
                            docs[next] = UInt32(doc)
                            scores[next] = dense[doc]
                            next += 1
                            bits &= bits &- 1
                        }
                    }
                    scoresCount = count
                }
                docsCount = count
            }
            return DocScores(docs: docs, scores: scores)
        }
        var pairs: [(UInt32, Float)] = []
        pairs.reserveCapacity(total)
        for list in lists {
            for index in list.docs.indices { pairs.append((list.docs[index], list.scores[index])) }
        }
        pairs.sort { $0.0 < $1.0 }
        var docs: [UInt32] = []
        var scores: [Float] = []
        for (doc, score) in pairs {
            if docs.last == doc {
                scores[scores.count - 1] = combine(scores[scores.count - 1], score)
            } else {
                docs.append(doc)
                scores.append(score)
            }
        }
        return DocScores(docs: docs, scores: scores)
    }
}
