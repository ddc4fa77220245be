import Foundation
import SQLKit

/// The SQL of stock: the `stock` rows, their ledger (`stock_movements`) and what orders hold (`reservations`).
/// This is the only code that writes `stock`; every change of it that can oversell is one guarded statement,
/// `on_hand - reserved >= quantity` in its WHERE clause, and the table's CHECK backs it up.
struct StockStore: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "inventory.1",
            [
                """
                CREATE TABLE stock (sku TEXT PRIMARY KEY REFERENCES variants (sku), product_id TEXT NOT NULL,
                    on_hand BIGINT NOT NULL, reserved BIGINT NOT NULL DEFAULT 0, low_threshold BIGINT NOT NULL DEFAULT 5,
                    CHECK (reserved >= 0 AND on_hand >= reserved))
                """,
                """
                CREATE TABLE stock_movements (id {serial}, sku TEXT NOT NULL, delta BIGINT NOT NULL, reason TEXT NOT NULL,
                    on_hand_after BIGINT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX stock_movements_sku ON stock_movements (sku)",
            ]),
        Migration("inventory.2", ["CREATE INDEX stock_product ON stock (product_id)"]),
        // The dashboard's low-stock SKUs: those under their threshold are the first entries of this index.
        Migration("inventory.3", ["CREATE INDEX stock_shortfall ON stock ((on_hand - reserved - low_threshold))"]),
    ]

    static let reservationMigrations: [Migration] = [
        Migration(
            "reservations.1",
            [
                """
                CREATE TABLE reservations (order_id TEXT NOT NULL, sku TEXT NOT NULL, quantity BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (order_id, sku))
                """,
                "CREATE INDEX reservations_sku ON reservations (sku, state)",
            ]),
        Migration("reservations.2", ["ALTER TABLE reservations ADD COLUMN sale_id TEXT"]),
        // Ended reservations stay as history: counting the active ones reads only them.
        Migration(
            "reservations.3",
            ["CREATE INDEX reservations_active ON reservations (order_id) WHERE state = 'active'"]),
    ]

    struct Row: Decodable {
        let onHand: Int
        let reserved: Int
        let lowThreshold: Int
        let productId: String
    }

    func row(sku: String, in sql: any SQLDatabase) async throws -> Row? {
        try await sql.raw("SELECT on_hand, reserved, low_threshold, product_id FROM stock WHERE sku = \(bind: sku)")
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// What is left to sell of the SKU (0 for an unknown one).
    func available(sku: String, in sql: any SQLDatabase) async throws -> Int {
        let available =
            try await sql.raw("SELECT on_hand - reserved AS available FROM stock WHERE sku = \(bind: sku)")
            .first()?.decode(column: "available", as: Int.self) ?? 0
        return max(0, available)
    }

    /// The rule "never sell more than there is": adds `quantity` to `reserved` only while that much is available.
    /// The row after, as `inventory.changed` tells it; nil (and nothing changed) when it is not.
    func take(sku: String, quantity: Int, in sql: any SQLDatabase) async throws -> StockChanged? {
        try await sql.raw(
            """
            UPDATE stock SET reserved = reserved + \(bind: quantity)
            WHERE sku = \(bind: sku) AND on_hand - reserved >= \(bind: quantity)
            RETURNING sku, product_id, on_hand, reserved, on_hand - reserved AS available
            """
        ).first()?.decode(model: StockChanged.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Locks the SKUs' rows until the transaction ends (PostgreSQL; SQLite's writer holds the whole file).
    func lock(skus: [String], in sql: any SQLDatabase) async throws {
        guard sql.engine == .postgres, !skus.isEmpty else { return }
        try await sql.raw("SELECT sku FROM stock WHERE sku IN (\(binds: skus.sorted())) ORDER BY sku FOR UPDATE").run()
    }

    /// Units held by a reservation or a flash sale come back to what is available.
    func giveBack(sku: String, quantity: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "UPDATE stock SET reserved = reserved - \(bind: quantity) WHERE sku = \(bind: sku)"
        ).run()
    }

    /// Held units leave with a sale: `on_hand` and `reserved` drop together, for every SKU of `source` (rows of
    /// `sku` and `quantity`, one per SKU) in one statement. A PostgreSQL capture runs it inside its own statement,
    /// over the holds it ended. It answers with the rows after, as `inventory.changed` tells them.
    static func sell(from source: SQLQueryString) -> SQLQueryString {
        """
        UPDATE stock SET on_hand = on_hand - sold.quantity, reserved = reserved - sold.quantity
        FROM (\(source)) AS sold WHERE stock.sku = sold.sku
        RETURNING stock.sku AS sku, stock.product_id AS product_id, stock.on_hand AS on_hand,
            stock.reserved AS reserved, stock.on_hand - stock.reserved AS available
        """
    }

    /// `sell(from:)` for lines the caller names, one per SKU.
    func sell(_ lines: [StockRequest], in sql: any SQLDatabase) async throws -> [StockChanged] {
        guard !lines.isEmpty else { return [] }
        let values = lines.map { "(\(bind: $0.sku), \(bind: $0.quantity))" as SQLQueryString }
        let source: SQLQueryString = """
            SELECT column1 AS sku, CAST(column2 AS BIGINT) AS quantity
            FROM (VALUES \(values.joined(separator: ", "))) AS lines
            """
        return try await sql.raw(Self.sell(from: source)).all(
            decoding: StockChanged.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Adds `delta` on hand (negative to remove) unless available stock would fall below zero; the row after, or nil.
    func add(sku: String, delta: Int, in sql: any SQLDatabase) async throws -> Row? {
        try await sql.raw(
            """
            UPDATE stock SET on_hand = on_hand + \(bind: delta)
            WHERE sku = \(bind: sku) AND on_hand + \(bind: delta) - reserved >= 0
            RETURNING on_hand, reserved, low_threshold, product_id
            """
        ).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Sets `on_hand` if it is still `expected` and stays at or above `reserved`; the row after, or nil.
    func set(sku: String, onHand: Int, expected: Int, in sql: any SQLDatabase) async throws -> Row? {
        try await sql.raw(
            """
            UPDATE stock SET on_hand = \(bind: onHand)
            WHERE sku = \(bind: sku) AND on_hand = \(bind: expected) AND reserved <= \(bind: onHand)
            RETURNING on_hand, reserved, low_threshold, product_id
            """
        ).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func insert(sku: String, productId: String, onHand: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            "INSERT INTO stock (sku, product_id, on_hand) VALUES (\(bind: sku), \(bind: productId), \(bind: onHand))"
        ).run()
        try await recordMovement(sku: sku, delta: onHand, reason: "initial stock", onHandAfter: onHand, in: sql)
    }

    /// The stock of many new SKUs and their first ledger lines, two statements for all (seeding).
    static func insertInitial(
        _ rows: [(sku: String, productId: String, onHand: Int)], now: Int, in sql: any SQLDatabase
    ) async throws {
        guard !rows.isEmpty else { return }
        let stock = rows.map { row -> SQLQueryString in
            "(\(bind: row.sku), \(bind: row.productId), \(bind: row.onHand))"
        }
        try await sql.raw("INSERT INTO stock (sku, product_id, on_hand) VALUES \(stock.joined(separator: ", "))").run()
        let movements = rows.map { row -> SQLQueryString in
            "(\(bind: row.sku), \(bind: row.onHand), 'initial stock', \(bind: row.onHand), \(bind: now))"
        }
        try await sql.raw(
            """
            INSERT INTO stock_movements (sku, delta, reason, on_hand_after, created_at)
            VALUES \(movements.joined(separator: ", "))
            """
        ).run()
    }

    /// One line of the stock ledger: every change of `on_hand` writes one, and `emporium audit` adds them up. No
    /// transaction reads its own lines back, so they are written at its commit (`atCommit`).
    func recordMovement(sku: String, delta: Int, reason: String, onHandAfter: Int, in sql: any SQLDatabase)
        async throws
    {
        try await sql.atCommit.raw(
            """
            INSERT INTO stock_movements (sku, delta, reason, on_hand_after, created_at)
            VALUES (\(bind: sku), \(bind: delta), \(bind: reason), \(bind: onHandAfter), \(bind: Database.nowMillis()))
            """
        ).run()
    }

    /// The SKUs' rows as this transaction sees them, for `inventory.changed`.
    func changes(_ skus: Set<String>, in sql: any SQLDatabase) async throws -> [StockChanged] {
        guard !skus.isEmpty else { return [] }
        return try await sql.raw(
            """
            SELECT sku, product_id, on_hand, reserved, on_hand - reserved AS available FROM stock
            WHERE sku IN (\(binds: skus.sorted()))
            """
        ).all(decoding: StockChanged.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    // MARK: Reservations: what each order holds, for release or sale later.

    struct HeldLine: Decodable {
        let sku: String
        let quantity: Int
        let saleId: String?
    }

    /// Records held lines, of one order or of several (a flash-sale batch), in one statement.
    func hold(
        _ held: [(orderId: String, line: StockRequest, expiresAt: Int)], saleId: String?, in sql: any SQLDatabase
    ) async throws {
        guard !held.isEmpty else { return }
        let values = held.map { held -> SQLQueryString in
            let line = held.line
            return
                "(\(bind: held.orderId), \(bind: line.sku), \(bind: line.quantity), \(bind: held.expiresAt), 'active', \(bind: saleId))"
        }
        try await sql.raw(
            """
            INSERT INTO reservations (order_id, sku, quantity, expires_at, state, sale_id)
            VALUES \(values.joined(separator: ", "))
            """
        ).run()
    }

    func activeLines(orderId: String, in sql: any SQLDatabase) async throws -> [HeldLine] {
        try await sql.raw(
            """
            SELECT sku, quantity, sale_id FROM reservations WHERE order_id = \(bind: orderId) AND state = 'active'
            ORDER BY sku
            """
        ).all(decoding: HeldLine.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// How many reservation lines hold stock now, and how many units they hold.
    func activeTotals(in sql: any SQLDatabase) async throws -> (lines: Int, units: Int) {
        let row = try await sql.raw(
            """
            SELECT COUNT(*) AS lines, CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS units
            FROM reservations WHERE state = 'active'
            """
        ).first()
        guard let row else { return (0, 0) }
        return (try row.decode(column: "lines", as: Int.self), try row.decode(column: "units", as: Int.self))
    }

    /// Ends the order's active reservations: `released` or `converted`. The lines it ended, in no set order.
    @discardableResult
    func endHolds(orderId: String, state: String, in sql: any SQLDatabase) async throws -> [HeldLine] {
        try await sql.raw(Self.endHolds(orderId: orderId, state: state)).all(
            decoding: HeldLine.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// The UPDATE of `endHolds`, which a PostgreSQL capture runs inside the statement that confirms its order;
    /// `also` adds a condition.
    static func endHolds(orderId: String, state: String, also: SQLQueryString = "") -> SQLQueryString {
        """
        UPDATE reservations SET state = \(bind: state) WHERE order_id = \(bind: orderId) AND state = 'active'\(also)
        RETURNING sku, quantity, sale_id
        """
    }
}
