import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The storefront's CSS and JavaScript, read once at start and served under names holding their content hash
/// (`/assets/store.3f2a9c1e.css`), so browsers keep them for a year and a new build is fetched at once.
struct Assets: Sendable {
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
    }

    private(set) var byPath: [String: Asset] = [:]
    /// A file's name (`store.css`) to its hashed URL.
    private(set) var urls: [String: String] = [:]

    static let contentTypes = [
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml",
        "ico": "image/x-icon",
    ]

    /// Loads every file of `directory`; throws when one of `required` is missing.
    init(directory: URL, required: [String]) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for name in names {
            let ext = (name as NSString).pathExtension
            guard let contentType = Self.contentTypes[ext] else { continue }
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            let hash = SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
            let url = "/assets/\((name as NSString).deletingPathExtension).\(hash).\(ext)"
            byPath[url] = Asset(bytes: ByteBuffer(bytes: data), contentType: contentType)
            urls[name] = url
        }
        for name in required where urls[name] == nil {
            throw StorefrontError("the storefront's asset \(name) is missing from \(directory.path)")
        }
    }

    func register(on router: Router<some RequestContext>) {
        router.get("assets/{file}") { request, _ -> Response in
            guard let asset = byPath[request.uri.path] else { throw PageExit.notFound }
            return Response(
                status: .ok,
                headers: [
                    .contentType: asset.contentType, .cacheControl: "public, max-age=31536000, immutable",
                ],
                body: .init(byteBuffer: asset.bytes))
        }
    }
}

/// The storefront cannot start: a template or an asset is missing.
public struct StorefrontError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
