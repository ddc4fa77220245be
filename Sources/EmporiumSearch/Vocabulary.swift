/// Words and terms: a term is a stem with a posting list; a surface word is a folded word as written, which
/// prefix and typo matching compare against and which maps to its term.
struct Vocabulary {
    private(set) var termIds: [String: Int32] = [:]
    private(set) var termCount: Int32 = 0
    private(set) var surfaceIds: [String: Int32] = [:]
    /// The same map keyed by bytes, for the indexing hot path.
    private(set) var surfaceTable = SurfaceTable()
    private(set) var surfaceWords: [String] = []
    private(set) var surfaceTerm: [Int32] = []
    /// Surface ids sorted by word, for prefix ranges; words added since the last sort wait in `unsorted`.
    private var sorted: [Int32] = []
    private var unsorted: [Int32] = []
    /// Every one-letter deletion of a surface word of 4+ letters, to the words it came from (typo matching).
    private var deletions: [String: [Int32]] = [:]

    mutating func term(_ stem: String) -> Int32 {
        if let id = termIds[stem] { return id }
        let id = termCount
        termIds[stem] = id
        termCount += 1
        return id
    }

    /// Records a surface word and its term (once per word).
    mutating func addSurface(_ word: String, term: Int32) {
        guard surfaceIds[word] == nil else { return }
        let id = Int32(surfaceWords.count)
        surfaceIds[word] = id
        var bytes = Array(word.utf8)
        _ = bytes.withUnsafeMutableBufferPointer { surfaceTable.insert(UnsafeBufferPointer($0)) }
        surfaceWords.append(word)
        surfaceTerm.append(term)
        unsorted.append(id)
        if word.utf8.count >= 4 {
            for deletion in Self.deletions(of: word) { deletions[deletion, default: []].append(id) }
        }
    }

    /// Sorts words added since the last call into the prefix list; run by the writer after a batch.
    mutating func settle() {
        guard !unsorted.isEmpty else { return }
        let words = surfaceWords
        unsorted.sort { words[Int($0)] < words[Int($1)] }
        if sorted.isEmpty {
            sorted = unsorted
        } else {
            var merged: [Int32] = []
            merged.reserveCapacity(sorted.count + unsorted.count)
            var i = 0
            var j = 0
            while i < sorted.count, j < unsorted.count {
                if words[Int(sorted[i])] < words[Int(unsorted[j])] {
                    merged.append(sorted[i])
                    i += 1
                } else {
                    merged.append(unsorted[j])
                    j += 1
                }
            }
            merged.append(contentsOf: sorted[i...])
            merged.append(contentsOf: unsorted[j...])
            sorted = merged
        }
        unsorted.removeAll()
    }

    /// Surface ids of the words that start with `prefix`.
    func surfaces(withPrefix prefix: String) -> ArraySlice<Int32> {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if surfaceWords[Int(sorted[middle])] < prefix { low = middle + 1 } else { high = middle }
        }
        var end = low
        while end < sorted.count, surfaceWords[Int(sorted[end])].hasPrefix(prefix) { end += 1 }
        return sorted[low..<end]
    }

    /// Surface ids of the words within `maxDistance` edits (insert, delete, substitute, swap) of `word`.
    func surfaces(near word: String, maxDistance: Int) -> [Int32] {
        var candidates: Set<Int32> = []
        var queries = [word]
        let firstDeletions = Self.deletions(of: word)
        queries.append(contentsOf: firstDeletions)
        if maxDistance >= 2 {
            for deletion in firstDeletions { queries.append(contentsOf: Self.deletions(of: deletion)) }
        }
        for query in queries {
            if let id = surfaceIds[query] { candidates.insert(id) }
            if let ids = deletions[query] { candidates.formUnion(ids) }
        }
        let target = Array(word.utf8)
        return candidates.filter { id in
            let distance = Self.editDistance(target, Array(surfaceWords[Int(id)].utf8), limit: maxDistance)
            return distance > 0 && distance <= maxDistance
        }
    }

    static func deletions(of word: String) -> [String] {
        let bytes = Array(word.utf8)
        guard bytes.count > 1 else { return [] }
        var result: [String] = []
        result.reserveCapacity(bytes.count)
        for index in bytes.indices {
            var copy = bytes
            copy.remove(at: index)
            result.append(String(decoding: copy, as: UTF8.self))
        }
        return result
    }

    /// Optimal string alignment distance (Damerau-Levenshtein without repeated edits), or limit + 1 when above.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(1, a.count) where !a.isEmpty {
            current[0] = i
            var rowMin = current[0]
            for j in 1...max(1, b.count) where !b.isEmpty {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
                rowMin = min(rowMin, value)
            }
            if rowMin > limit { return limit + 1 }
            swap(&previousPrevious, &previous)
            swap(&previous, &current)
        }
        return a.isEmpty ? b.count : b.isEmpty ? a.count : previous[b.count]
    }
}
