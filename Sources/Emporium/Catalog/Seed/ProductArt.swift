/// A demo product's picture: its category's motif on a gradient of its department's colours, captioned with its title.
struct ProductArt {
    /// The colours of one department: the gradient's two ends and the motif's ink.
    struct Palette {
        let light: String
        let deep: String
        let ink: String

        static let electronics = Palette(light: "#7f9cf5", deep: "#312e81", ink: "#f8fafc")
        static let home = Palette(light: "#fbd38d", deep: "#c05621", ink: "#fffaf0")
        static let fashion = Palette(light: "#fbb6ce", deep: "#97266d", ink: "#fff5f7")
        static let outdoors = Palette(light: "#9ae6b4", deep: "#22543d", ink: "#f0fff4")
        static let books = Palette(light: "#e2d3b5", deep: "#744210", ink: "#fffff0")
        static let toys = Palette(light: "#faf089", deep: "#dd6b20", ink: "#ffffff")
        static let beauty = Palette(light: "#e9d8fd", deep: "#805ad5", ink: "#ffffff")
        static let garden = Palette(light: "#c6f6d5", deep: "#2f855a", ink: "#fefcbf")
        static let other = Palette(light: "#cbd5e0", deep: "#2d3748", ink: "#f7fafc")
    }

    let category: String
    let caption: String
    let brand: String

    /// A self-contained SVG: no scripts, no event handlers, no references outside itself.
    var svg: String {
        let (motif, palette) = Self.styles[category] ?? (.pattern, .other)
        let fontSize = min(30, 560 / max(caption.count, 1))
        // xmlns is a namespace name, never fetched; without it a browser will not render the file as an image.
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">\
            <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">\
            <stop offset="0" stop-color="\(palette.light)"/><stop offset="1" stop-color="\(palette.deep)"/>\
            </linearGradient></defs>\
            <rect width="400" height="400" fill="url(#bg)"/>\
            <g fill="\(palette.ink)" stroke="\(palette.ink)" stroke-linecap="round" stroke-linejoin="round">\
            \(motif.shapes(accent: palette.deep))</g>\
            <text x="200" y="40" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" \
            font-size="16" fill="\(palette.ink)" opacity="0.8">\(Self.escaped(brand))</text>\
            <text x="200" y="360" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" \
            font-size="\(fontSize)" font-weight="bold" fill="\(palette.ink)">\(Self.escaped(caption))</text>\
            </svg>
            """
    }

    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    private static let styles: [String: (Motif, Palette)] = [
        "phones": (.phone, .electronics),
        "headphones": (.headphones, .electronics),
        "speakers": (.speaker, .electronics),
        "chargers": (.plug, .electronics),
        "cookware": (.pan, .home),
        "tableware": (.mug, .home),
        "kitchen-tools": (.knife, .home),
        "shoes": (.shoe, .fashion),
        "clothing": (.shirt, .fashion),
        "bags": (.bag, .fashion),
        "camping": (.tent, .outdoors),
        "fitness": (.dumbbell, .outdoors),
        "fiction": (.book, .books),
        "cookbooks": (.book, .books),
        "toys-games": (.blocks, .toys),
        "beauty": (.bottle, .beauty),
        "garden": (.leaf, .garden),
    ]
}
