import Foundation
import Synchronization

/// This node's product pages, encoded once: a read is a dictionary lookup. A node consumer of `product.*` and
/// `inventory.changed` drops entries, so a change made through any node shows here within the poll interval.
public final class ProductCache: Sendable {
    /// A product page ready to send: its JSON and its strong ETag.
    public struct Page: Sendable {
        public let productId: String
        public let slug: String
        public let json: [UInt8]
        public let etag: String
    }

    /// Taken before a database read; a page read before an invalidation is not stored after it.
    public struct Ticket: Sendable {
        fileprivate let generation: Int
    }

    private struct State {
        var pages: [String: Page] = [:]
        var slugs: [String: String] = [:]
        var generation = 0
        var invalidatedAt: [String: Int] = [:]
        var allInvalidatedAt = -1
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    func page(_ idOrSlug: String) -> Page? {
        state.withLock { state in
            state.pages[idOrSlug] ?? state.slugs[idOrSlug].flatMap { state.pages[$0] }
        }
    }

    func ticket() -> Ticket {
        Ticket(generation: state.withLock { $0.generation })
    }

    /// The page of a product: its JSON and an ETag from its bytes.
    static func page(of product: Product) throws -> Page {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = Array(try encoder.encode(product))
        let digest = sha256Hex(json).prefix(24)
        return Page(productId: product.id, slug: product.slug, json: json, etag: "\"\(digest)\"")
    }

    func store(_ product: Product, ticket: Ticket) throws -> Page {
        let page = try Self.page(of: product)
        state.withLock { state in
            guard max(state.invalidatedAt[product.id] ?? -1, state.allInvalidatedAt) <= ticket.generation else {
                return
            }
            if state.pages.count >= capacity {
                // Crude but bounded: drop an arbitrary tenth; hot pages come back on their next read.
                for key in state.pages.keys.prefix(capacity / 10) { state.pages[key] = nil }
                state.slugs = state.slugs.filter { state.pages[$0.value] != nil }
            }
            state.pages[product.id] = page
            state.slugs[product.slug] = product.id
        }
        return page
    }

    func invalidate(productId: String) {
        state.withLock { state in
            state.generation += 1
            state.invalidatedAt[productId] = state.generation
            if let page = state.pages.removeValue(forKey: productId) { state.slugs[page.slug] = nil }
        }
    }

    func invalidateAll() {
        state.withLock { state in
            state.generation += 1
            state.pages = [:]
            state.slugs = [:]
            state.invalidatedAt = [:]
            state.allInvalidatedAt = state.generation
        }
    }
}
