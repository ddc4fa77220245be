import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One answer from the server, body read in full.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    var isSuccess: Bool { (200..<300).contains(status) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    }

    /// The problem+json `code`, when the body is a problem.
    var problemCode: String? { (try? decode(ProblemBody.self))?.code }

    var text: String { String(buffer: body) }
}

struct ProblemBody: Decodable {
    var code: String?
    var detail: String?
    var errors: [FieldError]?

    struct FieldError: Decodable {
        var field: String?
        var message: String?
    }
}

/// The store's HTTP API as the load generator needs it: JSON in and out, bearer tokens, idempotency keys.
struct StoreAPI: Sendable {
    let http: HTTPClient
    let baseURL: String
    let timeout: TimeAmount

    /// Encodes once: the fixed bodies (address, card) are sent thousands of times.
    static func json(_ value: some Encodable) -> ByteBuffer {
        // Encoding our own fixed, valid types cannot fail.
        ByteBuffer(bytes: try! JSONEncoder().encode(value))
    }

    func send(
        _ method: HTTPMethod,
        _ path: String,
        body: ByteBuffer? = nil,
        token: String? = nil,
        idempotencyKey: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        let deadline = NIODeadline.now() + timeout
        let response = try await http.execute(request, deadline: deadline)
        // Bodies here are JSON documents (a search page is the largest); 8 MiB is far above any of them.
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: bytes)
    }

    /// Refuses anything but the loopback: a load test must never leave this machine.
    static func checkedBaseURL(_ string: String) throws -> String {
        guard let url = URL(string: string), let scheme = url.scheme, scheme == "http", let host = url.host else {
            throw LoadError("--url must look like http://127.0.0.1:8080, got \(string)")
        }
        guard host == "127.0.0.1" || host == "localhost" else {
            throw LoadError(
                "--url may only point at 127.0.0.1 or localhost (a load test stays on this machine), got \(host)")
        }
        guard url.path.isEmpty || url.path == "/" else {
            throw LoadError("--url is the server's root (http://127.0.0.1:PORT), without a path")
        }
        let port = url.port.map { ":\($0)" } ?? ""
        return "http://\(host)\(port)"
    }
}

/// What went wrong before an HTTP status came back, in the few kinds a load report needs.
enum TransportFailure {
    static func kind(of error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return "timeout"
            case .connectTimeout, .remoteConnectionClosed, .alreadyShutdown, .cancelled:
                return "connection"
            default:
                return "http client: \(error.shortDescription)"
            }
        }
        if error is IOError || error is ChannelError || error is NIOConnectionError {
            return "connection"
        }
        if error is NIOTooManyBytesError { return "body too big" }
        return "other: \(String(describing: type(of: error)))"
    }
}

/// A setup step or a flag that cannot work; the message says which.
struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
