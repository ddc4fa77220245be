import Emporium
import Foundation
import Hummingbird

/// A flash sale's page and its buy button; buying leads to the pay page of the new order.
extension Storefront {
    func registerFlashSalePages(on router: Router<AppRequestContext>) {
        router.get("flash/{id}") { request, context in
            try await salePage(request, id: try context.parameters.require("id"), visit: try await visit(request))
        }
        router.post("flash/{id}/buy") { request, context in
            try await buy(request, id: try context.parameters.require("id"))
        }
    }

    private func salePage(
        _ request: Request, id: String, visit: Visit, status: HTTPResponse.Status = .ok, error: String? = nil
    ) async throws -> Response {
        let sale = try await node.flashSales.sale(id: id)
        let product = try? await node.catalog.page(idOrSlug: sale.productId).json
        var context = FlashSaleView(
            sale: sale, product: product.flatMap { try? JSONDecoder().decode(Product.self, from: Data($0)) }
        ).context
        context["signedIn"] = visit.isSignedIn
        context["loginUrl"] = "/login?next=" + ("/flash/" + id).queryEncoded
        context["idempotencyKey"] = Identifier.secret(byteCount: 16)
        context["error"] = error
        return try await page(
            "flash", title: sale.title + " · Flash sale · Emporium", visit: visit, request: request, status: status,
            context)
    }

    private func buy(_ request: Request, id: String) async throws -> Response {
        let visit = try await visit(request)
        let form = try await form(request, visit)
        let userId = try customer(visit, request, next: "/flash/" + id)
        do {
            let (order, _) = try await node.flashSales.purchase(
                PurchaseRequest(
                    saleId: id, userId: userId, quantity: form.integer("quantity") ?? 0,
                    idempotencyKey: form.text("idempotencyKey")))
            return try redirect("/orders/\(order.id.queryEncoded)/pay", visit: visit)
        } catch let error where PageProblem.message(error)?.status.code ?? 500 < 500 {
            let (status, message) = PageProblem.message(error)!
            guard status != .notFound else { throw error }
            return try await salePage(request, id: id, visit: visit, status: status, error: message)
        }
    }
}
