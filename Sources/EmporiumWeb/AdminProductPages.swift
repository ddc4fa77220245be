import Emporium
import Foundation
import HTTPTypes
import Hummingbird

/// The admin's products: the list with search and stock per variant, a new product with its first variant, and
/// delete. Prices are typed as decimals and stored in minor units; every write goes through `Catalog`.
extension Storefront {
    func registerAdminProductPages(on router: Router<AppRequestContext>) {
        router.get("admin/products") { request, _ in try await adminProducts(request) }
        router.get("admin/products/new") { request, _ in
            try await newProduct(request, visit: try await admin(request))
        }
        router.post("admin/products") { request, _ in try await createProduct(request) }
        router.post("admin/products/{id}/delete") { request, context in
            let (visit, _) = try await adminForm(request)
            try await node.catalog.deleteProduct(id: try context.parameters.require("id"))
            return try redirect("/admin/products?notice=product-deleted", visit: visit)
        }
        registerAdminProductEditPages(on: router)
    }

    private func adminProducts(_ request: Request) async throws -> Response {
        let visit = try await admin(request)
        let query = request.formQuery["q"].map(String.init) ?? ""
        let page = max(1, request.uri.queryParameters["page"].flatMap { Int($0) } ?? 1)
        let pageSize = 20
        let (products, total) = try await node.catalog.adminProducts(query: query, page: page, pageSize: pageSize)
        var context: [String: Any] = [
            "query": query, "products": products.map(AdminProductView.row), "hasProducts": !products.isEmpty,
            "total": Format.count(total, "product"), "page": page,
        ]
        let link = { (page: Int) in "/admin/products?q=\(query.queryEncoded)&page=\(page)" }
        if page * pageSize < total { context["nextUrl"] = link(page + 1) }
        if page > 1 { context["previousUrl"] = link(page - 1) }
        return try await adminPage(
            "admin/products", title: "Products", section: .products, visit: visit, request: request, context)
    }

    private func newProduct(
        _ request: Request, visit: Visit, status: HTTPResponse.Status = .ok, form: FormFields? = nil,
        refusal: AdminRefusal? = nil
    ) async throws -> Response {
        var values: [String: String] = [:]
        for field in ["title", "description", "brand", "sku", "variantTitle", "price", "stock"] {
            values[field] = form?.text(field)
        }
        if form == nil { values["stock"] = "0" }
        let categories = try await node.catalog.allCategories()
        var context: [String: Any] = [
            "values": values, "errors": refusal?.fields ?? [:],
            "categories": AdminProductView.categories(categories, selected: form?.text("categoryId")),
        ]
        context["error"] = refusal?.message
        return try await adminPage(
            "admin/product-new", title: "New product", section: .products, visit: visit, request: request,
            status: status, context)
    }

    private func createProduct(_ request: Request) async throws -> Response {
        let (visit, form) = try await adminForm(request)
        var errors: [String: String] = [:]
        let price = form.price("price", errors: &errors)
        let stock = form.integer("stock")
        if stock == nil { errors["stock"] = "Enter the units on hand as a whole number" }
        guard errors.isEmpty, let stock else {
            return try await newProduct(
                request, visit: visit, status: .unprocessableContent, form: form,
                refusal: AdminRefusal(message: "Please correct the fields below.", fields: errors))
        }
        let product = NewProduct(
            title: form.text("title"), description: form.text("description"), brand: form.text("brand"),
            categoryId: form.text("categoryId").nilIfEmpty,
            variants: [
                NewProduct.Variant(
                    sku: form.text("sku"), title: form.text("variantTitle"), price: Money(amount: price), stock: stock)
            ])
        do {
            let created = try await node.catalog.createProduct(product)
            return try redirect("/admin/products/\(created.id.queryEncoded)?notice=product-created", visit: visit)
        } catch let error where AdminRefusal(error) != nil {
            return try await newProduct(
                request, visit: visit, status: .unprocessableContent, form: form,
                refusal: AdminRefusal(error, named: AdminProductView.newProductField))
        }
    }
}
