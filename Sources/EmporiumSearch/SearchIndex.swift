import Synchronization

/// An in-memory product search index: sorted posting lists of integer document ids, and columns of numbers for
/// filters, facets and sorts. Searches run concurrently; updates take a short exclusive lock.
public final class SearchIndex: @unchecked Sendable {
    /// What a result page shows of a document; touched only for the hits of a page.
    struct Record {
        var id: String
        var slug: String
        var title: String
        var brand: String
        var currency: String
        var thumbnailUrl: String?
        var textKey: Int
    }

    let lock = ReadWriteLock()
    /// Held by every update and by a compaction, which reads under `lock`'s read lock: updates wait for it, searches
    /// do not.
    let updates = Mutex(())
    /// Set while a background compaction runs.
    let compacting = Atomic(false)
    let analyzer = Analyzer()

    // Text: term id -> ascending doc ids, and beside each doc all that scoring it reads (`PostingStats`).
    var vocabulary = Vocabulary()
    var postingDocs: [[UInt32]] = []
    var postingStats: [[UInt64]] = []
    /// Marks of the posting lists of common terms (in 1/32 of the documents or more), for intersections.
    var termMarks: [Int32: DocMarks] = [:]

    /// What filtering, faceting and scoring read of a document, packed in one row: a match costs one cache miss,
    /// not one per column (matches are scattered over millions of documents).
    struct DocRow {
        var price: Int
        var brand: Int32
        var category: Int32
        /// Each field's length in words (capped at 255), 8 bits a field.
        var lengths: UInt32
        /// The average rating in twentieths (0...100).
        var rating: UInt8
        var isAlive: Bool
        var inStock: Bool

        var ratingAverage: Float { Float(rating) / 20 }
    }

    // By doc id.
    var rows: [DocRow] = []
    /// Brand, category, price bucket, rating, alive and in-stock in 8 bytes: all an unfiltered search reads
    /// per match to count facets (broad searches touch hundreds of thousands of documents).
    var facetKeys: [UInt64] = []
    var ratingCount: [Int32] = []
    var createdAt: [Int] = []
    var records: [Record] = []

    var fieldLengthSums = [Int](repeating: 0, count: Field.allCases.count)
    var liveCount = 0
    var docOf: [String: UInt32] = [:]

    // Brands and categories as small integers.
    var brandOrds: [String: Int32] = [:]
    var brandNames: [String] = []
    var categoryOrds: [String: Int32] = [:]
    var categoryIds: [String] = []
    var categoryNames: [String] = []
    var categoryParent: [Int32] = []

    public init() {}

    /// Documents currently searchable.
    public var count: Int { lock.withReadLock { liveCount } }

    /// Whether the document is searchable and in stock; nil for an id the index does not hold.
    public func isInStock(id: String) -> Bool? {
        lock.withReadLock { docOf[id].map { rows[Int($0)].isAlive && rows[Int($0)].inStock } }
    }

    /// Adds or replaces documents by id; a document whose text is unchanged only has its numbers updated.
    public func upsert(_ documents: [SearchDocument]) {
        updates.withLock { _ in lock.withWriteLock { upsertLocked(documents) } }
    }

    private func upsertLocked(_ documents: [SearchDocument]) {
        var scratch = IndexingScratch()
        // A few documents (a catalog or stock change) can only have made their own terms common: looking at
        // those, not the whole vocabulary, keeps a single update off O(terms) in a million-product index.
        if documents.count <= Self.fewDocuments { scratch.touched = [] }
        for document in documents { upsertLocked(document, scratch: &scratch) }
        vocabulary.settle()
        if let touched = scratch.touched {
            markCommonTerms(among: touched)
        } else {
            markCommonTerms(among: postingDocs.indices.lazy.map { Int32($0) })
        }
    }

    /// Removes documents by id; unknown ids are ignored.
    public func remove(ids: [String]) {
        updates.withLock { _ in lock.withWriteLock { removeLocked(ids: ids) } }
    }

    private func removeLocked(ids: [String]) {
        for id in ids {
            if let doc = docOf.removeValue(forKey: id) { kill(doc) }
        }
    }

    /// Empties the index (before a rebuild from the database).
    public func removeAll() {
        updates.withLock { _ in lock.withWriteLock { removeAllLocked() } }
    }

    private func removeAllLocked() {
        for doc in docOf.values { kill(doc) }
        docOf.removeAll()
    }

    private func kill(_ doc: UInt32) {
        guard rows[Int(doc)].isAlive else { return }
        rows[Int(doc)].isAlive = false
        facetKeys[Int(doc)] = FacetKey.make(rows[Int(doc)])
        liveCount -= 1
        let lengths = rows[Int(doc)].lengths
        for field in Field.allCases {
            fieldLengthSums[field.rawValue] -= Int((lengths >> (8 * UInt32(field.rawValue))) & 0xFF)
        }
    }

    /// Batches up to this size have their touched terms checked for marks, larger ones the whole vocabulary.
    static let fewDocuments = 64

    struct IndexingScratch {
        /// The current document's terms and their per-field counts (a document has few distinct terms).
        var terms: [Int32] = []
        var counts: [UInt32] = []
        var stem: [UInt8] = []
        /// Every term the batch added a posting to, when the batch is small enough to track them (else nil).
        var touched: [Int32]?
    }

    private func upsertLocked(_ document: SearchDocument, scratch: inout IndexingScratch) {
        var hasher = Hasher()
        hasher.combine(document.title)
        hasher.combine(document.brand)
        hasher.combine(document.description)
        for level in document.categoryPath { hasher.combine(level.id) }
        let textKey = hasher.finalize()
        if let existing = docOf[document.id], records[Int(existing)].textKey == textKey {
            setColumns(Int(existing), document)
            records[Int(existing)].slug = document.slug
            records[Int(existing)].thumbnailUrl = document.thumbnailUrl
            return
        }
        if let existing = docOf[document.id] { kill(existing) }
        let doc = UInt32(rows.count)
        docOf[document.id] = doc

        scratch.terms.removeAll(keepingCapacity: true)
        scratch.counts.removeAll(keepingCapacity: true)
        var lengths: UInt32 = 0
        let categoryText = document.categoryPath.map(\.name).joined(separator: " ")
        for (field, text) in [
            (Field.title, document.title), (.brand, document.brand), (.category, categoryText),
            (.description, document.description),
        ] {
            var length = 0
            analyzer.forEachWord(text) { word in
                length += 1
                let term = termId(for: word, scratch: &scratch)
                let shift = UInt32(8 * field.rawValue)
                if let position = scratch.terms.firstIndex(of: term) {
                    if (scratch.counts[position] >> shift) & 0xFF < 0xFF { scratch.counts[position] &+= 1 << shift }
                } else {
                    scratch.terms.append(term)
                    scratch.counts.append(1 << shift)
                }
            }
            lengths |= UInt32(min(length, 255)) << UInt32(8 * field.rawValue)
            fieldLengthSums[field.rawValue] += min(length, 255)
        }
        for (term, fields) in zip(scratch.terms, scratch.counts) {
            postingDocs[Int(term)].append(doc)
            postingStats[Int(term)].append(PostingStats.make(fields: fields, lengths: lengths))
            termMarks[term]?.append(doc)
        }
        scratch.touched?.append(contentsOf: scratch.terms)

        liveCount += 1
        rows.append(
            DocRow(
                price: 0, brand: brandOrdinal(document.brand), category: categoryOrdinal(document.categoryPath),
                lengths: lengths, rating: 0, isAlive: true, inStock: false
            )
        )
        ratingCount.append(0)
        createdAt.append(0)
        facetKeys.append(0)
        records.append(
            Record(
                id: document.id, slug: document.slug, title: document.title, brand: document.brand,
                currency: document.currency, thumbnailUrl: document.thumbnailUrl, textKey: textKey
            )
        )
        setColumns(Int(doc), document)
    }

    /// Marks those of `terms` that became common; marked terms stay marked (their marks cost 190 KB per million
    /// documents). Only a term that gained postings can become common: the threshold never falls.
    private func markCommonTerms(among terms: some Sequence<Int32>) {
        let threshold = max(4096, rows.count / 32)
        for term in terms where postingDocs[Int(term)].count >= threshold && termMarks[term] == nil {
            termMarks[term] = DocMarks(postingDocs[Int(term)])
        }
    }

    private func setColumns(_ doc: Int, _ document: SearchDocument) {
        rows[doc].price = document.price
        rows[doc].inStock = document.inStock
        rows[doc].rating = UInt8((min(5, max(0, document.ratingAverage)) * 20).rounded())
        ratingCount[doc] = Int32(clamping: document.ratingCount)
        facetKeys[doc] = FacetKey.make(rows[doc])
        createdAt[doc] = document.createdAt
    }

    private func termId(for word: UnsafeBufferPointer<UInt8>, scratch: inout IndexingScratch) -> Int32 {
        if let surfaceId = vocabulary.surfaceTable.find(word) { return vocabulary.surfaceTerm[Int(surfaceId)] }
        let surface = String(decoding: word, as: UTF8.self)
        analyzer.stem(word, into: &scratch.stem)
        let term = vocabulary.term(String(decoding: scratch.stem, as: UTF8.self))
        if Int(term) == postingDocs.count {
            postingDocs.append([])
            postingStats.append([])
        }
        vocabulary.addSurface(surface, term: term)
        return term
    }

    private func brandOrdinal(_ brand: String) -> Int32 {
        let key = brand.lowercased()
        if let ord = brandOrds[key] { return ord }
        let ord = Int32(brandNames.count)
        brandOrds[key] = ord
        brandNames.append(brand)
        return ord
    }

    private func categoryOrdinal(_ path: [SearchDocument.CategoryLevel]) -> Int32 {
        var parent: Int32 = -1
        for level in path {
            if let ord = categoryOrds[level.id] {
                parent = ord
                continue
            }
            let ord = Int32(categoryIds.count)
            categoryOrds[level.id] = ord
            categoryIds.append(level.id)
            categoryNames.append(level.name)
            categoryParent.append(parent)
            parent = ord
        }
        return parent
    }
}
