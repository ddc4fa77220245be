import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Posts pending deliveries: a `Service` on every node, sending only on the one that holds its lease (another node
/// takes over within `leaseDuration` when it dies). Each endpoint has its own worker with at most
/// `concurrencyPerEndpoint` posts in flight, so a slow or dead endpoint holds back only its own deliveries.
public final class WebhookSender: Service {
    let store: WebhookStore
    let options: WebhookOptions
    let lease: ConsumerLease
    let commitSignal: CommitSignal
    let prepare: @Sendable () async throws -> Void
    let logger: Logger

    static let leaseName = "webhook-sender"

    init(
        webhooks: Webhooks, nodeId: String, prepare: @escaping @Sendable () async throws -> Void, logger: Logger
    ) {
        self.store = webhooks.store
        self.options = webhooks.options
        self.lease = ConsumerLease(
            database: webhooks.store.database, consumer: Self.leaseName, owner: nodeId,
            duration: webhooks.options.leaseDuration)
        self.commitSignal = webhooks.store.database.commitSignal
        self.prepare = prepare
        var logger = logger
        logger[metadataKey: "service"] = "webhook-sender"
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.prepare()
            try await self.lease.register()
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            let timeout = TimeAmount.milliseconds(Int64(self.options.timeout / .milliseconds(1)))
            configuration.timeout = .init(connect: min(timeout, .seconds(5)), read: timeout)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            while !Task.isCancelled {
                await self.sendWhileHoldingTheLease(client)
                try? await Task.sleep(for: self.options.leaseDuration / 2)
            }
            try? await client.shutdown()
        }
    }

    /// Runs one worker per endpoint for as long as this node keeps the lease.
    private func sendWhileHoldingTheLease(_ client: HTTPClient) async {
        let active = ActiveEndpoints()
        var lastPurge: ContinuousClock.Instant?
        await withDiscardingTaskGroup { group in
            var started = Set<String>()
            while !Task.isCancelled {
                do {
                    guard try await lease.claim() != nil else { break }
                    let targets = try await store.targets()
                    active.set(Set(targets.map(\.id)))
                    for target in targets where started.insert(target.id).inserted {
                        group.addTask { await self.work(target, client: client, active: active) }
                    }
                    if lastPurge.map({ ContinuousClock.now - $0 > .seconds(600) }) ?? true {
                        try await store.purge(before: Database.nowMillis() - Int(options.retention / .milliseconds(1)))
                        lastPurge = .now
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.error("webhook sender failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: min(options.leaseDuration / 3, .seconds(1)))
            }
            active.set([])
            group.cancelAll()
        }
    }

    /// Sends one endpoint's due deliveries, a batch at a time, until the endpoint is deleted or the lease lost.
    private func work(_ target: WebhookStore.Target, client: HTTPClient, active: ActiveEndpoints) async {
        let gate = SendGate(options: options, url: target.url)
        let window = options.concurrencyPerEndpoint
        // An endpoint that answers well and fast gets bigger batches (fewer claims and records per delivery); one
        // that fails or is slow gets one window at a time, so its claims outlive a dead sender only briefly.
        var batch = window
        while !Task.isCancelled, active.contains(target.id) {
            let seen = commitSignal.current
            do {
                let now = Database.nowMillis()
                let waves = (batch + window - 1) / window
                let due = try await store.claimDue(
                    endpointId: target.id, limit: batch, now: now,
                    until: now + Int((options.timeout * waves + .seconds(5)) / .milliseconds(1)))
                guard !due.isEmpty else {
                    await commitSignal.wait(after: seen, timeout: options.pollInterval)
                    try await Task.sleep(for: .milliseconds(5))
                    continue
                }
                let refusal = await gate.refusal()
                let outcomes = await withTaskGroup(of: WebhookStore.Outcome.self) { group in
                    var waiting = due.makeIterator()
                    for _ in 0..<window {
                        guard let delivery = waiting.next() else { break }
                        group.addTask { await self.send(delivery, to: target, client: client, refusal: refusal) }
                    }
                    var outcomes: [WebhookStore.Outcome] = []
                    while let outcome = await group.next() {
                        outcomes.append(outcome)
                        if let delivery = waiting.next() {
                            group.addTask { await self.send(delivery, to: target, client: client, refusal: refusal) }
                        }
                    }
                    return outcomes
                }
                // Stopped mid-send (shutdown, or the lease went elsewhere): the claims stand until they lapse, so
                // whoever sends next does not post while these posts may still be arriving.
                if Task.isCancelled { return }
                try await store.record(outcomes)
                let healthy = outcomes.allSatisfy { $0.status == .delivered && $0.durationMs < 1_000 }
                batch = healthy && due.count == batch ? min(batch * 2, options.largestBatch) : window
            } catch {
                if Task.isCancelled { return }
                logger.error(
                    "webhook worker failed; retrying", metadata: ["endpoint": "\(target.id)", "error": "\(error)"])
                try? await Task.sleep(for: options.pollInterval)
            }
        }
    }

    /// One attempt: the post, and what follows from its answer.
    private func send(
        _ delivery: WebhookStore.Due, to target: WebhookStore.Target, client: HTTPClient, refusal: String?
    ) async -> WebhookStore.Outcome {
        let at = Database.nowMillis()
        let started = ContinuousClock.now
        var status: Int?
        var failure: String? = refusal.map { "not sent: \($0)" }
        var retryAfter: Duration?
        if refusal == nil {
            do {
                var request = HTTPClientRequest(url: target.url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "User-Agent", value: "Emporium-Webhooks/1")
                request.headers.add(name: "Emporium-Event", value: delivery.eventType)
                request.headers.add(name: "Emporium-Delivery", value: delivery.id)
                request.headers.add(
                    name: WebhookSignature.header,
                    value: WebhookSignature.value(secret: target.secret, timestamp: at / 1000, body: delivery.body))
                request.body = .bytes(ByteBuffer(string: delivery.body))
                let response = try await client.execute(
                    request, timeout: .milliseconds(Int64(options.timeout / .milliseconds(1))))
                status = Int(response.status.code)
                retryAfter = response.headers.first(name: "Retry-After").flatMap(Self.retryAfter)
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if !(200..<300).contains(response.status.code) {
                    failure = "the receiver answered \(response.status.code)"
                }
            } catch {
                failure = Self.describe(error, timeout: options.timeout)
            }
        }
        let duration = Int((ContinuousClock.now - started) / .milliseconds(1))
        Counter(
            label: "emporium_webhook_attempts_total", dimensions: [("outcome", failure == nil ? "delivered" : "failed")]
        )
        .increment()
        guard let failure else {
            return .init(
                deliveryId: delivery.id, at: at, responseStatus: status, error: nil, durationMs: duration,
                status: .delivered, nextAttemptAt: at)
        }
        let delay =
            retryAfter.map { min(max($0, .seconds(1)), options.maxRetryDelay) }
            ?? options.retryDelay(afterAttempt: delivery.attempts + 1)
        let next = Database.nowMillis() + Int(delay / .milliseconds(1))
        return .init(
            deliveryId: delivery.id, at: at, responseStatus: status, error: failure, durationMs: duration,
            status: next > delivery.giveUpAt ? .failed : .pending, nextAttemptAt: next)
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String) -> Duration? {
        if let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return .seconds(seconds) }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = format.date(from: value) else { return nil }
        return .milliseconds(max(0, Int(date.timeIntervalSinceNow * 1000)))
    }

    static func describe(_ error: any Error, timeout: Duration) -> String {
        if let client = error as? HTTPClientError, client == .deadlineExceeded || client == .readTimeout {
            return "no answer within \(timeout)"
        }
        return String(String(describing: error).prefix(300))
    }
}

/// The endpoints the sender works for; a worker whose endpoint left the set stops.
final class ActiveEndpoints: Sendable {
    private let ids = Mutex<Set<String>>([])

    func set(_ new: Set<String>) { ids.withLock { $0 = new } }
    func contains(_ id: String) -> Bool { ids.withLock { $0.contains(id) } }
}

/// The send-time address check of one endpoint, repeated at most every 10 s (DNS can change, but not per post).
actor SendGate {
    let options: WebhookOptions
    let url: String
    private var checked: (at: ContinuousClock.Instant, refusal: String?)?

    init(options: WebhookOptions, url: String) {
        self.options = options
        self.url = url
    }

    func refusal() async -> String? {
        if let checked, ContinuousClock.now - checked.at < .seconds(10) { return checked.refusal }
        let refusal = await options.addressPolicy.refusal(of: url, resolve: options.resolve)
        checked = (.now, refusal)
        return refusal
    }
}
