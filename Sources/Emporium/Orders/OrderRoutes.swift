import Foundation
import HTTPTypes
import Hummingbird

/// `/checkout`, `/orders/*`, `/admin/orders/*` and `/notifications`.
struct OrderRoutes {
    let orders: Orders
    let payments: Payments
    let notifications: Notifications

    struct CheckoutBody: Decodable {
        let shippingAddress: ShippingAddress
    }

    struct PayBody: Decodable {
        let card: Card
    }

    struct ShipBody: Decodable {
        let carrier: String
        let trackingNumber: String
    }

    struct StatusAnswer: ResponseEncodable {
        let orderId: String
        let status: OrderStatus
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("checkout") { request, context -> EditedResponse<Order> in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(CheckoutBody.self, context: context)
            return try await IdempotentResponse.answering({ EditedResponse(status: .created, response: $0) }) {
                try await orders.checkout(userId: identity.userId, address: body.shippingAddress)
            }
        }
        group.post("orders/{id}/pay") { request, context -> Order in
            let identity = try context.requireIdentity()
            let body = try await request.decodeJSON(PayBody.self, context: context)
            let orderId = try context.parameters.require("id")
            return try await IdempotentResponse.answering({ $0 }) {
                try await payments.pay(orderId: orderId, userId: identity.userId, card: body.card)
            }
        }
        group.get("orders") { request, context -> Page<Order> in
            let identity = try context.requireIdentity()
            let page = try PageRequest(request)
            let (items, next) = try await orders.list(userId: identity.userId, limit: page.limit, cursor: page.after)
            return Page(items: items, lastId: next)
        }
        group.get("orders/{id}") { _, context -> Order in
            let identity = try context.requireIdentity()
            return try await orders.order(id: try context.parameters.require("id"), userId: identity.userId)
        }
        group.get("orders/{id}/status") { _, context -> StatusAnswer in
            let identity = try context.requireIdentity()
            let id = try context.parameters.require("id")
            return StatusAnswer(orderId: id, status: try await orders.status(id: id, userId: identity.userId))
        }
        group.post("orders/{id}/cancel") { _, context -> Order in
            let identity = try context.requireIdentity()
            let order = try await orders.cancel(
                id: try context.parameters.require("id"), by: .customer(userId: identity.userId))
            if order.payment?.status == "captured" {
                // The refund row is committed; if the provider does not answer now, the sweeper retries it.
                try? await payments.settleRefund(orderId: order.id)
            }
            return order
        }
        group.get("admin/orders") { request, context -> Page<Order> in
            _ = try context.requireAdmin()
            let page = try PageRequest(request)
            var status: OrderStatus?
            if let raw = request.uri.queryParameters["status"] {
                guard let parsed = OrderStatus(rawValue: String(raw)) else {
                    throw Problem(
                        .badRequest, code: "invalid_request",
                        detail: "status must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))."
                    )
                }
                status = parsed
            }
            let (items, next) = try await orders.list(
                userId: nil, status: status, limit: page.limit, cursor: page.after)
            return Page(items: items, lastId: next)
        }
        group.post("admin/orders/{id}/ship") { request, context -> Order in
            _ = try context.requireAdmin()
            let body = try await request.decodeJSON(ShipBody.self, context: context)
            return try await orders.ship(
                id: try context.parameters.require("id"), carrier: body.carrier, trackingNumber: body.trackingNumber)
        }
        group.post("admin/orders/{id}/deliver") { _, context -> Order in
            _ = try context.requireAdmin()
            return try await orders.deliver(id: try context.parameters.require("id"))
        }
        group.get("notifications") { request, context -> Page<Notifications.Item> in
            let identity = try context.requireIdentity()
            let page = try PageRequest(request)
            let (items, next) = try await notifications.list(
                userId: identity.userId, limit: page.limit, cursor: page.after)
            return Page(items: items, lastId: next)
        }
        group.post("notifications/{id}/read") { _, context -> Notifications.Item in
            let identity = try context.requireIdentity()
            guard
                let item = try await notifications.markRead(
                    id: try context.parameters.require("id"), userId: identity.userId)
            else { throw Problem.notFound("The notification") }
            return item
        }
    }
}

extension Order: ResponseEncodable {}
extension Notifications.Item: ResponseEncodable {}
extension OrderStatus: ResponseEncodable {}

extension OrderError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .notFound: .notFound("The order")
        case .cartEmpty: Problem(.conflict, code: "cart_empty", detail: "The cart is empty.")
        case .invalidTransition(let from, let to):
            Problem(
                .conflict,
                code: "invalid_transition",
                detail: "An order that is \(from.rawValue) cannot become \(to.rawValue).",
                extra: ["currentStatus": .string(from.rawValue)]
            )
        case .expired:
            Problem(
                .conflict, code: "order_expired",
                detail: "The order's reservation ran out before payment; it is cancelled.")
        }
    }
}

extension ReservationError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .insufficientStock(let short):
            Problem(
                .conflict,
                code: "insufficient_stock",
                detail: "Not enough stock for " + short.map(\.sku).joined(separator: ", ") + ".",
                extra: [
                    "items": .array(
                        short.map {
                            .object([
                                "sku": .string($0.sku), "requested": .int($0.requested),
                                "available": .int($0.available),
                            ])
                        })
                ]
            )
        }
    }
}

extension PaymentError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .declined(let code):
            Problem(
                HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"),
                code: "payment_declined",
                detail: "The card was declined (\(code)); the order stays payable until its reservation runs out.",
                extra: ["declineCode": .string(code)]
            )
        case .providerUnavailable:
            Problem(
                .badGateway, code: "payment_provider_error",
                detail: "The payment provider failed; nothing was charged. Retry with the same Idempotency-Key.")
        case .outcomeUnknown:
            Problem(
                .serviceUnavailable,
                code: "payment_pending",
                detail:
                    "The payment provider did not answer in time. Retry with the same Idempotency-Key: it will not charge twice.",
                headers: [.retryAfter: "2"]
            )
        case .inProgress:
            Problem(
                .conflict, code: "payment_in_progress", detail: "A payment of this order is being processed.",
                headers: [.retryAfter: "1"])
        }
    }
}
