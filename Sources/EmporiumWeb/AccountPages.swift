import Emporium
import Foundation
import HTTPTypes
import Hummingbird

/// Signing up, in and out, and the customer's account page.
extension Storefront {
    func registerAccountPages(on router: Router<AppRequestContext>) {
        router.get("login") { request, _ in
            try await accountForm("login", request, visit: try await visit(request))
        }
        router.post("login") { request, context in try await login(request, context: context) }
        router.get("signup") { request, _ in
            try await accountForm("signup", request, visit: try await visit(request))
        }
        router.post("signup") { request, _ in try await signup(request) }
        router.post("logout") { request, _ in
            let visit = try await visit(request)
            _ = try await form(request, visit)
            return try redirect("/?notice=signed-out", visit: try await sessions.signOut(visit))
        }
        router.get("account") { request, _ in try await account(request) }
    }

    /// The login or signup form; after a refusal, with the input (never the password) and the messages.
    private func accountForm(
        _ template: String, _ request: Request, visit: Visit, status: HTTPResponse.Status = .ok,
        values: [String: String] = [:], errors: [String: String] = [:], error: String? = nil
    ) async throws -> Response {
        let next = (values["next"] ?? request.formQuery["next"].map(String.init))?.sameSitePath ?? ""
        var context: [String: Any] = [
            "next": next, "email": values["email"] ?? "", "name": values["name"] ?? "", "errors": errors,
            "otherUrl": (template == "login" ? "/signup" : "/login")
                + (next.isEmpty ? "" : "?next=" + next.queryEncoded),
        ]
        context["error"] = error
        let title = template == "login" ? "Sign in" : "Create your account"
        return try await page(
            template, title: title + " · Emporium", visit: visit, request: request, status: status, context)
    }

    private func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visit = try await visit(request)
        let form = try await form(request, visit)
        let values = ["email": form.text("email"), "next": form.text("next")]
        let user: User
        do {
            user = try await node.accounts.login(
                email: form.text("email"), password: form["password"] ?? "",
                clientAddress: clientAddress(request, context)
            ).user
        } catch let error where PageProblem.message(error)?.status.code ?? 500 < 500 {
            let (status, message) = PageProblem.message(error)!
            return try await accountForm(
                "login", request, visit: visit, status: status, values: values, error: message)
        }
        return try await signIn(user, visit: visit, next: values["next"], notice: .signedIn)
    }

    private func signup(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let form = try await form(request, visit)
        let values = ["email": form.text("email"), "name": form.text("name"), "next": form.text("next")]
        let user: User
        do {
            user = try await node.accounts.signup(
                email: form.text("email"), password: form["password"] ?? "", name: form.text("name")
            ).user
        } catch let error where PageProblem.message(error)?.status.code ?? 500 < 500 {
            var errors = PageProblem.fieldErrors(error)
            if (error as? AccountsError) == .emailTaken {
                errors["email"] = "An account with this email already exists."
            }
            let message = errors.isEmpty ? PageProblem.message(error)?.message : "Please correct the fields below."
            return try await accountForm(
                "signup", request, visit: visit, status: .unprocessableContent, values: values, errors: errors,
                error: message)
        }
        return try await signIn(user, visit: visit, next: values["next"], notice: .signedUp)
    }

    /// The address login throttling counts by: the peer's, or the one our proxy appended (as the API reads it).
    private func clientAddress(_ request: Request, _ context: AppRequestContext) -> String {
        if node.configuration.trustForwardedFor, let forwarded = request.headers[.forwardedFor],
            let last = forwarded.split(separator: ",").last
        {
            return last.trimmingCharacters(in: .whitespaces)
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Brings the guest's cart along (as the API's sign-in does), starts a new session and goes on.
    private func signIn(_ user: User, visit: Visit, next: String?, notice: Notice) async throws -> Response {
        if let token = visit.cartToken { try await node.carts.mergeGuest(token: token, into: user.id) }
        let signedIn = try await sessions.signIn(visit, user: user)
        return try redirect(Self.adding(notice: notice, to: next?.sameSitePath ?? "/"), visit: signedIn)
    }

    private func account(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let userId = try customer(visit, request)
        let user = try await node.accounts.user(id: userId)
        let notifications = try await node.notifications.list(userId: userId, limit: 20, cursor: nil).items
        return try await page(
            "account", title: "Your account · Emporium", visit: visit, request: request,
            [
                "name": user.name, "email": user.email, "since": Format.date(user.createdAt),
                "notifications": notifications.map { item in
                    var entry: [String: Any] = [
                        "message": item.message, "date": Format.date(item.createdAt), "unread": !item.read,
                    ]
                    entry["url"] = item.orderId.map { "/orders/" + $0.queryEncoded }
                    return entry
                },
                "hasNotifications": !notifications.isEmpty,
            ])
    }
}

extension HTTPField.Name {
    static let forwardedFor = Self("X-Forwarded-For")!
}
