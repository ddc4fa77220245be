import Foundation
import SQLKit

/// The SQL of flash sales. A sale's unsold units (`remaining`) stay counted in its SKU's `reserved`: the sale holds
/// them. A purchase moves units from `remaining` into an order's reservation; an unpaid order gives them back to the
/// sale while it is open; closing an ended sale gives what it still holds back to the SKU (`returned` counts every
/// unit that went back to the SKU, so `quantity = remaining + reserved or sold by orders + returned`, always).
struct FlashSaleStore: SaleUnitsReturn {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "flash_sales.1",
            [
                """
                CREATE TABLE flash_sales (id TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES stock (sku), product_id TEXT NOT NULL,
                    title TEXT NOT NULL, sale_amount BIGINT NOT NULL, currency TEXT NOT NULL, quantity BIGINT NOT NULL,
                    remaining BIGINT NOT NULL, returned BIGINT NOT NULL DEFAULT 0, per_customer_limit BIGINT NOT NULL,
                    starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, closed_at BIGINT, version BIGINT NOT NULL DEFAULT 0,
                    created_at BIGINT NOT NULL, CHECK (remaining >= 0 AND remaining <= quantity AND returned >= 0))
                """,
                "CREATE INDEX flash_sales_open ON flash_sales (closed_at, ends_at)",
                """
                CREATE TABLE flash_sale_buyers (sale_id TEXT NOT NULL REFERENCES flash_sales (id), user_id TEXT NOT NULL,
                    units BIGINT NOT NULL, PRIMARY KEY (sale_id, user_id), CHECK (units >= 0))
                """,
                """
                CREATE TABLE flash_sale_purchases (user_id TEXT NOT NULL, key_hash TEXT NOT NULL, sale_id TEXT NOT NULL,
                    request_hash TEXT NOT NULL, order_id TEXT NOT NULL, created_at BIGINT NOT NULL,
                    PRIMARY KEY (user_id, key_hash))
                """,
            ])
    ]

    private static let columns = """
        id, sku, product_id, title, sale_amount, currency, quantity, remaining, per_customer_limit, starts_at, ends_at,
        closed_at, version
        """

    func row(id: String, in sql: any SQLDatabase) async throws -> Row? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM flash_sales WHERE id = \(bind: id)")
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Sales not yet ended, soonest ending first: what the shop's home page announces.
    func openSales(now: Int, limit: Int, in sql: any SQLDatabase) async throws -> [Row] {
        try await sql.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM flash_sales WHERE closed_at IS NULL AND ends_at > \(bind: now)
            ORDER BY ends_at, id LIMIT \(bind: limit)
            """
        ).all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Every sale, the latest to start first.
    func recentSales(limit: Int, in sql: any SQLDatabase) async throws -> [Row] {
        try await sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM flash_sales ORDER BY starts_at DESC, id DESC LIMIT \(bind: limit)"
        ).all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// The sale's row, locked until the transaction ends (PostgreSQL; SQLite's writer holds the whole file).
    func lockedRow(id: String, in sql: any SQLDatabase) async throws -> Row? {
        let lock: SQLQueryString = sql.engine == .postgres ? " FOR UPDATE" : ""
        return try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM flash_sales WHERE id = \(bind: id)\(lock)")
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Takes `total` units of a live sale in one guarded statement; false when it is not live or has fewer.
    func takeUnits(saleId: String, total: Int, now: Int, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE flash_sales SET remaining = remaining - \(bind: total), version = version + 1
            WHERE id = \(bind: saleId) AND remaining >= \(bind: total) AND closed_at IS NULL
                AND starts_at <= \(bind: now) AND ends_at > \(bind: now)
            RETURNING remaining
            """
        ).first() != nil
    }

    /// Counts each buyer's units within `limit`, one statement for all (one entry per buyer): the units after, of
    /// those that stayed within it. A buyer missing from the answer would have gone over and counts nothing.
    func countBuyers(
        saleId: String, limit: Int, _ buyers: [(userId: String, quantity: Int)], in sql: any SQLDatabase
    )
        async throws -> [String: Int]
    {
        let values = buyers.map { buyer -> SQLQueryString in
            "(\(bind: saleId), \(bind: buyer.userId), \(bind: buyer.quantity))"
        }
        let rows = try await sql.raw(
            """
            INSERT INTO flash_sale_buyers (sale_id, user_id, units) VALUES \(values.joined(separator: ", "))
            ON CONFLICT (sale_id, user_id) DO UPDATE SET units = flash_sale_buyers.units + excluded.units
            WHERE flash_sale_buyers.units + excluded.units <= \(bind: limit)
            RETURNING user_id, units
            """
        ).all()
        var counted: [String: Int] = [:]
        for row in rows {
            counted[try row.decode(column: "user_id", as: String.self)] = try row.decode(column: "units", as: Int.self)
        }
        return counted
    }

    /// Records the keys of winning purchases, one statement for all; how many were new (fewer: a key already won).
    func recordPurchases(_ purchases: [(key: PurchaseKey, orderId: String)], in sql: any SQLDatabase)
        async throws -> Int
    {
        let now = Database.nowMillis()
        let values = purchases.map { purchase -> SQLQueryString in
            let key = purchase.key
            return
                "(\(bind: key.saleId), \(bind: key.userId), \(bind: key.keyHash), \(bind: key.requestHash), \(bind: purchase.orderId), \(bind: now))"
        }
        return try await sql.raw(
            """
            INSERT INTO flash_sale_purchases (sale_id, user_id, key_hash, request_hash, order_id, created_at)
            VALUES \(values.joined(separator: ", "))
            ON CONFLICT (user_id, key_hash) DO NOTHING RETURNING order_id
            """
        ).all().count
    }

    func insert(_ row: Row, now: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO flash_sales (id, sku, product_id, title, sale_amount, currency, quantity, remaining,
                per_customer_limit, starts_at, ends_at, created_at)
            VALUES (\(bind: row.id), \(bind: row.sku), \(bind: row.productId), \(bind: row.title), \(bind: row.saleAmount),
                \(bind: row.currency), \(bind: row.quantity), \(bind: row.remaining), \(bind: row.perCustomerLimit),
                \(bind: row.startsAt), \(bind: row.endsAt), \(bind: now))
            """
        ).run()
    }

    /// Every buyer's units (0 for one whose order lapsed): who may be retrying a winning purchase.
    func buyers(saleId: String, in sql: any SQLDatabase) async throws -> [String: Int] {
        var buyers: [String: Int] = [:]
        for row in try await sql.raw("SELECT user_id, units FROM flash_sale_buyers WHERE sale_id = \(bind: saleId)")
            .all()
        {
            buyers[try row.decode(column: "user_id", as: String.self)] = try row.decode(column: "units", as: Int.self)
        }
        return buyers
    }

    /// Takes `quantity` of the sale's units if it is live and has them; else throws `UnitsRefused` with the sale as
    /// the transaction saw it.
    func takeUnits(saleId: String, quantity: Int, now: Int, in sql: any SQLDatabase) async throws {
        guard try await !takeUnits(saleId: saleId, total: quantity, now: now, in: sql) else { return }
        guard let row = try await row(id: saleId, in: sql) else { throw FlashSaleError.notFound }
        switch row.status(at: now) {
        case .scheduled, .ended: throw UnitsRefused(sale: row, reason: .notLive(row.status(at: now)))
        case .soldOut, .live: throw UnitsRefused(sale: row, reason: .soldOut(remaining: row.remaining))
        }
    }

    /// Counts `quantity` more units for the buyer, within the sale's per-customer limit; the buyer's units after.
    func countBuyer(saleId: String, userId: String, quantity: Int, in sql: any SQLDatabase) async throws -> Int {
        let units = try await sql.raw(
            """
            INSERT INTO flash_sale_buyers (sale_id, user_id, units)
            SELECT id, \(bind: userId), \(bind: quantity) FROM flash_sales
            WHERE id = \(bind: saleId) AND per_customer_limit >= \(bind: quantity)
            ON CONFLICT (sale_id, user_id) DO UPDATE SET units = flash_sale_buyers.units + excluded.units
            WHERE flash_sale_buyers.units + excluded.units
                <= (SELECT per_customer_limit FROM flash_sales WHERE id = flash_sale_buyers.sale_id)
            RETURNING units
            """
        ).first()
        guard let units else {
            let limit =
                try await sql.raw("SELECT per_customer_limit FROM flash_sales WHERE id = \(bind: saleId)").first()?
                .decode(column: "per_customer_limit", as: Int.self) ?? 0
            throw FlashSaleError.limitExceeded(limit: limit)
        }
        return try units.decode(column: "units", as: Int.self)
    }

    /// What a retry needs: this key's request and its order. A second request with the key is a `duplicate`. Keys
    /// are the customer's, as for every other route: the same key on another sale is a reuse.
    func recordPurchase(_ key: PurchaseKey, orderId: String, in sql: any SQLDatabase) async throws {
        if try await recordPurchases([(key, orderId)], in: sql) == 0 { throw FlashSaleError.duplicate }
    }

    /// The order an earlier purchase with this key made, or nil; `keyReused` if that purchase had another body.
    func recordedOrder(_ key: PurchaseKey, in sql: any SQLDatabase) async throws -> String? {
        guard
            let row = try await sql.raw(
                """
                SELECT request_hash, order_id FROM flash_sale_purchases
                WHERE user_id = \(bind: key.userId) AND key_hash = \(bind: key.keyHash)
                """
            ).first()
        else { return nil }
        guard try row.decode(column: "request_hash", as: String.self) == key.requestHash else {
            throw FlashSaleError.keyReused
        }
        return try row.decode(column: "order_id", as: String.self)
    }

    /// An unpaid order's units come back: to the sale while it is open (the SKU's `reserved` keeps counting them),
    /// else to the SKU. True when they went to the sale.
    func takeBack(saleId: String, orderId: String, quantity: Int, in sql: any SQLDatabase) async throws -> Bool {
        let toSale =
            try await sql.raw(
                """
                UPDATE flash_sales SET remaining = remaining + \(bind: quantity), version = version + 1
                WHERE id = \(bind: saleId) AND closed_at IS NULL RETURNING id
                """
            ).first() != nil
        if !toSale {
            try await sql.raw(
                "UPDATE flash_sales SET returned = returned + \(bind: quantity), version = version + 1 WHERE id = \(bind: saleId)"
            ).run()
        }
        let buyer = try await sql.raw(
            """
            UPDATE flash_sale_buyers SET units = units - \(bind: quantity)
            WHERE sale_id = \(bind: saleId) AND user_id = (SELECT user_id FROM orders WHERE id = \(bind: orderId))
            RETURNING user_id, units
            """
        ).first()
        var buyers: [String: Int] = [:]
        if let buyer {
            buyers[try buyer.decode(column: "user_id", as: String.self)] = try buyer.decode(
                column: "units", as: Int.self)
        }
        try await announce(saleId: saleId, buyers: buyers, in: sql)
        return toSale
    }

    /// Closes an ended sale, idempotently: the units it still held, for Inventory to give back to the SKU, or nil
    /// if it was closed already.
    func close(saleId: String, now: Int, in sql: any SQLDatabase) async throws -> (sku: String, units: Int)? {
        // Compare-and-set on `remaining`, so the units handed back are exactly those the sale held.
        for _ in 0..<20 {
            guard let row = try await row(id: saleId, in: sql), row.closedAt == nil, row.endsAt <= now else {
                return nil
            }
            let closed = try await sql.raw(
                """
                UPDATE flash_sales SET remaining = 0, returned = returned + remaining, closed_at = \(bind: now),
                    version = version + 1
                WHERE id = \(bind: saleId) AND closed_at IS NULL AND remaining = \(bind: row.remaining) RETURNING id
                """
            ).first()
            if closed != nil { return (row.sku, row.remaining) }
        }
        return nil
    }

    /// Ended sales not closed yet, oldest first.
    func endedOpenSales(now: Int, limit: Int, in sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw(
            """
            SELECT id FROM flash_sales WHERE closed_at IS NULL AND ends_at <= \(bind: now) ORDER BY ends_at LIMIT \(bind: limit)
            """
        ).all().map { try $0.decode(column: "id", as: String.self) }
    }

    /// Writes `flash_sale.changed` with the sale's state at this point of the transaction; that state.
    @discardableResult
    func announce(saleId: String, buyers: [String: Int], in sql: any SQLDatabase) async throws -> Row? {
        guard let row = try await row(id: saleId, in: sql) else { return nil }
        try await Outbox.append(
            "flash_sale.changed",
            aggregateId: saleId,
            payload: FlashSaleChanged(
                saleId: saleId, remaining: row.remaining, closed: row.closedAt != nil, version: row.version,
                buyers: buyers
            ),
            in: sql
        )
        return row
    }
}
