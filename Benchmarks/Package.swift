// swift-tools-version:6.1
import Foundation
import PackageDescription

// A path dependency is named after its folder, whatever the clone is called.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent

// Micro-benchmarks and the HTTP load generator, kept out of the main package so its build and tests stay lean.
// Run: swift package benchmark   (release build; `--filter` to pick some)
//      swift run -c release emporium-load --help
let package = Package(
    name: "EmporiumBenchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "emporium-load", targets: ["EmporiumLoad"]),
        .executable(name: "webhook-receiver", targets: ["WebhookReceiver"]),
    ],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "EmporiumBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Emporium", package: mainPackage),
                .product(name: "EmporiumSearch", package: mainPackage),
            ],
            path: "Benchmarks/EmporiumBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // emporium-load: drives a running node over HTTP (checkout, browse, flash-sale) and reports
        // throughput, latency percentiles and the ratio to /health/live. Talks only HTTP: no Emporium import.
        .executableTarget(
            name: "EmporiumLoad",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/EmporiumLoad"
        ),
        // webhook-receiver: HTTP endpoints on 127.0.0.1 that record each delivery's lag, for bench/webhooks.sh.
        .executableTarget(
            name: "WebhookReceiver",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/WebhookReceiver"
        ),
    ]
)
