import Benchmark
import Emporium

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
}
