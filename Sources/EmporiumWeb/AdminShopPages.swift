import Emporium
import Foundation
import HTTPTypes
import Hummingbird

/// The admin's flash sales (list with remaining, a new sale), reviews (newest first, hide) and webhooks
/// (endpoints, deliveries, redeliver), each through its module's service.
extension Storefront {
    func registerAdminShopPages(on router: Router<AppRequestContext>) {
        router.get("admin/flash-sales") { request, _ in try await flashSales(request, visit: try await admin(request)) }
        router.post("admin/flash-sales") { request, _ in try await createSale(request) }
        router.get("admin/reviews") { request, _ in
            let visit = try await admin(request)
            let (reviews, _) = try await node.reviews.moderationQueue(limit: 50, after: nil)
            return try await adminPage(
                "admin/reviews", title: "Reviews", section: .reviews, visit: visit, request: request,
                ["reviews": reviews.map(AdminShopView.review), "hasReviews": !reviews.isEmpty])
        }
        router.post("admin/reviews/{id}/hide") { request, context in
            let (visit, _) = try await adminForm(request)
            try await node.reviews.hide(reviewId: try context.parameters.require("id"))
            return try redirect("/admin/reviews?notice=review-hidden", visit: visit)
        }
        router.get("admin/webhooks") { request, _ in try await webhooks(request) }
        router.post("admin/webhooks/{id}/deliveries/{deliveryId}/redeliver") { request, context in
            let (visit, _) = try await adminForm(request)
            try await node.webhooks.redeliver(
                endpointId: try context.parameters.require("id"),
                deliveryId: try context.parameters.require("deliveryId"))
            return try redirect("/admin/webhooks?notice=redelivered", visit: visit)
        }
    }

    private func flashSales(
        _ request: Request, visit: Visit, status: HTTPResponse.Status = .ok, form: FormFields? = nil,
        refusal: AdminRefusal? = nil
    ) async throws -> Response {
        let sales = try await node.flashSales.recentSales(limit: 100)
        let now = Date()
        var values: [String: String] = [
            "sku": "", "salePrice": "", "quantity": "10", "perCustomerLimit": "2",
            "startsAt": AdminShopView.local(now), "endsAt": AdminShopView.local(now.addingTimeInterval(3600)),
        ]
        if let form { for name in values.keys { values[name] = form.text(name) } }
        var context: [String: Any] = [
            "sales": sales.map(AdminShopView.sale), "hasSales": !sales.isEmpty, "values": values,
            "errors": refusal?.fields ?? [:],
        ]
        context["error"] = refusal?.message
        return try await adminPage(
            "admin/flash-sales", title: "Flash sales", section: .flashSales, visit: visit, request: request,
            status: status, context)
    }

    private func createSale(_ request: Request) async throws -> Response {
        let (visit, form) = try await adminForm(request)
        var errors: [String: String] = [:]
        let price = form.price("salePrice", errors: &errors)
        let quantity = form.integer("quantity")
        let limit = form.integer("perCustomerLimit")
        if quantity == nil { errors["quantity"] = "Enter a whole number" }
        if limit == nil { errors["perCustomerLimit"] = "Enter a whole number" }
        guard errors.isEmpty, let quantity, let limit else {
            return try await flashSales(
                request, visit: visit, status: .unprocessableContent, form: form,
                refusal: AdminRefusal(message: "Please correct the fields below.", fields: errors))
        }
        let sale = NewFlashSale(
            sku: form.text("sku"), salePrice: Money(amount: price), quantity: quantity, perCustomerLimit: limit,
            startsAt: AdminShopView.utc(form.text("startsAt")), endsAt: AdminShopView.utc(form.text("endsAt")))
        do {
            _ = try await node.flashSales.create(sale)
            return try redirect("/admin/flash-sales?notice=sale-created", visit: visit)
        } catch let error where AdminRefusal(error) != nil {
            let refusal = AdminRefusal(error) { String($0.split(separator: ".").first ?? Substring($0)) }
            return try await flashSales(
                request, visit: visit, status: .unprocessableContent, form: form, refusal: refusal)
        }
    }

    private func webhooks(_ request: Request) async throws -> Response {
        let visit = try await admin(request)
        let (endpoints, _) = try await node.webhooks.endpoints(limit: 50, after: nil)
        var views: [[String: Any]] = []
        for endpoint in endpoints {
            let (deliveries, _) = try await node.webhooks.deliveries(endpointId: endpoint.id, limit: 20, before: nil)
            views.append(AdminShopView.endpoint(endpoint, deliveries: deliveries))
        }
        return try await adminPage(
            "admin/webhooks", title: "Webhooks", section: .webhooks, visit: visit, request: request,
            ["endpoints": views, "hasEndpoints": !endpoints.isEmpty])
    }
}
