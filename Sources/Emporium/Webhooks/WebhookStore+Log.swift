import SQLKit

extension WebhookStore {
    /// A page of the endpoint's deliveries, latest first, each with its attempts.
    func deliveries(endpointId: String, limit: Int, before: String?) async throws
        -> (items: [WebhookDelivery], next: String?)
    {
        try await database.read { sql in
            var query: SQLQueryString = """
                SELECT id, event_id, event_type, status, attempts, last_response_status, last_error, next_attempt_at,
                    delivered_at, created_at FROM webhook_deliveries WHERE endpoint_id = \(bind: endpointId)
                """
            if let before { query = query + " AND id < \(bind: before)" }
            let found = try await sql.raw(query + " ORDER BY id DESC LIMIT \(bind: limit + 1)").all()
            let rows = Array(found.prefix(limit))
            let ids = try rows.map { try $0.decode(column: "id", as: String.self) }
            let log = try await attempts(of: ids, in: sql)
            let items = try rows.map { row in
                let id = try row.decode(column: "id", as: String.self)
                let status =
                    WebhookDelivery.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending
                return WebhookDelivery(
                    id: id,
                    eventId: WebhookEvents.eventId(try row.decode(column: "event_id", as: Int.self)),
                    event: try row.decode(column: "event_type", as: String.self),
                    status: status,
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    lastResponseStatus: try row.decode(column: "last_response_status", as: Int?.self),
                    lastError: try row.decode(column: "last_error", as: String?.self),
                    nextAttemptAt: status == .pending
                        ? Timestamp.rfc3339(try row.decode(column: "next_attempt_at", as: Int.self)) : nil,
                    deliveredAt: try row.decode(column: "delivered_at", as: Int?.self).map(Timestamp.rfc3339),
                    createdAt: Timestamp.rfc3339(try row.decode(column: "created_at", as: Int.self)),
                    attemptLog: log[id] ?? [])
            }
            return (items, found.count > limit ? ids.last : nil)
        }
    }

    private func attempts(of deliveryIds: [String], in sql: any SQLDatabase) async throws
        -> [String: [WebhookDelivery.Attempt]]
    {
        guard !deliveryIds.isEmpty else { return [:] }
        let list = SQLList(deliveryIds.map { SQLBind($0) })
        let rows = try await sql.select()
            .columns("delivery_id", "at", "response_status", "error", "duration_ms")
            .from("webhook_attempts")
            .where(SQLIdentifier("delivery_id"), .in, SQLGroupExpression(list))
            .orderBy("delivery_id").orderBy("attempt")
            .all()
        var log: [String: [WebhookDelivery.Attempt]] = [:]
        for row in rows {
            log[try row.decode(column: "delivery_id", as: String.self), default: []].append(
                WebhookDelivery.Attempt(
                    at: Timestamp.rfc3339(try row.decode(column: "at", as: Int.self)),
                    responseStatus: try row.decode(column: "response_status", as: Int?.self),
                    error: try row.decode(column: "error", as: String?.self),
                    durationMs: try row.decode(column: "duration_ms", as: Int.self)))
        }
        return log
    }
}
