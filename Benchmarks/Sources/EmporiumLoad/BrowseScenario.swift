import Foundation

/// Alternates a search for a word from a small list and a product page by id; ids come from those searches.
struct BrowseWorkload: Sendable {
    /// Words found in both the demo catalog and the synthetic one.
    static let words = [
        "phone", "headphones", "speaker", "charger", "wireless", "shoes", "boots", "jacket", "cotton", "leather",
        "backpack", "skillet", "mug", "knife", "game", "puzzle", "tent", "bottle", "yoga", "camera", "laptop",
    ]

    let api: StoreAPI
    let productIDs: [String]

    func makeClient(_ index: Int) -> any VirtualClient {
        // Odd clients start with a product page, so both kinds are in flight from the first moment.
        BrowseClient(api: api, productIDs: productIDs, turn: index)
    }
}

private struct BrowseClient: VirtualClient {
    let api: StoreAPI
    let productIDs: [String]
    var turn: Int

    mutating func perform(_ recorder: inout Recorder) async -> Bool {
        defer { turn += 1 }
        let api = self.api
        let reply: Reply?
        if turn % 2 == 0 {
            let word = BrowseWorkload.words.randomElement()!
            reply = await recorder.call("search") { try await api.send(.GET, "/api/v1/products/search?q=\(word)") }
        } else {
            let id = productIDs.randomElement()!.queryEscaped
            reply = await recorder.call("product") { try await api.send(.GET, "/api/v1/products/\(id)") }
        }
        guard let reply else { return false }
        if reply.status != 200 { recorder.outcome("failed: \(describe(reply))") }
        return reply.status == 200
    }
}

/// GET /health/live: the ceiling every scenario is compared with, on the same connections and server.
struct HealthClient: VirtualClient {
    let api: StoreAPI

    mutating func perform(_ recorder: inout Recorder) async -> Bool {
        let api = self.api
        let reply = await recorder.call("health") { try await api.send(.GET, "/health/live") }
        return reply?.status == 200
    }
}
