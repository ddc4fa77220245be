import Foundation

extension SearchIndex {
    static let k1: Float = 1.2
    static let b: Float = 0.75
    static let exactBoost: Float = 1.0
    static let prefixBoost: Float = 0.9
    static let typoBoost: Float = 0.5
    static let maxPrefixTerms = 64

    /// Runs a search: every word must match (else any word, said in the result), then filters, facets, sort, page.
    public func search(_ request: SearchRequest) -> SearchResult {
        lock.withReadLock { searchLocked(request) }
    }

    private func searchLocked(_ request: SearchRequest) -> SearchResult {
        let words = Array(analyzer.words(request.text).prefix(10))
        var matchedAll = true
        var matches: DocScores
        if words.isEmpty {
            matches = DocScores(all: alive.count)
        } else {
            let perWord = words.enumerated().map { index, word in
                wordMatches(word, isLast: index == words.count - 1)
            }
            matches = DocScores.intersection(perWord)
            if matches.isEmpty, perWord.count > 1 {
                matches = DocScores.union(perWord)
                matchedAll = false
            }
        }
        var result = collect(matches, request: request)
        result.matchedAll = matchedAll
        return result.result(index: self, request: request)
    }

    /// The documents that contain `word` (its stem, a completion if it is the last word, or a near spelling),
    /// each with its best BM25F score.
    func wordMatches(_ word: String, isLast: Bool) -> DocScores {
        var candidates: [Int32: Float] = [:]
        if let term = vocabulary.termIds[analyzer.stem(word)] { candidates[term] = Self.exactBoost }
        if isLast {
            var completions = Set(vocabulary.surfaces(withPrefix: word).map { vocabulary.surfaceTerm[Int($0)] })
            if completions.count > Self.maxPrefixTerms {
                completions = Set(completions.sorted { postingDocs[Int($0)].count > postingDocs[Int($1)].count }.prefix(Self.maxPrefixTerms))
            }
            for term in completions { candidates[term] = max(candidates[term] ?? 0, Self.prefixBoost) }
        }
        let length = word.utf8.count
        if length >= 5 {
            for surface in vocabulary.surfaces(near: word, maxDistance: length >= 9 ? 2 : 1) {
                let term = vocabulary.surfaceTerm[Int(surface)]
                candidates[term] = max(candidates[term] ?? 0, Self.typoBoost)
            }
        }
        let lists = candidates.map { score(term: $0.key, boost: $0.value) }
        return lists.count == 1 ? lists[0] : DocScores.bestOf(lists)
    }

    /// BM25F over the four weighted fields for every document of a term's posting list.
    func score(term: Int32, boost: Float) -> DocScores {
        let docs = postingDocs[Int(term)]
        let fields = postingFields[Int(term)]
        let documentCount = Float(max(liveCount, 1))
        let frequency = Float(docs.count)
        let idf = log(1 + (documentCount - frequency + 0.5) / (frequency + 0.5)) * boost
        var averages = [Float](repeating: 1, count: 4)
        var weights = [Float](repeating: 0, count: 4)
        for field in Field.allCases {
            averages[field.rawValue] = max(1, Float(fieldLengthSums[field.rawValue]) / documentCount)
            weights[field.rawValue] = field.weight
        }
        var scores = [Float](repeating: 0, count: docs.count)
        let k1 = Self.k1
        let b = Self.b
        fieldLengths.withUnsafeBufferPointer { lengths in
            fields.withUnsafeBufferPointer { fields in
                docs.withUnsafeBufferPointer { docs in
                    for index in 0..<docs.count {
                        let packed = fields[index]
                        let packedLengths = lengths[Int(docs[index])]
                        var total: Float = 0
                        for field in 0..<4 {
                            let tf = Float((packed >> UInt32(8 * field)) & 0xFF)
                            if tf == 0 { continue }
                            let length = Float((packedLengths >> UInt32(8 * field)) & 0xFF)
                            let norm = k1 * (1 - b + b * length / averages[field])
                            total += weights[field] * tf * (k1 + 1) / (tf + norm)
                        }
                        scores[index] = total * idf
                    }
                }
            }
        }
        return DocScores(docs: docs, scores: scores)
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

    /// Documents in every list, scores added.
    static func intersection(_ lists: [DocScores]) -> DocScores {
        let ordered = lists.sorted { $0.docs.count < $1.docs.count }
        var result = ordered[0]
        for list in ordered.dropFirst() {
            if result.docs.isEmpty { break }
            var docs: [UInt32] = []
            var scores: [Float] = []
            docs.reserveCapacity(result.docs.count)
            scores.reserveCapacity(result.docs.count)
            var j = 0
            let other = list.docs
            for (i, doc) in result.docs.enumerated() {
                // Gallop: the other list is usually much longer.
                var step = 1
                while j + step < other.count, other[j + step] < doc { j += step; step *= 2 }
                while j < other.count, other[j] < doc { j += 1 }
                if j < other.count, other[j] == doc {
                    docs.append(doc)
                    scores.append(result.scores[i] + list.scores[j])
                }
            }
            result = DocScores(docs: docs, scores: scores)
        }
        return result
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
        var pairs: [(UInt32, Float)] = []
        pairs.reserveCapacity(lists.reduce(0) { $0 + $1.docs.count })
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
