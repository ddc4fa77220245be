import Foundation
import SQLKit

extension Orders {
    /// What a captured payment did to its order.
    enum Capture: Sendable {
        /// The order is confirmed; as the API shows it, with the payment.
        case confirmed(Order)
        /// The payment settled, but the order was no longer payable by it: the money must go back.
        case notPayable
    }

    /// A captured payment confirms the order, in the caller's transaction: `settle` (the payment's guarded UPDATE,
    /// `PaymentStore.settle`) moves the attempt; only if it did, the order goes from `pending_payment` to
    /// `confirmed` and gives back the payment lock of `attemptId`, its held units become a sale, and
    /// `order.confirmed` is written. Nil when the attempt was settled already (another node came first).
    ///
    /// On PostgreSQL the three guarded UPDATEs (attempt, order, holds) are one statement, and the new history
    /// line waits for the commit; SQLite runs them one by one.
    func confirmPaid(id: String, attemptId: String, settle: SQLQueryString, in sql: any SQLDatabase) async throws
        -> Capture?
    {
        let now = Database.nowMillis()
        let confirm = { (also: SQLQueryString) in
            OrderStore.transition(
                id: id, from: [.pendingPayment], to: .confirmed, unlocking: attemptId, now: now, also: also)
        }
        let payment: PaymentSummary
        let confirmed: OrderStore.Row?
        let held: [StockStore.HeldLine]
        if store.database.engine == .postgres {
            let end = inventory.endHoldsForSale(orderId: id, also: " AND EXISTS (SELECT 1 FROM confirmed)")
            guard let moved = try await Self.settleConfirmAndEnd(settle: settle, confirm: confirm, end: end, in: sql)
            else { return nil }
            (payment, confirmed, held) = moved
        } else {
            guard let settled = try await sql.raw(settle).first(decoding: PaymentSummary.self) else { return nil }
            payment = settled
            confirmed = try await sql.raw(confirm("")).first().map(OrderStore.Row.init)
            held =
                confirmed == nil
                ? [] : try await inventory.endHoldsForSale(orderId: id, in: sql)
        }
        guard let confirmed else { return .notPayable }
        // The order as the API shows it, read before its new history line is written (it waits for the commit
        // on PostgreSQL); the captured attempt is the payment it shows.
        let change = StatusChange(status: .confirmed, at: Timestamp.rfc3339(now), note: nil)
        let order = try await store.orders([confirmed], payments: [id: payment], then: [id: change], in: sql)[0]
        try await store.appendHistory(orderId: id, status: .confirmed, note: nil, at: now, in: sql.atCommit)
        try await inventory.sell(held, in: sql)
        try await Outbox.append(
            "order.confirmed", aggregateId: id, payload: Self.event(confirmed, status: .confirmed), in: sql)
        return .confirmed(order)
    }

    /// PostgreSQL: the three guarded UPDATEs of `confirmPaid` as one statement, each a data-modifying CTE that runs
    /// only if the one before moved a row. Nil when the attempt did not settle; the order nil when it did not move.
    private static func settleConfirmAndEnd(
        settle: SQLQueryString, confirm: (SQLQueryString) -> SQLQueryString, end: SQLQueryString,
        in sql: any SQLDatabase
    ) async throws -> (PaymentSummary, OrderStore.Row?, [StockStore.HeldLine])? {
        let rows = try await sql.raw(
            """
            WITH settled AS (\(settle)),
            confirmed AS (\(confirm(" AND EXISTS (SELECT 1 FROM settled)"))),
            ended AS (\(end))
            SELECT settled.id AS payment_id, settled.status AS payment_status, settled.last4 AS payment_last4,
                settled.brand AS payment_brand, confirmed.*, ended.sku AS held_sku,
                ended.quantity AS held_quantity, ended.sale_id AS held_sale_id
            FROM settled LEFT JOIN confirmed ON TRUE LEFT JOIN ended ON TRUE
            """
        ).all()
        guard let first = rows.first else { return nil }
        let payment = PaymentSummary(
            id: try first.decode(column: "payment_id", as: String.self),
            status: try first.decode(column: "payment_status", as: String.self),
            last4: try first.decode(column: "payment_last4", as: String.self),
            brand: try first.decode(column: "payment_brand", as: String.self))
        let confirmed = try first.decode(column: "id", as: String?.self) == nil ? nil : try OrderStore.Row(first)
        let held = try rows.compactMap { row -> StockStore.HeldLine? in
            guard let sku = try row.decode(column: "held_sku", as: String?.self) else { return nil }
            return StockStore.HeldLine(
                sku: sku, quantity: try row.decode(column: "held_quantity", as: Int.self),
                saleId: try row.decode(column: "held_sale_id", as: String?.self))
        }
        return (payment, confirmed, held)
    }
}
