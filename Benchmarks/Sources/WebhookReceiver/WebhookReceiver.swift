import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// webhook-receiver: HTTP endpoints on 127.0.0.1 for the webhook benchmark. Answers every POST with 200 and
/// records when it arrived and the event's `createdAt`; once `--expect` deliveries arrived (or none for
/// `--idle` seconds) it prints a JSON summary: deliveries, duplicates, deliveries/s and the lag from the event's
/// commit to its receipt.
///
///   webhook-receiver --ports 3 --expect 30000 --port-file /tmp/ports [--idle 30] [--limit 600]
@main
struct WebhookReceiverCommand {
    static func main() async throws {
        let arguments = Arguments(CommandLine.arguments)
        let log = ReceiptLog()
        let group = MultiThreadedEventLoopGroup.singleton
        var channels: [any Channel] = []
        for _ in 0..<arguments.ports {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(Receiver(log: log, port: channel.localAddress?.port ?? 0))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            channels.append(channel)
        }
        let ports = channels.compactMap { $0.localAddress?.port }.map(String.init).joined(separator: " ")
        try ports.write(toFile: arguments.portFile, atomically: true, encoding: .utf8)
        let started = Date()
        var lastCount = 0
        var lastChange = Date()
        while log.count < arguments.expect, Date().timeIntervalSince(started) < arguments.limit {
            try await Task.sleep(for: .milliseconds(100))
            let count = log.count
            if count != lastCount {
                lastCount = count
                lastChange = Date()
            } else if count > 0, Date().timeIntervalSince(lastChange) > arguments.idle {
                break
            }
        }
        for channel in channels { try? await channel.close() }
        print(log.summary())
    }
}

struct Arguments {
    var ports = 3
    var expect = Int.max
    var idle = 30.0
    var limit = 600.0
    var portFile = "/tmp/webhook-receiver.ports"

    init(_ argv: [String]) {
        var index = 1
        while index + 1 < argv.count {
            let value = argv[index + 1]
            switch argv[index] {
            case "--ports": ports = Int(value) ?? ports
            case "--expect": expect = Int(value) ?? expect
            case "--idle": idle = Double(value) ?? idle
            case "--limit": limit = Double(value) ?? limit
            case "--port-file": portFile = value
            default: break
            }
            index += 2
        }
    }
}

/// Every receipt: (endpoint port, event id, receipt time, event time), in milliseconds since 1970.
final class ReceiptLog: Sendable {
    struct Receipt: Sendable {
        let port: Int
        let eventId: String
        let receivedAt: Double
        let createdAt: Double
    }

    private let receipts = Mutex<[Receipt]>([])

    var count: Int { receipts.withLock { $0.count } }

    func add(_ receipt: Receipt) { receipts.withLock { $0.append(receipt) } }

    func summary() -> String {
        let all = receipts.withLock { $0 }
        let distinct = Set(all.map { "\($0.port) \($0.eventId)" }).count
        let lags = all.map { $0.receivedAt - $0.createdAt }.sorted()
        func percentile(_ p: Double) -> Double {
            lags.isEmpty ? 0 : lags[min(lags.count - 1, Int(Double(lags.count) * p))]
        }
        let first = all.map(\.createdAt).min() ?? 0
        let last = all.map(\.receivedAt).max() ?? 0
        let seconds = max(0.001, (last - first) / 1000)
        let summary: [String: Any] = [
            "deliveries": all.count, "distinct": distinct, "duplicates": all.count - distinct,
            "endpoints": Set(all.map(\.port)).count,
            "seconds": seconds, "deliveriesPerSecond": Double(all.count) / seconds,
            "lagMs": ["p50": percentile(0.5), "p90": percentile(0.9), "p99": percentile(0.99), "max": lags.last ?? 0],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// One connection: collects each request's body, answers 200, records the delivery.
final class Receiver: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let log: ReceiptLog
    let port: Int
    private var body = ByteBuffer()
    private var keepAlive = true
    private static let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    init(log: ReceiptLog, port: Int) {
        self.log = log
        self.port = port
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            body.clear()
            keepAlive = head.isKeepAlive
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            let receivedAt = Date().timeIntervalSince1970 * 1000
            if let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                let id = json["id"] as? String, let created = json["createdAt"] as? String,
                let date = try? Self.time.parse(created)
            {
                log.add(
                    .init(port: port, eventId: id, receivedAt: receivedAt, createdAt: date.timeIntervalSince1970 * 1000)
                )
            }
            var headers = HTTPHeaders([("content-length", "0")])
            if !keepAlive { headers.add(name: "connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil
            )
            let keep = keepAlive
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keep { channel.close(promise: nil) }
            }
        }
    }
}
