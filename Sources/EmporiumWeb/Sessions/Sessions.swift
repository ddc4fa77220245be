import Crypto
import Emporium
import Foundation
import Hummingbird

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Browser sessions of the storefront: an opaque random id in an HttpOnly, SameSite=Lax cookie; a row in the
/// database once the session holds something (a user, a guest cart); a CSRF token derived from the id.
struct Sessions: Sendable {
    static let cookieName = "emporium_session"
    let store: SessionStore
    /// Signs CSRF tokens: an HMAC of the session id, so any node checks one without a lookup. Keyed once: a copy
    /// of a keyed HMAC signs a token without hashing the key again.
    private let csrfSigner: HMAC<SHA256>
    /// Set `Secure` on the cookie (the node is served over HTTPS).
    let secureCookie: Bool
    let lifetime: Duration

    init(
        store: SessionStore, csrfKey: SymmetricKey, secureCookie: Bool, lifetime: Duration = .seconds(30 * 24 * 3600)
    ) {
        self.store = store
        self.csrfSigner = HMAC<SHA256>(key: csrfKey)
        self.secureCookie = secureCookie
        self.lifetime = lifetime
    }

    private var lifetimeMillis: Int { Int(lifetime / .milliseconds(1)) }

    /// The visit of this request: its session's row when the cookie names a live one, else an empty session under
    /// the cookie's id, or under a new id when there is no well-formed cookie.
    func visit(_ request: Request) async throws -> Visit {
        guard let value = request.cookies[Self.cookieName]?.value else {
            return Visit(sessionId: Self.newId(), isNew: true)
        }
        // `g` + id: a session without a row (a guest who only browsed) is known without asking the database.
        if value.utf8.count == 44, value.hasPrefix("g"), Self.isWellFormed(String(value.dropFirst())) {
            return Visit(sessionId: String(value.dropFirst()), isNew: false)
        }
        guard Self.isWellFormed(value) else { return Visit(sessionId: Self.newId(), isNew: true) }
        guard let row = try await store.row(idHash: Self.hash(value), now: Database.nowMillis()) else {
            var ended = Visit(sessionId: value, isNew: false)
            ended.cookieChanged = true
            return ended
        }
        return Visit(
            sessionId: value, isNew: false, userId: row.userId, userName: row.userName,
            role: row.role.flatMap(Role.init(rawValue:)), cartToken: row.cartToken, isStored: true)
    }

    /// Signs `user` in under a new session id (an id known before sign-in is never trusted after it).
    func signIn(_ visit: Visit, user: User) async throws -> Visit {
        try await store.delete(idHash: Self.hash(visit.sessionId))
        var signedIn = Visit(
            sessionId: Self.newId(), isNew: false, userId: user.id, userName: user.name,
            role: user.role, cartToken: nil, isStored: true)
        signedIn.cookieChanged = true
        try await save(signedIn)
        return signedIn
    }

    /// Ends the session on the server; the browser continues under a new, empty one.
    func signOut(_ visit: Visit) async throws -> Visit {
        try await store.delete(idHash: Self.hash(visit.sessionId))
        var next = Visit(sessionId: Self.newId(), isNew: false)
        next.cookieChanged = true
        return next
    }

    /// The guest's cart token, given to the session the first time a guest adds to a cart.
    func guestCart(_ visit: inout Visit) async throws -> CartOwner {
        if let owner = visit.cartOwner { return owner }
        let token = CartOwner.newGuestToken()
        visit.cartToken = token
        visit.isStored = true
        visit.cookieChanged = true
        try await save(visit)
        return .guest(token: token)
    }

    private func save(_ visit: Visit) async throws {
        try await store.save(
            idHash: Self.hash(visit.sessionId),
            .init(
                userId: visit.userId, userName: visit.userName, role: visit.role?.rawValue, cartToken: visit.cartToken),
            now: Database.nowMillis(), lifetimeMillis: lifetimeMillis)
    }

    /// The CSRF token of the visit's forms.
    func csrfToken(_ visit: Visit) -> String {
        var signer = csrfSigner
        signer.update(data: Array(visit.sessionId.utf8))
        return Self.base64URL(signer.finalize())
    }

    /// Whether `token` is this visit's CSRF token (compared in constant time). A new visit has no forms yet.
    func isValidCSRF(_ token: String?, for visit: Visit) -> Bool {
        guard !visit.isNew, let token else { return false }
        let expected = Array(csrfToken(visit).utf8)
        let given = Array(token.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The `Set-Cookie` value of the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when served over HTTPS.
    /// Written directly: the value is an id this type made or checked (base64url), and a new visitor gets it on
    /// every page, where building a validated `Cookie` cost as much as the rest of a cached page.
    func setCookie(_ visit: Visit) -> String {
        let value = (visit.isStored ? "" : "g") + visit.sessionId
        return "\(Self.cookieName)=\(value); HttpOnly; Path=/; SameSite=Lax; Max-Age=\(lifetimeMillis / 1000)"
            + (secureCookie ? "; Secure" : "")
    }

    static func hash(_ id: String) -> String {
        base64URL(SHA256.hash(data: Array(id.utf8)))
    }

    /// A new session id: 32 random bytes from the kernel's generator in one call (`arc4random_buf` is `getrandom`
    /// in glibc; every page a new visitor opens makes an id, and `SystemRandomNumberGenerator` took a system call
    /// per 8 bytes).
    static func newId() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
        return base64URL(bytes)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Base64url without padding, written directly: every page a new visitor opens makes an id and a token, and
    /// Foundation's base64 with three replacements cost more than the rest of a cached page.
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        let bytes = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { output.append(alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// 32 random bytes in base64url: 43 characters of [A-Za-z0-9_-].
    static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 43
            && id.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2D || byte == 0x5F
            }
    }
}
