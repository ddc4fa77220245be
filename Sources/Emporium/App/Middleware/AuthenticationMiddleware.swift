import HTTPTypes
import Hummingbird
import NIOCore

/// Reads `Authorization: Bearer`: a valid token sets `context.identity`; a bad one is remembered, and answered 401
/// by any route that needs a caller.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: AccessTokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let authorization = request.headers[.authorization] else {
            return try await next(request, context)
        }
        var context = context
        let prefix = "bearer "
        if authorization.count > prefix.count, authorization.lowercased().hasPrefix(prefix),
            let identity = await tokens.verify(String(authorization.dropFirst(prefix.count)))
        {
            context.identity = identity
        } else {
            context.tokenProblem = Problem(
                .unauthorized,
                code: "invalid_token",
                detail: "The access token is malformed, forged or expired.",
                headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""]
            )
        }
        return try await next(request, context)
    }
}
