/// Words packed into one byte array, so a title or a description is built with a single allocation.
struct WordList: Sendable {
    private let bytes: [UInt8]
    /// Where each word ends in `bytes`; it starts where the previous one ends.
    private let ends: [Int32]

    /// Words of ASCII letters only: titles capitalise them byte by byte.
    init(_ words: [String]) {
        var bytes: [UInt8] = []
        var ends: [Int32] = []
        ends.reserveCapacity(words.count)
        for word in words {
            let isLowercaseASCII = !word.isEmpty && word.utf8.allSatisfy { (0x61...0x7A).contains($0) }
            precondition(isLowercaseASCII, "\(word) is not lower-case ASCII")
            bytes += word.utf8
            ends.append(Int32(bytes.count))
        }
        self.bytes = bytes
        self.ends = ends
    }

    var count: Int { ends.count }

    /// The words with these ids, separated by spaces: each capitalised in a title, only the first in a sentence.
    func phrase(_ ids: UnsafeBufferPointer<Int32>, titleCase: Bool, period: Bool) -> String {
        ends.withUnsafeBufferPointer { ends in
            var length = ids.count - 1 + (period ? 1 : 0)
            for id in ids {
                length += Int(ends[Int(id)]) - (id == 0 ? 0 : Int(ends[Int(id) - 1]))
            }
            return bytes.withUnsafeBufferPointer { source in
                String(unsafeUninitializedCapacity: length) { buffer in
                    var at = 0
                    for (position, id) in ids.enumerated() {
                        if position > 0 {
                            buffer[at] = 0x20
                            at += 1
                        }
                        let start = id == 0 ? 0 : Int(ends[Int(id) - 1])
                        let end = Int(ends[Int(id)])
                        buffer[at] = position == 0 || titleCase ? source[start] - 0x20 : source[start]
                        for index in (start + 1)..<end {
                            at += 1
                            buffer[at] = source[index]
                        }
                        at += 1
                    }
                    if period {
                        buffer[at] = 0x2E
                        at += 1
                    }
                    return at
                }
            }
        }
    }
}
