import Emporium

/// The product page's view model: gallery, variants (sold-out ones shown, disabled), availability, attributes,
/// the rating summary with its histogram, and the reviews.
struct ProductView {
    let product: Product
    let reviews: Reviews.ReviewPage

    var context: [String: Any] {
        let chosen = product.variants.first { $0.available > 0 } ?? product.variants.first
        let summary = reviews.summary
        var context: [String: Any] = [
            "id": product.id, "title": product.title, "brand": product.brand,
            "url": "/p/" + product.slug.queryEncoded,
            "description": product.description,
            "price": Format.money(chosen?.price ?? product.price),
            "images": product.images.enumerated().map { index, image in
                ["url": image.url, "alt": image.alt, "first": index == 0] as [String: Any]
            },
            "hasManyImages": product.images.count > 1,
            "variants": product.variants.map { variant in
                [
                    "sku": variant.sku, "title": variant.title, "price": Format.money(variant.price),
                    "soldOut": variant.available == 0, "checked": variant.sku == chosen?.sku,
                    "availability": Self.availability(variant.available),
                ] as [String: Any]
            },
            "hasManyVariants": product.variants.count > 1,
            "onlyVariant": product.variants.count == 1 ? product.variants[0].sku : "",
            "availability": Self.availability(chosen?.available ?? 0),
            "inStock": (chosen?.available ?? 0) > 0,
            "attributes": product.attributes.sorted { $0.key < $1.key }.map {
                ["name": $0.key.prefix(1).uppercased() + $0.key.dropFirst(), "value": $0.value]
            },
            "hasAttributes": !product.attributes.isEmpty,
            "rating": [
                "stars": Format.stars(summary.average), "average": Format.rating(summary.average),
                "count": Format.count(summary.count, "review"), "hasReviews": summary.count > 0,
                "histogram": (1...5).reversed().map { stars in
                    let count = summary.histogram[String(stars)] ?? 0
                    return ["stars": stars, "count": count, "total": max(summary.count, 1)] as [String: Any]
                },
            ] as [String: Any],
            "reviews": reviews.items.map(Self.review),
        ]
        // Absent, not nil: a nil boxed in `Any` opens a Mustache section.
        if let category = product.category {
            context["category"] = ["name": category.name, "url": "/c/" + category.id.queryEncoded]
        }
        if let image = product.images.first { context["mainImage"] = ["url": image.url, "alt": image.alt] }
        return context
    }

    static func review(_ review: Review) -> [String: Any] {
        [
            "author": review.author.name, "title": review.title, "body": review.body,
            "stars": Format.stars(Double(review.rating)), "rating": "\(review.rating) out of 5",
            "verified": review.verifiedPurchase, "date": Format.date(review.createdAt),
        ]
    }

    /// "In stock", "Only 3 left", "Sold out".
    static func availability(_ available: Int) -> String {
        switch available {
        case ...0: "Sold out"
        case 1...5: "Only \(available) left"
        default: "In stock"
        }
    }
}
