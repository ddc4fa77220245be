import Foundation

/// A deterministic synthetic catalog of any size for benchmarks: same seed, same products.
public struct SyntheticCatalog: Sendable {
    /// 12 departments, 60 aisles and 230 leaves, parents first.
    public let categories: [SeedCategory]
    /// 500 invented brands, the first ones far more common than the rest.
    public let brands: [String]

    let seed: UInt64
    /// About 5,000 invented words and 200 real ones, most common first.
    private let vocabulary: WordList
    private let wordOdds: ZipfTable
    private let brandOdds: ZipfTable
    /// Leaf categories in order of popularity, each with the index of its department.
    private let leaves: [(key: String, department: Int)]
    private let leafOdds: ZipfTable
    /// Per department: the vocabulary ids of its nouns, whether it sells sizes, and its price factor.
    private let nouns: [[Int32]]
    private let sized: [Bool]
    private let priceFactors: [Double]

    public init(seed: UInt64) {
        self.seed = seed
        var random = SeedRandom(seed: seed)
        let departments = SyntheticDepartment.all

        let (categories, leaves) = Self.categoryTree(of: departments)
        self.categories = categories
        self.leaves = leaves.shuffled(using: &random)
        leafOdds = ZipfTable(count: leaves.count, exponent: 0.6)

        var realWords: [String] = []
        var seen: Set<String> = []
        let candidates = departments.flatMap(\.nouns) + SyntheticDepartment.describingWords
        for word in candidates where seen.insert(word).inserted {
            realWords.append(word)
        }
        realWords.shuffle(using: &random)
        let invented = SyntheticWords.inventedWords(count: 5000, avoiding: seen, random: &random)
        // Real words are interleaved near the top so that searches for them find plenty of products.
        var words: [String] = []
        words.reserveCapacity(invented.count + realWords.count)
        for (index, word) in realWords.enumerated() {
            words.append(word)
            words.append(invented[index])
        }
        words += invented[realWords.count...]
        vocabulary = WordList(words)
        wordOdds = ZipfTable(count: words.count, exponent: 0.95)
        let ids = Dictionary(uniqueKeysWithValues: words.enumerated().map { ($0.element, Int32($0.offset)) })
        nouns = departments.map { $0.nouns.map { ids[$0]! } }
        sized = departments.map(\.sized)
        priceFactors = departments.map(\.priceFactor)

        brands = SyntheticWords.brands(count: 500, random: &random)
        brandOdds = ZipfTable(count: brands.count, exponent: 0.9)
    }

    /// The product at `index`, the same for the same seed, whatever was asked before.
    public func product(at index: Int) -> SeedProduct {
        var random = SeedRandom(seed: seed, index: index)
        let leaf = leaves[leafOdds.draw(&random)]
        let nounChoices = nouns[leaf.department]
        let noun = nounChoices[random.below(nounChoices.count)]
        let (title, description) = withUnsafeTemporaryAllocation(of: Int32.self, capacity: 32) { ids in
            let titleLength = 2 + random.below(5)
            for position in 0..<(titleLength - 1) { ids[position] = Int32(wordOdds.draw(&random)) }
            ids[titleLength - 1] = noun
            let titleIds = UnsafeBufferPointer(rebasing: ids[..<titleLength])
            let title = vocabulary.phrase(titleIds, titleCase: true, period: false)
            let descriptionLength = 10 + random.below(21)
            for position in 0..<(descriptionLength - 1) { ids[position] = Int32(wordOdds.draw(&random)) }
            ids[descriptionLength - 1] = noun
            let descriptionIds = UnsafeBufferPointer(rebasing: ids[..<descriptionLength])
            let description = vocabulary.phrase(descriptionIds, titleCase: false, period: true)
            return (title, description)
        }

        let sized = sized[leaf.department]
        let price = Self.price(factor: priceFactors[leaf.department], random: &random)
        let options = sized ? SyntheticDepartment.sizes : SyntheticDepartment.colors
        let firstOption = random.below(options.count)
        let variantCount = 1 + random.below(3)
        let skuStem = "S" + String(index) + "-"
        var variants: [NewProduct.Variant] = []
        variants.reserveCapacity(variantCount)
        for variantIndex in 0..<variantCount {
            let option = options[(firstOption + variantIndex) % options.count]
            // Larger sizes cost a little more, as they do in real shops.
            let surcharge = sized ? variantIndex * (price / 2000 * 100) : 0
            variants.append(
                NewProduct.Variant(
                    sku: skuStem + String(variantIndex),
                    title: option,
                    attributes: [sized ? "size" : "color": option],
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

    /// Departments, their aisles, and three or four leaves per aisle named "Compact Audio", "Travel Audio"...
    private static func categoryTree(
        of departments: [SyntheticDepartment]
    ) -> ([SeedCategory], [(key: String, department: Int)]) {
        var categories: [SeedCategory] = []
        var leaves: [(key: String, department: Int)] = []
        let qualifiers = SyntheticDepartment.qualifiers
        var aisleNumber = 0
        for (departmentIndex, department) in departments.enumerated() {
            let departmentKey = "syn-\(departmentIndex)"
            categories.append(SeedCategory(key: departmentKey, name: department.name))
            for (aisleIndex, aisle) in department.aisles.enumerated() {
                let aisleKey = "\(departmentKey)-\(aisleIndex)"
                categories.append(SeedCategory(key: aisleKey, name: aisle, parentKey: departmentKey))
                for leafIndex in 0..<(aisleNumber < 50 ? 4 : 3) {
                    // Steps of 5 over 24 qualifiers never repeat within one aisle.
                    let qualifier = qualifiers[(aisleNumber * 7 + leafIndex * 5) % qualifiers.count]
                    let leafKey = "\(aisleKey)-\(leafIndex)"
                    categories.append(SeedCategory(key: leafKey, name: "\(qualifier) \(aisle)", parentKey: aisleKey))
                    leaves.append((leafKey, departmentIndex))
                }
                aisleNumber += 1
            }
        }
        return (categories, leaves)
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
