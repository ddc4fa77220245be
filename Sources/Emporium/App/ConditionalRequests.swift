import Foundation
import Hummingbird

extension Request {
    /// Whether `If-None-Match` lists `etag` (a comma-separated list of entity tags), so the answer can be 304.
    func ifNoneMatchContains(_ etag: String) -> Bool {
        headers[.ifNoneMatch]?.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag }
            ?? false
    }
}
