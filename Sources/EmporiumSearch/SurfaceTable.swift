/// Surface word → surface id, keyed by the word's UTF-8 bytes: indexing looks up every word of every document,
/// so this avoids making a `String` and hashing it with SipHash per word.
struct SurfaceTable {
    private var slots: [Int32]
    private var hashes: [UInt64]
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    private(set) var count = 0

    init(capacity: Int = 1 << 12) {
        slots = [Int32](repeating: -1, count: capacity)
        hashes = [UInt64](repeating: 0, count: capacity)
    }

    static func hash(_ word: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in word {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The id of `word`, if known.
    func find(_ word: UnsafeBufferPointer<UInt8>) -> Int32? {
        let hash = Self.hash(word)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return nil }
            if hashes[slot] == hash, matches(Int(id), word) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `word` as the next id (the caller checked it is new); the id.
    mutating func insert(_ word: UnsafeBufferPointer<UInt8>) -> Int32 {
        if (count + 1) * 2 > slots.count { grow() }
        let id = Int32(count)
        bytes.append(contentsOf: word)
        starts.append(bytes.count)
        count += 1
        place(id, hash: Self.hash(word))
        return id
    }

    private func matches(_ id: Int, _ word: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[id]
        let end = starts[id + 1]
        guard end - start == word.count else { return false }
        for offset in 0..<word.count where bytes[start + offset] != word[offset] { return false }
        return true
    }

    private mutating func place(_ id: Int32, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = id
        hashes[slot] = hash
    }

    private mutating func grow() {
        let old = zip(slots, hashes).filter { $0.0 >= 0 }
        slots = [Int32](repeating: -1, count: slots.count * 2)
        hashes = [UInt64](repeating: 0, count: hashes.count * 2)
        for (id, hash) in old { place(id, hash: hash) }
    }
}
