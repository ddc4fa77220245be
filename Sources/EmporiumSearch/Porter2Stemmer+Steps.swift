// Steps 1a to 3 of the Porter2 stemmer (see Porter2Stemmer.swift). Each step looks for the longest of its
// suffixes the word ends with (dispatching on the last letters, longest first) and, when that suffix's
// condition fails, leaves the word alone rather than trying a shorter suffix.

extension Porter2Stemmer.Word {
    /// Removes a final `'s'`, `'s` or `'`, then: sses → ss; ied, ies → i after 2 letters or more, else ie;
    /// ss, us → unchanged; s → deleted when a vowel comes before the letter before it.
    mutating func step1a() {
        if ends(with: "'s'") {
            count -= 3
        } else if ends(with: "'s") {
            count -= 2
        } else if ends(with: "'") {
            count -= 1
        }
        guard count >= 2 else { return }
        switch bytes[count - 1] {
        case UInt8(ascii: "s"):
            if ends(with: "sses") {
                count -= 2
            } else if ends(with: "ies") {
                count -= count >= 5 ? 2 : 1
            } else if ends(with: "ss") || ends(with: "us") {
                return
            } else if hasVowel(before: count - 2) {
                count -= 1
            }
        case UInt8(ascii: "d"):
            if ends(with: "ied") { count -= count >= 5 ? 2 : 1 }
        default:
            return
        }
    }

    /// eed, eedly → ee in R1; ed, edly, ing, ingly → deleted after a vowel, then at, bl, iz → +e,
    /// a double consonant → single, a short word → +e.
    mutating func step1b() {
        guard count >= 2 else { return }
        let suffix: Int
        switch bytes[count - 1] {
        case UInt8(ascii: "d"):
            if ends(with: "eed") {
                if count - 3 >= r1 { count -= 1 }
                return
            }
            guard ends(with: "ed") else { return }
            suffix = 2
        case UInt8(ascii: "g"):
            guard ends(with: "ing") else { return }
            suffix = 3
        case UInt8(ascii: "y"):
            if ends(with: "eedly") {
                if count - 5 >= r1 { count -= 3 }
                return
            }
            if ends(with: "ingly") {
                suffix = 5
            } else if ends(with: "edly") {
                suffix = 4
            } else {
                return
            }
        default:
            return
        }
        guard hasVowel(before: count - suffix) else { return }
        count -= suffix
        if ends(with: "at") || ends(with: "bl") || ends(with: "iz") {
            appendE()
        } else if endsWithDoubleConsonant() {
            count -= 1
        } else if count == r1 && endsInShortSyllable(at: count) {
            appendE()
        }
    }

    /// Appends an `e`, after a suffix of 2 letters or more was removed: the word stays within its bytes.
    @inline(__always) private mutating func appendE() {
        bytes[count] = UInt8(ascii: "e")
        count += 1
    }

    /// bb, dd, ff, gg, mm, nn, pp, rr or tt.
    private func endsWithDoubleConsonant() -> Bool {
        guard count >= 2, bytes[count - 1] == bytes[count - 2] else { return false }
        switch bytes[count - 1] {
        case UInt8(ascii: "b"), UInt8(ascii: "d"), UInt8(ascii: "f"), UInt8(ascii: "g"), UInt8(ascii: "m"),
            UInt8(ascii: "n"), UInt8(ascii: "p"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return true
        default:
            return false
        }
    }

    /// A final y or Y after a non-vowel that is not the first letter → i.
    mutating func step1c() {
        guard count >= 3 else { return }
        let last = bytes[count - 1]
        if (last == UInt8(ascii: "y") || last == UInt8(ascii: "Y")) && !Self.isVowel(bytes[count - 2]) {
            bytes[count - 1] = UInt8(ascii: "i")
        }
    }

    /// Replaces the last `length` bytes by `replacement` when they lie in R1.
    @inline(__always) private mutating func replaceInR1(_ length: Int, with replacement: StaticString) {
        if count - length >= r1 { replaceLast(length, with: replacement) }
    }

    /// tional → tion, enci → ence, anci → ance, abli → able, entli → ent, izer, ization → ize,
    /// ational, ation, ator → ate, alism, aliti, alli → al, fulness → ful, ousli, ousness → ous,
    /// iveness, iviti → ive, biliti, bli → ble, ogi → og after l, fulli → ful, lessli → less,
    /// li → deleted after c, d, e, g, h, k, m, n, r or t; all in R1.
    mutating func step2() {
        guard count >= 2 else { return }
        switch bytes[count - 1] {
        case UInt8(ascii: "l"):
            if ends(with: "ational") {
                replaceInR1(7, with: "ate")
            } else if ends(with: "tional") {
                replaceInR1(6, with: "tion")
            }
        case UInt8(ascii: "n"):
            if ends(with: "ization") {
                replaceInR1(7, with: "ize")
            } else if ends(with: "ation") {
                replaceInR1(5, with: "ate")
            }
        case UInt8(ascii: "r"):
            if ends(with: "izer") {
                replaceInR1(4, with: "ize")
            } else if ends(with: "ator") {
                replaceInR1(4, with: "ate")
            }
        case UInt8(ascii: "m"):
            if ends(with: "alism") { replaceInR1(5, with: "al") }
        case UInt8(ascii: "s"):
            if ends(with: "iveness") {
                replaceInR1(7, with: "ive")
            } else if ends(with: "fulness") {
                replaceInR1(7, with: "ful")
            } else if ends(with: "ousness") {
                replaceInR1(7, with: "ous")
            }
        case UInt8(ascii: "i"):
            step2EndingInI()
        default:
            return
        }
    }

    private mutating func step2EndingInI() {
        switch bytes[count - 2] {
        case UInt8(ascii: "c"):
            if ends(with: "enci") {
                replaceInR1(4, with: "ence")
            } else if ends(with: "anci") {
                replaceInR1(4, with: "ance")
            }
        case UInt8(ascii: "g"):
            if ends(with: "ogi") && count - 3 >= r1 && count >= 4 && bytes[count - 4] == UInt8(ascii: "l") {
                count -= 1
            }
        case UInt8(ascii: "t"):
            if ends(with: "biliti") {
                replaceInR1(6, with: "ble")
            } else if ends(with: "aliti") {
                replaceInR1(5, with: "al")
            } else if ends(with: "iviti") {
                replaceInR1(5, with: "ive")
            }
        case UInt8(ascii: "l"):
            if ends(with: "lessli") {
                replaceInR1(6, with: "less")
            } else if ends(with: "fulli") {
                replaceInR1(5, with: "ful")
            } else if ends(with: "ousli") {
                replaceInR1(5, with: "ous")
            } else if ends(with: "entli") {
                replaceInR1(5, with: "ent")
            } else if ends(with: "abli") {
                replaceInR1(4, with: "able")
            } else if ends(with: "alli") {
                replaceInR1(4, with: "al")
            } else if ends(with: "bli") {
                replaceInR1(3, with: "ble")
            } else if count - 2 >= r1 && count >= 3 && Self.isValidLiEnding(bytes[count - 3]) {
                count -= 2
            }
        default:
            return
        }
    }

    /// c, d, e, g, h, k, m, n, r or t.
    private static func isValidLiEnding(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "e"), UInt8(ascii: "g"), UInt8(ascii: "h"),
            UInt8(ascii: "k"), UInt8(ascii: "m"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            true
        default:
            false
        }
    }

    /// tional → tion, ational → ate, alize → al, icate, iciti, ical → ic, ful, ness → deleted, all in R1;
    /// ative → deleted in R2.
    mutating func step3() {
        guard count >= 3 else { return }
        switch bytes[count - 1] {
        case UInt8(ascii: "l"):
            if ends(with: "ational") {
                replaceInR1(7, with: "ate")
            } else if ends(with: "tional") {
                replaceInR1(6, with: "tion")
            } else if ends(with: "ical") {
                replaceInR1(4, with: "ic")
            } else if ends(with: "ful") {
                replaceInR1(3, with: "")
            }
        case UInt8(ascii: "e"):
            if ends(with: "icate") {
                replaceInR1(5, with: "ic")
            } else if ends(with: "alize") {
                replaceInR1(5, with: "al")
            } else if ends(with: "ative") {
                if count - 5 >= r2 { count -= 5 }
            }
        case UInt8(ascii: "i"):
            if ends(with: "iciti") { replaceInR1(5, with: "ic") }
        case UInt8(ascii: "s"):
            if ends(with: "ness") { replaceInR1(4, with: "") }
        default:
            return
        }
    }
}
