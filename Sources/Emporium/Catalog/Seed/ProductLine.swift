/// A family of similar demo products: one product per model, each sold in a few choices of one option.
struct ProductLine {
    /// How a product of the line is titled.
    enum Naming {
        /// "Auralis Aria Wireless Headphones"
        case brandModelNoun
        /// "Maison Lumière Café Espresso Cups, Set of 4"
        case brandNounModel
        /// "The Salt Orchard": books and other things known by their own name.
        case modelOnly
    }

    let category: String
    /// Unique across the demo catalog, so that SKUs are.
    let code: String
    let noun: String
    let brands: [String]
    let models: [String]
    /// From the first model's price to the last's; both ends in x99 cents.
    let prices: ClosedRange<Int>
    let pitch: String
    let features: [String]
    var attributes: [String: String] = [:]
    var option: ProductOption = .single
    var naming: Naming = .brandModelNoun

    func title(model: String, brand: String) -> String {
        switch naming {
        case .brandModelNoun: "\(brand) \(model) \(noun)"
        case .brandNounModel: "\(brand) \(noun), \(model)"
        case .modelOnly: model
        }
    }

    /// The price of the model at `index`: spread evenly over `prices`, ending in 99 cents.
    func price(ofModel index: Int) -> Int {
        guard models.count > 1 else { return prices.lowerBound }
        let spread = prices.upperBound - prices.lowerBound
        let raw = prices.lowerBound + spread * index / (models.count - 1)
        return (raw + 50) / 100 * 100 - 1
    }
}

/// The option a line's variants differ by (colour, size, storage...), with what each choice adds to the price.
struct ProductOption {
    struct Choice {
        let label: String
        let code: String
        let surcharge: Int
    }

    let name: String
    let choices: [Choice]

    /// One variant, "Standard", with no option at all.
    static let single = ProductOption(name: "", choices: [Choice(label: "Standard", code: "", surcharge: 0)])

    static func colors(_ labels: String...) -> ProductOption {
        ProductOption(name: "color", labels: labels)
    }

    static func sizes(_ labels: String...) -> ProductOption {
        ProductOption(name: "size", labels: labels)
    }

    static func formats(_ labels: String...) -> ProductOption {
        ProductOption(name: "format", labels: labels)
    }

    /// Choices that cost more, such as storage: `("256 GB", 10000)`.
    static func tiers(_ name: String, _ tiers: (String, Int)...) -> ProductOption {
        ProductOption(name: name, choices: tiers.map { Choice(label: $0.0, code: code(for: $0.0), surcharge: $0.1) })
    }

    private init(name: String, choices: [Choice]) {
        self.name = name
        self.choices = choices
    }

    private init(name: String, labels: [String]) {
        self.init(name: name, choices: labels.map { Choice(label: $0, code: Self.code(for: $0), surcharge: 0) })
    }

    /// "Midnight Blue" → "MB", "Black" → "BLA", "10.5" → "105": short, and distinct within one line.
    static func code(for label: String) -> String {
        let words = label.uppercased().split(separator: " ").map {
            $0.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        if words.count > 1, words.allSatisfy({ $0.first?.isLetter == true }) {
            return String(words.compactMap(\.first))
        }
        return String(words.joined().prefix(3))
    }
}
