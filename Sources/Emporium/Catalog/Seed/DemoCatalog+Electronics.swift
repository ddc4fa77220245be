extension DemoCatalog {
    static let electronicsLines: [ProductLine] = [
        ProductLine(
            category: "phones", code: "PH", noun: "Phone", brands: ["Veritel"],
            models: ["Nova Lite", "Nova", "Nova Plus", "Nova Pro", "Nova Ultra"], prices: 29999...99999,
            pitch: "An unlocked 5G phone with an all-day battery and a bright OLED display.",
            features: [
                "The Lite keeps the essentials, and a headphone jack.",
                "Its dual camera handles night shots without a tripod.",
                "A larger 6.7-inch screen makes it the reading phone of the range.",
                "Adds a 5x telephoto lens and 45 W fast charging.",
                "Titanium frame, a 200-megapixel camera and seven years of updates.",
            ],
            attributes: ["network": "5G", "display": "OLED"],
            option: .tiers("storage", ("128 GB", 0), ("256 GB", 10000), ("512 GB", 25000))
        ),
        ProductLine(
            category: "phones", code: "RP", noun: "Rugged Phone", brands: ["Kestrel & Co"],
            models: ["Trailhand", "Trailhand Max", "Summit"], prices: 34999...69999,
            pitch: "A drop-proof phone sealed against dust and rain, built for job sites and trailheads.",
            features: [
                "A swappable battery keeps it going for three days.",
                "Adds a thermal camera for finding leaks and lost pets.",
                "Sends satellite messages when there is no signal at all.",
            ],
            attributes: ["rating": "IP68", "network": "5G"],
            option: .colors("Olive", "Black", "Safety Orange")
        ),
        ProductLine(
            category: "phones", code: "FP", noun: "Folding Phone", brands: ["Veritel"],
            models: ["Flip", "Fold"], prices: 84999...109999,
            pitch: "A phone that folds in half along a crease you can barely feel.",
            features: [
                "Closed, it fits a shirt pocket; open, a full-size phone.",
                "Opens into a 7.6-inch tablet for maps, video and spreadsheets.",
            ],
            attributes: ["network": "5G"],
            option: .tiers("storage", ("256 GB", 0), ("512 GB", 15000))
        ),
        ProductLine(
            category: "phones", code: "PC", noun: "Phone Case", brands: ["Corvid Labs"],
            models: ["Slim", "Grip", "Wallet", "Armor"], prices: 1999...4499,
            pitch: "A phone case with raised edges that protect the screen and camera.",
            features: [
                "Barely thicker than the phone itself.",
                "Textured sides that stay put in a cold hand.",
                "Holds three cards and a folded banknote.",
                "Tested to survive a three-metre drop onto concrete.",
            ],
            attributes: ["material": "recycled polycarbonate"],
            option: .colors("Black", "Sand", "Sage", "Clear", "Coral")
        ),
        ProductLine(
            category: "headphones", code: "HP", noun: "Wireless Headphones", brands: ["Auralis"],
            models: ["Aria", "Aria Pro", "Tempo", "Tempo ANC", "Studio One"], prices: 5999...34999,
            pitch: "Over-ear wireless headphones with soft memory-foam cushions and Bluetooth 5.3.",
            features: [
                "Forty hours of playback on a single charge.",
                "Active noise cancelling that quiets trains and open offices.",
                "Light enough for long runs, with sweat-proof ear cups.",
                "Adaptive noise cancelling tunes itself to the room.",
                "Lossless audio over cable and a studio-flat sound profile.",
            ],
            attributes: ["connectivity": "Bluetooth 5.3", "style": "over-ear"],
            option: .colors("Black", "Silver", "Midnight Blue", "Ivory")
        ),
        ProductLine(
            category: "headphones", code: "EB", noun: "Wireless Earbuds", brands: ["Auralis", "Brightwave"],
            models: ["Pebble", "Pebble Sport", "Halo", "Halo Pro"], prices: 2999...19999,
            pitch: "True wireless earbuds in a pocket-sized charging case.",
            features: [
                "Three sizes of silicone tips in the box.",
                "Wing tips keep them in place on the bumpiest trail.",
                "Transparency mode lets announcements through.",
                "Noise cancelling and wireless charging in the case.",
            ],
            attributes: ["connectivity": "Bluetooth 5.3", "style": "in-ear"],
            option: .colors("Black", "White", "Sage")
        ),
        ProductLine(
            category: "headphones", code: "WH", noun: "Wired Headphones", brands: ["Brightwave"],
            models: ["Junior", "Monitor 7", "Monitor 9"], prices: 1999...14999,
            pitch: "Wired headphones that never need charging and never drop a connection.",
            features: [
                "Volume limited to 85 dB for young ears.",
                "Closed-back studio monitors with a coiled cable.",
                "Open-back reference sound for mixing and long listening.",
            ],
            attributes: ["connector": "3.5 mm"]
        ),
        ProductLine(
            category: "speakers", code: "BS", noun: "Bluetooth Speaker", brands: ["Brightwave", "Auralis"],
            models: ["Pocket", "Pocket Plus", "Wave", "Wave XL", "Boom", "Boom Max"], prices: 2999...29999,
            pitch: "A portable bluetooth speaker that floats, survives sand and pairs in seconds.",
            features: [
                "Clips to a backpack strap.",
                "Twelve hours of play and a built-in microphone for calls.",
                "360-degree sound for picnics and porches.",
                "Pairs with a second speaker for stereo.",
                "Deep bass and a light show for parties.",
                "Twenty-four hours of play and a USB-C port that charges your phone.",
            ],
            attributes: ["waterproof": "IPX7", "connectivity": "Bluetooth 5.3"],
            option: .colors("Black", "Teal", "Coral", "Stone")
        ),
        ProductLine(
            category: "speakers", code: "SS", noun: "Smart Speaker", brands: ["Lumora"],
            models: ["Home Mini", "Home", "Home Max"], prices: 4999...19999,
            pitch: "A smart speaker with Wi-Fi streaming, multi-room audio and a physical mute switch.",
            features: [
                "Small enough for a bookshelf or bedside table.",
                "Room-filling sound that tunes itself to the walls.",
                "Stereo drivers and a woofer for the living room.",
            ],
            attributes: ["connectivity": "Wi-Fi, Bluetooth"],
            option: .colors("Charcoal", "Linen")
        ),
        ProductLine(
            category: "speakers", code: "SB", noun: "Soundbar", brands: ["Auralis"],
            models: ["Cinema 2", "Cinema 5.1"], prices: 19999...59999,
            pitch: "A slim soundbar that makes dialogue clear without waking the house.",
            features: [
                "Two channels and a night mode.",
                "A wireless subwoofer and rear speakers for true surround.",
            ],
            attributes: ["connectivity": "HDMI eARC, optical"]
        ),
        ProductLine(
            category: "chargers", code: "CH", noun: "USB-C Charger", brands: ["Voltaic Supply"],
            models: ["20W", "35W Dual", "65W GaN", "100W GaN"], prices: 1499...6999,
            pitch: "A compact wall charger with folding prongs.",
            features: [
                "Fast-charges a phone to half in thirty minutes.",
                "Two ports share the power between phone and earbuds.",
                "Gallium nitride keeps it small enough to charge a laptop.",
                "Four ports charge a laptop, tablet, phone and watch at once.",
            ],
            attributes: ["connector": "USB-C"],
            option: .colors("White", "Black")
        ),
        ProductLine(
            category: "chargers", code: "CB", noun: "Charging Cable", brands: ["Voltaic Supply", "Corvid Labs"],
            models: ["USB-C to USB-C", "USB-A to USB-C", "Braided USB-C"], prices: 999...2499,
            pitch: "A charging cable rated for ten thousand bends.",
            features: [
                "Carries 60 W and USB 2 data.",
                "For older chargers and car ports.",
                "A braided nylon jacket and 240 W for laptops.",
            ],
            attributes: ["connector": "USB-C"],
            option: .sizes("1 m", "2 m", "3 m")
        ),
        ProductLine(
            category: "chargers", code: "WC", noun: "Wireless Charger", brands: ["Voltaic Supply"],
            models: ["Pad", "Stand", "3-in-1 Dock"], prices: 2499...7999,
            pitch: "A wireless charger that starts the moment you set your phone down.",
            features: [
                "A flat pad for the nightstand.",
                "Holds the phone upright so you can still read it.",
                "Charges a phone, earbuds and a watch together.",
            ],
            attributes: ["output": "15 W"],
            option: .colors("White", "Black")
        ),
        ProductLine(
            category: "chargers", code: "PB", noun: "Power Bank", brands: ["Voltaic Supply", "Kestrel & Co"],
            models: ["10,000 mAh", "20,000 mAh", "Solar 25,000 mAh"], prices: 2999...7999,
            pitch: "A pocket power bank that refills a phone on the go.",
            features: [
                "Two full phone charges in something the size of a deck of cards.",
                "Enough for a weekend away, with a built-in cable.",
                "A solar panel tops it up on long hikes.",
            ],
            attributes: ["connector": "USB-C"]
        ),
    ]
}
