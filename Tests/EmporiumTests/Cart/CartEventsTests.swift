import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@testable import Emporium

/// `GET /cart/events`: a device listening on one node hears of a change made through another.
@Suite(.timeLimit(.minutes(2)))
struct CartEventsTests {
    @Test(arguments: engines)
    func aListenerOnOneNodeSeesAChangeMadeThroughAnother(engine: DatabaseEngine) async throws {
        try await TestStore.withApp(engine) { writer, node in
            let admin = try await writer.adminToken(node)
            _ = try await writer.createProduct(admin, sku: "KITE-1", price: 3000, stock: 10)
            let token = try #require(try await writer.signup()["accessToken"] as? String)

            try await TestStore.withSecondApp(of: node, .live) { listenerNode, other in
                let port = try #require(listenerNode.port)
                try await EventStream.open(
                    port: port, path: "/api/v1/cart/events", headers: ["Authorization: Bearer \(token)"]
                ) { stream in
                    // A proxy in front (nginx) must pass each event on at once, not buffer the stream.
                    #expect(try await stream.head().lowercased().contains("x-accel-buffering: no"))
                    #expect(try await stream.nextEvent() == #"{"version":0}"#)
                    try await writer.addToCart("KITE-1", 1, as: .user(token))
                    #expect(try await stream.nextEvent() == #"{"version":1}"#)
                    try await writer.addToCart("KITE-1", 2, as: .user(token))
                    #expect(try await stream.nextEvent() == #"{"version":2}"#)
                }
                // The node forgets a listener that went away.
                #expect(try await eventually(poll: .milliseconds(20)) { other.carts.feed.listenerCount == 0 })
            }
        }
    }
}

/// A minimal server-sent-events reader over a plain socket: Hummingbird's test client waits for whole bodies.
struct EventStream {
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending = ""

    static func open(
        port: Int,
        path: String,
        headers: [String],
        _ body: (inout EventStream) async throws -> Void
    ) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            let request = (["GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream"] + headers).joined(
                separator: "\r\n")
            try await outbound.write(ByteBuffer(string: request + "\r\n\r\n"))
            var stream = EventStream(inbound: inbound.makeAsyncIterator())
            try await body(&stream)
        }
    }

    /// The response's status line and headers, read without consuming the events after them.
    mutating func head() async throws -> String {
        while true {
            if let end = pending.range(of: "\r\n\r\n") { return String(pending[..<end.lowerBound]) }
            guard let buffer = try await inbound.next() else { return pending }
            pending += String(buffer: buffer)
        }
    }

    /// The data of the next event called `name`, skipping headers, chunk sizes and comments.
    mutating func nextEvent(named name: String = "cart") async throws -> String? {
        while true {
            if let range = pending.range(of: "event: \(name)\ndata: ") {
                let rest = pending[range.upperBound...]
                if let end = rest.firstIndex(of: "\n") {
                    let data = String(rest[..<end])
                    pending = String(rest[end...])
                    return data
                }
            }
            guard let buffer = try await inbound.next() else { return nil }
            pending += String(buffer: buffer)
        }
    }
}
