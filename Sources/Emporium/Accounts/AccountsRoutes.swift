import HTTPTypes
import Hummingbird
import NIOCore

/// `/auth/*` and `/me`.
struct AccountsRoutes {
    let accounts: Accounts
    let trustForwardedFor: Bool
    /// Checks a signup or login request before it runs and returns what to do once it succeeded (the cart module
    /// merges the guest cart there), so a malformed request fails before an account or session exists.
    let signingIn: @Sendable (Request) throws -> @Sendable (Session) async throws -> Void

    struct SignupBody: Decodable {
        let email: String
        let password: String
        let name: String
    }

    struct LoginBody: Decodable {
        let email: String
        let password: String
    }

    struct RefreshBody: Decodable {
        let refreshToken: String
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("auth/signup") { request, context -> EditedResponse<Session> in
            let body = try await request.decodeJSON(SignupBody.self, context: context)
            let signedIn = try signingIn(request)
            let session = try await accounts.signup(email: body.email, password: body.password, name: body.name)
            try await signedIn(session)
            return EditedResponse(status: .created, response: session)
        }
        group.post("auth/login") { request, context -> Session in
            let body = try await request.decodeJSON(LoginBody.self, context: context)
            let address = request.clientAddress(context: context, trustForwardedFor: trustForwardedFor)
            let signedIn = try signingIn(request)
            let session = try await accounts.login(email: body.email, password: body.password, clientAddress: address)
            try await signedIn(session)
            return session
        }
        group.post("auth/refresh") { request, context -> Session in
            let body = try await request.decodeJSON(RefreshBody.self, context: context)
            return try await accounts.refresh(body.refreshToken)
        }
        group.post("auth/logout") { request, context -> HTTPResponse.Status in
            let body = try await request.decodeJSON(RefreshBody.self, context: context)
            try await accounts.logout(body.refreshToken)
            return .noContent
        }
        group.get("me") { _, context -> User in
            let identity = try context.requireIdentity()
            return try await accounts.user(id: identity.userId)
        }
    }
}

extension AccountsError: ProblemConvertible {
    public var problem: Problem { Problem(self) }
}

extension Problem {
    init(_ error: AccountsError) {
        switch error {
        case .emailTaken:
            self.init(.conflict, code: "email_taken", detail: "An account with this email already exists.")
        case .invalidCredentials:
            self.init(.unauthorized, code: "invalid_credentials", detail: "The email or password is wrong.")
        case .loginThrottled(let seconds):
            self = .rateLimited(retryAfterSeconds: seconds, detail: "Too many login attempts; retry in \(seconds) s.")
        case .refreshTokenUnknown:
            self.init(.unauthorized, code: "invalid_refresh_token", detail: "The refresh token is not valid.")
        case .refreshTokenReused:
            self.init(
                .unauthorized,
                code: "token_reused",
                detail: "This refresh token was already used; every session of its family is now signed out."
            )
        case .refreshTokenRevoked:
            self.init(.unauthorized, code: "token_revoked", detail: "This session was signed out; log in again.")
        case .refreshTokenExpired:
            self.init(.unauthorized, code: "token_expired", detail: "The refresh token has expired; log in again.")
        case .userNotFound:
            self.init(.unauthorized, code: "invalid_token", detail: "The account of this token no longer exists.")
        }
    }
}

extension Session: ResponseEncodable {}
extension User: ResponseEncodable {}
