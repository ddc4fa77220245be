import NIOCore
import NIOHTTP1

/// The shoppers one virtual client owns, taken in turn; sends requests as them.
struct Shoppers {
    let api: StoreAPI
    private var sessions: [Session]
    private var turn = 0

    /// Client `index` of `clients` takes shoppers index, index+clients, ...: two clients never act as the same
    /// shopper at once (one's checkout would take the other's cart; a per-customer limit would be shared).
    init(api: StoreAPI, all: [Session], client index: Int, of clients: Int) {
        self.api = api
        sessions = stride(from: index, to: all.count, by: clients).map { all[$0] }
    }

    /// The next shopper, round robin.
    mutating func next() -> Int {
        defer { turn = (turn + 1) % sessions.count }
        return turn
    }

    /// One timed request as shopper `index`. An expired access token is refreshed once and the request sent
    /// again, with the same idempotency key, so it cannot do the work twice.
    mutating func send(
        _ operation: String,
        _ method: HTTPMethod,
        _ path: String,
        _ body: ByteBuffer?,
        as index: Int,
        _ recorder: inout Recorder,
        key: String? = nil
    ) async -> Reply? {
        let api = self.api
        let token = sessions[index].accessToken
        let reply = await recorder.call(operation) {
            try await api.send(method, path, body: body, token: token, idempotencyKey: key)
        }
        guard reply?.status == 401, let refreshed = try? await api.refresh(sessions[index]) else { return reply }
        sessions[index] = refreshed
        recorder.outcome("token refreshed")
        return await recorder.call(operation) {
            try await api.send(method, path, body: body, token: refreshed.accessToken, idempotencyKey: key)
        }
    }
}
