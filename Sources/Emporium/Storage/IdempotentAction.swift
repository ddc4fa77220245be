import Foundation
import HTTPTypes

extension StoreNode {
    /// Runs `work` at most once per `key` in `scope`, as `IdempotencyMiddleware` does for the API: the storefront's
    /// forms carry a rendered key, so a form sent twice gets the first run's result (a duplicate still running is
    /// waited for). The same key with another `request` is 422 `idempotency_key_reused`. A run that throws keeps
    /// nothing, so the form can be corrected and sent again.
    public func once(
        scope: String, key: String, request: String, _ work: () async throws -> String
    ) async throws -> String {
        guard (1...255).contains(key.count) else {
            throw Problem(.badRequest, code: "invalid_request", detail: "The form's key must be 1 to 255 characters.")
        }
        let store = idempotency
        let requestHash = store.fingerprint(request)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            switch try await store.claim(scope: scope, key: key, requestHash: requestHash) {
            case .claimed:
                store.inFlight.insert(scope: scope, key: key)
                defer { store.inFlight.remove(scope: scope, key: key) }
                let heartbeat = Task {
                    while true {
                        try await Task.sleep(for: .milliseconds(store.leaseMillis / 3))
                        _ = try? await store.renew(scope: scope, key: key)
                    }
                }
                defer { heartbeat.cancel() }
                let result: String
                do {
                    result = try await work()
                } catch {
                    try? await store.release(scope: scope, key: key)
                    throw error
                }
                try await store.complete(
                    scope: scope, key: key,
                    response: .init(status: 200, headers: [], body: Data(result.utf8)))
                return result
            case .completed(let stored):
                return String(decoding: stored.body, as: UTF8.self)
            case .mismatch:
                throw Problem(
                    .unprocessableContent, code: "idempotency_key_reused",
                    detail: "This form was already sent with other values; reload the page and try again.")
            case .inProgress:
                guard ContinuousClock.now < deadline else {
                    throw Problem(
                        .conflict, code: "idempotency_request_in_progress",
                        detail: "This form is still being processed; reload the page in a moment.")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
