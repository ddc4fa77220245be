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
