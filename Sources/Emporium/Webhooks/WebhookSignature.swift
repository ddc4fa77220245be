import Crypto
import Foundation

/// `Emporium-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the endpoint's secret>`.
/// The receiver recomputes it over the raw body and refuses a `t` too far from its own clock (replays).
enum WebhookSignature {
    static let header = "Emporium-Signature"

    static func value(secret: String, timestamp: Int, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
