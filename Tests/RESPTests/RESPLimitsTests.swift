//===----------------------------------------------------------------------===//
// swift-sentinel — decoder limits and large frames
//===----------------------------------------------------------------------===//

import NIOCore
import RESP
import Testing

@Suite("Limits")
struct RESPLimitsTests {
    private static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private static func reply(_ s: String, _ limits: RESPLimits = .init()) -> DecodeRun {
        decodeAll(bytes(s), mode: .reply, limits: limits)
    }

    private static func request(_ s: String, _ limits: RESPLimits = .init()) -> DecodeRun {
        decodeAll(bytes(s), mode: .request, limits: limits)
    }

    /// `depth` nested one-element arrays around `:1`.
    private static func nested(_ depth: Int, opener: String = "*1\r\n") -> [UInt8] {
        bytes(String(repeating: opener, count: depth) + ":1\r\n")
    }

    @Test func defaultsAreRedis() {
        let limits = RESPLimits()
        #expect(limits.maxBulkLength == 512 * 1024 * 1024)
        #expect(limits.maxMultibulkLength == 1024 * 1024)
        #expect(limits.maxInlineLength == 64 * 1024)
        #expect(limits.maxDepth == 128)
    }

    @Test func depth() {
        let ok = decodeAll(Self.nested(128), mode: .reply)
        #expect(ok.error == nil)
        #expect(ok.values.count == 1)
        #expect(decodeAll(Self.nested(129), mode: .reply).error == .nestingTooDeep)
        // The error comes as soon as the 129th level opens, before the rest arrives.
        #expect(decodeAll(Array(Self.nested(129).dropLast(4)), mode: .reply).error == .nestingTooDeep)

        let two = RESPLimits(maxDepth: 2)
        #expect(decodeAll(Self.nested(2), mode: .reply, limits: two).error == nil)
        #expect(decodeAll(Self.nested(3), mode: .reply, limits: two).error == .nestingTooDeep)
        #expect(Self.reply("*1\r\n*1\r\n*0\r\n", two).error == .nestingTooDeep)
        #expect(decodeAll(Self.nested(3, opener: "%1\r\n+k\r\n"), mode: .reply, limits: two).error == .nestingTooDeep)
        #expect(Self.reply("*1\r\n*1\r\n|1\r\n+a\r\n+b\r\n:1\r\n", two).error == .nestingTooDeep)
        #expect(Self.reply("*1\r\n|1\r\n+a\r\n+b\r\n*1\r\n:1\r\n", two).values == [.array([.array([.integer(1)])])])
    }

    @Test func bulkLength() {
        for mode in [RESPDecoder.Mode.request, .reply] {
            let prefix = mode == .request ? "*1\r\n" : ""
            let atLimit = decodeAll(Self.bytes(prefix + "$536870912\r\n"), mode: mode)
            #expect(atLimit.error == nil && atLimit.values.isEmpty && atLimit.leftover > 0)
            #expect(decodeAll(Self.bytes(prefix + "$536870913\r\n"), mode: mode).error == .invalidBulkLength)

            let small = RESPLimits(maxBulkLength: 3)
            #expect(decodeAll(Self.bytes(prefix + "$3\r\nabc\r\n"), mode: mode, limits: small).values.count == 1)
            #expect(decodeAll(Self.bytes(prefix + "$4\r\n"), mode: mode, limits: small).error == .invalidBulkLength)
        }
        let small = RESPLimits(maxBulkLength: 3)
        #expect(Self.reply("!4\r\n", small).error == .invalidBulkLength)
        #expect(Self.reply("=4\r\n", small).error == .invalidBulkLength)
        // One-line replies are capped by the bulk limit too.
        #expect(Self.reply("+abc\r\n", small).values == [.simpleString("abc")])
        #expect(Self.reply("+abc\r", small).error == nil)
        #expect(Self.reply("+abcd", small).error == .tooBigReplyLine)
        #expect(Self.reply("-abcd\r\n", small).error == .tooBigReplyLine)
        // Huge limits must not overflow the frame arithmetic.
        let huge = RESPLimits(maxBulkLength: .max)
        #expect(Self.reply("$9223372036854775807\r\n", huge).error == .invalidBulkLength)
        #expect(Self.request("*1\r\n$9223372036854775806\r\n", huge).error == .invalidBulkLength)
    }

    @Test func multibulkCount() {
        for mode in [RESPDecoder.Mode.request, .reply] {
            let atLimit = decodeAll(Self.bytes("*1048576\r\n"), mode: mode)
            #expect(atLimit.error == nil && atLimit.values.isEmpty && atLimit.leftover > 0)
            #expect(decodeAll(Self.bytes("*1048577\r\n"), mode: mode).error == .invalidMultibulkLength)
        }
        #expect(Self.reply("~1048577\r\n").error == .invalidMultibulkLength)
        #expect(Self.reply(">1048577\r\n").error == .invalidMultibulkLength)
        #expect(Self.reply("%524288\r\n").error == nil)
        #expect(Self.reply("%524289\r\n").error == .invalidMultibulkLength)
        #expect(Self.reply("|524289\r\n").error == .invalidMultibulkLength)

        let two = RESPLimits(maxMultibulkLength: 2)
        #expect(Self.request("*2\r\n$1\r\na\r\n$1\r\nb\r\n", two).values == [.command(["a", "b"])])
        #expect(Self.request("*3\r\n", two).error == .invalidMultibulkLength)
        #expect(Self.reply("%1\r\n:1\r\n:2\r\n", two).values.count == 1)
        #expect(Self.reply("%2\r\n", two).error == .invalidMultibulkLength)
    }

    @Test func inlineLength() {
        let limit = 64 * 1024
        let full = String(repeating: "a", count: limit)
        let waiting = Self.request(full)
        #expect(waiting.error == nil && waiting.leftover == limit)
        #expect(Self.request(full + "a").error == .tooBigInlineRequest)
        #expect(Self.request(full + "\n").values == [.command([full])])
        #expect(Self.request(full + "a\n").error == .tooBigInlineRequest)
        // The CR before LF counts towards the limit, so the error does not depend on chunking.
        #expect(Self.request(full + "\r\n").error == .tooBigInlineRequest)

        let small = RESPLimits(maxInlineLength: 5)
        #expect(Self.request("PING\r\n", small).values == [.command(["PING"])])
        #expect(Self.request("PINGS\r\n", small).error == .tooBigInlineRequest)
        #expect(Self.request("PINGPONG", small).error == .tooBigInlineRequest)
    }

    @Test func countLineLength() {
        let limit = 64 * 1024
        let digits = String(repeating: "1", count: limit)
        // `*` plus 65535 digits is still within the limit: wait, then fail to parse.
        let waiting = Self.request("*" + digits.dropLast())
        #expect(waiting.error == nil && waiting.leftover == limit)
        #expect(Self.request("*" + digits.dropLast() + "\r\n").error == .invalidMultibulkLength)
        #expect(Self.request("*" + digits).error == .tooBigMultibulkCountString)
        #expect(Self.request("*" + digits + "\r\n").error == .tooBigMultibulkCountString)
        #expect(Self.request("*1\r\n$" + digits).error == .tooBigBulkCountString)
        #expect(Self.request("*1\r\nX" + digits).error == .tooBigBulkCountString)
        #expect(Self.request("*1\r\n$" + digits.dropLast() + "\r\n").error == .invalidBulkLength)
    }

    // MARK: Large frames arrive in many reads

    @Test func largeBulkInManyReads() throws {
        let size = 8 * 1024 * 1024
        let payload = String(repeating: "x", count: size)
        for mode in [RESPDecoder.Mode.reply, .request] {
            let value: RESPValue = mode == .reply ? .bulkString(payload) : .command([payload])
            let bytes = value.encoded(version: .resp2)
            let values = try decodeChunked(bytes, chunkSizes: [65536, 1000, 4096], mode: mode)
            #expect(values == [value])
        }
    }

    @Test func largeArrayInManyReads() throws {
        let elements = (0..<10_000).map { RESPValue.integer($0) }
        let value = RESPValue.array([.map(elements), .set(elements)])
        let bytes = value.encoded(version: .resp3)
        let values = try decodeChunked(bytes, chunkSizes: [7, 100, 1, 512], mode: .reply)
        #expect(values == [value])

        let words = (0..<10_000).map { String($0) }
        let command = RESPValue.command(words)
        let decoded = try decodeChunked(command.encoded(version: .resp2), chunkSizes: [3, 200, 64], mode: .request)
        #expect(decoded == [command])
    }
}
