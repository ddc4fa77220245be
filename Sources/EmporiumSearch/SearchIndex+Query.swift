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
            let perWord = words.enumerated().map { index, word in candidates(word, isLast: index == words.count - 1) }
            let scorer = Scorer(index: self)
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

extension Scorer {
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
        // Galloping through lists of similar length took a hard-to-predict branch or two per document. Instead,
        // a common term's marks (kept by the index) are looked up for each current match, or the current matches
        // are marked, once, and looked up for each posting of a term not much longer.
        var currentMarks: DocMarks?
        best.withUnsafeMutableBufferPointer { best in
            for (term, boost) in terms {
                let weight = idf(term) * boost
                index.postingDocs[Int(term)].withUnsafeBufferPointer { docs in
                    index.postingStats[Int(term)].withUnsafeBufferPointer { stats in
                        current.docs.withUnsafeBufferPointer { wanted in
                            if docs.count > wanted.count, let termMarks = index.termMarks[term] {
                                termMarks.forEachCommon(wanted, prefetching: stats) { wantedIndex, postingIndex in
                                    let value = score(stats[postingIndex]) * weight
                                    if value > best[wantedIndex] { best[wantedIndex] = value }
                                }
                            } else if DocMarks.pays(marked: wanted.count, other: docs.count) {
                                if currentMarks == nil { currentMarks = DocMarks(current.docs) }
                                currentMarks?.forEachCommon(docs) { postingIndex, wantedIndex in
                                    let value = score(stats[postingIndex]) * weight
                                    if value > best[wantedIndex] { best[wantedIndex] = value }
                                }
                            } else {
                                Self.forEachCommon(wanted, docs) { wantedIndex, postingIndex in
                                    let value = score(stats[postingIndex]) * weight
                                    if value > best[wantedIndex] { best[wantedIndex] = value }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The documents that have the word, written straight into arrays of their final size.
        let count = best.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        var scores: [Float] = []
        let docs = [UInt32](unsafeUninitializedCapacity: count) { docs, docsCount in
            scores = [Float](unsafeUninitializedCapacity: count) { scores, scoresCount in
                best.withUnsafeBufferPointer { best in
                    current.docs.withUnsafeBufferPointer { currentDocs in
                        current.scores.withUnsafeBufferPointer { currentScores in
                            var next = 0
                            for position in best.indices where best[position] >= 0 {
                                docs[next] = currentDocs[position]
                                scores[next] = currentScores[position] + best[position]
                                next += 1
                            }
                        }
                    }
                }
                scoresCount = count
            }
            docsCount = count
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
