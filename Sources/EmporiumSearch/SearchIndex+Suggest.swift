extension SearchIndex {
    /// Type-ahead: completions of the last word (most common first), then the best matching product titles.
    public func suggest(_ text: String, limit: Int = 10) -> [Suggestion] {
        let words = analyzer.words(text)
        guard let last = words.last else { return [] }
        let head = words.dropLast().joined(separator: " ")
        let completions: [Suggestion] = lock.withReadLock {
            let surfaces = vocabulary.surfaces(withPrefix: last)
            let ranked = surfaces.sorted {
                postingDocs[Int(vocabulary.surfaceTerm[Int($0)])].count
                    > postingDocs[Int(vocabulary.surfaceTerm[Int($1)])].count
            }
            return ranked.prefix(limit / 2).map { surface in
                let word = vocabulary.surfaceWords[Int(surface)]
                return Suggestion(text: head.isEmpty ? word : head + " " + word, productId: nil)
            }
        }
        let products = search(SearchRequest(text: text, pageSize: limit - completions.count)).hits
            .map { Suggestion(text: $0.title, productId: $0.id) }
        return Array((completions + products).prefix(limit))
    }
}
