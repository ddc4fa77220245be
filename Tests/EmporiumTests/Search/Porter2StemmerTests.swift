import Testing

@testable import EmporiumSearch

/// Word → stem pairs by rule of the English (Porter2) stemming algorithm, each checked against the Snowball
/// project's own implementation of it.
@Suite("Porter2 stemmer", .timeLimit(.minutes(1)))
struct Porter2StemmerTests {
    let stemmer = Porter2Stemmer()

    static let exceptionalForms: [(String, String)] = [
        ("skis", "ski"), ("skies", "sky"), ("dying", "die"), ("lying", "lie"), ("tying", "tie"),
        ("idly", "idl"), ("gently", "gentl"), ("ugly", "ugli"), ("early", "earli"), ("only", "onli"),
        ("singly", "singl"), ("sky", "sky"), ("news", "news"), ("howe", "howe"), ("atlas", "atlas"),
        ("cosmos", "cosmos"), ("bias", "bias"), ("andes", "andes"),
    ]

    /// Left as they are once step 1a has removed a plural s.
    static let invariantAfterStep1a: [(String, String)] = [
        ("inning", "inning"), ("innings", "inning"), ("outing", "outing"), ("outings", "outing"),
        ("canning", "canning"), ("cannings", "canning"), ("herring", "herring"), ("herrings", "herring"),
        ("earring", "earring"), ("earrings", "earring"), ("proceed", "proceed"), ("proceeds", "proceed"),
        ("exceed", "exceed"), ("exceeds", "exceed"), ("succeed", "succeed"),
    ]

    /// Apostrophes, consonant y marked as Y (and back), and the regions after gener, commun and arsen.
    static let preludeAndRegions: [(String, String)] = [
        ("dog's", "dog"), ("dogs'", "dog"), ("children's", "children"), ("ladies'", "ladi"), ("'quoted", "quot"),
        ("'tis", "tis"), ("o'clock", "o'clock"),
        ("yes", "yes"), ("youth", "youth"), ("boys", "boy"), ("sayings", "say"), ("player", "player"),
        ("toys", "toy"), ("obeyed", "obey"), ("employ", "employ"),
        ("generate", "generat"), ("generals", "general"), ("generously", "generous"),
        ("communism", "communism"), ("community", "communiti"), ("arsenal", "arsenal"), ("arsenic", "arsenic"),
    ]

    static let step1a: [(String, String)] = [
        ("caresses", "caress"), ("ponies", "poni"), ("ties", "tie"), ("cries", "cri"), ("dies", "die"),
        ("tied", "tie"), ("cried", "cri"), ("cats", "cat"), ("gaps", "gap"), ("kiwis", "kiwi"), ("gas", "gas"),
        ("bus", "bus"), ("stress", "stress"), ("class", "class"), ("hiss", "hiss"),
    ]

    static let step1b: [(String, String)] = [
        ("feed", "feed"), ("agreed", "agre"), ("bleed", "bleed"), ("plastered", "plaster"), ("motoring", "motor"),
        ("sing", "sing"), ("hopping", "hop"), ("hoping", "hope"), ("luxuriated", "luxuri"), ("conflated", "conflat"),
        ("troubled", "troubl"), ("sized", "size"), ("hissing", "hiss"), ("filing", "file"), ("failing", "fail"),
        ("fizzed", "fizz"), ("falling", "fall"), ("controlling", "control"), ("tanned", "tan"),
        ("fitting", "fit"), ("bled", "bled"), ("needed", "need"), ("reportedly", "report"),
        ("exceedingly", "exceed"), ("surprisingly", "surpris"),
    ]

    static let step1c: [(String, String)] = [
        ("happy", "happi"), ("cry", "cri"), ("crying", "cri"), ("flying", "fli"), ("spy", "spi"), ("say", "say"),
        ("enjoy", "enjoy"), ("by", "by"),
    ]

    static let step2: [(String, String)] = [
        ("relational", "relat"), ("conditional", "condit"), ("rational", "ration"), ("valency", "valenc"),
        ("hesitancy", "hesit"), ("digitizer", "digit"), ("conformably", "conform"), ("radically", "radic"),
        ("differently", "differ"), ("vilely", "vile"), ("analogously", "analog"), ("vietnamization", "vietnam"),
        ("predication", "predic"), ("operator", "oper"), ("feudalism", "feudal"), ("decisiveness", "decis"),
        ("hopefulness", "hope"), ("callousness", "callous"), ("formality", "formal"), ("sensitivity", "sensit"),
        ("sensibility", "sensibl"), ("archaeology", "archaeolog"), ("geology", "geolog"), ("fully", "fulli"),
        ("carelessly", "careless"), ("hopefully", "hope"), ("generically", "generic"), ("knightly", "knight"),
    ]

    static let step3: [(String, String)] = [
        ("triplicate", "triplic"), ("formative", "format"), ("formalize", "formal"), ("electricity", "electr"),
        ("electrical", "electr"), ("hopeful", "hope"), ("goodness", "good"), ("dramatically", "dramat"),
    ]

    static let step4: [(String, String)] = [
        ("revival", "reviv"), ("allowance", "allow"), ("inference", "infer"), ("airliner", "airlin"),
        ("gyroscopic", "gyroscop"), ("adjustable", "adjust"), ("defensible", "defens"), ("irritant", "irrit"),
        ("replacement", "replac"), ("adjustment", "adjust"), ("dependent", "depend"), ("adoption", "adopt"),
        ("homologous", "homolog"), ("activate", "activ"), ("angularity", "angular"), ("effective", "effect"),
        ("bowdlerize", "bowdler"), ("controllable", "control"),
    ]

    static let step5: [(String, String)] = [
        ("probate", "probat"), ("rate", "rate"), ("cease", "ceas"), ("controll", "control"), ("roll", "roll"),
        ("rolling", "roll"), ("kneel", "kneel"),
    ]

    /// What shoppers type and products are called.
    static let storeWords: [(String, String)] = [
        ("phones", "phone"), ("phone", "phone"), ("headphones", "headphon"), ("wireless", "wireless"),
        ("running", "run"), ("runner", "runner"), ("shoes", "shoe"), ("knives", "knive"), ("batteries", "batteri"),
        ("consign", "consign"), ("consigned", "consign"), ("consigning", "consign"), ("consignment", "consign"),
        ("consolation", "consol"), ("laptops", "laptop"), ("chargers", "charger"), ("bluetooth", "bluetooth"),
        ("keyboards", "keyboard"), ("speakers", "speaker"), ("sneakers", "sneaker"), ("accessories", "accessori"),
        ("cameras", "camera"), ("jewellery", "jewelleri"),
    ]

    /// Words of the Snowball project's English test vocabulary (snowball-data, english/voc.txt and output.txt).
    static let snowballVocabulary: [(String, String)] = [
        ("ember", "ember"), ("embers", "ember"), ("embitter", "embitt"), ("embittered", "embitt"),
        ("emblaze", "emblaz"), ("emblazoned", "emblazon"), ("emblems", "emblem"), ("embodied", "embodi"),
        ("embodiment", "embodi"), ("emboldened", "embolden"), ("emboss", "emboss"), ("embossed", "emboss"),
        ("embounded", "embound"), ("embowed", "embow"), ("embowell", "embowel"), ("embrace", "embrac"),
        ("embracement", "embrac"), ("embracer", "embrac"), ("embracing", "embrac"), ("embrasures", "embrasur"),
        ("embroidering", "embroid"), ("embroidery", "embroideri"), ("embryo", "embryo"), ("emendations", "emend"),
        ("emerald", "emerald"), ("emerge", "emerg"), ("emergencies", "emerg"), ("emergency", "emerg"),
        ("emigrants", "emigr"), ("emigration", "emigr"), ("emily", "emili"), ("eminence", "emin"),
        ("eminently", "emin"), ("emissaries", "emissari"), ("emitted", "emit"), ("emitting", "emit"),
        ("emmy", "emmi"), ("emnity", "emniti"), ("emollient", "emolli"), ("emoluments", "emolu"),
        ("emotional", "emot"), ("empale", "empal"), ("emperal", "emper"), ("emperess", "emperess"),
        ("emperial", "emperi"), ("empery", "emperi"), ("emphasis", "emphasi"), ("emphasise", "emphasis"),
        ("emphasizing", "emphas"), ("emphatically", "emphat"), ("empiricutic", "empiricut"),
        ("empleached", "empleach"), ("employer", "employ"), ("employments", "employ"), ("empoison", "empoison"),
        ("emporium", "emporium"), ("emporiums", "emporium"), ("empowered", "empow"), ("empress", "empress"),
        ("emptied", "empti"), ("emptier", "emptier"), ("emptiness", "empti"), ("empty", "empti"),
        ("emptying", "empti"), ("ems", "em"), ("emus", "emus"), ("enable", "enabl"), ("enactures", "enactur"),
        ("enamelled", "enamel"), ("encased", "encas"), ("enchantingly", "enchant"), ("enchantress", "enchantress"),
        ("enchas", "encha"), ("enclos", "enclo"), ("encloseth", "encloseth"), ("enclosures", "enclosur"),
        ("encompasseth", "encompasseth"), ("encompassment", "encompass"), ("encoring", "encor"),
        ("encorporal", "encorpor"), ("encouragement", "encourag"), ("encouragingly", "encourag"),
        ("encrimsoned", "encrimson"), ("endamagement", "endamag"), ("endangering", "endang"),
        ("endearments", "endear"), ("endeavoured", "endeavour"), ("endemic", "endem"), ("enderby", "enderbi"),
        ("endings", "end"), ("endite", "endit"), ("endlessly", "endless"), ("endurable", "endur"),
        ("endurance", "endur"), ("eneas", "enea"), ("enemies", "enemi"), ("energetically", "energet"),
        ("energies", "energi"), ("enervated", "enerv"), ("enfeebled", "enfeebl"), ("enforcedly", "enforc"),
        ("enfranchis", "enfranchi"), ("enfreed", "enfre"), ("enfreedoming", "enfreedom"), ("engaging", "engag"),
        ("engagingness", "engaging"), ("engluts", "englut"), ("engraffed", "engraf"), ("enigmatical", "enigmat"),
        ("enjoyable", "enjoy"), ("enjoyingly", "enjoy"), ("ennobles", "ennobl"), ("enormity", "enorm"),
        ("enormously", "enorm"), ("enrings", "enr"), ("enskied", "enski"), ("entirety", "entireti"),
        ("entomological", "entomolog"), ("entomologist", "entomologist"), ("entomostracous", "entomostrac"),
        ("entreaties", "entreati"), ("entreaty", "entreati"), ("enviable", "enviabl"), ("envied", "envi"),
        ("envious", "envious"), ("environment", "environ"), ("epidemics", "epidem"), ("epilepsy", "epilepsi"),
        ("epistolarily", "epistolarili"), ("equanimity", "equanim"), ("equatorial", "equatori"),
        ("equerries", "equerri"), ("equidistant", "equidist"), ("equinoctial", "equinocti"), ("equity", "equiti"),
        ("equivalent", "equival"), ("eradicated", "erad"), ("erhasty", "erhasti"), ("erroneous", "erron"),
        ("erudition", "erudit"), ("erysipelas", "erysipela"), ("especially", "especi"),
        ("espieglerie", "espiegleri"), ("essentially", "essenti"), ("estimable", "estim"),
        ("estuaries", "estuari"), ("eternally", "etern"), ("etymology", "etymolog"),
        ("euphorbiaceae", "euphorbiacea"), ("evangelical", "evangel"), ("evaporation", "evapor"),
        ("everybody", "everybodi"), ("everything", "everyth"), ("evidently", "evid"), ("exactitude", "exactitud"),
        ("exceeding", "exceed"), ("excellently", "excel"), ("exceptionable", "exception"),
        ("excommunicated", "excommun"), ("executioner", "execution"), ("exemplary", "exemplari"),
        ("exhaustless", "exhaustless"), ("expediency", "expedi"), ("expeditiously", "expediti"),
        ("experimental", "experiment"), ("explanatory", "explanatori"), ("extraordinarily", "extraordinarili"),
        ("extravagance", "extravag"), ("fabulous", "fabul"), ("facetiously", "faceti"), ("facilitated", "facilit"),
        ("factionary", "factionari"), ("faithfully", "faith"), ("falsifying", "falsifi"),
        ("familiarity", "familiar"), ("fanciful", "fanci"), ("fantastically", "fantast"),
        ("fashionable", "fashion"), ("fearfully", "fear"), ("feebly", "feebli"), ("fellowship", "fellowship"),
        ("festivities", "festiv"), ("fictitious", "fictiti"), ("fiddlesticks", "fiddlestick"),
    ]

    static let allPairs: [(String, String)] =
        exceptionalForms + invariantAfterStep1a + preludeAndRegions + step1a + step1b + step1c + step2 + step3
        + step4 + step5 + storeWords + snowballVocabulary

    /// Words the stemmer leaves alone: too short, or not only lowercase ASCII letters and apostrophes.
    static let unchangedWords = [
        "", "a", "is", "by", "'s", "ox", "café", "naïve", "größe", "cafés", "naïvely", "Running", "PHONES",
        "mp3", "usb-c", "4k", "t-shirts", "running shoes", "phones\n", "日本語", "ｐｈｏｎｅｓ",
    ]

    private func expectStems(_ pairs: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) {
        for (word, stem) in pairs {
            #expect(stemmer.stem(word) == stem, "\(word)", sourceLocation: sourceLocation)
        }
    }

    /// The stem of `word` by the byte API, appended after `prefix`.
    private func stemBytes(_ word: String, after prefix: [UInt8] = []) -> [UInt8] {
        var output = prefix
        Array(word.utf8).withUnsafeBufferPointer { stemmer.stem($0, into: &output) }
        return output
    }

    @Test func exceptionalForms() { expectStems(Self.exceptionalForms) }
    @Test func wordsLeftAsTheyAreAfterStep1a() { expectStems(Self.invariantAfterStep1a) }
    @Test func apostrophesConsonantYAndRegions() { expectStems(Self.preludeAndRegions) }
    @Test func step1a() { expectStems(Self.step1a) }
    @Test func step1b() { expectStems(Self.step1b) }
    @Test func step1c() { expectStems(Self.step1c) }
    @Test func step2() { expectStems(Self.step2) }
    @Test func step3() { expectStems(Self.step3) }
    @Test func step4() { expectStems(Self.step4) }
    @Test func step5() { expectStems(Self.step5) }
    @Test func storeWords() { expectStems(Self.storeWords) }
    @Test func snowballVocabulary() { expectStems(Self.snowballVocabulary) }

    @Test func enoughPairs() {
        #expect(Self.allPairs.count >= 80)
    }

    @Test func shortAndNonASCIIWordsComeBackUnchanged() {
        for word in Self.unchangedWords {
            #expect(stemmer.stem(word) == word, "\(word)")
            #expect(stemBytes(word) == Array(word.utf8), "\(word)")
        }
    }

    @Test func bytesAgreeWithString() {
        let prefix = Array("stems: ".utf8)
        for (word, _) in Self.allPairs {
            let stem = stemmer.stem(word)
            #expect(stemBytes(word) == Array(stem.utf8), "\(word)")
            #expect(stemBytes(word, after: prefix) == prefix + Array(stem.utf8), "\(word)")
        }
    }

    @Test func bytesAppendWithinReservedCapacity() {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        let capacity = output.capacity
        for (word, stem) in Self.allPairs.prefix(20) {
            output.removeAll(keepingCapacity: true)
            Array(word.utf8).withUnsafeBufferPointer { stemmer.stem($0, into: &output) }
            #expect(output == Array(stem.utf8), "\(word)")
            #expect(output.capacity == capacity, "\(word)")
        }
    }

    /// Deterministic random words of letters and apostrophes: the stem is never longer than the word,
    /// and both entry points agree.
    @Test func randomWordsBothWaysAgree() {
        var generator = SplitMix64(seed: 0x5EED)
        let letters = Array("aeiouybcdlstnrgwxyz'".utf8)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 12)
            let word = String(
                decoding: (0..<length).map { _ in letters[Int(generator.next() % UInt64(letters.count))] },
                as: UTF8.self)
            let stem = stemmer.stem(word)
            #expect(stem.utf8.count <= word.utf8.count, "\(word)")
            #expect(stemBytes(word) == Array(stem.utf8), "\(word)")
        }
    }
}

/// A small seeded generator, so that the random words are the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
