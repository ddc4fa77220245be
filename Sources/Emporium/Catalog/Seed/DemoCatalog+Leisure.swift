extension DemoCatalog {
    static let leisureLines: [ProductLine] = [
        ProductLine(
            category: "fiction", code: "FIC", noun: "Novel", brands: ["Quillstone Press", "Harbor Lane Books"],
            models: [
                "The Salt Orchard", "A Map of Quiet Rivers", "Lanterns Over Kessel Bay", "The Lamplighter's Almanac",
                "Nine Winters North", "The Glass Aviary", "Small Hours at the Hotel Meridian", "What the Tide Keeps",
            ],
            prices: 1499...2999,
            pitch: "A novel from one of our favourite independent presses.",
            features: [
                "Three sisters inherit a failing orchard on a windswept coast.",
                "A cartographer retraces her father's last expedition.",
                "A fishing village keeps a secret for a hundred years.",
                "An almanac's marginal notes lead a widower across Europe.",
                "A family saga told one winter at a time.",
                "A collector of rare birds disappears from a locked conservatory.",
                "Strangers trapped by a snowstorm in a faded grand hotel.",
                "A marine biologist comes home to the island she swore she'd left.",
            ],
            attributes: ["genre": "literary fiction", "language": "English"],
            option: .formats("Paperback", "Hardcover", "Ebook"),
            naming: .modelOnly
        ),
        ProductLine(
            category: "cookbooks", code: "CKB", noun: "Cookbook", brands: ["Quillstone Press", "Harbor Lane Books"],
            models: [
                "Cast Iron Suppers", "The Weeknight Pantry", "Bread Without Fuss", "Café Mornings",
                "Smoke & Citrus", "One Pot, Many Nights",
            ],
            prices: 1999...3999,
            pitch: "A cookbook with tested recipes and a photograph for every dish.",
            features: [
                "Ninety recipes for the skillet, from cornbread to cobbler.",
                "Dinners in thirty minutes from what is already in the cupboard.",
                "No-knead loaves, flatbreads and a forgiving sourdough.",
                "Pastries, eggs and coffee from a Paris corner café.",
                "Grilling with bright flavours from the Mediterranean coast.",
                "Soups, stews and braises that improve overnight.",
            ],
            attributes: ["genre": "cooking", "language": "English"],
            option: .formats("Paperback", "Hardcover"),
            naming: .modelOnly
        ),
        ProductLine(
            category: "toys-games", code: "BG", noun: "Board Game", brands: ["Tumblewood"],
            models: ["Orchard Race", "Lighthouse Keepers", "Sky Merchants", "Tiny Kingdoms"], prices: 1999...5999,
            pitch: "A board game for family nights that plays in under an hour.",
            features: [
                "Cooperative, for ages five and up.",
                "Keep the lamps lit through a long storm.",
                "Trade between floating cities in a race for airships.",
                "Build a kingdom from tiles in twenty minutes.",
            ],
            attributes: ["players": "2-5", "age": "8+"]
        ),
        ProductLine(
            category: "toys-games", code: "BK", noun: "Wooden Building Blocks", brands: ["Tumblewood"],
            models: ["50-Piece", "100-Piece", "Castle"], prices: 2499...6999,
            pitch: "Beech wood building blocks finished with non-toxic paint.",
            features: [
                "Sized for small hands.",
                "Arches, columns and a storage crate.",
                "Towers, a drawbridge and two knights.",
            ],
            attributes: ["material": "beech wood", "age": "2+"]
        ),
        ProductLine(
            category: "toys-games", code: "JP", noun: "Jigsaw Puzzle", brands: ["Tumblewood"],
            models: ["Harbor at Dusk", "Wildflower Meadow", "Night Market"], prices: 1499...2499,
            pitch: "A jigsaw puzzle of thick recycled board with no two pieces alike.",
            features: [
                "Fishing boats under a violet sky.",
                "A meadow of poppies and cornflowers.",
                "Lanterns and food stalls in the rain.",
            ],
            attributes: ["material": "recycled board"],
            option: .tiers("pieces", ("500 pieces", 0), ("1000 pieces", 500))
        ),
        ProductLine(
            category: "toys-games", code: "PT", noun: "Plush Toy", brands: ["Tumblewood"],
            models: ["Otter", "Fox"], prices: 1999...2499,
            pitch: "A machine-washable plush toy stuffed with recycled fibre.",
            features: [
                "Holds a little shell in its paws.",
                "A bushy tail for hugging.",
            ],
            attributes: ["age": "0+"]
        ),
        ProductLine(
            category: "beauty", code: "MO", noun: "Face Moisturizer", brands: ["Marigold Apothecary"],
            models: ["Daily", "Rich Night", "Mineral SPF 30"], prices: 1899...3499,
            pitch: "A fragrance-free face moisturizer for sensitive skin.",
            features: [
                "Light enough to wear under make-up.",
                "Shea butter and squalane for dry winter skin.",
                "Zinc sunscreen with no white cast.",
            ],
            attributes: ["skin type": "all"],
            option: .sizes("50 ml", "100 ml")
        ),
        ProductLine(
            category: "beauty", code: "SE", noun: "Vitamin C Serum", brands: ["Marigold Apothecary"],
            models: ["Brightening", "Gentle 10%"], prices: 2499...3999,
            pitch: "A vitamin C serum in an airless pump that keeps it fresh.",
            features: [
                "Fifteen percent vitamin C for dull skin.",
                "A milder formula for first-timers.",
            ],
            attributes: ["volume": "30 ml"]
        ),
        ProductLine(
            category: "beauty", code: "LP", noun: "Lip Balm", brands: ["Marigold Apothecary", "Fernleaf"],
            models: ["Vanilla", "Peppermint", "Rose"], prices: 499...899,
            pitch: "A beeswax lip balm in a compostable tube.",
            features: [
                "Sweet and subtle.",
                "A cool tingle.",
                "A sheer rosy tint.",
            ],
            attributes: ["material": "beeswax"]
        ),
        ProductLine(
            category: "beauty", code: "SH", noun: "Shampoo Bar", brands: ["Fernleaf"],
            models: ["Oat & Honey", "Rosemary Mint"], prices: 1199...1399,
            pitch: "A shampoo bar that lasts as long as three bottles, with no plastic.",
            features: [
                "Gentle enough for daily washing.",
                "Wakes up the scalp in the morning.",
            ],
            attributes: ["weight": "85 g"]
        ),
        ProductLine(
            category: "beauty", code: "HC", noun: "Hand Crème", brands: ["Maison Lumière"],
            models: ["Lavande", "Fleur d'Oranger"], prices: 1599...1999,
            pitch: "A rich hand crème that sinks in fast and leaves no grease on your phone.",
            features: [
                "Provençal lavender and shea.",
                "Orange blossom from Grasse.",
            ],
            attributes: ["volume": "75 ml"]
        ),
    ]
}
