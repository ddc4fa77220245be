import ArgumentParser
import Emporium
import Foundation

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill an empty store with the demo catalog or a synthetic one.")

    @OptionGroup var storage: StorageOptions

    @Flag(help: "The curated demo catalog (about 200 products, with reviews by demo customers)")
    var demo = false

    @Option(help: "Generate this many synthetic products with ratings (deterministic for a given --seed)")
    var synthetic: Int?

    @Option(help: "Seed of the synthetic catalog")
    var seed: UInt64 = 1

    @Option(help: "Add this many orders over the last 60 days, for benchmarks (after the catalog, or into one)")
    var orders: Int?

    func validate() throws {
        guard !(demo && synthetic != nil), demo || synthetic != nil || orders != nil else {
            throw ValidationError("give one of --demo and --synthetic N, or --orders N, or a catalog and --orders N")
        }
        if let synthetic, synthetic < 1 { throw ValidationError("--synthetic takes a positive count") }
        if let orders, orders < 1 { throw ValidationError("--orders takes a positive count") }
    }

    func run() async throws {
        if demo {
            let seeded = try await withStore(storage) { try await CatalogSeeder(node: $0).seedDemo() }
            print(seeded ? "seeded the demo catalog" : "the store already has products; nothing seeded")
        }
        if let synthetic {
            try await seed(synthetic, "synthetic products") { node, progress in
                try await CatalogSeeder(node: node).seedSynthetic(count: synthetic, seed: seed, progress: progress)
            }
        }
        if let orders {
            try await seed(orders, "orders") { node, progress in
                try await OrderSeeder(node: node).seed(count: orders, seed: seed, progress: progress)
            }
        }
    }

    /// Runs one seeder on the store with a progress bar, then says how long it took.
    private func seed(
        _ count: Int, _ what: String,
        _ work: @escaping @Sendable (StoreNode, @escaping @Sendable (Int) -> Void) async throws -> Void
    ) async throws {
        let bar = ProgressBar(total: count)
        let started = ContinuousClock.now
        try await withStore(storage) { node in try await work(node, { bar.show($0) }) }
        bar.finish()
        print("seeded \(count) \(what) in \(started.duration(to: .now))")
    }
}
