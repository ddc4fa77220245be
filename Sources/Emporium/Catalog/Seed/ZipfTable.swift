import Foundation

/// Picks ranks with Zipf-like odds (rank r weighs 1 / (r + 1)^exponent): a few very common, a long tail.
struct ZipfTable: Sendable {
    private let cumulative: [Double]
    /// For each of a few thousand equal slices of 0..<1, the first rank whose cumulative odds reach into it,
    /// so that a draw binary-searches a handful of ranks rather than all of them.
    private let guide: [Int32]

    init(count: Int, exponent: Double) {
        precondition(count > 0)
        var running = 0.0
        var table: [Double] = []
        table.reserveCapacity(count)
        for rank in 0..<count {
            running += 1 / pow(Double(rank + 1), exponent)
            table.append(running)
        }
        var cumulative = table.map { $0 / running }
        // Rounding must not leave a sliver above the last rank.
        cumulative[count - 1] = 1
        self.cumulative = cumulative

        let slices = 2 * count
        var guide: [Int32] = []
        guide.reserveCapacity(slices)
        var rank = 0
        for slice in 0..<slices {
            let start = Double(slice) / Double(slices)
            while cumulative[rank] <= start { rank += 1 }
            guide.append(Int32(rank))
        }
        self.guide = guide
    }

    var count: Int { cumulative.count }

    /// The first rank whose cumulative odds exceed `unit` (a value in 0..<1).
    func rank(for unit: Double) -> Int {
        guide.withUnsafeBufferPointer { guide in
            cumulative.withUnsafeBufferPointer { table in
                let slice = min(Int(unit * Double(guide.count)), guide.count - 1)
                var low = Int(guide[slice])
                var high = slice + 1 < guide.count ? Int(guide[slice + 1]) : table.count - 1
                while low < high {
                    let middle = (low + high) >> 1
                    if table[middle] > unit { high = middle } else { low = middle + 1 }
                }
                return low
            }
        }
    }

    func draw(_ random: inout SeedRandom) -> Int {
        rank(for: random.unit())
    }
}
