import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `Idempotency-Key` on POST: the first request with a key does the work; the same key and body from the same
/// caller gets the first response again, even when both arrive at once on different nodes; another body gets 422.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: IdempotencyStore
    /// Routes that need a key (checkout, pay, flash-sale purchase), as path prefixes and suffixes.
    let requiredFor: @Sendable (String) -> Bool
    /// Routes that keep their own records of keys (a flash-sale purchase stores one only when it wins).
    var handledByRoute: @Sendable (String) -> Bool = { _ in false }
    var waitLimit: Duration = .seconds(30)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .post else { return try await next(request, context) }
        guard let key = request.headers[.idempotencyKey] else {
            if requiredFor(request.uri.path) {
                throw Problem(
                    .badRequest, code: "idempotency_key_required",
                    detail: "Send an Idempotency-Key header with this request.")
            }
            return try await next(request, context)
        }
        guard (1...255).contains(key.count) else {
            throw Problem(.badRequest, code: "invalid_request", detail: "Idempotency-Key must be 1 to 255 characters.")
        }
        if handledByRoute(request.uri.path) { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: 10 << 20)
        let requestHash = store.fingerprint(
            "\(request.method) \(request.uri.path)?\(request.uri.query ?? "")\n" + String(buffer: body))
        // A guest's key is scoped to its cart token, so two guests' keys never meet (a replay carries a cart).
        let scope =
            context.identity?.userId ?? request.headers[.cartToken].map { "guest:" + sha256Hex($0) } ?? "anonymous"
        // A caller with neither a bearer nor a cart token can only sign up or in; any other route answers 401
        // before doing anything, and must not claim a key in the scope every anonymous caller shares.
        if scope == "anonymous", !request.uri.path.hasPrefix("/api/v1/auth/") {
            return try await next(request, context)
        }

        let deadline = ContinuousClock.now + waitLimit
        while true {
            switch try await store.claim(scope: scope, key: key, requestHash: requestHash) {
            case .claimed:
                return try await perform(request, context: context, scope: scope, key: key, next: next)
            case .completed(let stored):
                return replay(stored)
            case .mismatch:
                throw Problem(
                    .unprocessableContent,
                    code: "idempotency_key_reused",
                    detail: "This Idempotency-Key was already used with a different request."
                )
            case .inProgress:
                guard ContinuousClock.now < deadline else {
                    throw Problem(
                        .conflict,
                        code: "idempotency_request_in_progress",
                        detail: "A request with this Idempotency-Key is still being processed; retry shortly.",
                        headers: [.retryAfter: "1"]
                    )
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    private func perform(
        _ request: Request,
        context: Context,
        scope: String,
        key: String,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The claim is a lease: renewed while this request runs, so only a dead node's claim lapses.
        store.inFlight.insert(scope: scope, key: key)
        defer { store.inFlight.remove(scope: scope, key: key) }
        let heartbeat = Task { [store] in
            let every = Duration.milliseconds(store.leaseMillis / 3)
            while true {
                try await Task.sleep(for: every)
                _ = try? await store.renew(scope: scope, key: key)
            }
        }
        defer { heartbeat.cancel() }
        let recording = IdempotentResponse(store: store, scope: scope, key: key) { generator in
            try generator.response(from: request, context: context)
        }
        let response: Response
        do {
            response = try await IdempotentResponse.$current.withValue(recording) { try await next(request, context) }
        } catch {
            let answer = EdgeMiddleware.problemResponse(for: error, request: request, context: context)
            guard Self.isFinal(answer) else {
                try? await store.release(scope: scope, key: key)
                throw error
            }
            return try await record(answer, scope: scope, key: key)
        }
        // The route's own transaction stored its answer (it committed, or the route would have thrown).
        if let recorded = recording.recorded { return replay(recorded, replayed: false) }
        guard Self.isFinal(response) else {
            try? await store.release(scope: scope, key: key)
            return response
        }
        return try await record(response, scope: scope, key: key)
    }

    /// Server errors and answers that say "retry later" (`Retry-After`: a payment in progress, a rate limit)
    /// are not the request's outcome: the key is released so the retry does the work.
    static func isFinal(_ response: Response) -> Bool {
        response.status.code < 500 && response.headers[.retryAfter] == nil
    }

    /// Stores the response, then answers with the stored copy, so first answer and replays are byte-identical.
    private func record(_ response: Response, scope: String, key: String) async throws -> Response {
        let stored = try await Self.stored(response)
        try await store.complete(scope: scope, key: key, response: stored)
        return replay(stored, replayed: false)
    }

    /// A response as its record keeps it: status, headers but those of this one sending, body.
    static func stored(_ response: Response) async throws -> IdempotencyStore.StoredResponse {
        let collector = BodyCollector()
        try await response.body.write(collector)
        let headers = response.headers.filter { ![.contentLength, .requestId, .date].contains($0.name) }
        return IdempotencyStore.StoredResponse(
            status: Int(response.status.code),
            headers: headers.map { [$0.name.rawName, $0.value] },
            body: Data(collector.buffer.readableBytesView)
        )
    }

    private func replay(_ stored: IdempotencyStore.StoredResponse, replayed: Bool = true) -> Response {
        var headers = HTTPFields()
        for pair in stored.headers where pair.count == 2 {
            if let name = HTTPField.Name(pair[0]) { headers.append(HTTPField(name: name, value: pair[1])) }
        }
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return Response(
            status: HTTPResponse.Status(code: stored.status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: stored.body))
        )
    }
}

/// Collects a response body into one buffer.
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
