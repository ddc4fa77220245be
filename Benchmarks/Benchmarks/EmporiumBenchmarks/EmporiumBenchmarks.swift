import Benchmark
import Emporium
import EmporiumSearch

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.metrics = [.wallClock, .mallocCountTotal, .throughput]

    // The synthetic catalog feeds the 1M-product benchmarks: generating must stay far below the insert cost.
    let synthetic = SyntheticCatalog(seed: 1)
    Benchmark("SyntheticCatalog.product(at:)") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(synthetic.product(at: index))
        }
    }

    Benchmark("Identifier.make") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Identifier.make("ord"))
        }
    }

    // A stock or price change re-indexes one product: its cost must not grow with the catalog's vocabulary.
    let index = SearchIndex()
    let documents = (0..<200_000).map { number -> SearchDocument in
        let product = synthetic.product(at: number).product
        return SearchDocument(
            id: "p\(number)", slug: "p\(number)", title: product.title, brand: product.brand,
            description: product.description, categoryPath: [], price: 100, inStock: true, ratingAverage: 4,
            ratingCount: 1, createdAt: number
        )
    }
    Benchmark(
        "SearchIndex.upsert one changed document, 200k indexed",
        configuration: .init(setup: {
            if index.count == 0 { index.upsert(documents) }
        })
    ) { benchmark in
        for iteration in benchmark.scaledIterations {
            var document = documents[iteration % documents.count]
            document.inStock = iteration % 2 == 0
            index.upsert([document])
        }
    }
}
