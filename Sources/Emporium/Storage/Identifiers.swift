import Foundation

/// Opaque ids: a prefix naming the kind, then 48 bits of milliseconds and 80 random bits in base32,
/// so ids sort by creation time (cursor pagination) and never collide.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    public static func make(_ prefix: String, now: Int = Database.nowMillis()) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        var time = UInt64(now)
        for index in (0..<6).reversed() {
            bytes[index] = UInt8(time & 0xFF)
            time >>= 8
        }
        // Ten random bytes from two draws, not ten: every draw is a getrandom(2) call, and ids are made in
        // write transactions, on the writer's thread.
        let high = generator.next() as UInt64
        let low = generator.next() as UInt16
        for index in 0..<8 { bytes[6 + index] = UInt8(truncatingIfNeeded: high >> (8 * index)) }
        bytes[14] = UInt8(truncatingIfNeeded: low)
        bytes[15] = UInt8(truncatingIfNeeded: low >> 8)
        return prefix + "_" + base32(bytes)
    }

    /// A random token of `byteCount` bytes, base64url without padding.
    public static func secret(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount + 7)
        while bytes.count < byteCount {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes.prefix(byteCount)).base64URLEncodedString()
    }

    private static func base32(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Times on the wire: RFC 3339 UTC to the second.
public enum Timestamp {
    public static func rfc3339(_ millis: Int) -> String {
        Date(timeIntervalSince1970: Double(millis) / 1000).formatted(.iso8601)
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5): safe in URLs and headers.
    func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
