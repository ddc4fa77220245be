import Emporium
import Foundation
import HTTPTypes
import Hummingbird

/// A product's edit page: its fields and variant prices with an optional image (one multipart form), a new
/// variant, and each variant's stock (an adjustment with a reason, or a count) with its ledger.
extension Storefront {
    /// Which form of the edit page was sent back refused, with what was typed.
    enum ProductEditForm {
        case product(FormFields)
        case variant(FormFields)
        case stock(sku: String, FormFields)
    }

    func registerAdminProductEditPages(on router: Router<AppRequestContext>) {
        router.get("admin/products/{id}") { request, context in
            let visit = try await admin(request)
            return try await productEditor(request, visit: visit, id: try context.parameters.require("id"))
        }
        router.post("admin/products/{id}") { request, context in
            try await saveProduct(request, id: try context.parameters.require("id"))
        }
        router.post("admin/products/{id}/variants") { request, context in
            try await addVariant(request, id: try context.parameters.require("id"))
        }
        router.post("admin/inventory/{sku}") { request, context in
            try await changeStock(request, sku: try context.parameters.require("sku"))
        }
    }

    func productEditor(
        _ request: Request, visit: Visit, id: String, status: HTTPResponse.Status = .ok,
        refused: ProductEditForm? = nil, refusal: AdminRefusal? = nil
    ) async throws -> Response {
        let product = try await node.catalog.adminProduct(id: id)
        var editForm: FormFields?
        var variantForm: FormFields?
        var stockForm: (sku: String, form: FormFields)?
        switch refused {
        case .product(let form): editForm = form
        case .variant(let form): variantForm = form
        case .stock(let sku, let form): stockForm = (sku, form)
        case nil: break
        }
        let errors = refusal?.fields ?? [:]
        var variants: [[String: Any]] = []
        for variant in product.variants {
            var context = AdminProductView.variant(
                variant, level: try? await node.inventory.level(sku: variant.sku),
                movements: try await node.inventory.movements(sku: variant.sku, limit: 10),
                priceValue: editForm?.text("price." + variant.sku), errors: editForm == nil ? [:] : errors)
            if let stockForm, stockForm.sku == variant.sku {
                context["stockValues"] = [
                    "delta": stockForm.form.text("delta"), "reason": stockForm.form.text("reason"),
                    "onHand": stockForm.form.text("onHand"),
                ]
                context["stockErrors"] = errors.sorted { $0.key < $1.key }.map {
                    ["field": $0.key, "message": $0.value]
                }
                context["stockMessage"] = refusal?.message
            }
            variants.append(context)
        }
        let values: [String: String] = [
            "title": editForm?.text("title") ?? product.title,
            "description": editForm?["description"] ?? product.description,
            "brand": editForm?.text("brand") ?? product.brand,
        ]
        var context: [String: Any] = [
            "id": product.id, "url": "/admin/products/" + product.id.queryEncoded,
            "shopUrl": "/p/" + product.slug.queryEncoded, "values": values, "variants": variants,
            "errors": editForm == nil ? [:] : errors,
            "variantValues": [
                "sku": variantForm?.text("sku") ?? "", "variantTitle": variantForm?.text("variantTitle") ?? "",
                "price": variantForm?.text("price") ?? "", "stock": variantForm?.text("stock") ?? "0",
            ],
            "variantErrors": variantForm == nil ? [:] : errors,
            "images": product.images.map { ["url": $0.url, "alt": $0.alt] }, "hasImages": !product.images.isEmpty,
            "categories": AdminProductView.categories(
                try await node.catalog.allCategories(),
                selected: editForm.map { $0.text("categoryId") } ?? product.category?.id),
        ]
        if refused != nil, stockForm == nil { context["error"] = refusal?.message }
        return try await adminPage(
            "admin/product-edit", title: product.title, section: .products, visit: visit, request: request,
            status: status, context)
    }

    private func saveProduct(_ request: Request, id: String) async throws -> Response {
        let visit = try await admin(request)
        var form: FormFields
        var image: MultipartForm.File?
        if request.headers[.contentType]?.lowercased().hasPrefix("multipart/") == true {
            let multipart = try await MultipartForm.read(request)
            (form, image) = (multipart.fields, multipart.files["image"])
        } else {
            form = try await FormFields.read(request)
        }
        guard sessions.isValidCSRF(form["csrf"], for: visit) else { throw PageExit.forbidden }
        let product = try await node.catalog.adminProduct(id: id)
        var changes = Catalog.ProductChanges()
        changes.title = form.text("title")
        changes.description = form["description"] ?? ""
        changes.brand = form.text("brand")
        changes.categoryId = .some(form.text("categoryId").nilIfEmpty)
        var errors: [String: String] = [:]
        var variants: [VariantChanges] = []
        for variant in product.variants {
            guard let text = form["price." + variant.sku] else { continue }
            switch PriceField.minorUnits(text) {
            case .success(let amount):
                variants.append(
                    VariantChanges(sku: variant.sku, price: Money(amount: amount, currency: variant.price.currency)))
            case .failure(let error): errors["price." + variant.sku] = error.message
            }
        }
        changes.variants = variants
        let refuse = { (refusal: AdminRefusal) in
            try await productEditor(
                request, visit: visit, id: id, status: .unprocessableContent, refused: .product(form), refusal: refusal)
        }
        guard errors.isEmpty else {
            return try await refuse(AdminRefusal(message: "Please correct the fields below.", fields: errors))
        }
        do {
            _ = try await node.catalog.updateProduct(id: id, changes)
        } catch let error where AdminRefusal(error) != nil {
            let skus = variants.map(\.sku)
            return try await refuse(
                AdminRefusal(error) { path in
                    let parts = path.split(separator: ".").map(String.init)
                    guard parts.first == "variants", parts.count > 1, let index = Int(parts[1]), index < skus.count
                    else { return parts.last ?? path }
                    return "price." + skus[index]
                }!)
        }
        if let image {
            do {
                _ = try await node.catalog.addImage(productId: id, declaredType: image.contentType, bytes: image.bytes)
            } catch let error where AdminRefusal(error) != nil {
                let message = AdminRefusal(error)?.message ?? ""
                return try await refuse(
                    AdminRefusal(
                        message: "The fields are saved, but the image was refused.", fields: ["image": message]))
            }
        }
        return try redirect("/admin/products/\(id.queryEncoded)?notice=product-saved", visit: visit)
    }

    private func addVariant(_ request: Request, id: String) async throws -> Response {
        let (visit, form) = try await adminForm(request)
        let product = try await node.catalog.adminProduct(id: id)
        var errors: [String: String] = [:]
        let price = form.price("price", errors: &errors)
        let sku = form.text("sku")
        if product.variants.contains(where: { $0.sku == sku }) {
            errors["sku"] = "is already a variant of this product"
        }
        let stock = form.integer("stock")
        if stock == nil { errors["stock"] = "Enter the units on hand as a whole number" }
        let refuse = { (refusal: AdminRefusal) in
            try await productEditor(
                request, visit: visit, id: id, status: .unprocessableContent, refused: .variant(form), refusal: refusal)
        }
        guard errors.isEmpty else {
            return try await refuse(AdminRefusal(message: "Please correct the new variant's fields.", fields: errors))
        }
        var changes = Catalog.ProductChanges()
        changes.variants = [
            VariantChanges(
                sku: sku, title: form.text("variantTitle"),
                price: Money(amount: price, currency: product.price.currency),
                stock: stock)
        ]
        do {
            _ = try await node.catalog.updateProduct(id: id, changes)
        } catch let error where AdminRefusal(error) != nil {
            return try await refuse(AdminRefusal(error, named: AdminProductView.newProductField)!)
        }
        return try redirect("/admin/products/\(id.queryEncoded)?notice=variant-added", visit: visit)
    }

    private func changeStock(_ request: Request, sku: String) async throws -> Response {
        let (visit, form) = try await adminForm(request)
        let product = try await node.catalog.adminProduct(sku: sku)
        do {
            if !form.text("onHand").isEmpty {
                guard let onHand = form.integer("onHand") else {
                    throw Problem.validation([FieldError("onHand", "must be a whole number")])
                }
                _ = try await node.inventory.set(sku: sku, onHand: onHand, reason: "count")
            } else {
                guard let delta = form.integer("delta") else {
                    throw Problem.validation([FieldError("delta", "must be a whole number, like 5 or -2")])
                }
                _ = try await node.inventory.adjust(sku: sku, delta: delta, reason: form.text("reason"))
            }
        } catch let error where AdminRefusal(error) != nil {
            return try await productEditor(
                request, visit: visit, id: product.id, status: .unprocessableContent, refused: .stock(sku: sku, form),
                refusal: AdminRefusal(error))
        }
        return try redirect(
            "/admin/products/\(product.id.queryEncoded)?notice=stock-updated#stock-\(sku.queryEncoded)", visit: visit)
    }
}
