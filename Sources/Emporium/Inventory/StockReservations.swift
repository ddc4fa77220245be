import Foundation
import SQLKit
import Synchronization

/// How concurrent reservations of one SKU are settled. All three are correct (the SQL guard decides);
/// only their speed differs, which is why the benchmark compares them in one run.
public enum ReservationStrategy: String, Sendable, CaseIterable {
    /// Each node gathers the requests of about a millisecond and settles them in one transaction.
    case batched
    /// One guarded `UPDATE ... WHERE on_hand - reserved >= ?` per request.
    case conditional
    /// `SELECT ... FOR UPDATE`, check in Swift, then UPDATE: the naive design, for comparison.
    case rowLock = "row-lock"
}

/// Stock a request needs: one line of a checkout.
public struct StockRequest: Sendable, Equatable {
    public let sku: String
    public let quantity: Int

    public init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// A line that could not be reserved.
public struct Shortfall: Codable, Sendable, Equatable {
    public let sku: String
    public let requested: Int
    public let available: Int
}

public enum ReservationError: Error, Equatable {
    case insufficientStock([Shortfall])
}

/// Reserves stock for checkouts, all lines or none, and runs the caller's work in the same transaction.
public final class StockReservations: Sendable {
    let database: Database
    public let strategy: ReservationStrategy
    let batcher: ReservationBatcher

    init(database: Database, strategy: ReservationStrategy, window: Duration = .milliseconds(1)) {
        self.database = database
        self.strategy = strategy
        self.batcher = ReservationBatcher(database: database, window: window)
    }

    /// Reserves every line (or none: `ReservationError.insufficientStock` lists each short SKU), then runs
    /// `work` in the same transaction; the reservation commits only with it.
    public func reserve<T: Sendable>(
        _ lines: [StockRequest],
        then work: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        // One order of rows for everyone, so two transactions never wait on each other's rows crosswise.
        let lines = lines.sorted { $0.sku < $1.sku }
        switch strategy {
        case .batched:
            return try await batcher.submit(lines) { sql in try await work(sql) } as! T
        case .conditional:
            return try await database.transaction { sql in
                try await Self.reserveGuarded(lines, in: sql)
                let value = try await work(sql)
                try await Self.announce(Set(lines.map(\.sku)), in: sql)
                return value
            }
        case .rowLock:
            return try await database.transaction { sql in
                let skus = lines.map(\.sku).sorted()
                let lock = sql.engine == .postgres ? " FOR UPDATE" : ""
                let rows = try await sql.raw(
                    "SELECT sku, on_hand - reserved AS available FROM stock WHERE sku IN (\(binds: skus)) ORDER BY sku\(unsafeRaw: lock)"
                ).all()
                var available: [String: Int] = [:]
                for row in rows {
                    available[try row.decode(column: "sku", as: String.self)] = try row.decode(
                        column: "available", as: Int.self)
                }
                let short = lines.filter { (available[$0.sku] ?? 0) < $0.quantity }
                guard short.isEmpty else {
                    throw ReservationError.insufficientStock(
                        short.map {
                            Shortfall(sku: $0.sku, requested: $0.quantity, available: max(0, available[$0.sku] ?? 0))
                        })
                }
                for line in lines {
                    try await sql.raw(
                        "UPDATE stock SET reserved = reserved + \(bind: line.quantity) WHERE sku = \(bind: line.sku)"
                    ).run()
                }
                let value = try await work(sql)
                try await Self.announce(Set(skus), in: sql)
                return value
            }
        }
    }

    /// The guarded reservation of every line; on any shortfall, throws with every short line (the caller rolls back).
    static func reserveGuarded(_ lines: [StockRequest], in sql: any SQLDatabase) async throws {
        var short: [Shortfall] = []
        for line in lines {
            let reserved = try await sql.raw(
                """
                UPDATE stock SET reserved = reserved + \(bind: line.quantity)
                WHERE sku = \(bind: line.sku) AND on_hand - reserved >= \(bind: line.quantity)
                RETURNING sku
                """
            ).first()
            if reserved == nil {
                let available =
                    try await sql.raw("SELECT on_hand - reserved AS available FROM stock WHERE sku = \(bind: line.sku)")
                    .first()?.decode(column: "available", as: Int.self) ?? 0
                short.append(Shortfall(sku: line.sku, requested: line.quantity, available: max(0, available)))
            }
        }
        if !short.isEmpty { throw ReservationError.insufficientStock(short) }
    }

    /// Writes one `inventory.changed` per SKU with its state at the end of the transaction.
    static func announce(_ skus: Set<String>, in sql: any SQLDatabase) async throws {
        guard !skus.isEmpty else { return }
        let rows = try await sql.raw(
            "SELECT sku, product_id, on_hand, reserved FROM stock WHERE sku IN (\(binds: Array(skus)))"
        ).all()
        for row in rows {
            let onHand = try row.decode(column: "on_hand", as: Int.self)
            let reserved = try row.decode(column: "reserved", as: Int.self)
            let sku = try row.decode(column: "sku", as: String.self)
            try await Outbox.append(
                "inventory.changed",
                aggregateId: sku,
                payload: StockChanged(
                    sku: sku,
                    productId: try row.decode(column: "product_id", as: String.self),
                    onHand: onHand,
                    reserved: reserved,
                    available: onHand - reserved
                ),
                in: sql
            )
        }
    }

    /// Returns an order's active reservations to stock (expiry, cancel before payment); a flash-sale order's units
    /// go back to its sale while the sale is open.
    static func release(orderId: String, in sql: any SQLDatabase) async throws {
        let lines = try await activeLines(orderId: orderId, in: sql)
        for line in lines {
            if let saleId = line.saleId,
                try await FlashSaleStore.takeBack(saleId: saleId, orderId: orderId, quantity: line.quantity, in: sql)
            {
                continue
            }
            try await sql.raw(
                "UPDATE stock SET reserved = reserved - \(bind: line.quantity) WHERE sku = \(bind: line.sku)"
            ).run()
        }
        try await sql.raw(
            "UPDATE reservations SET state = 'released' WHERE order_id = \(bind: orderId) AND state = 'active'"
        ).run()
        try await announce(Set(lines.map(\.sku)), in: sql)
    }

    /// Turns an order's reservations into a sale: the units leave `onHand` and `reserved` together.
    static func convert(orderId: String, in sql: any SQLDatabase) async throws {
        let lines = try await activeLines(orderId: orderId, in: sql)
        for line in lines {
            let onHand = try await sql.raw(
                """
                UPDATE stock SET on_hand = on_hand - \(bind: line.quantity), reserved = reserved - \(bind: line.quantity)
                WHERE sku = \(bind: line.sku) RETURNING on_hand
                """
            ).first()!.decode(column: "on_hand", as: Int.self)
            try await Inventory.recordMovement(
                sku: line.sku, delta: -line.quantity, reason: "sale", onHandAfter: onHand, in: sql)
        }
        try await sql.raw(
            "UPDATE reservations SET state = 'converted' WHERE order_id = \(bind: orderId) AND state = 'active'"
        ).run()
        try await announce(Set(lines.map(\.sku)), in: sql)
    }

    /// Puts a cancelled paid order's units back on hand.
    static func restock(_ lines: [StockRequest], in sql: any SQLDatabase) async throws {
        for line in lines {
            let onHand = try await sql.raw(
                "UPDATE stock SET on_hand = on_hand + \(bind: line.quantity) WHERE sku = \(bind: line.sku) RETURNING on_hand"
            ).first()!.decode(column: "on_hand", as: Int.self)
            try await Inventory.recordMovement(
                sku: line.sku, delta: line.quantity, reason: "restock", onHandAfter: onHand, in: sql)
        }
        try await announce(Set(lines.map(\.sku)), in: sql)
    }

    /// Every node forgets a "sold out" it remembered once stock comes back.
    var consumer: EventConsumer {
        EventConsumer(name: "sold-out-memory", scope: .node(), types: ["inventory.changed"]) { [batcher] event in
            let change = try event.decode(StockChanged.self)
            if change.available > 0 { batcher.restocked(change.sku) }
        }
    }

    /// Records reservation lines, of one order or of several (a flash-sale batch), in one statement.
    static func record(
        _ held: [(orderId: String, line: StockRequest, expiresAt: Int)], saleId: String?, in sql: any SQLDatabase
    ) async throws {
        guard !held.isEmpty else { return }
        let values = held.map { held -> SQLQueryString in
            "(\(bind: held.orderId), \(bind: held.line.sku), \(bind: held.line.quantity), \(bind: held.expiresAt), 'active', \(bind: saleId))"
        }
        try await sql.raw(
            "INSERT INTO reservations (order_id, sku, quantity, expires_at, state, sale_id) VALUES \(values.joined(separator: ", "))"
        ).run()
    }

    /// Records what an order holds, for release or conversion later; `saleId` when the units came from a flash sale.
    static func record(
        orderId: String, lines: [StockRequest], expiresAt: Int, saleId: String? = nil, in sql: any SQLDatabase
    ) async throws {
        try await record(lines.map { (orderId, $0, expiresAt) }, saleId: saleId, in: sql)
    }

    private struct HeldLine: Decodable {
        let sku: String
        let quantity: Int
        let saleId: String?
    }

    private static func activeLines(orderId: String, in sql: any SQLDatabase) async throws -> [HeldLine] {
        try await sql.raw(
            "SELECT sku, quantity, sale_id FROM reservations WHERE order_id = \(bind: orderId) AND state = 'active' ORDER BY sku"
        ).all(decoding: HeldLine.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    static let migrations: [Migration] = [
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
    ]
}
