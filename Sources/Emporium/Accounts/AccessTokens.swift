import Crypto
import Foundation
import JWTKit

/// Signs and checks the short-lived JWT access tokens (HS256 with the node-shared secret).
public struct AccessTokens: Sendable {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var role: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    let keys: JWTKeyCollection
    public let lifetime: Duration

    public static func make(secret: String, lifetime: Duration) async -> AccessTokens {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Array(secret.utf8)), digestAlgorithm: .sha256)
        return AccessTokens(keys: keys, lifetime: lifetime)
    }

    var lifetimeSeconds: Int { Int(lifetime / .seconds(1)) }

    func issue(userId: String, role: Role) async throws -> String {
        let now = Date()
        let claims = Claims(
            sub: .init(value: userId),
            exp: .init(value: now.addingTimeInterval(Double(lifetimeSeconds))),
            iat: .init(value: now),
            role: role.rawValue
        )
        return try await keys.sign(claims)
    }

    /// The caller a token names, or nil when it is malformed, forged or expired.
    func verify(_ token: String) async -> Identity? {
        guard let claims = try? await keys.verify(token, as: Claims.self), let role = Role(rawValue: claims.role) else {
            return nil
        }
        return Identity(userId: claims.sub.value, role: role)
    }
}

/// SHA-256 in hex: how refresh tokens and idempotency keys are stored.
func sha256Hex(_ text: String) -> String {
    sha256Hex(Array(text.utf8))
}

/// SHA-256 of bytes in hex: image names, page ETags.
func sha256Hex(_ bytes: [UInt8]) -> String {
    hexString(SHA256.hash(data: bytes))
}

/// Lower-case hex of bytes, two digits each (without `String(format:)`, which costs microseconds per byte).
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(64)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}
