import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import NIOHTTP1

/// A submitted `multipart/form-data` form: its text fields, and its files by field name. The framing is
/// multipart-kit's parser; an empty file input (nothing chosen) is left out.
struct MultipartForm {
    struct File {
        let contentType: String?
        let bytes: [UInt8]
    }

    let fields: FormFields
    let files: [String: File]

    /// Reads at most `limit` bytes (more is a 413 page); a body that is not multipart, or is malformed, is a 400 page.
    static func read(_ request: Request, limit: Int = 10 << 20) async throws -> MultipartForm {
        guard let boundary = request.headers[.contentType].flatMap(Self.boundary) else {
            throw PageExit.error(.badRequest, "This form must be sent as multipart/form-data.")
        }
        var request = request
        let body = try await request.collectBody(upTo: limit)
        let parts = Parts()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in parts.headers.add(name: name, value: value) }
        parser.onBody = { chunk in parts.body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.complete.append(MultipartPart(headers: parts.headers, body: parts.body))
            parts.headers = HTTPHeaders()
            parts.body = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw PageExit.error(.badRequest, "This form could not be read. Go back and try again.")
        }
        var fields: [(name: String, value: String)] = []
        var files: [String: File] = [:]
        for part in parts.complete {
            guard let name = part.name else { continue }
            if part.headers.first(name: "Content-Disposition")?.contains("filename=") == true {
                guard part.body.readableBytes > 0 else { continue }
                files[name] = File(
                    contentType: part.headers.first(name: "Content-Type"), bytes: Array(part.body.readableBytesView))
            } else {
                fields.append((name, String(buffer: part.body)))
            }
        }
        return MultipartForm(fields: FormFields(values: fields), files: files)
    }

    /// The `boundary` parameter of a `multipart/form-data` content type.
    static func boundary(_ contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            let value = piece.dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    /// What the parser's callbacks build up, part by part.
    private final class Parts {
        var headers = HTTPHeaders()
        var body = ByteBuffer()
        var complete: [MultipartPart] = []
    }
}
