import Foundation
import Logging
import SentinelCore
import Testing

@testable import SentinelRuntime

/// `log-format` (issue 15 item 3): text lines stay Redis's; json and logfmt lines carry the same
/// content plus swift-log's metadata as fields, escaped so that any message survives a parser.
@Suite("Log line formats")
struct LoggingTests {
    /// A message with everything that needs escaping: quotes, backslashes, `=`, control
    /// characters, DEL, U+2028 and non-ASCII text.
    static let awkward = "+sdown master \"a=b\" \\path\\ tab\there\nnew line \u{01}\u{7F}\u{2028} café ✓"

    static func temporaryFile() -> String {
        "/tmp/swift-sentinel-logging-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("text: Redis's line, byte for byte in shape; metadata is not printed")
    func textUnchanged() throws {
        let line = LogSink.format(pid: 4242, level: .warning, message: "+sdown master m 127.0.0.1 6379", time: (1_765_000_000, 7_000))
        let shape = #/^4242:X \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.007 # \+sdown master m 127\.0\.0\.1 6379\n$/#
        #expect(line.wholeMatch(of: shape) != nil, "\(line)")
        let path = Self.temporaryFile()
        defer { unlink(path) }
        var logger = Logger.sentinel(LogSink(file: path))
        logger[metadataKey: "sentinel"] = "abc"
        logger.notice("hello", metadata: ["master": "m"])
        let written = Self.lines(path)
        #expect(written.count == 1)
        #expect(written.first?.wholeMatch(of: #/^\d+:X \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} \* hello$/#) != nil, "\(written)")
    }

    @Test("json: one object per line, any message round-trips, metadata as fields in a fixed order")
    func json() throws {
        let record = StructuredLogLine(
            pid: 77, level: .warning, message: Self.awkward,
            fields: [
                "sentinel": "0123", "master": "m \"q\"", "event": "+sdown", "epoch": .stringConvertible(Int64(3)),
                "nested": ["b": "2", "a": .array(["x", .stringConvertible(true)])], "message": "dropped: a fixed key",
            ],
            time: (1_765_000_000, 123_456))
        let line = record.json()
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1, "one line")
        #expect(line.hasPrefix("{\"pid\":77,\"role\":\"sentinel\",\"timestamp\":\""))
        let keys = ["pid", "role", "timestamp", "level", "message", "event", "master", "epoch", "nested", "sentinel"]
        let positions = keys.map { line.range(of: "\"\($0)\":")!.lowerBound }
        #expect(positions == positions.sorted(), "fields in order: \(line)")
        let object = try Self.object(String(line.dropLast()))
        #expect(object["message"] as? String == Self.awkward)
        #expect(object["pid"] as? Int == 77)
        #expect(object["role"] as? String == "sentinel")
        #expect(object["level"] as? String == "warning")
        #expect(object["event"] as? String == "+sdown")
        #expect(object["master"] as? String == "m \"q\"")
        #expect(object["epoch"] as? Int == 3)
        #expect(object["sentinel"] as? String == "0123")
        let nested = try #require(object["nested"] as? [String: Any])
        #expect(nested["b"] as? String == "2")
        #expect((nested["a"] as? [Any])?.count == 2)
        #expect(object.count == keys.count, "a metadata key named like a fixed field is dropped")
        #expect(try #require(object["timestamp"] as? String).hasSuffix(".123" + Self.offset(1_765_000_000)))
        // Control characters, DEL and U+2028 are escaped, never raw.
        #expect(!line.dropLast().unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" })
    }

    @Test("logfmt: Valkey 8.1's fields first, key=value pairs, quoted with Go-style escapes only when needed")
    func logfmt() throws {
        let record = StructuredLogLine(
            pid: 77, level: .verbose, message: Self.awkward,
            fields: ["master": "m", "event": "+monitor", "epoch": .stringConvertible(UInt64(12)), "odd key=": "", "nested": ["k": "v w"]],
            time: (1_765_000_000, 5_000))
        let stamp = StructuredLogLine.timestamp((1_765_000_000, 5_000))
        let message = #""+sdown master \"a=b\" \\path\\ tab\there\nnew line \u0001\u007f\u2028 café ✓""#
        #expect(
            record.logfmt()
                == "pid=77 role=sentinel timestamp=\(stamp) level=info message=\(message) event=+monitor master=m epoch=12 nested.k=\"v w\" odd_key_=\"\"\n"
        )
        let plain = StructuredLogLine(pid: 1, level: .warning, message: "-sdown", fields: [:], time: (1_765_000_000, 0))
        #expect(plain.logfmt() == "pid=1 role=sentinel timestamp=\(StructuredLogLine.timestamp((1_765_000_000, 0))) level=warning message=-sdown\n")
    }

    @Test("ts: local time with milliseconds and the UTC offset, ISO 8601")
    func timestamp() {
        let stamp = StructuredLogLine.timestamp((1_765_000_000, 999_999))
        #expect(stamp.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.999[+-]\d\d:\d\d/#) != nil, "\(stamp)")
        #expect(stamp.hasSuffix(Self.offset(1_765_000_000)))
    }

    @Test("a sink writes the logger's and the message's metadata as fields (the message's wins); syslog and level as before")
    func sinkFields() throws {
        let path = Self.temporaryFile()
        defer { unlink(path) }
        let sink = LogSink(level: .notice, file: path, format: .json)
        var logger = Logger.sentinel(sink)
        logger[metadataKey: "sentinel"] = "abc"
        logger[metadataKey: "master"] = "old"
        logger.info("below the level")
        logger.warning("+odown master m", metadata: EventFields(event: "+odown", master: "m", epoch: 5).metadata)
        sink.format = .logfmt
        logger.notice("plain")
        sink.format = .text
        logger.notice("text again")
        let lines = Self.lines(path)
        #expect(lines.count == 3, "\(lines)")
        let first = try Self.object(lines[0])
        #expect(first["message"] as? String == "+odown master m")
        #expect(first["master"] as? String == "m")
        #expect(first["event"] as? String == "+odown")
        #expect(first["epoch"] as? Int == 5)
        #expect(first["sentinel"] as? String == "abc")
        #expect(lines[1].hasSuffix(" level=notice message=plain master=old sentinel=abc"), "\(lines[1])")
        #expect(lines[2].hasSuffix(" * text again"))
    }

    /// `+05:30`-style offset of local time at `seconds`, computed independently of the code under test.
    static func offset(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        let total = Int(parts.tm_gmtoff)
        return String(format: "%@%02d:%02d", total < 0 ? "-" : "+", abs(total) / 3600, abs(total) % 3600 / 60)
    }
}
