extension DemoCatalog {
    static let fashionLines: [ProductLine] = [
        ProductLine(
            category: "shoes", code: "RS", noun: "Running Shoes", brands: ["Stridewell"],
            models: ["Daily Trainer", "Tempo Run", "Tempo Run 2", "Trail Runner", "Marathon Elite"],
            prices: 5999...17999,
            pitch: "Lightweight running shoes with a breathable mesh upper and a cushioned foam midsole.",
            features: [
                "Built for easy miles and everyday errands.",
                "A snappier ride for tempo days.",
                "Reworked heel counter and a wider toe box.",
                "Lugged outsole for mud, roots and gravel.",
                "A carbon plate for race day.",
            ],
            attributes: ["material": "engineered mesh", "drop": "8 mm"],
            option: .sizes("7", "8", "9", "10", "11", "12")
        ),
        ProductLine(
            category: "shoes", code: "LB", noun: "Leather Boots", brands: ["Alder & Finch"],
            models: ["Chelsea", "Lace-Up", "Hiker"], prices: 12999...21999,
            pitch: "Full-grain leather boots on a resoleable welted sole.",
            features: [
                "Elastic sides and a pull tab.",
                "A classic six-eyelet work boot.",
                "A waterproof membrane and a grippy lugged sole.",
            ],
            attributes: ["material": "leather"],
            option: .sizes("8", "9", "10", "11")
        ),
        ProductLine(
            category: "shoes", code: "CS", noun: "Canvas Sneakers", brands: ["Stridewell", "Alder & Finch"],
            models: ["Low", "High", "Slip-On", "Platform"], prices: 3999...7999,
            pitch: "Cotton canvas sneakers on a vulcanised rubber sole.",
            features: [
                "The low-top that goes with everything.",
                "Ankle-high with a padded collar.",
                "No laces, for beach days.",
                "A chunky sole that adds an inch.",
            ],
            attributes: ["material": "cotton canvas"],
            option: .sizes("6", "7", "8", "9", "10")
        ),
        ProductLine(
            category: "shoes", code: "LF", noun: "Loafers", brands: ["Alder & Finch"],
            models: ["Penny", "Suede Driving"], prices: 8999...13999,
            pitch: "Hand-stitched loafers that soften with every wear.",
            features: [
                "Polished leather for the office.",
                "Soft suede with a rubber-nub sole.",
            ],
            attributes: ["material": "leather"],
            option: .sizes("8", "9", "10", "11")
        ),
        ProductLine(
            category: "clothing", code: "TS", noun: "Cotton T-Shirt", brands: ["Fernhill Supply"],
            models: ["Crew", "V-Neck", "Pocket", "Heavyweight"], prices: 1499...3499,
            pitch: "An organic cotton t-shirt, pre-shrunk so it keeps its fit.",
            features: [
                "A classic crew neck.",
                "A relaxed V-neck in soft jersey.",
                "A chest pocket and a boxy cut.",
                "Thick 240 gsm cotton that gets better with washing.",
            ],
            attributes: ["material": "organic cotton"],
            option: .sizes("XS", "S", "M", "L", "XL")
        ),
        ProductLine(
            category: "clothing", code: "SW", noun: "Merino Sweater", brands: ["Alder & Finch"],
            models: ["Crewneck", "Quarter-Zip", "Cardigan"], prices: 7999...12999,
            pitch: "A fine-gauge merino wool sweater that does not itch.",
            features: [
                "Layers under a blazer.",
                "A zip collar for cold mornings.",
                "Horn buttons and two patch pockets.",
            ],
            attributes: ["material": "merino wool"],
            option: .sizes("S", "M", "L", "XL")
        ),
        ProductLine(
            category: "clothing", code: "RJ", noun: "Rain Jacket", brands: ["Ridgeline Outfitters"],
            models: ["Packable", "Storm", "Storm Pro"], prices: 8999...24999,
            pitch: "A waterproof, breathable rain jacket with taped seams.",
            features: [
                "Packs into its own pocket.",
                "A helmet-compatible hood and pit zips.",
                "Three-layer shell for days of mountain weather.",
            ],
            attributes: ["material": "recycled nylon", "waterproof": "20,000 mm"],
            option: .colors("Black", "Olive", "Yellow", "Navy")
        ),
        ProductLine(
            category: "clothing", code: "DJ", noun: "Denim Jeans", brands: ["Fernhill Supply"],
            models: ["Straight", "Slim", "Relaxed"], prices: 5999...8999,
            pitch: "Selvedge denim jeans woven on vintage shuttle looms.",
            features: [
                "A straight leg that stacks nicely over boots.",
                "Slim through the thigh with a little stretch.",
                "A roomy seat and tapered leg.",
            ],
            attributes: ["material": "cotton denim"],
            option: .sizes("28", "30", "32", "34", "36")
        ),
        ProductLine(
            category: "clothing", code: "LS", noun: "Linen Shirt", brands: ["Alder & Finch"],
            models: ["Camp Collar", "Button-Down"], prices: 4999...6999,
            pitch: "A washed linen shirt that stays cool in August.",
            features: [
                "A relaxed camp collar for holidays.",
                "A button-down collar that works with a jacket.",
            ],
            attributes: ["material": "linen"],
            option: .colors("White", "Sand", "Sky Blue")
        ),
        ProductLine(
            category: "bags", code: "BP", noun: "Leather Backpack", brands: ["Alder & Finch"],
            models: ["Daypack", "Commuter", "Weekender"], prices: 11999...22999,
            pitch: "A vegetable-tanned leather backpack that ages to a deep patina.",
            features: [
                "Room for a lunch, a book and a sweater.",
                "A padded 15-inch laptop sleeve.",
                "Opens flat like a suitcase.",
            ],
            attributes: ["material": "leather"],
            option: .colors("Cognac", "Black", "Chestnut")
        ),
        ProductLine(
            category: "bags", code: "TB", noun: "Canvas Tote Bag", brands: ["Fernhill Supply"],
            models: ["Market", "Zip-Top", "Oversized"], prices: 1999...3999,
            pitch: "A heavy cotton canvas tote with leather handles.",
            features: [
                "Carries a week of groceries.",
                "A zip closure and an inside pocket.",
                "Big enough for beach towels for the family.",
            ],
            attributes: ["material": "cotton canvas"],
            option: .colors("Natural", "Navy", "Olive")
        ),
        ProductLine(
            category: "bags", code: "DF", noun: "Travel Duffel", brands: ["Ridgeline Outfitters"],
            models: ["40 L", "60 L"], prices: 8999...12999,
            pitch: "A water-resistant travel duffel with backpack straps.",
            features: [
                "Fits in an overhead bin.",
                "A separate shoe compartment for longer trips.",
            ],
            attributes: ["material": "recycled polyester"],
            option: .colors("Black", "Moss")
        ),
        ProductLine(
            category: "bags", code: "XB", noun: "Crossbody Bag", brands: ["Maison Lumière"],
            models: ["Mini", "Everyday"], prices: 5999...9999,
            pitch: "A pebbled leather crossbody bag with an adjustable strap.",
            features: [
                "Just a phone, keys and a card case.",
                "Room for a paperback and sunglasses.",
            ],
            attributes: ["material": "leather"],
            option: .colors("Black", "Tan", "Burgundy")
        ),
    ]
}
