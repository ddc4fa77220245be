import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Request {
    /// Decodes a JSON body, answering bad input with 400 `invalid_request` naming the field, 413 when too large,
    /// and 415 when the body says it is not JSON.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        if let contentType = headers[.contentType]?.lowercased(),
            !contentType.hasPrefix("application/json"), !contentType.contains("+json")
        {
            throw Problem(
                .unsupportedMediaType,
                code: "unsupported_media_type",
                detail: "Send the body as application/json."
            )
        }
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw Problem(decoding: error)
        }
    }
}

extension Problem {
    /// 400 `invalid_request` that says which field was missing, of the wrong type, or out of range.
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        let field: String
        let message: String
        switch error {
        case .keyNotFound(let key, let context):
            field = path(context.codingPath, key)
            message = "is required"
        case .valueNotFound(_, let context):
            field = path(context.codingPath)
            message = "must not be null"
        case .typeMismatch(let expected, let context):
            field = path(context.codingPath)
            message = "must be \(Self.jsonTypeName(expected))"
        case .dataCorrupted(let context):
            field = path(context.codingPath)
            message = field.isEmpty ? "the body is not valid JSON" : "has an invalid or out-of-range value"
        @unknown default:
            field = ""
            message = "the body could not be read"
        }
        let detail = field.isEmpty ? "The request body is not valid: \(message)." : "`\(field)` \(message)."
        self.init(
            .badRequest,
            code: "invalid_request",
            detail: detail,
            extra: ["errors": .array([.object(["field": .string(field), "message": .string(message)])])]
        )
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
