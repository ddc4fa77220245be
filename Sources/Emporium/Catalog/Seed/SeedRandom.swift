import Foundation

/// SplitMix64: a tiny, fast generator whose whole future is fixed by one 64-bit state.
struct SeedRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// A generator for one item of a catalog, independent of every other item's.
    init(seed: UInt64, index: Int) {
        state = Self.mix(seed ^ Self.mix(UInt64(truncatingIfNeeded: index) &+ 0x632B_E59B_D9B4_E019))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform value in 0..<1, from the top 53 bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform value in 0..<bound, by multiply-shift: cheaper than modulo, bias far below what matters here.
    mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Picks ranks with Zipf-like odds (rank r weighs 1 / (r + 1)^exponent): a few very common, a long tail.
struct ZipfTable: Sendable {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        precondition(count > 0)
        var running = 0.0
        var table: [Double] = []
        table.reserveCapacity(count)
        for rank in 0..<count {
            running += 1 / pow(Double(rank + 1), exponent)
            table.append(running)
        }
        cumulative = table.map { $0 / running }
    }

    var count: Int { cumulative.count }

    /// The rank whose slice of the cumulative odds holds `unit` (a value in 0..<1).
    func rank(for unit: Double) -> Int {
        cumulative.withUnsafeBufferPointer { table in
            var low = 0
            var high = table.count - 1
            while low < high {
                let middle = (low + high) >> 1
                if table[middle] > unit { high = middle } else { low = middle + 1 }
            }
            return low
        }
    }

    func draw(_ random: inout SeedRandom) -> Int {
        rank(for: random.unit())
    }
}
