/// The curated demo catalog: about 200 believable products in about 20 categories, 2-3 levels deep.
public enum DemoCatalog {
    /// The category tree, parents first.
    public static let categories: [SeedCategory] = [
        SeedCategory(key: "electronics", name: "Electronics"),
        SeedCategory(key: "phones", name: "Phones", parentKey: "electronics"),
        SeedCategory(key: "audio", name: "Audio", parentKey: "electronics"),
        SeedCategory(key: "headphones", name: "Headphones", parentKey: "audio"),
        SeedCategory(key: "speakers", name: "Speakers", parentKey: "audio"),
        SeedCategory(key: "chargers", name: "Chargers & Cables", parentKey: "electronics"),
        SeedCategory(key: "home-kitchen", name: "Home & Kitchen"),
        SeedCategory(key: "cookware", name: "Cookware", parentKey: "home-kitchen"),
        SeedCategory(key: "tableware", name: "Tableware", parentKey: "home-kitchen"),
        SeedCategory(key: "kitchen-tools", name: "Kitchen Tools", parentKey: "home-kitchen"),
        SeedCategory(key: "fashion", name: "Fashion"),
        SeedCategory(key: "shoes", name: "Shoes", parentKey: "fashion"),
        SeedCategory(key: "clothing", name: "Clothing", parentKey: "fashion"),
        SeedCategory(key: "bags", name: "Bags", parentKey: "fashion"),
        SeedCategory(key: "sports-outdoors", name: "Sports & Outdoors"),
        SeedCategory(key: "camping", name: "Camping", parentKey: "sports-outdoors"),
        SeedCategory(key: "fitness", name: "Fitness", parentKey: "sports-outdoors"),
        SeedCategory(key: "books", name: "Books"),
        SeedCategory(key: "fiction", name: "Fiction", parentKey: "books"),
        SeedCategory(key: "cookbooks", name: "Cookbooks", parentKey: "books"),
        SeedCategory(key: "toys-games", name: "Toys & Games"),
        SeedCategory(key: "beauty", name: "Beauty"),
        SeedCategory(key: "garden", name: "Garden"),
    ]

    /// Every product of every line, in a fixed order, with its picture.
    public static let products: [SeedProduct] = {
        var products: [SeedProduct] = []
        var random = SeedRandom(seed: 0xE4B0_2105)
        for line in lines {
            for (index, model) in line.models.enumerated() {
                let closing = closings[products.count % closings.count]
                products.append(product(index, model, of: line, closing: closing, random: &random))
            }
        }
        return products
    }()

    static let lines: [ProductLine] = electronicsLines + homeLines + fashionLines + outdoorLines + leisureLines

    private static func product(
        _ index: Int,
        _ model: String,
        of line: ProductLine,
        closing: String,
        random: inout SeedRandom
    ) -> SeedProduct {
        let brand = line.brands[index % line.brands.count]
        let title = line.title(model: model, brand: brand)
        let price = line.price(ofModel: index)
        let skuStem = "\(brandCode(brand))-\(line.code)\(100 + index * 10)"
        let choices = line.option.choices
        let variantCount = min(choices.count, 1 + (index + line.code.count) % 4)
        let variants = (0..<variantCount).map { offset in
            let choice = choices[(index + offset) % choices.count]
            return NewProduct.Variant(
                sku: choice.code.isEmpty ? skuStem : "\(skuStem)-\(choice.code)",
                title: choice.label,
                attributes: line.option.name.isEmpty ? [:] : [line.option.name: choice.label],
                price: Money(amount: price + choice.surcharge),
                stock: stockLevel(&random)
            )
        }
        let feature = line.features[index % line.features.count]
        let product = NewProduct(
            title: title,
            description: "\(line.pitch) \(feature) \(closing)",
            brand: brand,
            categoryId: nil,
            attributes: line.attributes,
            variants: variants
        )
        let unbranded = title.hasPrefix(brand + " ") ? String(title.dropFirst(brand.count + 1)) : title
        let art = ProductArt(category: line.category, caption: unbranded.count <= 32 ? unbranded : model, brand: brand)
        return SeedProduct(categoryKey: line.category, product: product, svgImage: art.svg)
    }

    /// "Kestrel & Co" → "KES", "Maison Lumière" → "MAI".
    private static func brandCode(_ brand: String) -> String {
        String(brand.uppercased().filter { $0.isASCII && $0.isLetter }.prefix(3))
    }

    /// Mostly well stocked, with a few sold out and a few nearly so, for the storefront's badges.
    private static func stockLevel(_ random: inout SeedRandom) -> Int {
        switch random.below(100) {
        case 0..<5: 0
        case 5..<11: 1 + random.below(5)
        default: 6 + random.below(495)
        }
    }

    private static let closings = [
        "Backed by a two-year warranty.",
        "Ships in plastic-free packaging.",
        "Free returns within 60 days.",
        "Designed in Portland and built to be repaired.",
        "A customer favourite since its first season.",
        "Replacement parts are sold separately.",
        "Made in a certified fair-labour workshop.",
        "Gift wrapping is available at checkout.",
        "Rated four and a half stars by our regulars.",
        "Pairs well with the rest of the collection.",
        "Limited run; restocks are rare.",
    ]
}
