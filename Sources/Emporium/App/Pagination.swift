import Foundation
import Hummingbird

/// `?limit=` (1 to 100, default 20) and `?cursor=` (opaque to clients: the last item's id, base64url).
struct PageRequest: Sendable {
    let limit: Int
    let after: String?

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let raw = query["limit"] {
            guard let limit = Int(String(raw)), (1...100).contains(limit) else {
                throw Problem(.badRequest, code: "invalid_request", detail: "limit must be an integer from 1 to 100.")
            }
            self.limit = limit
        } else {
            self.limit = 20
        }
        if let raw = query["cursor"] {
            guard let id = Self.decode(String(raw)) else {
                throw Problem(.badRequest, code: "invalid_request", detail: "cursor is not one this server issued.")
            }
            after = id
        } else {
            after = nil
        }
    }

    static func cursor(_ id: String?) -> String? {
        id.map { Data($0.utf8).base64URLEncodedString() }
    }

    private static func decode(_ cursor: String) -> String? {
        guard (1...200).contains(cursor.count), let data = Data(base64URLEncoded: cursor),
            let id = String(data: data, encoding: .utf8),
            id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { return nil }
        return id
    }
}

/// A page of a list: `{"items": [...], "nextCursor": "..." | null}`.
struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    let items: [Item]
    let nextCursor: String?

    init(items: [Item], lastId: String?) {
        self.items = items
        self.nextCursor = PageRequest.cursor(lastId)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor
    }
}
