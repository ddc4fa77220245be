import SQLKit

/// A cart's lines as the shopper sees them: today's price and stock beside the price they were shown.
extension CartStore {
    struct LineRow: Sendable {
        let sku: String
        let notedAmount: Int
        let notedCurrency: String
        let quantity: Int
        let productId: String
        let variantTitle: String
        let priceAmount: Int
        let priceCurrency: String
        let title: String
        let deletedAt: Int?
        let available: Int?

        /// Column by column, not through `Decodable` and `convertFromSnakeCase` (every cart change reads its lines
        /// on the SQLite writer).
        init(_ row: any SQLRow) throws {
            sku = try row.decode(column: "sku", as: String.self)
            notedAmount = try row.decode(column: "noted_amount", as: Int.self)
            notedCurrency = try row.decode(column: "noted_currency", as: String.self)
            quantity = try row.decode(column: "quantity", as: Int.self)
            productId = try row.decode(column: "product_id", as: String.self)
            variantTitle = try row.decode(column: "variant_title", as: String.self)
            priceAmount = try row.decode(column: "price_amount", as: Int.self)
            priceCurrency = try row.decode(column: "price_currency", as: String.self)
            title = try row.decode(column: "title", as: String.self)
            deletedAt = try row.decode(column: "deleted_at", as: Int?.self)
            available = try row.decode(column: "available", as: Int?.self)
        }
    }

    /// Every line with today's price and stock, in the order the lines were first added; with `version`, the cart's
    /// version too, read with them in one statement (a cart with no line reads it on its own).
    func lines(cartId: String, version: Bool = false, in sql: any SQLDatabase) async throws -> (
        lines: [LineRow], version: Int?
    ) {
        let versionColumn: SQLQueryString =
            version ? ", (SELECT c.version FROM carts c WHERE c.id = l.cart_id) AS cart_version" : ""
        let rows = try await sql.raw(
            """
            SELECT l.sku, l.noted_amount, l.noted_currency,
                (SELECT COALESCE(CAST(SUM(u.quantity) AS BIGINT), 0) FROM cart_units u
                 WHERE u.cart_id = l.cart_id AND u.sku = l.sku) AS quantity,
                v.product_id, v.title AS variant_title, v.price_amount, v.price_currency, p.title, p.deleted_at,
                s.on_hand - s.reserved AS available\(versionColumn)
            FROM cart_lines l JOIN variants v ON v.sku = l.sku JOIN products p ON p.id = v.product_id
                LEFT JOIN stock s ON s.sku = l.sku
            WHERE l.cart_id = \(bind: cartId)
            ORDER BY l.added_at, l.sku
            """
        ).all()
        let lines = try rows.map(LineRow.init)
        guard version else { return (lines, nil) }
        if let first = rows.first { return (lines, try first.decode(column: "cart_version", as: Int.self)) }
        return (lines, try await self.version(cartId: cartId, in: sql))
    }
}
