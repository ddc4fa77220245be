import Foundation

/// A deterministic synthetic catalog of any size for benchmarks: same seed, same products.
public struct SyntheticCatalog: Sendable {
    /// 12 departments, 60 aisles and 230 leaves, parents first.
    public let categories: [SeedCategory]
    /// 500 invented brands, the first ones far more common than the rest.
    public let brands: [String]

    private let seed: UInt64
    /// Title case and lower case forms of the same vocabulary, most common word first.
    private let titleWords: [String]
    private let words: [String]
    private let wordOdds: ZipfTable
    private let brandOdds: ZipfTable
    /// Leaf categories in order of popularity, each with the index of its department.
    private let leaves: [(key: String, department: Int)]
    private let leafOdds: ZipfTable
    private let nouns: [[String]]
    private let titleNouns: [[String]]

    public init(seed: UInt64) {
        self.seed = seed
        var random = SeedRandom(seed: seed)
        let departments = SyntheticDepartment.all

        var categories: [SeedCategory] = []
        var leaves: [(key: String, department: Int)] = []
        var aisleNumber = 0
        for (departmentIndex, department) in departments.enumerated() {
            let departmentKey = "syn-\(departmentIndex)"
            categories.append(SeedCategory(key: departmentKey, name: department.name))
            for (aisleIndex, aisle) in department.aisles.enumerated() {
                let aisleKey = "\(departmentKey)-\(aisleIndex)"
                categories.append(SeedCategory(key: aisleKey, name: aisle, parentKey: departmentKey))
                let leafCount = aisleNumber < 50 ? 4 : 3
                for leafIndex in 0..<leafCount {
                    let qualifiers = SyntheticDepartment.qualifiers
                    let qualifier = qualifiers[(aisleNumber * 7 + leafIndex * 5) % qualifiers.count]
                    let leafKey = "\(aisleKey)-\(leafIndex)"
                    categories.append(SeedCategory(key: leafKey, name: "\(qualifier) \(aisle)", parentKey: aisleKey))
                    leaves.append((leafKey, departmentIndex))
                }
                aisleNumber += 1
            }
        }
        leaves.shuffle(using: &random)
        self.categories = categories
        self.leaves = leaves
        leafOdds = ZipfTable(count: leaves.count, exponent: 0.6)

        var realWords: [String] = []
        var seen: Set<String> = []
        for word in departments.flatMap(\.nouns) + SyntheticDepartment.describingWords where seen.insert(word).inserted {
            realWords.append(word)
        }
        realWords.shuffle(using: &random)
        let invented = SyntheticWords.inventedWords(count: 5000, avoiding: seen, random: &random)
        // Real words are interleaved near the top so that searches for them find plenty of products.
        var vocabulary: [String] = []
        vocabulary.reserveCapacity(invented.count + realWords.count)
        for (index, word) in realWords.enumerated() {
            vocabulary.append(invented[index])
            vocabulary.append(word)
        }
        vocabulary += invented[realWords.count...]
        words = vocabulary
        titleWords = vocabulary.map(SyntheticWords.capitalized)
        wordOdds = ZipfTable(count: vocabulary.count, exponent: 0.95)
        nouns = departments.map(\.nouns)
        titleNouns = nouns.map { $0.map(SyntheticWords.capitalized) }

        brands = SyntheticWords.brands(count: 500, random: &random)
        brandOdds = ZipfTable(count: brands.count, exponent: 0.9)
    }

    /// The product at `index`, the same for the same seed, whatever was asked before.
    public func product(at index: Int) -> SeedProduct {
        var random = SeedRandom(seed: seed, index: index)
        let leaf = leaves[leafOdds.draw(&random)]
        let department = SyntheticDepartment.all[leaf.department]
        let nounIndex = random.below(nouns[leaf.department].count)

        var title = ""
        title.reserveCapacity(64)
        for _ in 0..<(1 + random.below(5)) {
            title += titleWords[wordOdds.draw(&random)]
            title += " "
        }
        title += titleNouns[leaf.department][nounIndex]

        var description = ""
        description.reserveCapacity(256)
        let wordCount = 9 + random.below(21)
        description += titleWords[wordOdds.draw(&random)]
        for _ in 1..<wordCount {
            description += " "
            description += words[wordOdds.draw(&random)]
        }
        description += " "
        description += nouns[leaf.department][nounIndex]
        description += "."

        let price = Self.price(factor: department.priceFactor, random: &random)
        let options = department.sized ? SyntheticDepartment.sizes : SyntheticDepartment.colors
        let optionName = department.sized ? "size" : "color"
        let firstOption = random.below(options.count)
        let variantCount = 1 + random.below(3)
        var variants: [NewProduct.Variant] = []
        variants.reserveCapacity(variantCount)
        for variantIndex in 0..<variantCount {
            let option = options[(firstOption + variantIndex) % options.count]
            let surcharge = department.sized ? variantIndex * (price / 2000 * 100) : 0
            variants.append(
                NewProduct.Variant(
                    sku: "S\(index)-\(variantIndex)",
                    title: option,
                    attributes: [optionName: option],
                    price: Money(amount: min(price + surcharge, 499_999)),
                    stock: random.below(10) == 0 ? 0 : 1 + random.below(1000)
                )
            )
        }

        let materials = SyntheticDepartment.materials
        let product = NewProduct(
            title: title,
            description: description,
            brand: brands[brandOdds.draw(&random)],
            categoryId: nil,
            attributes: ["material": materials[random.below(materials.count)]],
            variants: variants
        )
        return SeedProduct(categoryKey: leaf.key, product: product)
    }

    /// Log-normal around $29.99 times the department's factor, ending in 99 cents, within $1.99...$4,999.99.
    private static func price(factor: Double, random: inout SeedRandom) -> Int {
        // Four uniforms sum to a near-normal value (Irwin-Hall), cheaper than Box-Muller.
        let normal = (random.unit() + random.unit() + random.unit() + random.unit() - 2) * 1.732
        let dollars = 29.99 * factor * exp(1.3 * normal)
        let cents = Int(dollars) * 100 + 99
        return min(max(cents, 199), 499_999)
    }
}
