import Emporium
import Foundation
import Hummingbird

/// Checkout, payment and the customer's orders. Checkout and payment forms carry an idempotency key rendered into
/// them, so a form sent twice makes one order and one charge (`StoreNode.once`).
extension Storefront {
    func registerOrderPages(on router: Router<AppRequestContext>) {
        router.get("checkout") { request, _ in
            let visit = try await visit(request)
            return try await checkout(request, visit: visit, userId: try customer(visit, request))
        }
        router.post("checkout") { request, _ in try await placeOrder(request) }
        router.get("orders") { request, _ in try await orderList(request) }
        router.get("orders/{id}") { request, context in
            try await orderPage(request, id: try context.parameters.require("id"))
        }
        router.get("orders/{id}/pay") { request, context in
            let visit = try await visit(request)
            let userId = try customer(visit, request)
            return try await payPage(request, visit: visit, order: try await order(context, userId))
        }
        router.post("orders/{id}/pay") { request, context in try await pay(request, context: context) }
        router.post("orders/{id}/cancel") { request, context in
            let visit = try await visit(request)
            _ = try await form(request, visit)
            let order = try await node.orders.cancel(
                id: try context.parameters.require("id"), by: .customer(userId: try customer(visit, request)))
            return try redirect("/orders/\(order.id.queryEncoded)?notice=cancelled", visit: visit)
        }
    }

    private func order(_ context: AppRequestContext, _ userId: String) async throws -> Order {
        try await node.orders.order(id: try context.parameters.require("id"), userId: userId)
    }

    private func checkout(
        _ request: Request, visit: Visit, userId: String, status: HTTPResponse.Status = .ok,
        form: FormFields? = nil, errors: [String: String] = [:], error: String? = nil
    ) async throws -> Response {
        let cart = try await node.carts.cart(.user(userId))
        var context = CartPageView(cart: cart, products: [:]).context
        var values: [String: String] = [:]
        for field in ["name", "line1", "line2", "city", "postalCode", "country"] { values[field] = form?.text(field) }
        if values["country"]?.isEmpty ?? true { values["country"] = "US" }
        if values["name"]?.isEmpty ?? true, form == nil { values["name"] = visit.userName }
        context["values"] = values
        context["errors"] = errors
        context["error"] = error
        context["idempotencyKey"] = form?.text("idempotencyKey") ?? Identifier.secret(byteCount: 16)
        return try await page(
            "checkout", title: "Checkout · Emporium", visit: visit, request: request, status: status, context)
    }

    private func placeOrder(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let form = try await form(request, visit)
        let userId = try customer(visit, request, next: "/checkout")
        let address = ShippingAddress(
            name: form.text("name"), line1: form.text("line1"), line2: form.text("line2").nilIfEmpty,
            city: form.text("city"), postalCode: form.text("postalCode"), country: form.text("country").uppercased())
        do {
            let orderId = try await node.once(
                scope: "web:" + userId, key: form.text("idempotencyKey"), request: "checkout\n" + form.fingerprint
            ) { try await node.orders.checkout(userId: userId, address: address).id }
            return try redirect("/orders/\(orderId.queryEncoded)/pay", visit: visit)
        } catch let error where PageProblem.message(error)?.status.code ?? 500 < 500 {
            let errors = PageProblem.fieldErrors(error)
            return try await checkout(
                request, visit: visit, userId: userId, status: .unprocessableContent, form: form, errors: errors,
                error: errors.isEmpty ? PageProblem.message(error)?.message : "Please correct the fields below.")
        }
    }

    private func payPage(
        _ request: Request, visit: Visit, order: Order, status: HTTPResponse.Status = .ok,
        form: FormFields? = nil, errors: [String: String] = [:], error: String? = nil
    ) async throws -> Response {
        guard order.status == .pendingPayment else {
            return try redirect("/orders/\(order.id.queryEncoded)", visit: visit)
        }
        var context = OrderView(order: order).context
        context["timeLeft"] = OrderView.timeLeft(until: order.reservationExpiresAt)
        context["values"] = ["expMonth": form?.text("expMonth") ?? "", "expYear": form?.text("expYear") ?? ""]
        context["errors"] = errors
        context["error"] = error
        context["idempotencyKey"] = Identifier.secret(byteCount: 16)
        return try await page(
            "pay", title: "Payment · Emporium", visit: visit, request: request, status: status, context)
    }

    private func pay(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visit = try await visit(request)
        let form = try await form(request, visit)
        let userId = try customer(visit, request)
        let orderId = try context.parameters.require("id")
        guard let expMonth = form.integer("expMonth"), let expYear = form.integer("expYear") else {
            let order = try await node.orders.order(id: orderId, userId: userId)
            return try await payPage(
                request, visit: visit, order: order, status: .unprocessableContent, form: form,
                errors: ["expMonth": "Enter the month and year as numbers"], error: "Please correct the fields below.")
        }
        let card = Card(number: form.text("cardNumber"), expMonth: expMonth, expYear: expYear, cvc: form.text("cvc"))
        do {
            _ = try await node.once(
                scope: "web:" + userId, key: form.text("idempotencyKey"), request: "pay \(orderId)\n" + form.fingerprint
            ) { try await node.payments.pay(orderId: orderId, userId: userId, card: card).id }
            return try redirect("/orders/\(orderId.queryEncoded)?notice=paid", visit: visit)
        } catch let error where PageProblem.message(error)?.status.code ?? 500 < 500 {
            let order = try await node.orders.order(id: orderId, userId: userId)
            var errors: [String: String] = [:]
            for (field, message) in PageProblem.fieldErrors(error) {
                errors[field == "number" ? "cardNumber" : field] = message
            }
            let message: String? =
                switch error {
                case PaymentError.declined(let code):
                    "Your card was declined (\(code.replacingOccurrences(of: "_", with: " "))). Try another card."
                default: errors.isEmpty ? PageProblem.message(error)?.message : "Please correct the card details."
                }
            return try await payPage(
                request, visit: visit, order: order, status: .unprocessableContent, form: form, errors: errors,
                error: message)
        }
    }

    private func orderList(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let userId = try customer(visit, request)
        let orders = try await node.orders.list(userId: userId, limit: 50, cursor: nil).orders
        return try await page(
            "orders", title: "Your orders · Emporium", visit: visit, request: request,
            ["orders": orders.map { OrderView(order: $0).context }, "hasOrders": !orders.isEmpty])
    }

    private func orderPage(_ request: Request, id: String) async throws -> Response {
        let visit = try await visit(request)
        let userId = try customer(visit, request)
        let order = try await node.orders.order(id: id, userId: userId)
        return try await page(
            "order", title: "Order \(order.id) · Emporium", visit: visit, request: request,
            OrderView(order: order).context)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
