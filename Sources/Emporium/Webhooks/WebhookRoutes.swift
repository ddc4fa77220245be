import Hummingbird

/// `/admin/webhooks*`: endpoints, their deliveries and redelivery. Admins only.
struct WebhookRoutes {
    let webhooks: Webhooks

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("admin/webhooks") { request, context -> EditedResponse<WebhookEndpoint> in
            _ = try context.requireAdmin()
            let input = try await request.decodeJSON(WebhookInput.self, context: context)
            return EditedResponse(status: .created, response: try await webhooks.create(input))
        }
        api.get("admin/webhooks") { request, context -> Page<WebhookEndpoint> in
            _ = try context.requireAdmin()
            let page = try PageRequest(request)
            let (items, next) = try await webhooks.endpoints(limit: page.limit, after: page.after)
            return Page(items: items, lastId: next)
        }
        api.delete("admin/webhooks/{id}") { _, context -> HTTPResponse.Status in
            _ = try context.requireAdmin()
            try await webhooks.delete(endpointId: try context.parameters.require("id"))
            return .noContent
        }
        api.get("admin/webhooks/{id}/deliveries") { request, context -> Page<WebhookDelivery> in
            _ = try context.requireAdmin()
            let page = try PageRequest(request)
            let (items, next) = try await webhooks.deliveries(
                endpointId: try context.parameters.require("id"), limit: page.limit, before: page.after)
            return Page(items: items, lastId: next)
        }
        api.post("admin/webhooks/{id}/deliveries/{deliveryId}/redeliver") { _, context -> HTTPResponse.Status in
            _ = try context.requireAdmin()
            try await webhooks.redeliver(
                endpointId: try context.parameters.require("id"),
                deliveryId: try context.parameters.require("deliveryId"))
            return .accepted
        }
    }
}

extension WebhookEndpoint: ResponseEncodable {}

extension WebhookError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .endpointNotFound: .notFound("The webhook endpoint")
        case .deliveryNotFound: .notFound("The delivery")
        }
    }
}
