/// A top-level department of the synthetic catalog: its aisles, the nouns its products are, and how it prices them.
struct SyntheticDepartment: Sendable {
    let name: String
    let aisles: [String]
    let nouns: [String]
    /// Variants differ by size (clothes, collars) rather than colour.
    let sized: Bool
    /// The department's median price relative to the catalog's.
    let priceFactor: Double

    static let all: [SyntheticDepartment] = [
        SyntheticDepartment(
            name: "Electronics", aisles: ["Phones", "Audio", "Computers", "Cameras", "Wearables"],
            nouns: [
                "phone", "headphones", "earbuds", "speaker", "charger", "cable", "laptop", "tablet", "camera",
                "keyboard", "mouse", "monitor", "smartwatch", "router",
            ],
            sized: false, priceFactor: 4),
        SyntheticDepartment(
            name: "Home & Kitchen", aisles: ["Cookware", "Tableware", "Appliances", "Furniture", "Bedding"],
            nouns: [
                "skillet", "pan", "pot", "mug", "plate", "bowl", "kettle", "blender", "toaster", "lamp", "chair",
                "table", "pillow", "blanket", "towel",
            ],
            sized: false, priceFactor: 1.5),
        SyntheticDepartment(
            name: "Fashion", aisles: ["Shoes", "Clothing", "Bags", "Jewelry", "Accessories"],
            nouns: [
                "shoes", "sneakers", "boots", "shirt", "jacket", "jeans", "sweater", "dress", "hat", "scarf", "bag",
                "backpack", "wallet", "belt", "necklace", "ring", "watch", "socks",
            ],
            sized: true, priceFactor: 1.5),
        SyntheticDepartment(
            name: "Sports & Outdoors", aisles: ["Camping", "Fitness", "Cycling", "Water Sports", "Team Sports"],
            nouns: [
                "tent", "lantern", "bottle", "mat", "dumbbell", "bike", "helmet", "ball", "racket", "paddle",
                "gloves", "hammock",
            ],
            sized: true, priceFactor: 1.5),
        SyntheticDepartment(
            name: "Books & Media", aisles: ["Fiction", "Nonfiction", "Cookbooks", "Music", "Films"],
            nouns: ["novel", "book", "cookbook", "guide", "journal", "album", "vinyl", "film", "poster", "audiobook"],
            sized: false, priceFactor: 0.6),
        SyntheticDepartment(
            name: "Toys & Games", aisles: ["Board Games", "Puzzles", "Building Toys", "Dolls & Plush", "Outdoor Toys"],
            nouns: ["game", "puzzle", "blocks", "doll", "plush", "kite", "robot", "train", "marbles"],
            sized: false, priceFactor: 1),
        SyntheticDepartment(
            name: "Beauty & Health", aisles: ["Skincare", "Haircare", "Fragrance", "Makeup", "Wellness"],
            nouns: [
                "serum", "cream", "moisturizer", "shampoo", "conditioner", "perfume", "lipstick", "brush", "soap",
                "vitamins",
            ],
            sized: false, priceFactor: 0.8),
        SyntheticDepartment(
            name: "Garden & Patio",
            aisles: ["Garden Tools", "Plants & Seeds", "Watering", "Patio Furniture", "Grills"],
            nouns: ["shears", "hose", "seeds", "planter", "trowel", "rake", "grill", "bench", "umbrella", "birdhouse"],
            sized: false, priceFactor: 1.2),
        SyntheticDepartment(
            name: "Automotive", aisles: ["Car Care", "Car Electronics", "Tools", "Tires & Wheels", "Interior"],
            nouns: ["wax", "dashcam", "jack", "wrench", "tire", "cover", "polish", "organizer", "vacuum"],
            sized: false, priceFactor: 2),
        SyntheticDepartment(
            name: "Office Supplies", aisles: ["Paper", "Writing", "Desk Organizers", "Printers", "Office Furniture"],
            nouns: ["notebook", "pen", "pencil", "marker", "stapler", "folder", "printer", "desk", "planner"],
            sized: false, priceFactor: 0.7),
        SyntheticDepartment(
            name: "Pet Supplies", aisles: ["Dog", "Cat", "Fish", "Bird", "Small Animals"],
            nouns: [
                "leash", "collar", "bed", "feeder", "litter", "aquarium", "cage", "treats", "harness", "scratcher",
            ],
            sized: true, priceFactor: 0.8),
        SyntheticDepartment(
            name: "Baby & Kids", aisles: ["Nursery", "Feeding", "Strollers", "Baby Clothing", "Safety"],
            nouns: ["crib", "stroller", "onesie", "bib", "highchair", "gate", "rattle", "carrier", "swaddle"],
            sized: true, priceFactor: 1.2),
    ]

    /// Words that tell one aisle's leaves apart: "Compact Audio", "Travel Audio".
    static let qualifiers = [
        "Everyday", "Premium", "Compact", "Outdoor", "Kids'", "Vintage", "Travel", "Smart", "Eco", "Professional",
        "Value", "Luxury", "Classic", "Modern", "Handmade", "Seasonal", "Essential", "Refurbished", "Gift", "Starter",
        "Heavy-Duty", "Designer", "Limited", "Bulk",
    ]

    /// Describing words shoppers search for, next to each department's nouns.
    static let describingWords = [
        "wireless", "bluetooth", "portable", "waterproof", "organic", "cotton", "leather", "wool", "linen", "bamboo",
        "steel", "stainless", "ceramic", "wooden", "glass", "recycled", "vintage", "classic", "modern", "compact",
        "lightweight", "heavy", "premium", "deluxe", "mini", "large", "small", "soft", "warm", "cozy", "fast",
        "smart", "digital", "electric", "rechargeable", "adjustable", "foldable", "ergonomic", "noise", "cancelling",
        "ultra", "slim", "pro", "plus", "max", "rugged", "outdoor", "indoor", "travel", "kids", "family", "everyday",
        "black", "white", "red", "blue", "green", "grey", "navy", "pink", "gold", "silver", "natural", "handmade",
        "artisan", "eco", "set", "pack", "kit", "pair", "hybrid", "solar", "led", "usb", "magnetic", "insulated",
        "nonstick", "cast", "iron", "memory", "foam", "breathable", "stretch", "durable", "gentle", "scented",
        "herbal", "vegan", "running", "hiking", "kitchen", "office", "gaming", "studio", "pocket", "quick", "dry",
        "thermal", "velvet", "denim", "silk",
    ]

    static let colors = [
        "Black", "White", "Navy", "Red", "Forest Green", "Grey", "Sand", "Sky Blue", "Olive", "Rose",
        "Mustard", "Charcoal", "Teal", "Burgundy", "Ivory", "Coral",
    ]
    static let sizes = ["XS", "S", "M", "L", "XL", "XXL"]
    static let materials = [
        "cotton", "polyester", "steel", "aluminium", "oak", "bamboo", "leather", "glass", "ceramic",
        "silicone", "wool", "recycled plastic",
    ]
}
