extension DemoCatalog {
    static let homeLines: [ProductLine] = [
        ProductLine(
            category: "cookware", code: "CI", noun: "Cast Iron Skillet", brands: ["Northfield"],
            models: ["Classic 8-inch", "Classic 10-inch", "Classic 12-inch", "Deep 12-inch"], prices: 2499...5999,
            pitch: "A cast iron skillet poured in one piece and seasoned with flaxseed oil.",
            features: [
                "Just right for two eggs or a single steak.",
                "The everyday size for cornbread, hash and pan pizza.",
                "Sears a family-sized dinner and goes straight into the oven.",
                "Two inches deep for braises, fried chicken and deep-dish pies.",
            ],
            attributes: ["material": "cast iron", "finish": "pre-seasoned"]
        ),
        ProductLine(
            category: "cookware", code: "NS", noun: "Nonstick Frying Pan", brands: ["Hearth & Hollow"],
            models: ["Everyday 10-inch", "Everyday 12-inch", "Ceramic 11-inch"], prices: 2999...5499,
            pitch: "A frying pan that releases omelettes without a fight, on gas, electric or induction.",
            features: [
                "A riveted stay-cool handle.",
                "Wide enough to fry four eggs at once.",
                "A PFAS-free ceramic coating that is safe up to 450°F.",
            ],
            attributes: ["material": "aluminium", "induction": "yes"]
        ),
        ProductLine(
            category: "cookware", code: "SP", noun: "Stainless Saucepan", brands: ["Hearth & Hollow"],
            models: ["2-quart", "3-quart", "4-quart"], prices: 3999...6999,
            pitch: "A tri-ply stainless steel saucepan with a tight-fitting lid.",
            features: [
                "For sauces, porridge and a single portion of pasta.",
                "Measurement marks etched inside.",
                "Big enough for soup for four.",
            ],
            attributes: ["material": "stainless steel", "induction": "yes"]
        ),
        ProductLine(
            category: "cookware", code: "DO", noun: "Dutch Oven", brands: ["Northfield"],
            models: ["4.5-quart", "5.5-quart", "7-quart"], prices: 7999...15999,
            pitch: "An enamelled cast iron Dutch oven for slow braises and crusty bread.",
            features: [
                "Sized for a loaf of sourdough.",
                "The one that holds a whole chicken.",
                "Feeds a crowd, and keeps stew warm at the table.",
            ],
            attributes: ["material": "enamelled cast iron"],
            option: .colors("Cherry", "Navy", "Sage", "Cream")
        ),
        ProductLine(
            category: "tableware", code: "EC", noun: "Café Espresso Cups", brands: ["Maison Lumière"],
            models: ["Set of 2", "Set of 4", "Set of 6"], prices: 1899...3999,
            pitch: "Thick-walled porcelain espresso cups with saucers, the kind you find in a Lyon café.",
            features: [
                "A pair for slow Sunday mornings.",
                "Stackable, and dishwasher safe.",
                "Enough for the whole table after dinner.",
            ],
            attributes: ["material": "porcelain", "capacity": "90 ml"],
            option: .colors("White", "Speckled Grey", "Terracotta"),
            naming: .brandNounModel
        ),
        ProductLine(
            category: "tableware", code: "MG", noun: "Stoneware Mug", brands: ["Hearth & Hollow", "Maison Lumière"],
            models: ["Morning", "Campfire", "Tall Latte", "Studio"], prices: 1299...2499,
            pitch: "A hand-glazed stoneware mug; no two are quite alike.",
            features: [
                "Holds twelve ounces of coffee.",
                "A wide base that will not tip on a camp table.",
                "Tall enough for a latte with room for foam.",
                "Thrown on the wheel by a small studio in Vermont.",
            ],
            attributes: ["material": "stoneware", "dishwasher safe": "yes"],
            option: .colors("Oat", "Slate", "Rust", "Moss")
        ),
        ProductLine(
            category: "tableware", code: "DP", noun: "Dinner Plate Set", brands: ["Northfield"],
            models: ["4 Pieces", "8 Pieces", "12 Pieces"], prices: 3499...8999,
            pitch: "Chip-resistant dinner plates with a gently raised rim.",
            features: [
                "A starter set for a first apartment.",
                "Enough for a dinner party.",
                "The holiday set, with spares.",
            ],
            attributes: ["material": "stoneware", "diameter": "27 cm"],
            option: .colors("White", "Ash"),
            naming: .brandNounModel
        ),
        ProductLine(
            category: "tableware", code: "WG", noun: "Wine Glasses", brands: ["Maison Lumière"],
            models: ["Set of 2", "Set of 6"], prices: 2999...6999,
            pitch: "Thin-rimmed wine glasses blown from lead-free crystal.",
            features: [
                "Gift-boxed for anniversaries.",
                "Tall enough for reds, and steady enough for picnics.",
            ],
            attributes: ["material": "crystal"],
            naming: .brandNounModel
        ),
        ProductLine(
            category: "kitchen-tools", code: "BT", noun: "Crème Brûlée Torch",
            brands: ["Maison Lumière", "Hearth & Hollow"],
            models: ["Flambé", "Pâtissier Pro"], prices: 2499...4999,
            pitch: "A refillable butane kitchen torch for caramelising sugar and charring peppers.",
            features: [
                "A safety lock and an adjustable flame.",
                "A continuous-flame trigger and a stable base for long sessions.",
            ],
            attributes: ["fuel": "butane"]
        ),
        ProductLine(
            category: "kitchen-tools", code: "KN", noun: "Chef's Knife", brands: ["Ironbark"],
            models: ["Santoku 7-inch", "Classic 8-inch", "Damascus 8-inch"], prices: 4999...17999,
            pitch: "A forged chef's knife that holds its edge through a season of dinners.",
            features: [
                "A flat blade for thin slices of vegetables.",
                "The all-rounder, balanced at the bolster.",
                "Sixty-seven layers of folded steel and a walnut handle.",
            ],
            attributes: ["material": "high-carbon steel"]
        ),
        ProductLine(
            category: "kitchen-tools", code: "PM", noun: "Pepper Mill", brands: ["Ironbark"],
            models: ["Walnut", "Acacia", "Ceramic"], prices: 2499...4999,
            pitch: "A pepper mill with a grind that goes from fine dust to cracked.",
            features: [
                "Turned from oiled walnut.",
                "A warm acacia body that loads from the top.",
                "A ceramic burr that will not rust, so it also grinds salt.",
            ],
            attributes: ["mechanism": "ceramic burr"]
        ),
        ProductLine(
            category: "kitchen-tools", code: "KS", noun: "Digital Kitchen Scale", brands: ["Lumora"],
            models: ["Slim", "Precision"], prices: 1999...3999,
            pitch: "A kitchen scale with a tare button and a backlit display.",
            features: [
                "Weighs up to 5 kg and slides into a drawer.",
                "Reads to a tenth of a gram for coffee and baking.",
            ],
            attributes: ["capacity": "5 kg"]
        ),
    ]
}
