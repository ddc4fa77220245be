// The English (Porter2, "Snowball English") stemmer, as defined at snowballstem.org, working in place
// on lowercase ASCII bytes. No Foundation: this runs for every token of every product indexed.
//
// This file holds the public API, the exceptional forms, the prelude (apostrophes, consonant `y` → `Y`),
// the regions R1/R2 and the postlude; `Porter2Stemmer+Steps.swift` holds steps 1a to 5.

/// The Porter2 (Snowball English) stemmer: "running" → "run", "phones" → "phone", "headphones" → "headphon".
public struct Porter2Stemmer: Sendable {
    public init() {}

    /// Stems a lowercase ASCII word; words of other characters, or shorter than 3 letters, come back unchanged.
    public func stem(_ word: String) -> String {
        switch word.utf8.withContiguousStorageIfAvailable({ Self.stemmed($0) }) {
        case .some(.some(let stem)): return stem
        case .some(.none): return word
        case .none:
            let bytes = Array(word.utf8)
            return bytes.withUnsafeBufferPointer { Self.stemmed($0) } ?? word
        }
    }

    /// The same on UTF-8 bytes, appending the stem to `output` (no allocation beyond `output`'s growth).
    public func stem(_ word: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.append(contentsOf: word)
        guard Self.isStemmable(word) else { return }
        let start = output.count - word.count
        let count = output.withUnsafeMutableBufferPointer { buffer in
            // Non-nil: `buffer` holds at least the 3 bytes just appended.
            Self.stemInPlace(buffer.baseAddress! + start, count: word.count)
        }
        output.removeLast(word.count - count)
    }

    /// Whether the stemmer works on `word` at all: 3 bytes or more, each `a`...`z` or `'`.
    static func isStemmable(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        guard word.count >= 3 else { return false }
        for byte in word where byte &- UInt8(ascii: "a") >= 26 && byte != UInt8(ascii: "'") {
            return false
        }
        return true
    }

    /// The stem of `word` as a new string, or nil when `word` comes back unchanged as it is not stemmable.
    private static func stemmed(_ word: UnsafeBufferPointer<UInt8>) -> String? {
        guard isStemmable(word), let source = word.baseAddress else { return nil }
        // A stem is never longer than its word, and strings of up to 15 bytes live inline: no allocation.
        return String(unsafeUninitializedCapacity: word.count) { buffer in
            guard let bytes = buffer.baseAddress else { return 0 }
            bytes.initialize(from: source, count: word.count)
            return stemInPlace(bytes, count: word.count)
        }
    }

    /// Stems the `count` bytes at `bytes` (a stemmable word) in place and returns the stem's length,
    /// which is never more than `count`.
    static func stemInPlace(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
        var word = Word(bytes: bytes, count: count)
        if word.replaceExceptionalForm() { return word.count }
        word.prelude()
        word.markRegions()
        word.step1a()
        if !word.isInvariantAfterStep1a() {
            word.step1b()
            word.step1c()
            word.step2()
            word.step3()
            word.step4()
            word.step5()
        }
        word.postlude()
        return word.count
    }
}

extension Porter2Stemmer {
    /// A word being stemmed in place: `bytes[0..<count]`, with its regions R1 = `r1...` and R2 = `r2...`
    /// (offsets fixed once the prelude is done, so they may lie past the end of a shortened word).
    struct Word {
        let bytes: UnsafeMutablePointer<UInt8>
        var count: Int
        var r1: Int
        var r2: Int
        /// Whether the prelude marked a consonant `y` as `Y`, for the postlude to undo.
        var hasMarkedY = false

        init(bytes: UnsafeMutablePointer<UInt8>, count: Int) {
            self.bytes = bytes
            self.count = count
            r1 = count
            r2 = count
        }

        // MARK: Letters

        /// a, e, i, o, u or y (a marked consonant `Y` is not a vowel).
        @inline(__always) static func isVowel(_ byte: UInt8) -> Bool {
            let index = byte &- UInt8(ascii: "a")
            // Bits 0 (a), 4 (e), 8 (i), 14 (o), 20 (u) and 24 (y).
            return index < 26 && (UInt32(0x0110_4111) >> UInt32(index)) & 1 != 0
        }

        /// Whether the word has a vowel somewhere in `bytes[0..<end]`.
        @inline(__always) func hasVowel(before end: Int) -> Bool {
            var index = 0
            while index < end {
                if Self.isVowel(bytes[index]) { return true }
                index += 1
            }
            return false
        }

        /// Whether `bytes[0..<end]` ends in a short syllable: a non-vowel other than w, x or Y after a vowel
        /// after a non-vowel; or, as the whole of it, a vowel then a non-vowel.
        @inline(__always) func endsInShortSyllable(at end: Int) -> Bool {
            if end >= 3 {
                let last = bytes[end - 1]
                return !Self.isVowel(last) && last != UInt8(ascii: "w") && last != UInt8(ascii: "x")
                    && last != UInt8(ascii: "Y") && Self.isVowel(bytes[end - 2]) && !Self.isVowel(bytes[end - 3])
            }
            return end == 2 && Self.isVowel(bytes[0]) && !Self.isVowel(bytes[1])
        }

        // MARK: Suffixes

        /// Whether the word ends with `suffix`.
        @inline(__always) func ends(with suffix: StaticString) -> Bool {
            let length = suffix.utf8CodeUnitCount
            guard count >= length else { return false }
            let letters = suffix.utf8Start
            let start = count - length
            var index = 0
            while index < length {
                if bytes[start + index] != letters[index] { return false }
                index += 1
            }
            return true
        }

        /// Whether the word is exactly `other`.
        @inline(__always) func isEqual(to other: StaticString) -> Bool {
            count == other.utf8CodeUnitCount && ends(with: other)
        }

        /// Replaces the word's last `length` bytes by `replacement`, which is never longer.
        @inline(__always) mutating func replaceLast(_ length: Int, with replacement: StaticString) {
            count -= length
            let letters = replacement.utf8Start
            for index in 0..<replacement.utf8CodeUnitCount {
                bytes[count] = letters[index]
                count += 1
            }
        }

        // MARK: Before and after the steps

        /// The exceptional forms, checked on the whole word first: replaces the word and returns true if it is one.
        mutating func replaceExceptionalForm() -> Bool {
            switch count {
            case 3:
                return isEqual(to: "sky")
            case 4:
                if isEqual(to: "skis") {
                    replaceLast(4, with: "ski")
                    return true
                }
                if isEqual(to: "idly") {
                    replaceLast(4, with: "idl")
                    return true
                }
                if isEqual(to: "ugly") {
                    replaceLast(4, with: "ugli")
                    return true
                }
                if isEqual(to: "only") {
                    replaceLast(4, with: "onli")
                    return true
                }
                return isEqual(to: "news") || isEqual(to: "howe") || isEqual(to: "bias")
            case 5:
                if isEqual(to: "skies") {
                    replaceLast(5, with: "sky")
                    return true
                }
                if isEqual(to: "dying") {
                    replaceLast(5, with: "die")
                    return true
                }
                if isEqual(to: "lying") {
                    replaceLast(5, with: "lie")
                    return true
                }
                if isEqual(to: "tying") {
                    replaceLast(5, with: "tie")
                    return true
                }
                if isEqual(to: "early") {
                    replaceLast(5, with: "earli")
                    return true
                }
                return isEqual(to: "atlas") || isEqual(to: "andes")
            case 6:
                if isEqual(to: "gently") {
                    replaceLast(6, with: "gentl")
                    return true
                }
                if isEqual(to: "singly") {
                    replaceLast(6, with: "singl")
                    return true
                }
                return isEqual(to: "cosmos")
            default:
                return false
            }
        }

        /// The words left as they are once step 1a is done.
        func isInvariantAfterStep1a() -> Bool {
            switch count {
            case 6: isEqual(to: "inning") || isEqual(to: "outing") || isEqual(to: "exceed")
            case 7:
                isEqual(to: "canning") || isEqual(to: "herring") || isEqual(to: "earring")
                    || isEqual(to: "proceed") || isEqual(to: "succeed")
            default: false
            }
        }

        /// Drops an initial apostrophe, then marks as `Y` an initial `y` and every `y` after a vowel.
        mutating func prelude() {
            if bytes[0] == UInt8(ascii: "'") {
                count -= 1
                for index in 0..<count { bytes[index] = bytes[index + 1] }
            }
            guard count > 0 else { return }
            if bytes[0] == UInt8(ascii: "y") {
                bytes[0] = UInt8(ascii: "Y")
                hasMarkedY = true
            }
            var index = 1
            while index < count {
                if bytes[index] == UInt8(ascii: "y") && Self.isVowel(bytes[index - 1]) {
                    bytes[index] = UInt8(ascii: "Y")
                    hasMarkedY = true
                }
                index += 1
            }
        }

        /// R1 starts after the first non-vowel that follows a vowel (or after gener, commun or arsen);
        /// R2 the same way within R1.
        mutating func markRegions() {
            var index: Int
            if startsWith("gener") || startsWith("arsen") {
                index = 5
            } else if startsWith("commun") {
                index = 6
            } else {
                guard let end = endOfVowelThenNonVowel(from: 0) else { return }
                index = end
            }
            r1 = index
            guard let end = endOfVowelThenNonVowel(from: index) else { return }
            r2 = end
        }

        /// The offset just past the first non-vowel that follows a vowel at or after `start`.
        private func endOfVowelThenNonVowel(from start: Int) -> Int? {
            var index = start
            while index < count && !Self.isVowel(bytes[index]) { index += 1 }
            guard index < count else { return nil }
            index += 1
            while index < count && Self.isVowel(bytes[index]) { index += 1 }
            guard index < count else { return nil }
            return index + 1
        }

        private func startsWith(_ prefix: StaticString) -> Bool {
            let length = prefix.utf8CodeUnitCount
            guard count >= length else { return false }
            let letters = prefix.utf8Start
            for index in 0..<length where bytes[index] != letters[index] { return false }
            return true
        }

        /// Turns the marked `Y`s back into `y`.
        mutating func postlude() {
            guard hasMarkedY else { return }
            for index in 0..<count where bytes[index] == UInt8(ascii: "Y") {
                bytes[index] = UInt8(ascii: "y")
            }
        }
    }
}
