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
    /// On PostgreSQL the four guarded UPDATEs (attempt, order, holds, stock) are one statement, and the new history
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
        var sold: [StockChanged]? = nil
        if store.database.engine == .postgres {
            let end = inventory.endHoldsForSale(orderId: id, also: " AND EXISTS (SELECT 1 FROM confirmed)")
            guard let moved = try await Self.settleConfirmAndSell(settle: settle, confirm: confirm, end: end, in: sql)
            else { return nil }
            (payment, confirmed, held, sold) = moved
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
        if let sold {
            try await inventory.recordSale(Inventory.sold(held), after: sold, in: sql)
        } else {
            try await inventory.sell(held, in: sql)
        }
        try await Outbox.append(
            "order.confirmed", aggregateId: id, payload: Self.event(confirmed, status: .confirmed), in: sql)
        return .confirmed(order)
    }

    /// PostgreSQL: the four guarded UPDATEs of `confirmPaid` as one statement, each a data-modifying CTE that runs
    /// only if the one before moved a row: the attempt settles, the order is confirmed, its holds end and their
    /// units leave stock (`Inventory.sellEnded`). Nil when the attempt did not settle; the order nil when it did
    /// not move. The stock rows after, one per SKU.
    private static func settleConfirmAndSell(
        settle: SQLQueryString, confirm: (SQLQueryString) -> SQLQueryString, end: SQLQueryString,
        in sql: any SQLDatabase
    ) async throws -> (PaymentSummary, OrderStore.Row?, [StockStore.HeldLine], [StockChanged])? {
        let rows = try await sql.raw(
            """
            WITH settled AS (\(settle)),
            confirmed AS (\(confirm(" AND EXISTS (SELECT 1 FROM settled)"))),
            ended AS (\(end)),
            sold AS (\(Inventory.sellEnded))
            SELECT settled.id AS payment_id, settled.status AS payment_status, settled.last4 AS payment_last4,
                settled.brand AS payment_brand, confirmed.*, ended.sku AS held_sku,
                ended.quantity AS held_quantity, ended.sale_id AS held_sale_id, sold.product_id AS sold_product_id,
                sold.on_hand AS sold_on_hand, sold.reserved AS sold_reserved, sold.available AS sold_available
            FROM settled LEFT JOIN confirmed ON TRUE LEFT JOIN ended ON TRUE LEFT JOIN sold ON sold.sku = ended.sku
            """
        ).all()
        guard let first = rows.first else { return nil }
        let payment = PaymentSummary(
            id: try first.decode(column: "payment_id", as: String.self),
            status: try first.decode(column: "payment_status", as: String.self),
            last4: try first.decode(column: "payment_last4", as: String.self),
            brand: try first.decode(column: "payment_brand", as: String.self))
        let confirmed = try first.decode(column: "id", as: String?.self) == nil ? nil : try OrderStore.Row(first)
        var held: [StockStore.HeldLine] = []
        var sold: [String: StockChanged] = [:]
        for row in rows {
            guard let sku = try row.decode(column: "held_sku", as: String?.self) else { continue }
            held.append(
                StockStore.HeldLine(
                    sku: sku, quantity: try row.decode(column: "held_quantity", as: Int.self),
                    saleId: try row.decode(column: "held_sale_id", as: String?.self)))
            if let productId = try row.decode(column: "sold_product_id", as: String?.self) {
                sold[sku] = StockChanged(
                    sku: sku, productId: productId, onHand: try row.decode(column: "sold_on_hand", as: Int.self),
                    reserved: try row.decode(column: "sold_reserved", as: Int.self),
                    available: try row.decode(column: "sold_available", as: Int.self))
            }
        }
        return (payment, confirmed, held, Array(sold.values))
    }
}
