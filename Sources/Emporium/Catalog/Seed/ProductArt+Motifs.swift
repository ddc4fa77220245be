extension ProductArt {
    /// The drawing for a kind of product, in the 400 x 400 frame above the caption.
    enum Motif {
        case phone, headphones, speaker, plug, pan, mug, knife, shoe, shirt, bag, tent, dumbbell, book, blocks,
            bottle, leaf, pattern

        /// SVG elements drawn in the palette's ink; `accent` fills the details.
        func shapes(accent: String) -> String {
            switch self {
            case .phone:
                """
                <rect x="135" y="60" width="130" height="240" rx="24" stroke="none"/>\
                <rect x="148" y="84" width="104" height="188" rx="8" fill="\(accent)" stroke="none"/>\
                <circle cx="200" cy="72" r="4" fill="\(accent)" stroke="none"/>
                """
            case .headphones:
                """
                <path d="M108 220 A92 92 0 0 1 292 220" fill="none" stroke-width="18"/>\
                <rect x="84" y="196" width="48" height="86" rx="18" stroke="none"/>\
                <rect x="268" y="196" width="48" height="86" rx="18" stroke="none"/>
                """
            case .speaker:
                """
                <rect x="120" y="70" width="160" height="230" rx="32" stroke="none"/>\
                <circle cx="200" cy="125" r="22" fill="\(accent)" stroke="none"/>\
                <circle cx="200" cy="220" r="52" fill="\(accent)" stroke="none"/>\
                <circle cx="200" cy="220" r="16" stroke="none"/>
                """
            case .plug:
                """
                <rect x="170" y="70" width="14" height="44" rx="4" stroke="none"/>\
                <rect x="216" y="70" width="14" height="44" rx="4" stroke="none"/>\
                <rect x="145" y="110" width="110" height="110" rx="20" stroke="none"/>\
                <path d="M200 220 C200 290 110 260 120 310" fill="none" stroke-width="12"/>
                """
            case .pan:
                """
                <circle cx="170" cy="190" r="96" stroke="none"/>\
                <circle cx="170" cy="190" r="74" fill="\(accent)" stroke="none" opacity="0.6"/>\
                <rect x="262" y="178" width="120" height="26" rx="13" stroke="none"/>
                """
            case .mug:
                """
                <rect x="115" y="120" width="140" height="170" rx="16" stroke="none"/>\
                <path d="M255 160 h18 a36 36 0 0 1 0 72 h-18" fill="none" stroke-width="16"/>\
                <path d="M165 104 c-14 -12 14 -26 0 -42 M215 104 c-14 -12 14 -26 0 -42" fill="none" stroke-width="8"/>
                """
            case .knife:
                """
                <path d="M110 250 L320 90 Q338 100 326 128 L150 282 Z" stroke="none"/>\
                <rect x="50" y="258" width="100" height="30" rx="12" fill="\(accent)" stroke="none" \
                transform="rotate(-38 100 273)"/>
                """
            case .shoe:
                """
                <path d="M60 250 L64 170 Q66 150 90 158 L160 178 Q200 140 236 168 L306 206 Q344 218 344 248 \
                L344 254 Q344 266 330 266 L76 266 Q60 266 60 250 Z" stroke="none"/>\
                <rect x="56" y="262" width="292" height="18" rx="9" fill="\(accent)" stroke="none"/>
                """
            case .shirt:
                """
                <path d="M140 80 L96 104 L52 170 L98 200 L124 166 L124 300 L276 300 L276 166 L302 200 L348 170 \
                L304 104 L260 80 Q200 126 140 80 Z" stroke="none"/>
                """
            case .bag:
                """
                <path d="M150 140 Q150 76 200 76 Q250 76 250 140" fill="none" stroke-width="14"/>\
                <rect x="104" y="136" width="192" height="160" rx="20" stroke="none"/>\
                <rect x="104" y="176" width="192" height="12" fill="\(accent)" stroke="none"/>
                """
            case .tent:
                """
                <path d="M56 296 L200 76 L344 296 Z" stroke="none"/>\
                <path d="M200 150 L158 296 L242 296 Z" fill="\(accent)" stroke="none"/>
                """
            case .dumbbell:
                """
                <rect x="110" y="182" width="180" height="22" rx="8" stroke="none"/>\
                <rect x="70" y="136" width="44" height="114" rx="10" stroke="none"/>\
                <rect x="286" y="136" width="44" height="114" rx="10" stroke="none"/>
                """
            case .book:
                """
                <rect x="115" y="66" width="180" height="236" rx="6" stroke="none"/>\
                <rect x="115" y="66" width="28" height="236" rx="4" fill="\(accent)" stroke="none"/>\
                <path d="M170 120 H266 M170 146 H246" fill="none" stroke="\(accent)" stroke-width="8"/>
                """
            case .blocks:
                """
                <rect x="96" y="200" width="96" height="96" rx="8" stroke="none"/>\
                <rect x="208" y="200" width="96" height="96" rx="8" fill="\(accent)" stroke="none"/>\
                <rect x="152" y="96" width="96" height="96" rx="8" stroke="none" opacity="0.85"/>
                """
            case .bottle:
                """
                <rect x="172" y="64" width="56" height="36" rx="6" fill="\(accent)" stroke="none"/>\
                <rect x="182" y="98" width="36" height="44" stroke="none"/>\
                <rect x="146" y="136" width="108" height="166" rx="26" stroke="none"/>
                """
            case .leaf:
                """
                <path d="M200 296 C96 240 108 120 200 72 C292 120 304 240 200 296 Z" stroke="none"/>\
                <path d="M200 110 V300" fill="none" stroke="\(accent)" stroke-width="6"/>
                """
            case .pattern:
                """
                <circle cx="200" cy="180" r="100" fill="none" stroke-width="14"/>\
                <rect x="150" y="130" width="100" height="100" stroke="none" transform="rotate(45 200 180)"/>
                """
            }
        }
    }
}
