import Hummingbird
import SQLKit
import Synchronization

/// The answer to a request that claimed an Idempotency-Key, stored by the transaction that decides the request's
/// outcome instead of by a write of its own afterwards: one round trip fewer for a checkout and for a payment on
/// PostgreSQL, one writer transaction fewer on SQLite (issue 21).
///
/// `IdempotencyMiddleware` makes one for each request it runs (`current`). The route says how its outcome is
/// answered (`answering`). The domain's transaction calls `forget` first and `record` last, with that outcome.
/// When `next` returns and a record was made, that record is the answer; every other request (another path, a
/// failure) is stored by the middleware afterwards, as before.
final class IdempotentResponse: Sendable {
    @TaskLocal static var current: IdempotentResponse?

    private struct State: Sendable {
        var respond: (@Sendable (any Sendable) -> (any ResponseGenerator)?)?
        var recorded: IdempotencyStore.StoredResponse?
    }

    let store: IdempotencyStore
    let scope: String
    let key: String
    /// The route's answer as Hummingbird makes it for this request (its context's encoder).
    private let render: @Sendable (any ResponseGenerator) throws -> Response
    private let state = Mutex(State())

    init(
        store: IdempotencyStore, scope: String, key: String,
        render: @escaping @Sendable (any ResponseGenerator) throws -> Response
    ) {
        self.store = store
        self.scope = scope
        self.key = key
        self.render = render
    }

    /// Runs `work`, answering its outcome with `respond`; `record` answers the same way inside work's transaction.
    static func answering<T: Sendable, R: ResponseGenerator>(
        _ respond: @escaping @Sendable (T) -> R, _ work: () async throws -> T
    ) async throws -> R {
        current?.state.withLock { $0.respond = { ($0 as? T).map(respond) } }
        return respond(try await work())
    }

    /// Drops a record of an earlier run of the transaction (one rolled back and run again). Call it first.
    func forget() {
        state.withLock { $0.recorded = nil }
    }

    /// Stores the answer to `value` with the claim, at `sql`'s commit. Call it last in the transaction that makes
    /// `value` the request's outcome: the record commits with it or not at all. An answer that cannot be made here
    /// is left to the middleware.
    func record(_ value: any Sendable, in sql: any SQLDatabase) async throws {
        guard let generator = state.withLock({ $0.respond })?(value),
            let response = try? render(generator),
            let stored = try? await IdempotencyMiddleware.stored(response)
        else { return }
        try await store.complete(scope: scope, key: key, response: stored, in: sql.atCommit)
        state.withLock { $0.recorded = stored }
    }

    /// The answer `record` stored; the middleware trusts it once the route returned (its transaction committed).
    var recorded: IdempotencyStore.StoredResponse? {
        state.withLock { $0.recorded }
    }
}
