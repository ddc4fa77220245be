/// Invented words and brand names for the synthetic catalog, built from syllables so they read like words.
enum SyntheticWords {
    private static let onsets = [
        "b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "kl", "l", "m",
        "n", "p", "pl", "pr", "r", "s", "sh", "sk", "st", "t", "tr", "v", "w", "z",
    ]
    private static let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"]
    private static let codas = ["", "", "", "n", "r", "l", "s", "m", "x", "th", "nd", "rk", "st"]
    private static let brandEndings = [
        "", "", "", "", " & Co", " Labs", " Works", " Supply", " Goods", " Studio",
        " Outfitters", " House",
    ]

    /// `count` distinct invented words of two or three syllables, none of them in `taken`.
    static func inventedWords(count: Int, avoiding taken: Set<String>, random: inout SeedRandom) -> [String] {
        var seen = taken
        var words: [String] = []
        words.reserveCapacity(count)
        while words.count < count {
            let word = inventedWord(syllables: 2 + random.below(2), random: &random)
            if seen.insert(word).inserted { words.append(word) }
        }
        return words
    }

    /// `count` distinct brand names such as "Velora" or "Brinmark Works".
    static func brands(count: Int, random: inout SeedRandom) -> [String] {
        var seen: Set<String> = []
        var brands: [String] = []
        brands.reserveCapacity(count)
        while brands.count < count {
            let word = inventedWord(syllables: 2 + random.below(2), random: &random)
            let brand = capitalized(word) + brandEndings[random.below(brandEndings.count)]
            if seen.insert(brand).inserted { brands.append(brand) }
        }
        return brands
    }

    static func capitalized(_ word: String) -> String {
        word.prefix(1).uppercased() + word.dropFirst()
    }

    private static func inventedWord(syllables: Int, random: inout SeedRandom) -> String {
        var word = ""
        for syllable in 0..<syllables {
            word += onsets[random.below(onsets.count)]
            word += vowels[random.below(vowels.count)]
            // Closing only the last syllable keeps the words pronounceable.
            if syllable == syllables - 1 { word += codas[random.below(codas.count)] }
        }
        return word
    }
}
