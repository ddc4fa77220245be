// Steps 4 and 5 of the Porter2 stemmer (see Porter2Stemmer+Steps.swift for steps 1a to 3, and Porter2Stemmer.swift for the algorithm).

extension Porter2Stemmer.Word {
    /// al, ance, ence, er, ic, able, ible, ant, ement, ment, ent, ism, ate, iti, ous, ive, ize → deleted,
    /// and ion after s or t; all in R2.
    mutating func step4() {
        guard count >= 2 else { return }
        let suffix: Int
        switch bytes[count - 1] {
        case UInt8(ascii: "l"):
            guard ends(with: "al") else { return }
            suffix = 2
        case UInt8(ascii: "e"):
            if ends(with: "ance") || ends(with: "ence") || ends(with: "able") || ends(with: "ible") {
                suffix = 4
            } else if ends(with: "ate") || ends(with: "ive") || ends(with: "ize") {
                suffix = 3
            } else {
                return
            }
        case UInt8(ascii: "r"):
            guard ends(with: "er") else { return }
            suffix = 2
        case UInt8(ascii: "c"):
            guard ends(with: "ic") else { return }
            suffix = 2
        case UInt8(ascii: "t"):
            if ends(with: "ement") {
                suffix = 5
            } else if ends(with: "ment") {
                suffix = 4
            } else if ends(with: "ent") || ends(with: "ant") {
                suffix = 3
            } else {
                return
            }
        case UInt8(ascii: "m"):
            guard ends(with: "ism") else { return }
            suffix = 3
        case UInt8(ascii: "i"):
            guard ends(with: "iti") else { return }
            suffix = 3
        case UInt8(ascii: "s"):
            guard ends(with: "ous") else { return }
            suffix = 3
        case UInt8(ascii: "n"):
            guard ends(with: "ion"), count >= 4,
                bytes[count - 4] == UInt8(ascii: "s") || bytes[count - 4] == UInt8(ascii: "t")
            else { return }
            suffix = 3
        default:
            return
        }
        if count - suffix >= r2 { count -= suffix }
    }

    /// A final e → deleted in R2, or in R1 when not after a short syllable; a final l → deleted in R2 after l.
    mutating func step5() {
        guard count >= 1 else { return }
        let stem = count - 1
        switch bytes[stem] {
        case UInt8(ascii: "e"):
            if stem >= r2 || (stem >= r1 && !endsInShortSyllable(at: stem)) { count = stem }
        case UInt8(ascii: "l"):
            if stem >= r2 && stem >= 1 && bytes[stem - 1] == UInt8(ascii: "l") { count = stem }
        default:
            return
        }
    }
}
