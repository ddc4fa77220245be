import Emporium
import Foundation
import Synchronization

/// This node's rendered guest pages (product pages, the home page), each under the version of what it shows.
///
/// A page is rendered again when what it shows changed: its product's JSON has a new ETag (stock, price, rating),
/// or the storefront's consumer of the event log dropped it (`product.*`, which a review's change also sends once
/// the aggregate has it, and `catalog.`/`category.` for everything). `maxAge` bounds what reaches a page without
/// an event (a review's helpful votes). The pages are kept within a budget of bytes, so a node holds the pages of
/// a large catalog's busy products without growing without bound.
final class RenderedPages: Sendable {
    /// Taken before a page's data is read: a page rendered from data read before an invalidation is not stored.
    private struct Ticket {
        fileprivate let generation: Int
    }

    private struct Entry {
        let version: String
        let renderedAt: ContinuousClock.Instant
        let body: PageBody
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var generation = 0
        var invalidatedAt: [String: Int] = [:]
        var allInvalidatedAt = -1
    }

    private let state = Mutex(State())
    /// Concurrent requests for a page that is not kept wait for one render of it.
    private let rendering = SharedWork<PageBody>()
    /// The most bytes of page text kept.
    let budget: Int

    init(budget: Int = 256 << 20) {
        self.budget = budget
    }

    /// The page under `key` for `version`: the kept one, or one `render` made (once for every request asking at
    /// the same time), then kept.
    func page(
        _ key: String, version: String, maxAge: Duration, render: @escaping @Sendable () async throws -> PageBody
    ) async throws -> PageBody {
        if let body = body(key, version: version, maxAge: maxAge) { return body }
        return try await rendering.run(key + "\u{0}" + version) { [self] in
            let ticket = ticket()
            let body = try await render()
            store(body, key: key, version: version, ticket: ticket)
            return body
        }
    }

    /// The page kept under `key` for `version`; nil: render it (and `store` it). A page older than `maxAge` is
    /// rendered again by the first caller to find it so, while everyone else keeps getting it until the new one is
    /// stored: one render, not one per waiting request (the home page on a large catalog takes tens of
    /// milliseconds, and 64 connections rendering it at once stalled every one of them).
    private func body(_ key: String, version: String, maxAge: Duration) -> PageBody? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.version == version else { return nil }
            let now = ContinuousClock.now
            guard entry.renderedAt.duration(to: now) < maxAge else {
                state.entries[key] = Entry(version: version, renderedAt: now, body: entry.body)
                return nil
            }
            return entry.body
        }
    }

    private func ticket() -> Ticket {
        Ticket(generation: state.withLock { $0.generation })
    }

    private func store(_ body: PageBody, key: String, version: String, ticket: Ticket) {
        state.withLock { state in
            guard max(state.invalidatedAt[key] ?? -1, state.allInvalidatedAt) <= ticket.generation else { return }
            if let old = state.entries[key] { state.bytes -= old.body.byteCount }
            if state.bytes + body.byteCount > budget {
                // Crude but bounded, as the product cache: drop an arbitrary tenth; busy pages come back on their
                // next read.
                for dropped in state.entries.keys.prefix(max(1, state.entries.count / 10)) {
                    state.bytes -= state.entries.removeValue(forKey: dropped)?.body.byteCount ?? 0
                }
            }
            state.entries[key] = Entry(version: version, renderedAt: .now, body: body)
            state.bytes += body.byteCount
        }
    }

    func invalidate(_ key: String) {
        state.withLock { state in
            state.generation += 1
            state.invalidatedAt[key] = state.generation
            if state.invalidatedAt.count > 100_000 {
                // Bounded too: forgetting which keys were dropped refuses every render in flight, which is safe.
                state.invalidatedAt = [:]
                state.allInvalidatedAt = state.generation
            }
            state.bytes -= state.entries.removeValue(forKey: key)?.body.byteCount ?? 0
        }
    }

    func invalidateAll() {
        state.withLock { state in
            state.generation += 1
            state.entries = [:]
            state.bytes = 0
            state.invalidatedAt = [:]
            state.allInvalidatedAt = state.generation
        }
    }
}
