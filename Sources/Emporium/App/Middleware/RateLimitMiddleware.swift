import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Token buckets by key: `rate` tokens a second up to `burst`; a request takes one.
final class TokenBuckets: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let rate: Double
    let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Takes a token for `key`; nil when allowed, else how long until one is available.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            if buckets.count > 100_000 { Self.dropFull(&buckets, now: now, rate: rate, burst: burst) }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = Double((now - bucket.updated) / .milliseconds(1)) / 1000
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .milliseconds(Int(((1 - bucket.tokens) / rate) * 1000) + 1)
        }
    }

    private static func dropFull(
        _ buckets: inout [String: Bucket], now: ContinuousClock.Instant, rate: Double, burst: Double
    ) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + Double((now - bucket.updated) / .seconds(1)) * rate < burst
        }
    }
}

/// Per-client-address rate limit: 429 `rate_limited` with `Retry-After` beyond the bucket. Health checks, images
/// and what an add-on declares unmetered (static files) are not counted: a page brings a dozen of them along.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let buckets: TokenBuckets
    let trustForwardedFor: Bool
    var isUnmetered: @Sendable (String) -> Bool = { _ in false }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        if !path.hasPrefix("/health"), !path.hasPrefix("/api/v1/images/"), !isUnmetered(path),
            let wait = buckets.take(request.clientAddress(context: context, trustForwardedFor: trustForwardedFor))
        {
            throw Problem.rateLimited(retryAfterSeconds: Int((wait / .seconds(1)).rounded(.up)))
        }
        return try await next(request, context)
    }
}

extension Request {
    /// The caller's address: the socket's peer, or the address our proxy appended to `X-Forwarded-For`.
    func clientAddress(context: AppRequestContext, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = headers[.forwardedFor],
            let last = forwarded.split(separator: ",").last
        {
            return String(last).trimmingCharacters(in: .whitespaces)
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}
