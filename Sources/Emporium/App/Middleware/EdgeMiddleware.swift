import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension HTTPField.Name {
    static let requestId = Self("X-Request-Id")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let forwardedFor = Self("X-Forwarded-For")!
    /// `no` on event streams: nginx then passes each event on at once instead of buffering the response.
    static let accelBuffering = Self("X-Accel-Buffering")!
}

/// The outermost middleware: gives every request an id, turns every error into problem+json, logs the access.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accessLogLevel: Logger.Level?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let requestId = request.headers[.requestId].flatMap(Self.acceptableRequestId) ?? Self.newRequestId()
        context.requestId = requestId
        context.logger[metadataKey: "request_id"] = .string(requestId)
        let start = ContinuousClock.now
        var response: Response
        var routine = false
        do {
            response = try await next(request, context)
        } catch {
            response = Self.problemResponse(for: error, request: request, context: context)
            routine = Self.isRoutine(error)
        }
        response.headers[.requestId] = requestId
        if let accessLogLevel {
            let elapsed = (ContinuousClock.now - start) / .microseconds(1)
            // A sale that sold out answers thousands of requests a second: their lines are debug, not info.
            context.logger.log(
                level: routine ? .debug : response.status.code >= 500 ? .error : accessLogLevel,
                "\(request.method) \(request.uri.path) \(response.status.code)",
                metadata: ["duration_ms": .string(String(format: "%.2f", elapsed / 1000))]
            )
        }
        return response
    }

    /// 503 `unavailable`: nothing was written, and the same request may be sent again after `retryAfter` seconds.
    private static func unavailable(_ detail: String, retryAfter seconds: Int) -> Problem {
        Problem(.serviceUnavailable, code: "unavailable", detail: detail, headers: [.retryAfter: "\(seconds)"])
    }

    /// Maps any error to a problem+json response; unknown errors are logged and answered 500 without detail.
    static func problemResponse(for error: any Error, request: Request, context: Context) -> Response {
        let problem: Problem
        switch error {
        case let error as Problem:
            problem = error
        case let error as any ProblemConvertible:
            problem = error.problem
        case let error as HTTPError:
            problem = Problem(
                error.status, code: code(for: error.status), detail: error.body ?? detail(for: error.status))
        case let error as any HTTPResponseError where error.status.code < 500:
            problem = Problem(error.status, code: code(for: error.status), detail: detail(for: error.status))
        case let error where PostgresBackend.isRetryable(error):
            // A deadlock or serialization failure that outlived its retries: nothing was written, so the
            // client may simply send the request again.
            context.logger.warning("database contention", metadata: ["error": .string(String(reflecting: error))])
            problem = unavailable(
                "The store is busy with other orders for the same items; retry shortly.", retryAfter: 1)
        case let error where PostgresBackend.isUnreachable(error):
            // The node is up and its database is not: the readiness check says so too, and a retry may reach a
            // node that still has it.
            context.logger.error("database unreachable", metadata: ["error": .string(String(reflecting: error))])
            problem = unavailable("The store cannot reach its database just now; retry shortly.", retryAfter: 5)
        default:
            context.logger.error("unhandled error", metadata: ["error": .string(String(reflecting: error))])
            problem = Problem(
                .internalServerError,
                code: "internal_error",
                detail: "Something went wrong on our side; the request id identifies it in our logs."
            )
        }
        if let response = try? problem.response(from: request, context: context) { return response }
        return Response(status: .internalServerError)
    }

    static func isRoutine(_ error: any Error) -> Bool {
        switch error {
        case let problem as Problem: problem.isRoutine
        case let error as any ProblemConvertible: error.problem.isRoutine
        default: false
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "invalid_request"
        case 401: "authentication_required"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "validation_failed"
        case 429: "rate_limited"
        case 503: "unavailable"
        default: status.code < 500 ? "invalid_request" : "internal_error"
        }
    }

    static func detail(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "No such resource or route."
        case 413: "The request body is too large (1 MiB at most; images 10 MiB)."
        default: status.reasonPhrase
        }
    }

    /// Echoes a client's id when it is short printable ASCII, so it cannot forge log lines.
    private static func acceptableRequestId(_ value: String) -> String? {
        guard (1...200).contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return nil
        }
        return value
    }

    private static func newRequestId() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 16) + String(generator.next() as UInt32, radix: 16)
    }
}
