import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where webhooks may be sent: http(s) URLs whose host resolves to public addresses only, so a merchant's
/// endpoint cannot make the store call into its own network (loopback, private, link-local, unique-local,
/// unspecified; 169.254.169.254 among them). Checked at creation and again before every send, since DNS can
/// change. `allowPrivate` (EMPORIUM_WEBHOOK_ALLOW_PRIVATE=true) lifts the address rule for tests and
/// single-machine set-ups.
public struct WebhookAddressPolicy: Sendable {
    public var allowPrivate: Bool

    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// Why `url` is refused, or nil. `resolve` is the host lookup (getaddrinfo; tests may pass their own).
    func refusal(
        of url: String,
        resolve: @Sendable (String) async throws -> [[UInt8]] = WebhookAddressPolicy.resolve
    ) async -> String? {
        guard url.utf8.count <= 2048 else { return "must be at most 2048 characters" }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return "must be an http or https URL" }
        guard let host = Self.host(of: url), !host.isEmpty else { return "must name a host" }
        guard components.user == nil, components.password == nil else { return "must not carry credentials" }
        let addresses: [[UInt8]]
        do {
            addresses = try await resolve(host)
        } catch {
            return "host \(host) cannot be resolved"
        }
        guard !addresses.isEmpty else { return "host \(host) cannot be resolved" }
        if !allowPrivate, addresses.contains(where: Self.isPrivate) {
            return "host \(host) resolves to a loopback, private or link-local address"
        }
        return nil
    }

    /// The URL's host without IPv6 brackets.
    static func host(of url: String) -> String? {
        guard var host = URLComponents(string: url)?.host else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.lowercased()
    }

    /// True for an address no webhook may reach: 4 bytes (IPv4) or 16 (IPv6).
    static func isPrivate(_ address: [UInt8]) -> Bool {
        if address.count == 4 { return isPrivateIPv4(address) }
        guard address.count == 16 else { return true }
        let first = address[0]
        if address.allSatisfy({ $0 == 0 }) { return true }  // ::
        if address[0..<15].allSatisfy({ $0 == 0 }) && address[15] == 1 { return true }  // ::1
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return isPrivateIPv4(Array(address[12..<16]))  // ::ffff:a.b.c.d
        }
        if address[0..<12].allSatisfy({ $0 == 0 }) { return true }  // ::a.b.c.d (deprecated IPv4-compatible)
        if first & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if first == 0xFE && address[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if first == 0xFE && address[1] & 0xC0 == 0xC0 { return true }  // fec0::/10 site-local (deprecated)
        if first == 0xFF { return true }  // multicast
        if first == 0x20 && address[1] == 0x02 { return isPrivateIPv4(Array(address[2..<6])) }  // 6to4
        if first == 0x00 && address[1] == 0x64 && address[2] == 0xFF && address[3] == 0x9B {
            return isPrivateIPv4(Array(address[12..<16]))  // 64:ff9b::/96 NAT64
        }
        return false
    }

    private static func isPrivateIPv4(_ a: [UInt8]) -> Bool {
        switch (a[0], a[1]) {
        case (0, _), (10, _), (127, _): true  // this network, private, loopback
        case (169, 254): true  // link-local, the cloud metadata address among them
        case (172, 16...31), (192, 168): true  // private
        case (100, 64...127): true  // carrier-grade NAT
        case (192, 0) where a[2] == 0: true  // IETF protocol assignments
        case (198, 18...19): true  // benchmarking
        case (224...255, _): true  // multicast, reserved, broadcast
        default: false
        }
    }

    /// Every address `host` resolves to (getaddrinfo, on NIO's thread pool: it blocks).
    @Sendable static func resolve(_ host: String) async throws -> [[UInt8]] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else {
                throw ResolutionFailed()
            }
            defer { freeaddrinfo(first) }
            var addresses: [[UInt8]] = []
            var next: UnsafeMutablePointer<addrinfo>? = first
            while let info = next?.pointee {
                if info.ai_family == AF_INET, let raw = info.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                        withUnsafeBytes(of: address.pointee.sin_addr) { addresses.append(Array($0)) }
                    }
                } else if info.ai_family == AF_INET6, let raw = info.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                        withUnsafeBytes(of: address.pointee.sin6_addr) { addresses.append(Array($0)) }
                    }
                }
                next = info.ai_next
            }
            return addresses
        }
    }

    struct ResolutionFailed: Error {}
}
