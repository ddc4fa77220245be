import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem: every error answer of the API, with a stable machine-readable `code`.
public struct Problem: Error, HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let detail: String
    /// Extra members of the problem object (`errors`, `items`, ...).
    public var extra: [String: JSONValue]
    public var headers: HTTPFields
    /// An expected refusal under load (rate limited, sold out): its access log line is at debug level.
    public var isRoutine = false

    public init(
        _ status: HTTPResponse.Status,
        code: String,
        detail: String,
        extra: [String: JSONValue] = [:],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    /// 422 with one message per field.
    public static func validation(_ errors: [FieldError]) -> Problem {
        let detail = errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        return Problem(
            .unprocessableContent,
            code: "validation_failed",
            detail: detail,
            extra: [
                "errors": .array(errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
            ]
        )
    }

    /// 429 with `Retry-After`.
    public static func rateLimited(retryAfterSeconds: Int, detail: String = "Too many requests; retry later.")
        -> Problem
    {
        Problem(
            .tooManyRequests,
            code: "rate_limited",
            detail: detail,
            extra: ["retryAfter": .int(retryAfterSeconds)],
            headers: [.retryAfter: String(max(1, retryAfterSeconds))]
        ).routine()
    }

    /// The same problem, marked as an expected refusal under load.
    public func routine() -> Problem {
        var problem = self
        problem.isRoutine = true
        return problem
    }

    public static func notFound(_ what: String) -> Problem {
        Problem(.notFound, code: "not_found", detail: "\(what) was not found.")
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: JSONValue] = extra
        body["type"] = .string("https://emporium.dev/errors/\(code)")
        body["title"] = .string(status.reasonPhrase)
        body["status"] = .int(status.code)
        body["detail"] = .string(detail)
        body["code"] = .string(code)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(
            status: status,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(JSONValue.object(body))))
        )
    }
}

/// A domain error that knows its problem; `EdgeMiddleware` (and the idempotency record) turn it into the answer,
/// so no route has to catch and map it.
public protocol ProblemConvertible: Error {
    var problem: Problem { get }
}

/// One field's complaint in a 422 `validation_failed` problem.
public struct FieldError: Sendable, Equatable {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// Collects field errors, then throws them all at once.
public struct Validator {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field, message)) }
    }

    public func throwIfInvalid() throws {
        if !errors.isEmpty { throw Problem.validation(errors) }
    }
}

/// Any JSON value, for the free-form members of problems and stored payloads.
public enum JSONValue: Codable, Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
