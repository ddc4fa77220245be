import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// The fields of a submitted form (`application/x-www-form-urlencoded`).
struct FormFields: Sendable {
    private(set) var values: [(name: String, value: String)] = []

    init(_ body: String) {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
        }
    }

    /// Fields already split into names and values (a multipart form's text parts).
    init(values: [(name: String, value: String)]) {
        self.values = values
    }

    /// Reads a request's form body: at most 64 KiB, anything else is a 413 page.
    static func read(_ request: Request) async throws -> FormFields {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 << 10)
        return FormFields(String(buffer: buffer))
    }

    subscript(_ name: String) -> String? { values.first { $0.name == name }?.value }

    /// A field's text, trimmed, "" when missing.
    func text(_ name: String) -> String { self[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }

    /// An integer field, nil when missing or not a number.
    func integer(_ name: String) -> Int? { Int(text(name)) }

    /// A price typed as a decimal ("12.99") in minor units; 0 when it is not one, with the field's message put in
    /// `errors` under `name`.
    func price(_ name: String, errors: inout [String: String]) -> Int {
        switch PriceField.minorUnits(text(name)) {
        case .success(let amount): return amount
        case .failure(let error):
            errors[name] = error.message
            return 0
        }
    }

    /// The form as a canonical string, for recognising a repeated submit; the CSRF token is left out.
    var fingerprint: String {
        values.filter { $0.name != "csrf" }.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension Request {
    /// The query as an HTML form sends it, where `+` is a space (`uri.queryParameters` keeps it a plus).
    var formQuery: Parameters {
        guard let query = uri.query, query.contains("+") else { return uri.queryParameters }
        return URI("?" + query.replacingOccurrences(of: "+", with: "%20")).queryParameters
    }
}
