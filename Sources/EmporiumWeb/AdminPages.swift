import Emporium
import Foundation
import HTTPTypes
import Hummingbird

/// The admin: the merchant's pages (dashboard, products, inventory, orders, flash sales, reviews, webhooks), for
/// role `admin` only. Every action calls the same service as the JSON admin API, so the rules live in one place;
/// a refused action comes back as a message on the page (422 with the fields kept), never a 500.
extension Storefront {
    func registerAdminPages(on router: Router<AppRequestContext>) {
        router.get("admin") { request, _ in try await dashboard(request) }
        registerAdminProductPages(on: router)
        registerAdminOrderPages(on: router)
        registerAdminShopPages(on: router)
    }

    /// The visit of a signed-in admin: a signed-out visitor is sent to sign in and back; anyone else gets the
    /// 404 page, so the admin's addresses are not even confirmed to exist.
    func admin(_ request: Request) async throws -> Visit {
        let visit = try await visit(request)
        guard visit.isSignedIn else {
            var next = request.uri.path
            if let query = request.uri.query, !query.isEmpty { next += "?" + query }
            throw PageExit.redirect("/login?next=" + next.queryEncoded)
        }
        guard visit.role == .admin else { throw PageExit.notFound }
        return visit
    }

    /// The admin's form fields once the admin and the CSRF token are checked.
    func adminForm(_ request: Request) async throws -> (Visit, FormFields) {
        let visit = try await admin(request)
        return (visit, try await form(request, visit))
    }

    /// An admin page: the store's layout with the admin's navigation, `section` marked as the current one.
    func adminPage(
        _ template: String, title: String, section: AdminSection, visit: Visit, request: Request,
        status: HTTPResponse.Status = .ok, _ context: [String: Any]
    ) async throws -> Response {
        var context = context
        context["adminNav"] = AdminSection.allCases.map { item in
            ["url": item.url, "label": item.label, "current": item == section] as [String: Any]
        }
        return try await page(
            template, title: title + " · Emporium admin", visit: visit, request: request, status: status, context)
    }

    private func dashboard(_ request: Request) async throws -> Response {
        let visit = try await admin(request)
        async let days = salesHistory.days(30, orders: node.orders)
        async let waiting = node.orders.summaries(status: .confirmed, limit: 10, cursor: nil)
        async let waitingCount = node.orders.count(status: .confirmed)
        async let lowStock = node.inventory.lowStock(limit: 10)
        let view = AdminDashboardView(
            days: try await days, waiting: try await waiting.orders, waitingCount: try await waitingCount,
            lowStock: try await lowStock)
        return try await adminPage(
            "admin/dashboard", title: "Dashboard", section: .dashboard, visit: visit, request: request, view.context)
    }
}

/// The admin's sections, in the order of its navigation.
enum AdminSection: CaseIterable {
    case dashboard, products, orders, flashSales, reviews, webhooks

    var url: String {
        switch self {
        case .dashboard: "/admin"
        case .products: "/admin/products"
        case .orders: "/admin/orders"
        case .flashSales: "/admin/flash-sales"
        case .reviews: "/admin/reviews"
        case .webhooks: "/admin/webhooks"
        }
    }

    var label: String {
        switch self {
        case .dashboard: "Dashboard"
        case .products: "Products"
        case .orders: "Orders"
        case .flashSales: "Flash sales"
        case .reviews: "Reviews"
        case .webhooks: "Webhooks"
        }
    }
}

/// A refused admin action: the problem's message, and its field errors under the form's field names.
struct AdminRefusal {
    let message: String
    let fields: [String: String]

    /// The refusal of a service's error the admin can act on (a 4xx), nil for anything else (a real failure).
    /// `named` turns a problem's field path (`variants.0.price.amount`) into the form's field name.
    init?(_ error: any Error, named: (String) -> String = { String($0.split(separator: ".").last ?? Substring($0)) }) {
        guard let (status, message) = PageProblem.message(error), status.code < 500 else { return nil }
        let fields = PageProblem.fieldErrors(error, named: named)
        self.message = fields.isEmpty ? message : "Please correct the fields below."
        self.fields = fields
    }

    init(message: String, fields: [String: String]) {
        self.message = message
        self.fields = fields
    }
}
