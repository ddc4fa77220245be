import Foundation

extension SearchIndex {
    static let k1: Float = 1.2
    static let b: Float = 0.75
    static let exactBoost: Float = 1.0
    static let prefixBoost: Float = 0.9
    static let typoBoost: Float = 0.5
    static let maxPrefixTerms = 32

    /// Runs a search: every word must match (else any word, said in the result), then filters, facets, sort, page.
    public func search(_ request: SearchRequest) -> SearchResult {
        lock.withReadLock { searchLocked(request) }
    }

    private func searchLocked(_ request: SearchRequest) -> SearchResult {
        let words = Array(analyzer.words(request.text).prefix(10))
        var matchedAll = true
        var matches: DocScores
        if words.isEmpty {
            matches = DocScores(all: rows.count)
        } else {
            let scorer = Scorer(index: self)
            let perWord = words.enumerated().map { index, word in candidates(word, isLast: index == words.count - 1) }
            matches = scorer.intersection(perWord)
            if matches.isEmpty, perWord.count > 1 {
                matches = DocScores.union(perWord.map(scorer.scoreAll))
                matchedAll = false
            }
        }
        var result = collect(matches, request: request)
        result.matchedAll = matchedAll
        return result.result(index: self, request: request)
    }

    /// The terms a query word stands for, with their weight: its stem; completions if it is the last word;
    /// near spellings if the word itself is unknown and long enough.
    func candidates(_ word: String, isLast: Bool) -> [(term: Int32, boost: Float)] {
        var candidates: [Int32: Float] = [:]
        if let term = vocabulary.termIds[analyzer.stem(word)] { candidates[term] = Self.exactBoost }
        if isLast {
            var completions = Set(vocabulary.surfaces(withPrefix: word).map { vocabulary.surfaceTerm[Int($0)] })
            if completions.count > Self.maxPrefixTerms {
                // Ties go to the lower term id: a Set's order differs from process to process, and so would results.
                let ranked = completions.sorted { a, b in
                    let (countA, countB) = (postingDocs[Int(a)].count, postingDocs[Int(b)].count)
                    return countA != countB ? countA > countB : a < b
                }
                completions = Set(ranked.prefix(Self.maxPrefixTerms))
            }
            for term in completions { candidates[term] = max(candidates[term] ?? 0, Self.prefixBoost) }
        }
        let length = word.utf8.count
        // A word the catalog knows is taken as meant; only unknown words are corrected.
        if length >= 5, vocabulary.surfaceIds[word] == nil {
            for surface in vocabulary.surfaces(near: word, maxDistance: length >= 9 ? 2 : 1) {
                let term = vocabulary.surfaceTerm[Int(surface)]
                candidates[term] = max(candidates[term] ?? 0, Self.typoBoost)
            }
        }
        return candidates.map { ($0.key, $0.value) }
    }
}

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
    /// without the word adds exactly 0, so the sum is the same as adding only the fields that have it.
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

    /// Every document of any of the word's terms, with its best score.
    func scoreAll(_ terms: [(term: Int32, boost: Float)]) -> DocScores {
        let lists = terms.map { term, boost in
            let weight = idf(term) * boost
            let stats = index.postingStats[Int(term)]
            let scores = [Float](unsafeUninitializedCapacity: stats.count) { scores, initialized in
                stats.withUnsafeBufferPointer { stats in
                    for position in stats.indices { scores[position] = score(stats[position]) * weight }
                }
                initialized = stats.count
            }
            return DocScores(docs: index.postingDocs[Int(term)], scores: scores)
        }
        if lists.isEmpty { return DocScores(docs: [], scores: []) }
        return lists.count == 1 ? lists[0] : DocScores.bestOf(lists)
    }

    /// Documents that have every word: the rarest word is scored in full, each other word only on the
    /// documents still in the running, by skipping through its posting lists.
    func intersection(_ words: [[(term: Int32, boost: Float)]]) -> DocScores {
        let sizes = words.map { $0.reduce(0) { $0 + index.postingDocs[Int($1.term)].count } }
        let order = words.indices.sorted { sizes[$0] < sizes[$1] }
        var current = scoreAll(words[order[0]])
        for word in order.dropFirst() {
            if current.docs.isEmpty { break }
            current = refine(current, with: words[word])
        }
        return current
    }

    private func refine(_ current: DocScores, with terms: [(term: Int32, boost: Float)]) -> DocScores {
        var best = [Float](repeating: -1, count: current.docs.count)
        // Lists of similar length are intersected through a bitmap of the current matches, built once: galloping
        // through them took a hard-to-predict branch or two per document.
        var members: DocSet?
        for (term, boost) in terms {
            let weight = idf(term) * boost
            index.postingDocs[Int(term)].withUnsafeBufferPointer { docs in
                index.postingStats[Int(term)].withUnsafeBufferPointer { stats in
                    if DocSet.pays(postings: docs.count, matches: current.docs.count) {
                        if members == nil { members = DocSet(current.docs, universe: index.rows.count) }
                        members?.forEachCommon(docs) { postingIndex, wantedIndex in
                            let value = score(stats[postingIndex]) * weight
                            if value > best[wantedIndex] { best[wantedIndex] = value }
                        }
                        return
                    }
                    current.docs.withUnsafeBufferPointer { wanted in
                        Self.forEachCommon(wanted, docs) { wantedIndex, postingIndex in
                            let value = score(stats[postingIndex]) * weight
                            if value > best[wantedIndex] { best[wantedIndex] = value }
                        }
                    }
                }
            }
        }
        var docs: [UInt32] = []
        var scores: [Float] = []
        for position in current.docs.indices where best[position] >= 0 {
            docs.append(current.docs[position])
            scores.append(current.scores[position] + best[position])
        }
        return DocScores(docs: docs, scores: scores)
    }

    /// Calls `body` with the positions of each document in both ascending lists, galloping through the longer.
    static func forEachCommon(
        _ a: UnsafeBufferPointer<UInt32>,
        _ b: UnsafeBufferPointer<UInt32>,
        _ body: (Int, Int) -> Void
    ) {
        if a.count > b.count {
            forEachCommon(b, a) { body($1, $0) }
            return
        }
        var j = 0
        for i in 0..<a.count {
            let doc = a[i]
            var step = 1
            while j + step < b.count, b[j + step] < doc {
                j += step
                step *= 2
            }
            while j < b.count, b[j] < doc { j += 1 }
            if j == b.count { return }
            if b[j] == doc { body(i, j) }
        }
    }
}

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
        // Big unions (short prefixes, common words) go through a dense array instead of a sort.
        if total > largest / 16 {
            var dense = [Float](repeating: -1, count: largest)
            for list in lists {
                for index in list.docs.indices {
                    let doc = Int(list.docs[index])
                    dense[doc] = dense[doc] < 0 ? list.scores[index] : combine(dense[doc], list.scores[index])
                }
            }
            var docs: [UInt32] = []
            var scores: [Float] = []
            docs.reserveCapacity(total)
            scores.reserveCapacity(total)
            for doc in dense.indices where dense[doc] >= 0 {
                docs.append(UInt32(doc))
                scores.append(dense[doc])
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
