import Emporium
import Foundation
import Logging
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct JSONLogTests {
    /// A logger writing JSON lines into memory; the lines it wrote.
    private func capture(_ body: (inout Logger) -> Void) -> [String] {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "emporium.test") { label in
            JSONLogHandler(label: label, metadataProvider: nil) { line in lines.withLock { $0.append(line) } }
        }
        logger.logLevel = .debug
        body(&logger)
        return lines.withLock { $0 }
    }

    @Test func everyLineIsOneJSONObjectWithTimeLevelLabelMessageAndMetadata() throws {
        let lines = capture { logger in
            logger[metadataKey: "node"] = "node-1"
            logger.info(
                "order \"ord_1\" paid\nnext line\u{1}",
                metadata: [
                    "request_id": "r-1",
                    "order": ["id": "ord_1", "items": ["SKU-1", "SKU-2"]],
                    "amount": .stringConvertible(4500),
                ]
            )
            logger.trace("below the level: not written")
            logger.warning("plain")
        }
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasSuffix("\n") && $0.dropLast().allSatisfy { $0 != "\n" } })

        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(Set(first.keys).isSuperset(of: ["time", "level", "label", "message", "metadata"]))
        #expect(first["level"] as? String == "info")
        #expect(first["label"] as? String == "emporium.test")
        #expect(first["message"] as? String == "order \"ord_1\" paid\nnext line\u{1}")
        let time = try #require(first["time"] as? String)
        #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(time) <= .now)
        let metadata = try #require(first["metadata"] as? [String: Any])
        #expect(metadata["node"] as? String == "node-1")
        #expect(metadata["request_id"] as? String == "r-1")
        #expect(metadata["amount"] as? String == "4500")
        let order = try #require(metadata["order"] as? [String: Any])
        #expect(order["id"] as? String == "ord_1")
        #expect(order["items"] as? [String] == ["SKU-1", "SKU-2"])

        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["level"] as? String == "warning")
        #expect((second["metadata"] as? [String: Any])?["node"] as? String == "node-1")
    }

    @Test func textStaysTheDefaultFormat() {
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "text") == .text)
        #expect(LogFormat(rawValue: "xml") == nil)
        #expect(AppConfiguration().logFormat == .text)
    }
}
