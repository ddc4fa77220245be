import Emporium
import Foundation
import HTTPTypes
import Hummingbird

/// The admin's orders: the list by status, an order with its timeline, and ship, deliver and cancel (with a
/// refund for a paid order) through `Orders`, whose transitions refuse anything else.
extension Storefront {
    func registerAdminOrderPages(on router: Router<AppRequestContext>) {
        router.get("admin/orders") { request, _ in try await adminOrders(request) }
        router.get("admin/orders/{id}") { request, context in
            let visit = try await admin(request)
            return try await adminOrder(request, visit: visit, id: try context.parameters.require("id"))
        }
        router.post("admin/orders/{id}/ship") { request, context in
            let (visit, form) = try await adminForm(request)
            let id = try context.parameters.require("id")
            return try await orderAction(request, visit: visit, id: id, form: form, notice: .shipped) {
                _ = try await node.orders.ship(
                    id: id, carrier: form.text("carrier"), trackingNumber: form.text("trackingNumber"))
            }
        }
        router.post("admin/orders/{id}/deliver") { request, context in
            let (visit, form) = try await adminForm(request)
            let id = try context.parameters.require("id")
            return try await orderAction(request, visit: visit, id: id, form: form, notice: .delivered) {
                _ = try await node.orders.deliver(id: id)
            }
        }
        router.post("admin/orders/{id}/cancel") { request, context in
            let (visit, form) = try await adminForm(request)
            let id = try context.parameters.require("id")
            return try await orderAction(request, visit: visit, id: id, form: form, notice: .orderCancelled) {
                let order = try await node.orders.cancel(id: id, by: .merchant)
                if order.payment?.status == "captured" {
                    // The refund row is committed; if the provider does not answer now, the sweeper retries it.
                    try? await node.payments.settleRefund(orderId: id)
                }
            }
        }
    }

    private func adminOrders(_ request: Request) async throws -> Response {
        let visit = try await admin(request)
        let raw = request.uri.queryParameters["status"].map(String.init) ?? ""
        let status = OrderStatus(rawValue: raw)
        let cursor = request.uri.queryParameters["after"].map(String.init)
        let (orders, next) = try await node.orders.summaries(status: status, limit: 50, cursor: cursor)
        var context: [String: Any] = [
            "orders": orders.map(AdminOrderView.row), "hasOrders": !orders.isEmpty,
            "filters": AdminOrderView.filters(status),
        ]
        if let next {
            context["nextUrl"] = "/admin/orders?status=\(raw.queryEncoded)&after=\(next.queryEncoded)"
        }
        return try await adminPage(
            "admin/orders", title: "Orders", section: .orders, visit: visit, request: request, context)
    }

    private func adminOrder(
        _ request: Request, visit: Visit, id: String, status: HTTPResponse.Status = .ok, form: FormFields? = nil,
        refusal: AdminRefusal? = nil
    ) async throws -> Response {
        let order = try await node.orders.order(id: id, userId: nil)
        var context = AdminOrderView.page(order)
        context["values"] = [
            "carrier": form?.text("carrier") ?? "", "trackingNumber": form?.text("trackingNumber") ?? "",
        ]
        context["errors"] = refusal?.fields ?? [:]
        context["error"] = refusal?.message
        return try await adminPage(
            "admin/order", title: "Order \(order.id)", section: .orders, visit: visit, request: request,
            status: status, context)
    }

    /// Runs an order action; a refusal (an invalid transition, a bad field) is the order's page again with the
    /// message, answered 422 (409 for a transition), never a 500.
    private func orderAction(
        _ request: Request, visit: Visit, id: String, form: FormFields, notice: Notice,
        _ action: () async throws -> Void
    ) async throws -> Response {
        do {
            try await action()
            return try redirect("/admin/orders/\(id.queryEncoded)?notice=\(notice.rawValue)", visit: visit)
        } catch let error where AdminRefusal(error) != nil {
            let status = PageProblem.message(error)?.status ?? .unprocessableContent
            guard status != .notFound else { throw error }
            return try await adminOrder(
                request, visit: visit, id: id, status: status == .conflict ? .conflict : .unprocessableContent,
                form: form, refusal: AdminRefusal(error))
        }
    }
}
