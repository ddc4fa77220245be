import Emporium
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

    init(_ html: String, markers: Markers) {
        let kinds: [(String, Piece)] = [(markers.header, .header), (markers.notice, .notice), (markers.csrf, .csrf)]
        var pieces: [Piece] = []
        var rest = html[...]
        while true {
            let found = kinds.compactMap { marker, piece in rest.range(of: marker).map { ($0, piece) } }
                .min { $0.0.lowerBound < $1.0.lowerBound }
            guard let (range, piece) = found else { break }
            pieces.append(.text(ByteBuffer(substring: rest[..<range.lowerBound])))
            pieces.append(piece)
            rest = rest[range.upperBound...]
        }
        pieces.append(.text(ByteBuffer(substring: rest)))
        self.pieces = pieces
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

/// This node's rendered guest pages (product pages, the home page), each under the version of what it shows:
/// a page whose product changed (a new ETag of the product's JSON, which follows the event log) or that is older
/// than `maxAge` is rendered again.
final class RenderedPages: Sendable {
    private struct Entry {
        let version: String
        let renderedAt: ContinuousClock.Instant
        let body: PageBody
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func body(_ key: String, version: String, maxAge: Duration) -> PageBody? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.version == version, entry.renderedAt.duration(to: .now) < maxAge
            else { return nil }
            return entry.body
        }
    }

    func store(_ body: PageBody, key: String, version: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(version: version, renderedAt: .now, body: body)
        }
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
