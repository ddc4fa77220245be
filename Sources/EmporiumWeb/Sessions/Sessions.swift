import Crypto
import Emporium
import Foundation
import Hummingbird

/// Browser sessions of the storefront: an opaque random id in an HttpOnly, SameSite=Lax cookie; a row in the
/// database once the session holds something (a user, a guest cart); a CSRF token derived from the id.
struct Sessions: Sendable {
    static let cookieName = "emporium_session"
    let store: SessionStore
    /// Signs CSRF tokens: an HMAC of the session id, so any node checks one without a lookup.
    let csrfKey: SymmetricKey
    /// Set `Secure` on the cookie (the node is served over HTTPS).
    let secureCookie: Bool
    var lifetime: Duration = .seconds(30 * 24 * 3600)

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
        Self.base64URL(HMAC<SHA256>.authenticationCode(for: Array(visit.sessionId.utf8), using: csrfKey))
    }

    /// Whether `token` is this visit's CSRF token (compared in constant time). A new visit has no forms yet.
    func isValidCSRF(_ token: String?, for visit: Visit) -> Bool {
        guard !visit.isNew, let token else { return false }
        let expected = Array(csrfToken(visit).utf8)
        let given = Array(token.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when served over HTTPS.
    func cookie(_ visit: Visit) throws -> Cookie {
        try Cookie.validated(
            name: Self.cookieName, value: (visit.isStored ? "" : "g") + visit.sessionId, maxAge: lifetimeMillis / 1000,
            path: "/",
            secure: secureCookie, httpOnly: true, sameSite: .lax)
    }

    static func hash(_ id: String) -> String {
        base64URL(SHA256.hash(data: Array(id.utf8)))
    }

    /// A new session id: 32 random bytes.
    static func newId() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
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
