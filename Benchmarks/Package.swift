// swift-tools-version:6.1
import Foundation
import PackageDescription

// A path dependency is named after its folder, whatever the clone is called.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// Micro-benchmarks, kept out of the main package so its build and tests stay lean.
// Run: swift package benchmark   (release build; `--filter` to pick some)
let package = Package(
    name: "EmporiumBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EmporiumBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Emporium", package: mainPackage),
            ],
            path: "Benchmarks/EmporiumBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
