extension DemoCatalog {
    static let outdoorLines: [ProductLine] = [
        ProductLine(
            category: "camping", code: "TN", noun: "Camping Tent", brands: ["Ridgeline Outfitters"],
            models: ["Solo Ultralight", "2-Person", "4-Person Dome", "6-Person Cabin"], prices: 12999...39999,
            pitch: "A three-season camping tent that pitches in under five minutes.",
            features: [
                "Weighs less than a litre of water.",
                "Two doors, two vestibules, no climbing over anyone.",
                "Tall enough to sit up in, with a gear loft.",
                "Stand-up headroom and a room divider for families.",
            ],
            attributes: ["season": "3-season", "material": "ripstop nylon"]
        ),
        ProductLine(
            category: "camping", code: "SL", noun: "Sleeping Bag", brands: ["Ridgeline Outfitters", "Larchmont Trail"],
            models: ["Summer 50°F", "Three-Season 20°F", "Alpine 0°F"], prices: 5999...27999,
            pitch: "A mummy sleeping bag with a draft collar and a two-way zip.",
            features: [
                "Unzips into a quilt on warm nights.",
                "Recycled synthetic fill that stays warm when damp.",
                "Responsibly sourced 800-fill down for winter trips.",
            ],
            attributes: ["shape": "mummy"],
            option: .sizes("Regular", "Long")
        ),
        ProductLine(
            category: "camping", code: "ST", noun: "Camp Stove", brands: ["Larchmont Trail"],
            models: ["Pocket", "Two-Burner"], prices: 3999...12999,
            pitch: "A camp stove that boils a litre of water in about four minutes.",
            features: [
                "Folds down to the size of a fist.",
                "Two burners and a wind screen for car camping.",
            ],
            attributes: ["fuel": "isobutane"]
        ),
        ProductLine(
            category: "camping", code: "HL", noun: "Headlamp", brands: ["Lumora", "Larchmont Trail"],
            models: ["Trail 300", "Trail 600", "Summit 1000"], prices: 1999...5999,
            pitch: "A rechargeable headlamp with a red night mode that saves your night vision.",
            features: [
                "300 lumens for camp chores.",
                "600 lumens and a lock-out switch for your pack.",
                "1000 lumens for night running and ridgelines.",
            ],
            attributes: ["battery": "USB-C rechargeable"],
            option: .colors("Black", "Orange", "Blue")
        ),
        ProductLine(
            category: "camping", code: "WB", noun: "Insulated Water Bottle", brands: ["Larchmont Trail"],
            models: ["20 oz", "32 oz", "40 oz"], prices: 2499...3999,
            pitch: "A double-walled steel water bottle that keeps drinks cold for a day.",
            features: [
                "Fits every cup holder.",
                "The one for long hikes.",
                "Enough water for a whole afternoon on the trail.",
            ],
            attributes: ["material": "stainless steel"],
            option: .colors("Glacier", "Forest", "Black", "Sunset")
        ),
        ProductLine(
            category: "fitness", code: "YM", noun: "Yoga Mat", brands: ["Kestrel & Co"],
            models: ["Travel", "Everyday", "Cork Pro"], prices: 2499...8999,
            pitch: "A non-slip yoga mat with alignment lines.",
            features: [
                "Folds into a carry-on.",
                "Six millimetres of cushioning for knees.",
                "A natural cork surface that grips better as you sweat.",
            ],
            attributes: ["length": "183 cm"],
            option: .colors("Plum", "Ocean", "Sand", "Charcoal")
        ),
        ProductLine(
            category: "fitness", code: "DB", noun: "Adjustable Dumbbells", brands: ["Ironbark"],
            models: ["25 lb Pair", "52 lb Pair"], prices: 14999...34999,
            pitch: "Adjustable dumbbells that replace a full rack with one twist of the handle.",
            features: [
                "Five weights from 5 to 25 lb.",
                "Fifteen weights from 5 to 52 lb.",
            ],
            attributes: ["material": "steel"]
        ),
        ProductLine(
            category: "fitness", code: "RB", noun: "Resistance Bands", brands: ["Kestrel & Co"],
            models: ["Loop Set", "Handle Set"], prices: 1499...2999,
            pitch: "Latex-free resistance bands in five strengths.",
            features: [
                "Loops for glutes and physio.",
                "Handles and a door anchor for a full workout.",
            ],
            attributes: ["material": "TPE"]
        ),
        ProductLine(
            category: "fitness", code: "JR", noun: "Jump Rope", brands: ["Kestrel & Co"],
            models: ["Speed", "Weighted"], prices: 1299...2999,
            pitch: "A tangle-free jump rope with ball-bearing handles.",
            features: [
                "A thin steel cable for double-unders.",
                "Half-pound handles for a shoulder burn.",
            ],
            attributes: ["length": "adjustable"]
        ),
        ProductLine(
            category: "fitness", code: "FT", noun: "Fitness Tracker", brands: ["Brightwave"],
            models: ["Band", "Band Plus", "Pulse GPS"], prices: 4999...19999,
            pitch: "A fitness tracker that counts steps, sleep and heart rate, and syncs to your phone.",
            features: [
                "A week of battery life.",
                "Adds blood-oxygen readings and contactless payments.",
                "Built-in GPS for runs without a phone.",
            ],
            attributes: ["waterproof": "5 ATM"],
            option: .colors("Black", "Sage", "Rose")
        ),
        ProductLine(
            category: "garden", code: "PS", noun: "Pruning Shears", brands: ["Greenhaven"],
            models: ["Bypass", "Ratchet"], prices: 1999...3999,
            pitch: "Pruning shears with a carbon steel blade and a locking catch.",
            features: [
                "Clean cuts on roses and fruit trees.",
                "A ratchet that multiplies your grip on thick branches.",
            ],
            attributes: ["material": "carbon steel"]
        ),
        ProductLine(
            category: "garden", code: "GH", noun: "Garden Hose", brands: ["Greenhaven"],
            models: ["Expandable", "Rubber"], prices: 2999...5999,
            pitch: "A kink-resistant garden hose with brass fittings.",
            features: [
                "Shrinks back to a third of its length.",
                "Heavy natural rubber that lasts for decades.",
            ],
            attributes: ["fittings": "brass"],
            option: .sizes("50 ft", "100 ft")
        ),
        ProductLine(
            category: "garden", code: "RG", noun: "Raised Garden Bed", brands: ["Greenhaven", "Fernleaf"],
            models: ["Cedar 4x4", "Cedar 4x8"], prices: 8999...15999,
            pitch: "A raised garden bed of untreated cedar that assembles without tools.",
            features: [
                "Room for herbs and salad greens.",
                "A whole summer of tomatoes, beans and squash.",
            ],
            attributes: ["material": "cedar"]
        ),
        ProductLine(
            category: "garden", code: "SD", noun: "Tomato Seeds", brands: ["Fernleaf"],
            models: ["Heirloom Brandywine", "Golden Cherry", "San Marzano"], prices: 399...599,
            pitch: "Organic, open-pollinated tomato seeds, about thirty per packet.",
            features: [
                "Big pink slicers with an old-fashioned flavour.",
                "Sweet yellow cherries, heavy on the vine.",
                "The paste tomato for sauce.",
            ],
            attributes: ["organic": "yes"]
        ),
        ProductLine(
            category: "garden", code: "WT", noun: "Watering Can", brands: ["Greenhaven"],
            models: ["Indoor 1 L", "Garden 7 L"], prices: 1999...3999,
            pitch: "A watering can with a long spout and a removable rose.",
            features: [
                "Reaches the back of crowded shelves.",
                "Balanced to carry full across the garden.",
            ],
            attributes: ["material": "galvanised steel"],
            option: .colors("Galvanized", "Sage")
        ),
    ]
}
