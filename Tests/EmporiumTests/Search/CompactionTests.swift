import Testing

@testable import EmporiumSearch

/// Compaction drops dead documents and changes no answer: the compacted index answers exactly as an index built
/// afresh from the live documents, in the order they were last indexed.
@Suite(.timeLimit(.minutes(2)))
struct CompactionTests {
    typealias Words = BruteForceTests

    static func document(_ id: Int, _ random: inout BruteForceTests.Generator) -> SearchDocument {
        SearchDocument(
            id: "d\(id)", slug: "d\(id)",
            title: (0..<Int.random(in: 1...3, using: &random)).map { _ in Words.words.randomElement(using: &random)! }
                .joined(separator: " "),
            brand: Words.brands.randomElement(using: &random)!,
            description: (0..<Int.random(in: 0...4, using: &random)).map { _ in
                Words.words.randomElement(using: &random)!
            }.joined(separator: " "),
            categoryPath: Words.categories.randomElement(using: &random)!.map { .init(id: $0.0, name: $0.1) },
            price: Int.random(in: 0...200_000, using: &random), inStock: Bool.random(using: &random),
            ratingAverage: Double(Int.random(in: 0...50, using: &random)) / 10, ratingCount: 1, createdAt: id
        )
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aCompactedIndexAnswersAsAFreshOne(seed: UInt64) {
        var random = BruteForceTests.Generator(state: seed)
        let index = SearchIndex()
        // The last version of each document, in the order it was last indexed.
        var latest: [(id: Int, document: SearchDocument)] = []
        func add(_ document: SearchDocument, id: Int) {
            index.upsert([document])
            latest.removeAll { $0.id == id }
            latest.append((id, document))
        }
        for id in 0..<400 { add(Self.document(id, &random), id: id) }
        // Edits (new text: a new doc id, the old one dead) and removals, in small batches as events bring them.
        for _ in 0..<300 {
            let id = Int.random(in: 0..<400, using: &random)
            if Int.random(in: 0..<5, using: &random) == 0 {
                index.remove(ids: ["d\(id)"])
                latest.removeAll { $0.id == id }
            } else {
                add(Self.document(id, &random), id: id)
            }
        }
        #expect(index.deadCount > 0)
        let live = index.count

        index.compact()
        #expect(index.deadCount == 0)
        #expect(index.count == live)
        let fresh = SearchIndex()
        for entry in latest { fresh.upsert([entry.document]) }
        #expect(fresh.count == live)

        for _ in 0..<40 {
            var request = SearchRequest(
                text: (0..<Int.random(in: 0...2, using: &random)).map { _ in Words.words.randomElement(using: &random)!
                }
                .joined(separator: " "),
                pageSize: 50
            )
            if Bool.random(using: &random) { request.brands = [Words.brands.randomElement(using: &random)!] }
            if Bool.random(using: &random) { request.minPrice = Int.random(in: 0...100_000, using: &random) }
            request.inStockOnly = Bool.random(using: &random)
            #expect(index.search(request) == fresh.search(request), "\(request)")
        }
        // And it keeps indexing after compaction.
        index.upsert([Self.document(1_000, &random)])
        #expect(index.count == live + 1)
    }

    /// An index of `count` documents, then `edits` new texts for random ones (each leaves a dead document), and the
    /// last version of each document in the order it was last indexed. Seven titles in ten have "steel", so that
    /// term is common enough (4,096 documents) to be marked from 6,000 documents, and not in all of them (the marks
    /// of a term in every document number them as any list would).
    static func editedIndex(
        count: Int,
        edits: Int,
        _ random: inout BruteForceTests.Generator
    ) -> (SearchIndex, latest: [SearchDocument]) {
        let index = SearchIndex()
        var latest: [Int: (order: Int, document: SearchDocument)] = [:]
        var order = 0
        func add(_ id: Int, _ random: inout BruteForceTests.Generator) {
            let document = Self.steelDocument(id, &random)
            index.upsert([document])
            latest[id] = (order, document)
            order += 1
        }
        for id in 0..<count { add(id, &random) }
        for _ in 0..<edits { add(Int.random(in: 0..<count, using: &random), &random) }
        return (index, latest.values.sorted { $0.order < $1.order }.map(\.document))
    }

    static func steelDocument(_ id: Int, _ random: inout BruteForceTests.Generator) -> SearchDocument {
        var document = Self.document(id, &random)
        if Int.random(in: 0..<10, using: &random) < 7 { document.title = "steel " + document.title }
        return document
    }

    static func request(_ random: inout BruteForceTests.Generator) -> SearchRequest {
        let words = ["steel"] + Words.words
        var request = SearchRequest(
            text: (0..<Int.random(in: 0...2, using: &random)).map { _ in words.randomElement(using: &random)! }
                .joined(separator: " "),
            pageSize: 30
        )
        if Bool.random(using: &random) { request.minPrice = Int.random(in: 0...100_000, using: &random) }
        request.inStockOnly = Bool.random(using: &random)
        request.sort = SearchRequest.Sort.allCases.randomElement(using: &random)!
        return request
    }

    /// The marks of common terms (intersections use them) are renumbered with the posting lists, and the index
    /// compacts again after more edits.
    @Test func commonTermsStayMarkedAndRightAcrossCompactions() {
        var random = BruteForceTests.Generator(state: 4)
        var (index, latest) = Self.editedIndex(count: 7_000, edits: 1_500, &random)
        #expect(!index.termMarks.isEmpty)
        let marked = Set(index.termMarks.keys)
        for round in 0..<2 {
            if round > 0 {
                // More edits after the first compaction: documents 0..<1500 get new texts, in order.
                let edited = (0..<1_500).map { id in Self.steelDocument(id, &random) }
                for document in edited { index.upsert([document]) }
                let ids = Set(edited.map(\.id))
                latest.removeAll { ids.contains($0.id) }
                latest += edited
            }
            #expect(index.deadCount > 0)
            index.compact()
            #expect(index.deadCount == 0)
            #expect(Set(index.termMarks.keys) == marked)
            let fresh = SearchIndex()
            for document in latest { fresh.upsert([document]) }
            #expect(index.count == fresh.count)
            for _ in 0..<40 {
                let request = Self.request(&random)
                #expect(index.search(request) == fresh.search(request), "\(request)")
            }
        }
    }

    /// No second copy: posting lists and columns are compacted where they are, keeping their memory.
    @Test func compactsInPlace() {
        var random = BruteForceTests.Generator(state: 5)
        let (index, _) = Self.editedIndex(count: 500, edits: 300, &random)
        func addresses() -> [UnsafeRawPointer?] {
            index.postingDocs.map { $0.withUnsafeBytes { $0.baseAddress } }
                + index.postingStats.map { $0.withUnsafeBytes { $0.baseAddress } }
                + [
                    index.rows.withUnsafeBytes { $0.baseAddress }, index.facetKeys.withUnsafeBytes { $0.baseAddress },
                    index.createdAt.withUnsafeBytes { $0.baseAddress },
                    index.ratingCount.withUnsafeBytes { $0.baseAddress },
                ]
        }
        let before = addresses()
        let compaction = index.compact()
        #expect(compaction.dropped > 0)
        #expect(index.deadCount == 0)
        #expect(addresses() == before)
    }

    /// Searches go on during a compaction, and each sees the index wholly before or wholly after it.
    @Test func searchesDuringACompactionSeeBeforeOrAfter() async {
        var random = BruteForceTests.Generator(state: 6)
        let (index, latest) = Self.editedIndex(count: 4_500, edits: 3_000, &random)
        let requests = (0..<20).map { _ in Self.request(&random) }
        let fresh = SearchIndex()
        for document in latest { fresh.upsert([document]) }
        let before = requests.map { index.search($0) }
        let after = requests.map { fresh.search($0) }
        let seen = await withTaskGroup(of: [Bool].self) { group in
            group.addTask {
                index.compact()
                return []
            }
            for searcher in 0..<2 {
                group.addTask {
                    var seen: [Bool] = []
                    for round in 0..<50 {
                        let which = (round + searcher) % requests.count
                        let result = index.search(requests[which])
                        seen.append(result == before[which] || result == after[which])
                    }
                    return seen
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(seen.allSatisfy { $0 })
        for (request, expected) in zip(requests, after) { #expect(index.search(request) == expected) }
    }

    @Test func compactionStartsInTheBackgroundPastTheThreshold() async throws {
        var random = BruteForceTests.Generator(state: 9)
        let index = SearchIndex()
        index.upsert((0..<40).map { Self.document($0, &random) })
        index.remove(ids: (0..<5).map { "d\($0)" })
        #expect(!index.compactInBackgroundIfNeeded(minimumDead: 10))
        index.remove(ids: (5..<15).map { "d\($0)" })
        #expect(index.compactInBackgroundIfNeeded(minimumDead: 10))
        let compacted = try await eventually { index.deadCount == 0 }
        #expect(compacted)
        #expect(index.count == 25)
    }
}
