import Foundation
import NIOPosix

/// The image types the store accepts, recognised from the bytes themselves.
public enum ImageKind: String, Sendable, CaseIterable {
    case png, jpeg, webp, svg

    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        case .svg: "image/svg+xml"
        }
    }

    var fileExtension: String { self == .jpeg ? "jpg" : rawValue }

    init?(fileExtension: String) {
        switch fileExtension {
        case "png": self = .png
        case "jpg": self = .jpeg
        case "webp": self = .webp
        case "svg": self = .svg
        default: return nil
        }
    }

    /// The kind the bytes are, if it is the kind the client declared; SVG only without active content.
    static func check(_ bytes: [UInt8], declaredType: String?) throws -> ImageKind {
        let declared = declaredType?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard let kind = ImageKind.allCases.first(where: { $0.contentType == declared }) else {
            throw CatalogError.unsupportedImage("Send Content-Type image/png, image/jpeg, image/webp or image/svg+xml.")
        }
        guard kind.matches(bytes) else {
            throw CatalogError.unsupportedImage("The bytes are not a \(kind.contentType) image.")
        }
        if kind == .svg, let reason = SVGPolicy.violation(in: bytes) {
            throw CatalogError.unsupportedImage("The SVG is refused: \(reason).")
        }
        return kind
    }

    private func matches(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .png: bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case .jpeg: bytes.starts(with: [0xFF, 0xD8, 0xFF])
        case .webp:
            bytes.count > 12 && bytes.starts(with: Array("RIFF".utf8)) && Array(bytes[8..<12]) == Array("WEBP".utf8)
        case .svg: SVGPolicy.looksLikeSVG(bytes)
        }
    }
}

/// SVG is accepted only without scripts, event handlers or references to anything outside the file.
enum SVGPolicy {
    static func looksLikeSVG(_ bytes: [UInt8]) -> Bool {
        guard let text = String(validating: bytes, as: UTF8.self) else { return false }
        return text.lowercased().contains("<svg")
    }

    static func violation(in bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self)?.lowercased() else { return "it is not UTF-8 text" }
        let compact = text.filter { !$0.isWhitespace }
        if compact.contains("<script") { return "it contains a script" }
        if compact.contains("<!doctype") || compact.contains("<!entity") { return "it declares a DOCTYPE or entities" }
        if compact.contains("<foreignobject") { return "it contains foreignObject" }
        if compact.contains("javascript:") { return "it contains a javascript: URL" }
        if text.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) != nil {
            return "it has an event handler attribute"
        }
        if text.range(of: #"(href|src)\s*=\s*["'](?!#)"#, options: .regularExpression) != nil {
            return "it references an external resource"
        }
        if text.range(of: #"url\(\s*['"]?(?!#)"#, options: .regularExpression) != nil {
            return "it references an external resource"
        }
        if compact.contains("@import") { return "it imports a stylesheet" }
        return nil
    }
}

/// Where image bytes live, by content-addressed name: a directory now, an S3-compatible bucket later.
public protocol BlobStore: Sendable {
    func put(_ bytes: [UInt8], name: String) async throws
    func get(name: String) async throws -> [UInt8]?
}

/// Blobs as files in one directory, written atomically.
public struct DirectoryBlobStore: BlobStore {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func put(_ bytes: [UInt8], name: String) async throws {
        let path = (directory as NSString).appendingPathComponent(name)
        try await NIOThreadPool.singleton.runIfActive {
            if FileManager.default.fileExists(atPath: path) { return }
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    public func get(name: String) async throws -> [UInt8]? {
        let path = (directory as NSString).appendingPathComponent(name)
        return try await NIOThreadPool.singleton.runIfActive {
            FileManager.default.contents(atPath: path).map { Array($0) }
        }
    }
}

/// Images named by the SHA-256 of their bytes, so one image uploaded twice is stored once and never changes.
public struct ImageStore: Sendable {
    let blobs: any BlobStore

    func put(_ bytes: [UInt8], kind: ImageKind) async throws -> String {
        let name = sha256Hex(bytes) + "." + kind.fileExtension
        try await blobs.put(bytes, name: name)
        return name
    }

    /// The image and its kind; nil for names that are not ours (which also keeps paths out of the directory).
    func get(name: String) async throws -> (bytes: [UInt8], kind: ImageKind)? {
        let parts = name.split(separator: ".")
        guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy(\.isHexDigit),
            let kind = ImageKind(fileExtension: String(parts[1]))
        else { return nil }
        return try await blobs.get(name: name).map { ($0, kind) }
    }
}
