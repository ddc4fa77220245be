import Emporium
import EmporiumSearch
import Foundation
import NIOCore
import Synchronization

/// A rendered page with holes for what differs per visitor (the header, the notice, the forms' CSRF token), so one
/// rendering serves every guest: a cached page costs a lookup and a few buffer writes, not a render.
struct PageBody: Sendable {
    enum Piece: Sendable {
        case text(ByteBuffer)
        case header
        case notice
        case csrf
    }

    let pieces: [Piece]
    /// The bytes of its text (what a cache of pages holds).
    let byteCount: Int

    /// Stand-ins rendered into the page where the visitor's parts go: random per process, so no product text can
    /// forge one.
    struct Markers: Sendable {
        let header: String
        let notice: String
        let csrf: String

        init() {
            let tag = Identifier.secret(byteCount: 12)
            (header, notice, csrf) = ("\u{1}h\(tag)\u{1}", "\u{1}n\(tag)\u{1}", "\u{1}c\(tag)\u{1}")
        }
    }

    /// Splits `html` at the markers, scanning its bytes once (Foundation's `range(of:)` cost a search page more
    /// than its rendering).
    init(_ html: String, markers: Markers) {
        let kinds: [([UInt8], Piece)] = [
            (Array(markers.header.utf8), .header), (Array(markers.notice.utf8), .notice),
            (Array(markers.csrf.utf8), .csrf),
        ]
        var html = html
        pieces = html.withUTF8 { bytes in
            var pieces: [Piece] = []
            var (start, index) = (0, 0)
            while index < bytes.count {
                // Every marker starts with U+0001, which no page text holds.
                guard bytes[index] == 0x01,
                    let (marker, piece) = kinds.first(where: { marker, _ in
                        index + marker.count <= bytes.count
                            && bytes[index..<index + marker.count].elementsEqual(marker)
                    })
                else {
                    index += 1
                    continue
                }
                pieces.append(.text(ByteBuffer(bytes: UnsafeBufferPointer(rebasing: bytes[start..<index]))))
                pieces.append(piece)
                index += marker.count
                start = index
            }
            pieces.append(.text(ByteBuffer(bytes: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))))
            return pieces
        }
        byteCount = pieces.reduce(0) {
            if case .text(let text) = $1 { return $0 + text.readableBytes }
            return $0
        }
    }

    /// The page for one visitor.
    func filled(header: String, notice: String, csrf: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(
            pieces.reduce(header.utf8.count + notice.utf8.count) {
                if case .text(let text) = $1 { return $0 + text.readableBytes }
                return $0 + csrf.utf8.count
            })
        for piece in pieces {
            switch piece {
            case .text(let text): buffer.writeImmutableBuffer(text)
            case .header: buffer.writeString(header)
            case .notice: buffer.writeString(notice)
            case .csrf: buffer.writeString(csrf)
            }
        }
        return buffer
    }
}

/// The headers guests see, by the number of units in their cart.
final class GuestHeaders: Sendable {
    private let headers = Mutex<[Int: String]>([:])

    func header(cartCount: Int) -> String? { headers.withLock { $0[cartCount] } }

    func store(_ header: String, cartCount: Int) {
        guard cartCount <= CartRules.maxQuantity * 10 else { return }
        headers.withLock { $0[cartCount] = header }
    }
}

/// Product cards as HTML, by everything a card shows: a search page places twenty of them, and rendering each
/// through Mustache was most of the page's time.
final class RenderedCards: Sendable {
    private let cards = Mutex<[String: String]>([:])
    let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    func card(_ hit: SearchResult.Hit, render: (SearchResult.Hit) throws -> String) rethrows -> String {
        let key = [
            hit.id, hit.slug, hit.title, hit.brand, String(hit.price), hit.currency, String(hit.ratingAverage),
            String(hit.ratingCount), String(hit.inStock), hit.thumbnailUrl ?? "",
        ].joined(separator: "\u{0}")
        if let known = cards.withLock({ $0[key] }) { return known }
        let html = try render(hit)
        cards.withLock { cards in
            if cards.count >= capacity { cards.removeAll(keepingCapacity: true) }
            cards[key] = html
        }
        return html
    }
}
