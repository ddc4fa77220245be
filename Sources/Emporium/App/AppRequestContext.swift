import Hummingbird
import Logging
import NIOCore

/// The request context of every route: who is calling (when a valid token came) and from where.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The caller, set by `AuthenticationMiddleware` from a valid bearer token.
    public var identity: Identity?
    /// Why a presented bearer token was refused; routes that need a caller answer 401 with it.
    var tokenProblem: Problem?
    var requestId = ""

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Request bodies above 1 MiB are refused with 413 (image uploads raise their own limit).
    public var maxUploadSize: Int { 1 << 20 }

    /// The signed-in caller, or 401.
    public func requireIdentity() throws -> Identity {
        if let identity { return identity }
        throw tokenProblem
            ?? Problem(
                .unauthorized, code: "authentication_required",
                detail: "Sign in and send `Authorization: Bearer <accessToken>`.")
    }

    /// The signed-in admin, or 401/403.
    public func requireAdmin() throws -> Identity {
        let identity = try requireIdentity()
        guard identity.role == .admin else {
            throw Problem(.forbidden, code: "forbidden", detail: "This needs an admin account.")
        }
        return identity
    }
}

/// Who a valid access token says the caller is.
public struct Identity: Sendable, Equatable {
    public let userId: String
    public let role: Role
}

/// What an account may do.
public enum Role: String, Sendable, Codable {
    case customer
    case admin
}
