import Emporium

/// Who is looking at a page: the browser's session id (from its cookie, or new), and what the session holds.
struct Visit: Sendable {
    let sessionId: String
    /// The id is new: the response must set the cookie.
    var isNew: Bool
    var userId: String?
    var userName: String?
    var role: Role?
    var cartToken: String?
    /// The session has a row (a user or a guest cart); the cookie says so, so that browsing guests, whose sessions
    /// have none, cost no lookup.
    var isStored = false
    /// This request changed the session's id (sign-in, sign-out) or its row: the response sets the cookie again.
    var cookieChanged = false

    var isSignedIn: Bool { userId != nil }

    /// The cart this visitor fills: their own when signed in, else their guest cart (nil: none yet).
    var cartOwner: CartOwner? {
        if let userId { return .user(userId) }
        return cartToken.map { .guest(token: $0) }
    }
}
