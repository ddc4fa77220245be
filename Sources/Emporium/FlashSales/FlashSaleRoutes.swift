import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `/admin/flash-sales`, `/flash-sales/{id}`, its purchase and its stream of `remaining`.
struct FlashSaleRoutes {
    let flashSales: FlashSales
    var keepAlive: Duration = .seconds(15)

    struct PurchaseBody: Decodable {
        let quantity: Int
        let shippingAddress: ShippingAddress?
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("admin/flash-sales") { request, context -> EditedResponse<FlashSale> in
            _ = try context.requireAdmin()
            let body = try await request.decodeJSON(NewFlashSale.self, context: context)
            return EditedResponse(status: .created, response: try await flashSales.create(body))
        }
        api.get("flash-sales/{id}") { _, context -> FlashSale in
            try await flashSales.sale(id: try context.parameters.require("id"))
        }
        api.get("flash-sales/{id}/events") { _, context -> Response in
            try await events(saleId: try context.parameters.require("id"))
        }
        api.post("flash-sales/{id}/purchase") { request, context -> EditedResponse<Order> in
            let identity = try context.requireIdentity()
            guard let key = request.headers[.idempotencyKey], (1...255).contains(key.count) else {
                throw Problem(
                    .badRequest, code: "idempotency_key_required",
                    detail: "Send an Idempotency-Key header (1 to 255 characters)."
                )
            }
            let body = try await request.decodeJSON(PurchaseBody.self, context: context)
            let (order, replayed) = try await flashSales.purchase(
                PurchaseRequest(
                    saleId: try context.parameters.require("id"), userId: identity.userId, quantity: body.quantity,
                    shippingAddress: body.shippingAddress, idempotencyKey: key
                )
            )
            return EditedResponse(
                status: .created, headers: replayed ? [.idempotentReplayed: "true"] : [:], response: order)
        }
    }

    /// Server-sent events: `{remaining, status}` at once and on every change (at most one per `streamInterval`),
    /// including the changes the clock makes at `startsAt` and `endsAt`; keep-alive comments between.
    private func events(saleId: String) async throws -> Response {
        let listener = flashSales.feed.listen(saleId: saleId)
        // Listen first, then read: a change between the two is not missed.
        let sale: FlashSaleStore.Row
        do {
            guard let known = try await flashSales.cache.lookup(saleId, userId: "")?.sale else {
                throw FlashSaleError.notFound
            }
            sale = known
        } catch {
            listener.stop()
            throw error
        }
        let (cache, keepAlive, interval) = (flashSales.cache, keepAlive, flashSales.options.streamInterval)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", .accelBuffering: "no"],
            body: ResponseBody { writer in
                defer { listener.stop() }
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while true {
                            try await Task.sleep(for: keepAlive)
                            listener.wake()
                        }
                    }
                    group.addTask {
                        for boundary in [sale.startsAt, sale.endsAt] {
                            let wait = boundary - Database.nowMillis()
                            if wait >= 0 { try await Task.sleep(for: .milliseconds(wait + 5)) }
                            listener.wake()
                        }
                    }
                    listener.wake()
                    var sent = ""
                    for await _ in listener.wakes.cancelOnGracefulShutdown() {
                        let now = cache.remembered(saleId) ?? sale
                        let data =
                            #"{"remaining":\#(now.remaining),"status":"\#(now.status(at: Database.nowMillis()).rawValue)"}"#
                        if data != sent {
                            sent = data
                            try await writer.write(ByteBuffer(string: "event: flash_sale\ndata: \(data)\n\n"))
                            try await Task.sleep(for: interval)
                        } else {
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        }
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            }
        )
    }
}

extension HTTPField.Name {
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}

extension FlashSale: ResponseEncodable {}

extension FlashSaleError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .notFound:
            .notFound("The flash sale")
        case .soldOut(let remaining):
            Problem(
                .conflict,
                code: "sold_out",
                detail: remaining == 0 ? "The flash sale is sold out." : "Only \(remaining) left in the flash sale.",
                extra: ["remaining": .int(remaining)]
            ).routine()
        case .notLive(let status):
            Problem(
                .forbidden,
                code: "sale_not_live",
                detail: status == .scheduled ? "The flash sale has not started yet." : "The flash sale has ended.",
                extra: ["saleStatus": .string(status.rawValue)]
            ).routine()
        case .limitExceeded(let limit):
            Problem(
                .conflict,
                code: "limit_exceeded",
                detail: "This sale sells at most \(limit) per customer.",
                extra: ["perCustomerLimit": .int(limit)]
            ).routine()
        case .rateLimited(let seconds):
            .rateLimited(retryAfterSeconds: seconds, detail: "Too many purchase attempts; retry later.")
        case .overloaded:
            Problem(
                .serviceUnavailable,
                code: "overloaded",
                detail: "Too many buyers are waiting for this sale on this server; retry shortly.",
                headers: [.retryAfter: "1"]
            ).routine()
        case .keyReused:
            Problem(
                .unprocessableContent,
                code: "idempotency_key_reused",
                detail: "This Idempotency-Key was already used with a different request."
            )
        case .duplicate:
            Problem(
                .conflict,
                code: "idempotency_request_in_progress",
                detail: "A request with this Idempotency-Key is still being processed; retry shortly.",
                headers: [.retryAfter: "1"]
            )
        }
    }
}
