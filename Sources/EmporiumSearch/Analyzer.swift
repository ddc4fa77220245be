/// Turns text into index terms, the same way for documents and queries: lowercase, diacritics folded,
/// split on anything but letters and digits, then stemmed (Porter2).
public struct Analyzer: Sendable {
    let stemmer = Porter2Stemmer()

    public init() {}

    /// The folded words of `text`, unstemmed (what prefix and typo matching compare against).
    public func words(_ text: String) -> [String] {
        var words: [String] = []
        forEachWord(text) { words.append(String(decoding: $0, as: UTF8.self)) }
        return words
    }

    /// Calls `body` with each folded word's UTF-8 bytes; the buffer is only valid during the call.
    public func forEachWord(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = text
        let handled = text.withUTF8 { bytes -> Bool in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return false }
            forEachASCIIWord(bytes, body)
            return true
        }
        if !handled { forEachUnicodeWord(text, body) }
    }

    /// The common case, ASCII text: words are runs of letters and digits, lowercased in place.
    private func forEachASCIIWord(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { word in
            var length = 0
            func flush() {
                if length > 0 { body(UnsafeBufferPointer(rebasing: word[0..<length])) }
                length = 0
            }
            for byte in bytes {
                let lower: UInt8
                switch byte {
                case 0x61...0x7A, 0x30...0x39: lower = byte
                case 0x41...0x5A: lower = byte | 0x20
                default:
                    flush()
                    continue
                }
                // Words longer than 64 bytes are cut; no real search word is that long.
                if length < 64 {
                    word[length] = lower
                    length += 1
                }
            }
            flush()
        }
    }

    private func forEachUnicodeWord(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func flush() {
            if !word.isEmpty {
                word.withUnsafeBufferPointer(body)
                word.removeAll(keepingCapacity: true)
            }
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(value)
                switch byte {
                case 0x61...0x7A, 0x30...0x39: word.append(byte)
                case 0x41...0x5A: word.append(byte | 0x20)
                default: flush()
                }
            } else if let folded = Self.fold(value) {
                word.append(contentsOf: folded.utf8)
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                for character in String(scalar).lowercased().unicodeScalars {
                    word.append(contentsOf: String(character).utf8)
                }
            } else {
                flush()
            }
        }
        flush()
    }

    /// The stem of a folded word.
    public func stem(_ word: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        stemmer.stem(word, into: &output)
    }

    public func stem(_ word: String) -> String {
        var output: [UInt8] = []
        var bytes = Array(word.utf8)
        bytes.withUnsafeMutableBufferPointer { stem(UnsafeBufferPointer($0), into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Latin letters with diacritics, folded to ASCII ("é" → "e", "ß" → "ss", "æ" → "ae").
    static func fold(_ value: UInt32) -> String? {
        guard (0xC0...0x17F).contains(value) else { return nil }
        return latinFolds[Int(value - 0xC0)]
    }

    private static let latinFolds: [String?] = {
        // U+00C0 ... U+017F, in order; nil where the character is not a letter.
        let table = """
            a a a a a a ae c e e e e i i i i d n o o o o o - o u u u u y th ss \
            a a a a a a ae c e e e e i i i i d n o o o o o - o u u u u y th y \
            a a a a a a c c c c c c c c d d d d e e e e e e e e e e g g g g g g g g h h h h \
            i i i i i i i i i i ij ij j j k k k l l l l l l l l l l n n n n n n n n n o o o o o o oe oe \
            r r r r r r s s s s s s s s t t t t t t u u u u u u u u u u u u w w y y y z z z z z z s
            """
        return table.split(separator: " ").map { $0 == "-" ? nil : String($0) }
    }()
}
