import Emporium
import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

/// The rendered guest pages a node keeps: what they show follows the event log, and a page missing under load is
/// rendered once.
@Suite(.timeLimit(.minutes(3)))
struct RenderedPageTests {
    @Test(arguments: engines)
    func aGuestsKeptProductPageShowsAReviewAndItsEditWithinASecond(engine: DatabaseEngine) async throws {
        try await TestStore.withStorefront(engine) { client, node in
            let (slug, _, _) = try await createTwoVariantProduct(client, node)
            var guest = BrowserSession(client)
            #expect(try await guest.get("/p/\(slug)").status == .ok)
            let author = try await reviewer(node)
            let posted = try await client.postReview(slug, rating: 4, title: "Sturdy lamp", token: author.token)
            #expect(posted.status == .created)
            #expect(try await eventually { try await guest.get("/p/\(slug)").html.contains("Sturdy lamp") })
            // The same rating: the product's JSON (and so its ETag) stays as it was; the page must follow anyway.
            let edited = try await client.send(
                .put, "/api/v1/products/\(slug)/reviews/mine",
                json: #"{"rating": 4, "title": "Sturdy lamp, soft light", "body": "Works well."}"#, token: author.token)
            #expect(edited.status == .ok)
            #expect(try await eventually { try await guest.get("/p/\(slug)").html.contains("soft light") })
        }
    }

    @Test func concurrentCallersOfOneKeyShareOneRun() async throws {
        let shared = SharedWork<Int>()
        let (runs, callers) = (Count(), Count())
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    callers.add()
                    return try await shared.run("page") {
                        runs.add()
                        // The run lasts until every caller has asked (a slow machine starts them late).
                        while callers.value < 50 { try await Task.sleep(for: .milliseconds(5)) }
                        try await Task.sleep(for: .milliseconds(50))
                        return 42
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: 42, count: 50))
        #expect(runs.value == 1)
        // Once it is done, the next caller runs the work again (a cache in front decides whether to ask).
        #expect(try await shared.run("page") { 7 } == 7)
    }
}

/// A number several tasks count up.
private final class Count: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
