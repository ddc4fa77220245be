import Foundation
import NIOCore
import Testing

@testable import Emporium

/// The hand-written JSON of hot responses reads back as the same values `JSONEncoder` would have written.
struct JSONWriterTests {
    @Test func writtenJSONReadsBackAsTheSameValues() throws {
        let awkward = "quote \" backslash \\ slash / newline \n tab \t bell \u{07} nul \u{00} café ☕️ 𝄞"
        var json = JSONWriter()
        json.object { json in
            json.key("text")
            json.string(awkward)
            json.key("missing")
            json.string(nil as String?)
            json.key("numbers")
            json.array([0, -7, Int.max]) { json, number in json.int(number) }
            json.key("doubles")
            json.array([4.0, 4.2, 0.001, -12.5]) { json, number in json.double(number) }
            json.key("nested")
            json.object { json in
                json.key("empty")
                json.array([Int]()) { json, number in json.int(number) }
                json.key("flag")
                json.bool(false)
            }
            json.key("last")
            json.int(nil as Int?)
        }
        let text = String(buffer: json.buffer)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["text"] as? String == awkward)
        #expect(object["missing"] is NSNull && object["last"] is NSNull)
        #expect(object["numbers"] as? [Int] == [0, -7, Int.max])
        #expect(object["doubles"] as? [Double] == [4, 4.2, 0.001, -12.5])
        #expect((object["nested"] as? [String: Any])?["flag"] as? Bool == false)
        #expect(((object["nested"] as? [String: Any])?["empty"] as? [Any])?.isEmpty == true)
        // Whole numbers without ".0", as JSONEncoder writes them.
        #expect(text.contains("[4,4.2,0.001,-12.5]"))
    }
}
