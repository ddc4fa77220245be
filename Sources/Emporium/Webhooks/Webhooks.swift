import Foundation
import SQLKit

/// Webhooks: merchants' endpoints and the deliveries of events to them, at least once, from the event log.
///
/// The `fanOut` cluster consumer turns each subscribed event into one delivery row per endpoint, in the same
/// transaction that moves its position, so a crash neither loses nor doubles a row. `WebhookSender` (on whichever
/// node holds its lease) posts the rows, signed, and retries what fails with growing delays for a day.
public struct Webhooks: Sendable {
    let store: WebhookStore
    let options: WebhookOptions

    static let consumerName = "webhook-deliveries"

    public func create(_ input: WebhookInput) async throws -> WebhookEndpoint {
        var validator = Validator()
        var seen = Set<String>()
        let events = input.events.filter { seen.insert($0).inserted }
        validator.check(!events.isEmpty, "events", "must name at least one event, or \"*\" for all")
        let unknown = events.filter { $0 != WebhookEvents.all && !WebhookEvents.types.contains($0) }
        validator.check(
            unknown.isEmpty, "events",
            "unknown: \(unknown.joined(separator: ", ")); known: \(WebhookEvents.types.joined(separator: ", ")) or *")
        if let refusal = await options.addressPolicy.refusal(of: input.url, resolve: options.resolve) {
            validator.check(false, "url", refusal)
        }
        try validator.throwIfInvalid()
        let now = Database.nowMillis()
        return try await store.insertEndpoint(
            id: Identifier.make("whk", now: now), url: input.url, events: events,
            secret: "whsec_" + Identifier.secret(byteCount: 32), now: now)
    }

    public func endpoints(limit: Int, after: String?) async throws -> (items: [WebhookEndpoint], next: String?) {
        try await store.endpoints(limit: limit, after: after)
    }

    public func delete(endpointId: String) async throws {
        guard try await store.deleteEndpoint(id: endpointId) else { throw WebhookError.endpointNotFound }
    }

    public func deliveries(endpointId: String, limit: Int, before: String?) async throws
        -> (items: [WebhookDelivery], next: String?)
    {
        guard try await store.endpointExists(id: endpointId) else { throw WebhookError.endpointNotFound }
        return try await store.deliveries(endpointId: endpointId, limit: limit, before: before)
    }

    /// Sends the delivery again at once, whatever its state; retried as a new delivery would be if that fails.
    public func redeliver(endpointId: String, deliveryId: String) async throws {
        let now = Database.nowMillis()
        guard
            try await store.redeliver(
                endpointId: endpointId, deliveryId: deliveryId, now: now,
                giveUpAt: now + Int(options.retryFor / .milliseconds(1)))
        else {
            throw try await store.endpointExists(id: endpointId)
                ? WebhookError.deliveryNotFound : WebhookError.endpointNotFound
        }
    }

    /// The cluster consumer that writes the delivery rows: only events after an endpoint's creation reach it.
    var fanOut: EventConsumer {
        EventConsumer(
            name: Self.consumerName, scope: .cluster, types: WebhookEvents.types,
            // An endpoint created after this read starts after the newest event committed then, so after every
            // event of this batch (all committed before it was read): skipping the batch loses nothing.
            writesAnything: { events in
                let subscriptions = try await store.database.read { try await store.subscriptions(in: $0) }
                return events.contains { event in !Self.endpoints(of: subscriptions, for: event).isEmpty }
            },
            handleInTransaction: { events, sql in
                let subscriptions = try await store.subscriptions(in: sql)
                guard !subscriptions.isEmpty else { return }
                var rows: [WebhookStore.NewDelivery] = []
                for event in events {
                    let endpoints = Self.endpoints(of: subscriptions, for: event)
                    guard !endpoints.isEmpty else { continue }
                    let body = try WebhookEvents.body(of: event)
                    rows += endpoints.map {
                        .init(endpointId: $0.id, eventId: event.id, eventType: event.type, body: body)
                    }
                }
                let now = Database.nowMillis()
                try await store.insertDeliveries(
                    rows, now: now, giveUpAt: now + Int(options.retryFor / .milliseconds(1)), in: sql)
            })
    }

    /// The endpoints an event is delivered to: subscribed to its type, and created before it.
    private static func endpoints(of subscriptions: [WebhookStore.Subscription], for event: OutboxEvent)
        -> [WebhookStore.Subscription]
    {
        subscriptions.filter { event.id > $0.fromEvent && WebhookEvents.subscribes($0.events, to: event.type) }
    }
}

/// How webhooks are sent; tests shorten the timings.
public struct WebhookOptions: Sendable {
    /// EMPORIUM_WEBHOOK_ALLOW_PRIVATE=true lets endpoints on loopback and private networks be used.
    public var addressPolicy = WebhookAddressPolicy(allowPrivate: false)
    /// A receiver that does not answer within this is retried.
    public var timeout: Duration = .seconds(10)
    /// The first retry's delay; each next one is `growth` times longer, up to `maxRetryDelay`, with ±20% jitter.
    public var firstRetryDelay: Duration = .seconds(5)
    public var growth = 4.0
    public var maxRetryDelay: Duration = .seconds(3600)
    /// After this long since the event, a delivery that still failed is `failed`.
    public var retryFor: Duration = .seconds(24 * 3600)
    /// Deliveries in flight at once per endpoint: a slow endpoint holds only its own.
    public var concurrencyPerEndpoint = 8
    /// Deliveries one endpoint's worker claims at once when the endpoint answers well (posted `concurrencyPerEndpoint`
    /// at a time); a failing or slow endpoint gets `concurrencyPerEndpoint`.
    public var largestBatch = 64
    /// How long the sender waits for new deliveries when there were none (a commit on this node wakes it sooner).
    public var pollInterval: Duration = .milliseconds(250)
    /// The sender's lease: another node takes sending over within this after the holder dies.
    public var leaseDuration: Duration = .seconds(5)
    /// How long attempts and finished deliveries are kept.
    public var retention: Duration = .seconds(14 * 24 * 3600)
    /// The host lookup (tests replace it to check the address rule without DNS).
    public var resolve: @Sendable (String) async throws -> [[UInt8]] = WebhookAddressPolicy.resolve

    public init() {}

    /// The delay before attempt `attempt + 1` after `attempt` failed ones, with jitter in 0.8...1.2.
    func retryDelay(afterAttempt attempt: Int, jitter: Double = .random(in: 0.8...1.2)) -> Duration {
        let grown = Double(firstRetryDelay / .milliseconds(1)) * pow(growth, Double(max(0, attempt - 1)))
        let capped = min(grown, Double(maxRetryDelay / .milliseconds(1)))
        return .milliseconds(Int(capped * jitter))
    }
}
