import Hummingbird
import SQLKit
import Synchronization

/// The answer to a request that claimed an Idempotency-Key, stored by the transaction that decides the request's
/// outcome instead of by a write of its own afterwards: one round trip fewer for a checkout and for a payment on
/// PostgreSQL, one writer transaction fewer on SQLite (issue 21).
///
/// `IdempotencyMiddleware` makes one for each request it runs (`current`). The route says how its outcome is
/// answered (`answering`). The domain's transaction calls `forget` first and `record` last, with that outcome
/// (prepared before the transaction where the outcome is known in advance).
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

    /// The answer to an outcome, rendered and sealed for its record.
    struct Prepared: Sendable {
        fileprivate let stored: IdempotencyStore.StoredResponse
        fileprivate let sealed: String
    }

    /// Renders and seals the answer to `value`, or nil when it cannot be made here (the middleware stores it then).
    /// A request whose outcome is known before its transaction (a checkout builds its order first) prepares it
    /// outside: SQLite's writer thread runs the transaction, and rendering and sealing there cost 15 % of SQLite's
    /// checkout rate.
    func prepare(_ value: any Sendable) async -> Prepared? {
        guard let generator = state.withLock({ $0.respond })?(value),
            let response = try? render(generator),
            let stored = try? await IdempotencyMiddleware.stored(response),
            let sealed = try? store.seal(stored, key: key)
        else { return nil }
        return Prepared(stored: stored, sealed: sealed)
    }

    /// Stores `prepared` with the claim, at `sql`'s commit. Call it last in the transaction that makes its outcome
    /// the request's: the record commits with it or not at all.
    func record(_ prepared: Prepared, in sql: any SQLDatabase) async throws {
        try await store.complete(
            scope: scope, key: key, status: prepared.stored.status, sealed: prepared.sealed, in: sql.atCommit)
        state.withLock { $0.recorded = prepared.stored }
    }

    /// `prepare`, then `record`, in the transaction.
    func record(_ value: any Sendable, in sql: any SQLDatabase) async throws {
        guard let prepared = await prepare(value) else { return }
        try await record(prepared, in: sql)
    }

    /// The answer `record` stored; the middleware trusts it once the route returned (its transaction committed).
    var recorded: IdempotencyStore.StoredResponse? {
        state.withLock { $0.recorded }
    }
}
