import HTTPTypes
import Hummingbird
import Synchronization

/// A known path asked with a method it does not take answers 405 `method_not_allowed` with `Allow`, not 404.
///
/// The router only knows "no route", so this looks at its 404s: when the path matches routes of other methods,
/// the answer becomes 405. A 404 from a route itself (an unknown order) keeps its meaning, since its method
/// matched. The route table is filled once every route is registered (`RouteMethods.load`).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let table: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            let response = try await next(request, context)
            guard response.status == .notFound else { return response }
            try refuse(request)
            return response
        } catch let error as HTTPError where error.status == .notFound {
            try refuse(request)
            throw error
        }
    }

    /// Throws 405 when the path is a route's but not for this method.
    private func refuse(_ request: Request) throws {
        let allowed = table.methods(for: request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return }
        let names = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        throw Problem(
            .methodNotAllowed, code: "method_not_allowed",
            detail: "\(request.uri.path) does not take \(request.method.rawValue); it takes \(names).",
            headers: [.allow: names])
    }
}

/// The methods each route path takes, from the router once its routes are in place.
final class RouteMethods: Sendable {
    private struct Route: Sendable {
        /// Path components; nil matches any one component (a parameter).
        let components: [String?]
        let method: HTTPRequest.Method
    }

    private let routes = Mutex<[Route]>([])

    func load<Context>(_ router: Router<Context>) {
        let loaded = router.routes.map { route in
            Route(
                components: route.path.description.split(separator: "/").map { component in
                    component.hasPrefix("{") || component.hasPrefix(":") || component.hasPrefix("*")
                        ? nil : String(component)
                },
                method: route.method)
        }
        routes.withLock { $0 = loaded }
    }

    /// Every method a route of this path takes (HEAD with GET, as the router answers it).
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let parts = path.split(separator: "/").map(String.init)
        var methods: Set<HTTPRequest.Method> = []
        routes.withLock { routes in
            for route in routes where route.components.count == parts.count {
                if zip(route.components, parts).allSatisfy({ $0 == nil || $0 == $1 }) { methods.insert(route.method) }
            }
        }
        if methods.contains(.get) { methods.insert(.head) }
        return methods
    }
}
