import Foundation
import SQLKit

/// The SQL of carts. A line is kept as groups of units, each tagged with the cart version that added it, so
/// "what had a device seen at version B" is "the groups tagged B or lower". A group always holds at least
/// one unit, so a line never has more than 99 groups: the history needed for sync stays as small as the line.
struct CartStore: Sendable {
    let database: Database

    static let migrations: [Migration] = [
        Migration(
            "cart.1",
            [
                """
                CREATE TABLE carts (id TEXT PRIMARY KEY, owner_kind TEXT NOT NULL, version BIGINT NOT NULL,
                    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE cart_lines (cart_id TEXT NOT NULL REFERENCES carts (id), sku TEXT NOT NULL,
                    noted_amount BIGINT NOT NULL, noted_currency TEXT NOT NULL, added_at BIGINT NOT NULL,
                    PRIMARY KEY (cart_id, sku))
                """,
                """
                CREATE TABLE cart_units (id {serial}, cart_id TEXT NOT NULL REFERENCES carts (id), sku TEXT NOT NULL,
                    added_version BIGINT NOT NULL, quantity BIGINT NOT NULL, CHECK (quantity > 0))
                """,
                "CREATE INDEX cart_units_line ON cart_units (cart_id, sku)",
                """
                CREATE TABLE cart_ops (cart_id TEXT NOT NULL, device_id TEXT NOT NULL, op_id TEXT NOT NULL,
                    applied_at BIGINT NOT NULL, PRIMARY KEY (cart_id, device_id, op_id))
                """,
            ])
    ]

    /// Locks the cart's row for the rest of the transaction (creating the cart at version 0 if new) and
    /// returns its version. Every change to a cart starts here, so changes to one cart are serial on both engines.
    func lock(cartId: String, ownerKind: String, in sql: any SQLDatabase) async throws -> Int {
        let now = Database.nowMillis()
        return try await sql.raw(
            """
            INSERT INTO carts (id, owner_kind, version, created_at, updated_at)
            VALUES (\(bind: cartId), \(bind: ownerKind), 0, \(bind: now), \(bind: now))
            ON CONFLICT (id) DO UPDATE SET updated_at = carts.updated_at
            RETURNING version
            """
        ).first()!.decode(column: "version", as: Int.self)
    }

    /// Moves the locked cart to its next version and writes `cart.changed`, which every node pushes to the
    /// shopper's listening devices.
    func recordChange(cartId: String, in sql: any SQLDatabase) async throws -> CartChanged {
        try await recordChange(cartId: cartId, from: nil, in: sql)!
    }

    /// `recordChange` for a cart this transaction locked (`lock`) at `version`: the next version is known without
    /// asking, so on PostgreSQL the move waits for the commit and goes with the event (`atCommit`).
    func recordChange(cartId: String, locked version: Int, in sql: any SQLDatabase) async throws -> CartChanged {
        try await sql.atCommit.raw(
            """
            UPDATE carts SET version = \(bind: version + 1), updated_at = \(bind: Database.nowMillis())
            WHERE id = \(bind: cartId)
            """
        ).run()
        let change = CartChanged(cartId: cartId, version: version + 1)
        try await Outbox.append("cart.changed", aggregateId: cartId, payload: change, in: sql)
        return change
    }

    /// `recordChange` for a cart that must still be at `version` (a checkout's): the version check, the row lock
    /// and the move in one guarded UPDATE. Nil when the cart changed meanwhile.
    func recordChange(cartId: String, from version: Int?, in sql: any SQLDatabase) async throws -> CartChanged? {
        let unchanged: SQLQueryString = version.map { " AND version = \(bind: $0)" } ?? ""
        guard
            let next = try await sql.raw(
                """
                UPDATE carts SET version = version + 1, updated_at = \(bind: Database.nowMillis())
                WHERE id = \(bind: cartId)\(unchanged) RETURNING version
                """
            ).first()?.decode(column: "version", as: Int.self)
        else { return nil }
        let change = CartChanged(cartId: cartId, version: next)
        try await Outbox.append("cart.changed", aggregateId: cartId, payload: change, in: sql)
        return change
    }

    func version(cartId: String, in sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT version FROM carts WHERE id = \(bind: cartId)").first()?.decode(
            column: "version", as: Int.self) ?? 0
    }

    enum SkuState {
        case missing
        case discontinued
        case sellable
    }

    func skuState(_ sku: String, in sql: any SQLDatabase) async throws -> SkuState {
        try Self.skuState(try await sql.raw("SELECT \(Self.skuStateColumn(sku)) AS state").first()!)
    }

    /// The SKU's state as one SQL value, for a select list: 1 on sale, 2 discontinued (its product deleted), NULL
    /// unknown. `skuState(_:)` reads it back from the column `state`.
    private static func skuStateColumn(_ sku: String) -> SQLQueryString {
        """
        (SELECT CASE WHEN p.deleted_at IS NULL THEN 1 ELSE 2 END
         FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = \(bind: sku))
        """
    }

    private static func skuState(_ row: any SQLRow) throws -> SkuState {
        switch try row.decode(column: "state", as: Int?.self) {
        case 1: .sellable
        case 2: .discontinued
        default: .missing
        }
    }

    func lineCount(cartId: String, in sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM cart_lines WHERE cart_id = \(bind: cartId)").first()!.decode(
            column: "n", as: Int.self)
    }

    /// Whether the cart has a line for `sku`, how many lines it has, and the SKU's state (as `skuState`), in one
    /// statement.
    func lines(cartId: String, having sku: String, in sql: any SQLDatabase) async throws -> (
        has: Bool, count: Int, state: SkuState
    ) {
        let row = try await sql.raw(
            """
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN sku = \(bind: sku) THEN 1 ELSE 0 END), 0) AS BIGINT) AS has,
                \(Self.skuStateColumn(sku)) AS state
            FROM cart_lines WHERE cart_id = \(bind: cartId)
            """
        ).first()!
        return (
            try row.decode(column: "has", as: Int.self) > 0, try row.decode(column: "n", as: Int.self),
            try Self.skuState(row)
        )
    }

    /// Records today's price as the one the shopper has seen for the line (creating the line's record); false when
    /// the line already had it.
    @discardableResult
    func noteLine(cartId: String, sku: String, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(Self.noteLine(cartId: cartId, sku: sku)).first() != nil
    }

    private static func noteLine(cartId: String, sku: String) -> SQLQueryString {
        """
        INSERT INTO cart_lines (cart_id, sku, noted_amount, noted_currency, added_at)
        SELECT \(bind: cartId), sku, price_amount, price_currency, \(bind: Database.nowMillis()) FROM variants WHERE sku = \(bind: sku)
        ON CONFLICT (cart_id, sku) DO UPDATE SET noted_amount = excluded.noted_amount, noted_currency = excluded.noted_currency
        WHERE cart_lines.noted_amount <> excluded.noted_amount OR cart_lines.noted_currency <> excluded.noted_currency
        RETURNING sku
        """
    }

    /// Records today's price for the line (`noteLine`), then adds up to `quantity` units tagged `version`, never
    /// taking the line above 99; how many were added. The cap is computed in the same statement as the insert, from
    /// `cart_units` only, which the note does not touch: on PostgreSQL the note is a data-modifying CTE of that
    /// INSERT, one round trip.
    func noteLineAndAddUnits(cartId: String, sku: String, quantity: Int, version: Int, in sql: any SQLDatabase)
        async throws -> Int
    {
        var add = Self.addUnits(cartId: cartId, sku: sku, quantity: quantity, version: version)
        if sql.engine == .postgres {
            add = "WITH noted AS (\(Self.noteLine(cartId: cartId, sku: sku))) \(add)"
        } else {
            try await noteLine(cartId: cartId, sku: sku, in: sql)
        }
        return try await sql.raw(add).first()?.decode(column: "quantity", as: Int.self) ?? 0
    }

    private static func addUnits(cartId: String, sku: String, quantity: Int, version: Int) -> SQLQueryString {
        let max = CartRules.maxQuantity
        return """
            INSERT INTO cart_units (cart_id, sku, added_version, quantity)
            SELECT \(bind: cartId), \(bind: sku), \(bind: version),
                CASE WHEN t.current + \(bind: quantity) > \(bind: max) THEN \(bind: max) - t.current ELSE \(bind: quantity) END
            FROM (SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) AS current FROM cart_units
                  WHERE cart_id = \(bind: cartId) AND sku = \(bind: sku)) t
            WHERE t.current < \(bind: max)
            RETURNING quantity
            """
    }

    /// Removes the units tagged `version` or lower (and those tagged `alsoVersion`); how many were removed.
    func removeUnits(cartId: String, sku: String, seenAt version: Int, alsoVersion: Int, in sql: any SQLDatabase)
        async throws -> Int
    {
        try await sql.raw(
            """
            DELETE FROM cart_units WHERE cart_id = \(bind: cartId) AND sku = \(bind: sku)
                AND (added_version <= \(bind: version) OR added_version = \(bind: alsoVersion))
            RETURNING quantity
            """
        ).all().reduce(0) { $0 + (try $1.decode(column: "quantity", as: Int.self)) }
    }

    func quantity(cartId: String, sku: String, in sql: any SQLDatabase) async throws -> Int {
        try await sql.raw(
            "SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) AS n FROM cart_units WHERE cart_id = \(bind: cartId) AND sku = \(bind: sku)"
        ).first()!.decode(column: "n", as: Int.self)
    }

    /// Takes `count` units off the line, newest first: a decrease undoes the latest additions.
    func trimUnits(cartId: String, sku: String, count: Int, in sql: any SQLDatabase) async throws {
        var left = count
        let groups = try await sql.raw(
            """
            SELECT id, quantity FROM cart_units WHERE cart_id = \(bind: cartId) AND sku = \(bind: sku)
            ORDER BY added_version DESC, id DESC
            """
        ).all()
        for group in groups where left > 0 {
            let id = try group.decode(column: "id", as: Int.self)
            let quantity = try group.decode(column: "quantity", as: Int.self)
            if quantity <= left {
                try await sql.raw("DELETE FROM cart_units WHERE id = \(bind: id)").run()
            } else {
                try await sql.raw("UPDATE cart_units SET quantity = quantity - \(bind: left) WHERE id = \(bind: id)")
                    .run()
            }
            left -= min(quantity, left)
        }
    }

    /// Drops the line's record once no units are left.
    func dropLineIfEmpty(cartId: String, sku: String, in sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            DELETE FROM cart_lines WHERE cart_id = \(bind: cartId) AND sku = \(bind: sku)
                AND NOT EXISTS (SELECT 1 FROM cart_units u WHERE u.cart_id = \(bind: cartId) AND u.sku = \(bind: sku))
            """
        ).run()
    }

    /// Records an op as applied; false when this device already sent it.
    func claimOp(cartId: String, deviceId: String, opId: String, in sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            INSERT INTO cart_ops (cart_id, device_id, op_id, applied_at)
            VALUES (\(bind: cartId), \(bind: deviceId), \(bind: opId), \(bind: Database.nowMillis()))
            ON CONFLICT (cart_id, device_id, op_id) DO NOTHING
            RETURNING op_id
            """
        ).first() != nil
    }

    func forgetOps(cartId: String, before: Int, in sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM cart_ops WHERE cart_id = \(bind: cartId) AND applied_at < \(bind: before)").run()
    }

    /// Removes every line of the cart (its caller holds the cart's row lock).
    func clearLines(cartId: String, in sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM cart_units WHERE cart_id = \(bind: cartId)").run()
        try await sql.raw("DELETE FROM cart_lines WHERE cart_id = \(bind: cartId)").run()
    }

    /// Empties the cart's lines, returning what they held (for a merge).
    func takeLines(cartId: String, in sql: any SQLDatabase) async throws -> [(sku: String, quantity: Int)] {
        let rows = try await sql.raw(
            """
            SELECT l.sku, (SELECT COALESCE(CAST(SUM(u.quantity) AS BIGINT), 0) FROM cart_units u
                 WHERE u.cart_id = l.cart_id AND u.sku = l.sku) AS quantity
            FROM cart_lines l WHERE l.cart_id = \(bind: cartId) ORDER BY l.added_at, l.sku
            """
        ).all()
        try await clearLines(cartId: cartId, in: sql)
        return try rows.map {
            (try $0.decode(column: "sku", as: String.self), try $0.decode(column: "quantity", as: Int.self))
        }
    }
}
