import Foundation
import Testing

@testable import Emporium

@Suite(.timeLimit(.minutes(2)))
struct SeedDataTests {
    // MARK: Demo catalog

    @Test func demoHasAboutTwoHundredProductsInAboutTwentyCategories() {
        #expect((180...220).contains(DemoCatalog.products.count))
        #expect((18...25).contains(DemoCatalog.categories.count))
    }

    @Test func demoCategoriesAreTwoToThreeLevelsWithParentsFirst() {
        let depths = Self.depths(of: DemoCatalog.categories)
        #expect(depths.count == DemoCatalog.categories.count, "keys are unique and every parent comes first")
        #expect((2...3).contains(depths.values.max() ?? 0))
    }

    @Test func demoSkusAreUniqueAndEveryProductHasOneToFourVariants() {
        let skus = DemoCatalog.products.flatMap(\.product.variants).map(\.sku)
        let repeated = Dictionary(grouping: skus, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "\(repeated)")
        for seed in DemoCatalog.products {
            #expect((1...4).contains(seed.product.variants.count), "\(seed.product.title)")
        }
    }

    @Test func demoProductsBelongToExistingCategories() {
        let keys = Set(DemoCatalog.categories.map(\.key))
        for seed in DemoCatalog.products {
            #expect(keys.contains(seed.categoryKey), "\(seed.product.title) in \(seed.categoryKey)")
            #expect(seed.product.categoryId == nil)
        }
    }

    @Test func demoPricesAndStockLookLikeAShop() {
        let variants = DemoCatalog.products.flatMap(\.product.variants)
        #expect(variants.allSatisfy { $0.price.currency == "USD" && $0.price.amount > 0 })
        #expect(variants.allSatisfy { (0...500).contains($0.stock) })
        #expect(variants.contains { $0.stock == 0 })
        #expect(variants.contains { (1...5).contains($0.stock) })
        let phones = DemoCatalog.products.filter { $0.categoryKey == "phones" && $0.product.title.hasSuffix(" Phone") }
        #expect(!phones.isEmpty)
        #expect(phones.flatMap(\.product.variants).allSatisfy { (29900...129_900).contains($0.price.amount) })
        let mugs = DemoCatalog.products.filter { $0.product.title.hasSuffix("Mug") }.flatMap(\.product.variants)
        #expect(!mugs.isEmpty && mugs.allSatisfy { (1200...2500).contains($0.price.amount) })
    }

    @Test func demoHasTheWordsSearchDemosLookFor() {
        let text = DemoCatalog.products.map { "\($0.product.title) \($0.product.description)" }.joined(separator: " ")
            .lowercased()
        for phrase in ["wireless headphones", "phone", "bluetooth speaker", "running shoes", "cast iron skillet"] {
            #expect(text.contains(phrase), "\(phrase)")
        }
        let titles = DemoCatalog.products.map(\.product.title)
        #expect(titles.contains { $0.contains("Crème Brûlée Torch") })
        #expect(titles.contains { $0.contains("Café Espresso Cups") })
        #expect(DemoCatalog.products.allSatisfy { !$0.product.description.isEmpty && !$0.product.brand.isEmpty })
    }

    @Test func demoPicturesAreSelfContainedSVG() throws {
        for seed in DemoCatalog.products {
            let svg = try #require(seed.svgImage, "\(seed.product.title)")
            #expect(svg.hasPrefix("<svg") && svg.contains(#"viewBox="0 0 400 400""#) && svg.hasSuffix("</svg>"))
            #expect(Self.isSafe(svg), "\(seed.product.title)")
            #expect(SVGPolicy.violation(in: Array(svg.utf8)) == nil, "\(seed.product.title)")
        }
    }

    @Test func pictureCaptionsAreEscaped() {
        let svg = ProductArt(category: "books", caption: "Fish & <Chips>", brand: "A\"B").svg
        #expect(svg.contains("Fish &amp; &lt;Chips&gt;"))
        #expect(!svg.contains("<Chips>"))
        #expect(Self.isSafe(svg))
    }

    // MARK: Synthetic catalog

    @Test func syntheticProductsDependOnlyOnSeedAndIndex() {
        let first = SyntheticCatalog(seed: 42)
        let second = SyntheticCatalog(seed: 42)
        _ = second.product(at: 7)
        for index in [999_999, 0, 1, 123_456, 7] {
            let a = first.product(at: index)
            let b = second.product(at: index)
            #expect(a.product == b.product && a.categoryKey == b.categoryKey)
        }
        #expect(first.categories == second.categories && first.brands == second.brands)
    }

    @Test func syntheticCatalogsOfDifferentSeedsDiffer() {
        let first = SyntheticCatalog(seed: 1)
        let second = SyntheticCatalog(seed: 2)
        let differing = (0..<100).filter { first.product(at: $0).product != second.product(at: $0).product }
        #expect(differing.count == 100)
        #expect(first.brands != second.brands)
    }

    @Test func syntheticSkusAreUniqueOverTenThousandProducts() {
        let catalog = SyntheticCatalog(seed: 7)
        var skus: Set<String> = []
        var count = 0
        for index in 0..<10_000 {
            for variant in catalog.product(at: index).product.variants {
                skus.insert(variant.sku)
                count += 1
            }
        }
        #expect(skus.count == count)
    }

    @Test func syntheticCategoriesAreAboutThreeHundredInThreeLevels() {
        let catalog = SyntheticCatalog(seed: 7)
        let depths = Self.depths(of: catalog.categories)
        #expect(depths.count == catalog.categories.count, "keys are unique and every parent comes first")
        #expect((280...320).contains(catalog.categories.count))
        #expect(depths.values.filter { $0 == 1 }.count == 12)
        #expect(depths.values.max() == 3)
        let leaves = Set(depths.filter { $0.value == 3 }.keys)
        #expect((0..<1000).allSatisfy { leaves.contains(catalog.product(at: $0).categoryKey) })
    }

    @Test func syntheticBrandsAreAboutFiveHundredDistinctNames() {
        let catalog = SyntheticCatalog(seed: 7)
        #expect((450...550).contains(catalog.brands.count))
        #expect(Set(catalog.brands).count == catalog.brands.count)
        let brands = Set(catalog.brands)
        #expect((0..<1000).allSatisfy { brands.contains(catalog.product(at: $0).product.brand) })
    }

    @Test func syntheticProductsHaveBelievableShapes() {
        let catalog = SyntheticCatalog(seed: 11)
        var variantCount = 0
        var soldOut = 0
        for index in 0..<5000 {
            let seed = catalog.product(at: index)
            let product = seed.product
            #expect(seed.svgImage == nil)
            #expect((2...6).contains(product.title.split(separator: " ").count), "\(product.title)")
            #expect((10...30).contains(product.description.split(separator: " ").count))
            #expect((1...3).contains(product.variants.count))
            for variant in product.variants {
                #expect((199...499_999).contains(variant.price.amount))
                #expect((0...1000).contains(variant.stock))
                variantCount += 1
                if variant.stock == 0 { soldOut += 1 }
            }
        }
        let soldOutShare = Double(soldOut) / Double(variantCount)
        #expect((0.07...0.13).contains(soldOutShare))
    }

    @Test func syntheticTitleWordsFollowASkewedDistribution() {
        let catalog = SyntheticCatalog(seed: 3)
        var counts: [String: Int] = [:]
        for index in 0..<10_000 {
            for word in catalog.product(at: index).product.title.lowercased().split(separator: " ") {
                counts[String(word), default: 0] += 1
            }
        }
        let sorted = counts.values.sorted()
        let median = sorted[sorted.count / 2]
        #expect(sorted.last! > 50 * median)
    }

    // MARK: Helpers

    /// Each key's depth (top level = 1), or fewer entries than categories when a key repeats or a parent comes late.
    static func depths(of categories: [SeedCategory]) -> [String: Int] {
        var depths: [String: Int] = [:]
        for category in categories where depths[category.key] == nil {
            if let parent = category.parentKey {
                guard let parentDepth = depths[parent] else { continue }
                depths[category.key] = parentDepth + 1
            } else {
                depths[category.key] = 1
            }
        }
        return depths
    }

    /// The simple rules every seeded picture keeps, whatever the upload policy checks.
    static func isSafe(_ svg: String) -> Bool {
        let lower = svg.lowercased()
        let withoutNamespace = lower.replacingOccurrences(of: #"xmlns="http://www.w3.org/2000/svg""#, with: "")
        return !lower.contains("<script")
            && lower.range(of: #"\son[a-z]*\s*="#, options: .regularExpression) == nil
            && !withoutNamespace.contains("http")
            && !lower.contains("<foreignobject")
            && !lower.contains("<!doctype")
            && lower.range(of: #"href\s*=\s*["'][^#]"#, options: .regularExpression) == nil
    }
}
