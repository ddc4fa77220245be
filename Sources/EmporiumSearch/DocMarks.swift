import CPrefetch

/// An ascending list of documents as bits over document ids, with the count of set bits before each word: whether
/// a document is in the list, and at which position, in two reads of arrays small enough to stay in cache (1M
/// documents: 125 KB of bits, 62 KB of ranks). Intersecting another list with it costs one look-up per document
/// of the other list, without walking this one.
struct DocMarks {
    private var bits: [UInt64] = []
    private var ranks: [UInt32] = []
    private(set) var count: UInt32 = 0

    init(_ docs: [UInt32]) {
        self.init(docs, last: docs.last ?? 0)
    }

    /// The marks of `docs` renumbered by `newId`, without the documents it maps to `UInt32.max`: a compaction's,
    /// whose renumbering keeps the order (what `DocMarks(compactedDocs)` would be, without making that list).
    init(_ docs: [UInt32], renumberedBy newId: UnsafeBufferPointer<UInt32>) {
        let renumbered = docs.lazy.map { newId[Int($0)] }.filter { $0 != .max }
        self.init(renumbered, last: docs.reversed().lazy.map { newId[Int($0)] }.first { $0 != .max } ?? 0)
    }

    private init(_ docs: some Sequence<UInt32>, last: UInt32) {
        let words = Int(last) / 64 + 1
        bits = [UInt64](repeating: 0, count: words)
        bits.withUnsafeMutableBufferPointer { bits in
            for doc in docs { bits[Int(doc >> 6)] |= 1 << UInt64(doc & 63) }
        }
        ranks = [UInt32](repeating: 0, count: words)
        for word in 0..<words {
            ranks[word] = count
            count += UInt32(bits[word].nonzeroBitCount)
        }
    }

    /// Adds a document after every document already in the list (a posting list grows only at its end).
    mutating func append(_ doc: UInt32) {
        let word = Int(doc >> 6)
        while bits.count <= word {
            bits.append(0)
            ranks.append(count)
        }
        bits[word] |= 1 << UInt64(doc & 63)
        count += 1
    }

    /// Whether marking a list of `marked` documents pays for intersecting it with one of `other` documents, rather
    /// than galloping: when neither list is many times longer than the other.
    static func pays(marked: Int, other: Int) -> Bool {
        marked <= other * 8 && other <= marked * 8
    }

    /// `forEachCommon`, asking the CPU to load `column`'s entry (by position here) of a document a few ahead in
    /// `docs`: the entries of a long list are read at scattered positions.
    func forEachCommon<Value>(
        _ docs: UnsafeBufferPointer<UInt32>,
        prefetching column: UnsafeBufferPointer<Value>,
        _ body: (_ index: Int, _ position: Int) -> Void
    ) {
        guard let base = column.baseAddress, docs.count * 4 < column.count else {
            forEachCommon(docs, body)
            return
        }
        let ahead = DocScores.prefetchDistance
        bits.withUnsafeBufferPointer { bits in
            ranks.withUnsafeBufferPointer { ranks in
                for index in docs.indices {
                    if index + ahead < docs.count {
                        let doc = docs[index + ahead]
                        let word = Int(doc >> 6)
                        if word < bits.count {
                            let below = bits[word] & ((1 << UInt64(doc & 63)) &- 1)
                            emporium_prefetch(base + Int(ranks[word]) + below.nonzeroBitCount)
                        }
                    }
                    let doc = docs[index]
                    let word = Int(doc >> 6)
                    guard word < bits.count else { return }
                    let bit = UInt64(doc & 63)
                    guard (bits[word] >> bit) & 1 != 0 else { continue }
                    let below = bits[word] & ((1 << bit) &- 1)
                    body(index, Int(ranks[word]) + below.nonzeroBitCount)
                }
            }
        }
    }

    /// Calls `body` with the position in `docs` of each document also in these marks, and its position here.
    func forEachCommon(_ docs: UnsafeBufferPointer<UInt32>, _ body: (_ index: Int, _ position: Int) -> Void) {
        bits.withUnsafeBufferPointer { bits in
            ranks.withUnsafeBufferPointer { ranks in
                for index in docs.indices {
                    let doc = docs[index]
                    let word = Int(doc >> 6)
                    guard word < bits.count else { return }
                    let bit = UInt64(doc & 63)
                    guard (bits[word] >> bit) & 1 != 0 else { continue }
                    let below = bits[word] & ((1 << bit) &- 1)
                    body(index, Int(ranks[word]) + below.nonzeroBitCount)
                }
            }
        }
    }
}
