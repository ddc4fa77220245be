import ArgumentParser
import EmporiumSearch
import Foundation

/// Times the search engine in-process on an exported catalog and a query file (bench/search drives it).
struct SearchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search-bench",
        abstract: "Build the search index from a JSONL export and time a set of queries (for bench/search)."
    )

    @Option(help: "The catalog, as written by `emporium export --jsonl`")
    var jsonl: String

    @Option(help: "A JSON list of queries: {q, brand?, category?, minPrice?, maxPrice?, inStock?, minRating?, sort?}")
    var queries: String

    @Option(help: "Where to write the timings (JSON)")
    var out: String

    @Option(help: "How many times each query is timed")
    var `repeat` = 5

    @Option(
        help:
            "Also write each query's total, hits and facets here (JSON lines), to check that an engine change keeps results"
    )
    var results: String?

    struct Query: Decodable {
        let q: String
        let brand: [String]?
        let category: String?
        let minPrice: Int?
        let maxPrice: Int?
        let inStock: Bool?
        let minRating: Int?
        let sort: String?
    }

    struct Report: Encodable {
        let engine = "emporium"
        let buildSeconds: Double
        let rssBytes: Int
        let latenciesMicros: [[Double]]
        let totals: [Int]
    }

    func run() async throws {
        let started = ContinuousClock.now
        let index = SearchIndex()
        var batch: [SearchDocument] = []
        let text = try String(contentsOfFile: jsonl, encoding: .utf8)
        let decoder = JSONDecoder()
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            batch.append(try decoder.decode(ExportedProduct.self, from: Data(line.utf8)).document)
            if batch.count == 10_000 {
                index.upsert(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        index.upsert(batch)
        let buildSeconds = Double(started.duration(to: .now) / .milliseconds(1)) / 1000
        let requests = try decoder.decode([Query].self, from: Data(contentsOf: URL(fileURLWithPath: queries))).map(
            Self.request)
        for request in requests { _ = index.search(request) }
        // Round after round over every query, so that a busy moment on the machine spoils one run of many queries
        // rather than every run of one.
        var latencies = [[Double]](repeating: [], count: requests.count)
        var totals = [Int](repeating: 0, count: requests.count)
        for _ in 0..<max(1, self.repeat) {
            for (number, request) in requests.enumerated() {
                let start = ContinuousClock.now
                totals[number] = index.search(request).total
                latencies[number].append(Double((ContinuousClock.now - start) / .nanoseconds(1)) / 1000)
            }
        }
        if let results {
            try requests.map { Self.describe(index.search($0)) }.joined(separator: "\n")
                .write(toFile: results, atomically: true, encoding: .utf8)
        }
        let report = Report(
            buildSeconds: buildSeconds, rssBytes: Self.residentBytes(), latenciesMicros: latencies, totals: totals)
        try JSONEncoder().encode(report).write(to: URL(fileURLWithPath: out))
        print(
            "indexed \(index.count) products in \(String(format: "%.1f", buildSeconds)) s; timed \(requests.count) queries"
        )
    }

    static func request(_ query: Query) -> SearchRequest {
        SearchRequest(
            text: query.q,
            category: query.category,
            brands: query.brand ?? [],
            minPrice: query.minPrice,
            maxPrice: query.maxPrice,
            inStockOnly: query.inStock ?? false,
            minRating: query.minRating.map(Double.init),
            sort: query.sort.flatMap(SearchRequest.Sort.init(rawValue:)) ?? .relevance
        )
    }

    /// One line that differs when anything a shopper sees differs (scores only to 4 significant digits).
    static func describe(_ result: SearchResult) -> String {
        let hits = result.hits.map { "\($0.id):\(String(format: "%.4g", $0.score))" }.joined(separator: ",")
        let brands = result.brandFacet.map { "\($0.value)=\($0.count)" }.joined(separator: ",")
        let categories = result.categoryFacet.map { "\($0.id)=\($0.count)" }.joined(separator: ",")
        let prices = result.priceFacet.map { "\($0.count)" }.joined(separator: ",")
        let ratings = result.ratingFacet.map { "\($0.count)" }.joined(separator: ",")
        return
            "\(result.total) \(result.matchedAllWords) [\(hits)] [\(brands)] [\(categories)] [\(prices)] [\(ratings)]"
    }

    /// Peak resident memory of this process, from /proc.
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}

/// The parts of an exported product the search engine needs.
struct ExportedProduct: Decodable {
    struct Category: Decodable {
        let id: String
        let name: String
        let path: [String]
    }

    struct Money: Decodable {
        let amount: Int
        let currency: String
    }
    struct Rating: Decodable {
        let average: Double
        let count: Int
    }

    let id: String
    let slug: String
    let title: String
    let description: String
    let brand: String
    let category: Category?
    let price: Money
    let rating: Rating
    let inStock: Bool
    let createdAt: String

    var document: SearchDocument {
        // Ancestors are named by their path of names; the leaf keeps its real id (what queries filter on).
        var levels: [SearchDocument.CategoryLevel] = []
        if let category {
            for depth in category.path.indices {
                let isLeaf = depth == category.path.count - 1
                let id = isLeaf ? category.id : category.path[...depth].joined(separator: "/")
                levels.append(.init(id: id, name: category.path[depth]))
            }
        }
        let created = (try? Date(createdAt, strategy: .iso8601)).map { Int($0.timeIntervalSince1970 * 1000) } ?? 0
        return SearchDocument(
            id: id, slug: slug, title: title, brand: brand, description: description, categoryPath: levels,
            price: price.amount, currency: price.currency, inStock: inStock, ratingAverage: rating.average,
            ratingCount: rating.count, createdAt: created
        )
    }
}
