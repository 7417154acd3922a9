//===----------------------------------------------------------------------===//
// swift-sentinel — reply-mode (client side) decoding
//===----------------------------------------------------------------------===//

import NIOCore
import RESP
import Testing

@Suite("Reply decoder")
struct RESPReplyDecoderTests {
    static let valid: [DecodeCase] = [
        // RESP2
        DecodeCase("+OK\r\n", .simpleString("OK")),
        DecodeCase("+\r\n", .simpleString("")),
        DecodeCase("+caf\u{e9} \u{2713}\r\n", .simpleString("caf\u{e9} \u{2713}")),
        DecodeCase("-ERR unknown command 'x'\r\n", .error("ERR unknown command 'x'")),
        DecodeCase(":0\r\n", .integer(0)),
        DecodeCase(":-42\r\n", .integer(-42)),
        DecodeCase(":9223372036854775807\r\n", .integer(Int.max)),
        DecodeCase(":-9223372036854775808\r\n", .integer(Int.min)),
        DecodeCase("$5\r\nhello\r\n", .bulkString("hello")),
        DecodeCase("$0\r\n\r\n", .bulkString("")),
        DecodeCase("$4\r\na\r\nb\r\n", .bulkString("a\r\nb")),
        DecodeCase("$-1\r\n", .null),
        DecodeCase("*-1\r\n", .nullArray),
        DecodeCase("*0\r\n", .array([])),
        DecodeCase(
            "*3\r\n:1\r\n$3\r\nfoo\r\n*2\r\n+a\r\n$-1\r\n",
            .array([.integer(1), .bulkString("foo"), .array([.simpleString("a"), .null])])
        ),
        DecodeCase("+a\r\n:1\r\n", .simpleString("a"), .integer(1)),
        // RESP3
        DecodeCase("_\r\n", .null),
        DecodeCase(",1.5\r\n", .double(1.5)),
        DecodeCase(",3\r\n", .double(3)),
        DecodeCase(",-0.25\r\n", .double(-0.25)),
        DecodeCase(",1e+20\r\n", .double(1e20)),
        DecodeCase(",inf\r\n", .double(.infinity)),
        DecodeCase(",-inf\r\n", .double(-.infinity)),
        DecodeCase("#t\r\n", .boolean(true)),
        DecodeCase("#f\r\n", .boolean(false)),
        DecodeCase(
            "(3492890328409238509324850943850943825024385\r\n",
            .bigNumber("3492890328409238509324850943850943825024385")
        ),
        DecodeCase("(-1\r\n", .bigNumber("-1")),
        DecodeCase("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", text: "Some string")),
        DecodeCase("=4\r\nmkd:\r\n", .verbatimString(format: "mkd", text: "")),
        DecodeCase("!21\r\nSYNTAX invalid syntax\r\n", .error("SYNTAX invalid syntax")),
        DecodeCase(
            "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
            .map([.simpleString("first"), .integer(1), .simpleString("second"), .integer(2)])
        ),
        DecodeCase("%0\r\n", .map([])),
        DecodeCase("~3\r\n+a\r\n:1\r\n#f\r\n", .set([.simpleString("a"), .integer(1), .boolean(false)])),
        DecodeCase(
            ">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n",
            .push([.bulkString("message"), .bulkString("chan"), .bulkString("hello")])
        ),
        // Attributes are read and dropped, wherever they are.
        DecodeCase(
            "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
            .array([.integer(2_039_123), .integer(9_543_892)])
        ),
        DecodeCase("*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n", .array([.integer(1), .integer(2)])),
        DecodeCase("|0\r\n:5\r\n", .integer(5)),
        DecodeCase("|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n#t\r\n", .boolean(true)),
        DecodeCase("*1\r\n|1\r\n+a\r\n*1\r\n|0\r\n:1\r\n*1\r\n:2\r\n", .array([.array([.integer(2)])])),
    ]

    @Test("decodes", arguments: valid)
    func decodes(_ c: DecodeCase) {
        let run = decodeAll(c.input.bytes, mode: .reply)
        #expect(run.error == nil)
        #expect(run.values == c.expected)
        #expect(run.leftover == 0)
    }

    @Test func decodesNaN() throws {
        let run = decodeAll(Array(",nan\r\n".utf8), mode: .reply)
        guard case .double(let d) = try #require(run.values.first) else {
            Issue.record("not a double: \(run.values)")
            return
        }
        #expect(d.isNaN)
    }

    static let invalid: [ErrorCase] = [
        ErrorCase("?x\r\n", .invalidTypeByte(UInt8(ascii: "?"))),
        ErrorCase("\r\n", .invalidTypeByte(0x0D)),
        ErrorCase("\u{1}", .invalidTypeByte(1)),
        ErrorCase(":abc\r\n", .invalidInteger),
        ErrorCase(":\r\n", .invalidInteger),
        ErrorCase(":01\r\n", .invalidInteger),
        ErrorCase(":-0\r\n", .invalidInteger),
        ErrorCase(":+1\r\n", .invalidInteger),
        ErrorCase(": 1\r\n", .invalidInteger),
        ErrorCase(":9223372036854775808\r\n", .invalidInteger),
        ErrorCase(":-9223372036854775809\r\n", .invalidInteger),
        ErrorCase(":123456789012345678901", .invalidInteger),  // too long to ever be an Int
        ErrorCase("$-2\r\n", .invalidBulkLength),
        ErrorCase("$abc\r\n", .invalidBulkLength),
        ErrorCase("$\r\n", .invalidBulkLength),
        ErrorCase("!-1\r\n", .invalidBulkLength),
        ErrorCase("=-1\r\n", .invalidBulkLength),
        ErrorCase("$99999999999999999999\r\n", .invalidBulkLength),
        ErrorCase("$3\r\nabcde\r\n", .missingBulkTerminator),
        ErrorCase("$?\r\n", .streamedTypeUnsupported),
        ErrorCase("*?\r\n", .streamedTypeUnsupported),
        ErrorCase("%?\r\n", .streamedTypeUnsupported),
        ErrorCase("*-2\r\n", .invalidMultibulkLength),
        ErrorCase("%-1\r\n", .invalidMultibulkLength),
        ErrorCase("~-1\r\n", .invalidMultibulkLength),
        ErrorCase(">x\r\n", .invalidMultibulkLength),
        ErrorCase("|-1\r\n", .invalidMultibulkLength),
        ErrorCase("*9223372036854775807\r\n", .invalidMultibulkLength),
        ErrorCase("%4611686018427387904\r\n", .invalidMultibulkLength),  // doubling overflows
        ErrorCase("#x\r\n", .invalidBoolean),
        ErrorCase("#\r\n", .invalidBoolean),
        ErrorCase("#tt\r\n", .invalidBoolean),
        ErrorCase("_x\r\n", .invalidNull),
        ErrorCase(",abc\r\n", .invalidDouble),
        ErrorCase(",\r\n", .invalidDouble),
        ErrorCase(",0x1p3\r\n", .invalidDouble),
        ErrorCase(", 1\r\n", .invalidDouble),
        ErrorCase("(12a\r\n", .invalidBigNumber),
        ErrorCase("(\r\n", .invalidBigNumber),
        ErrorCase("(-\r\n", .invalidBigNumber),
        ErrorCase("=3\r\nabc\r\n", .invalidVerbatimString),
        ErrorCase("=4\r\nabcd\r\n", .invalidVerbatimString),
        ErrorCase("*2\r\n:1\r\n:x\r\n", .invalidInteger),
        ErrorCase("+ok\r\n*1\r\n.\r\n", .invalidTypeByte(UInt8(ascii: "."))),
    ]

    @Test("rejects", arguments: invalid)
    func rejects(_ c: ErrorCase) {
        let run = decodeAll(c.input.bytes, mode: .reply, limits: c.limits)
        #expect(run.error == c.error)
    }

    @Test func valuesBeforeAnErrorAreDelivered() {
        let run = decodeAll(Array("+ok\r\n:1\r\n:x\r\n".utf8), mode: .reply)
        #expect(run.values == [.simpleString("ok"), .integer(1)])
        #expect(run.error == .invalidInteger)
    }

    @Test func incompleteFrameIsLeftInTheBuffer() throws {
        var decoder = RESPDecoder(mode: .reply)
        var buffer = ByteBuffer(string: "*2\r\n$5\r\nhello\r\n$5\r\nwor")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readerIndex == 0)
        #expect(buffer.readableBytes == 22)
        buffer.writeString("ld\r\n+next")
        #expect(try decoder.decode(buffer: &buffer) == .array([.bulkString("hello"), .bulkString("world")]))
        #expect(buffer.readableBytesView.elementsEqual("+next".utf8))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        buffer.writeString("\r\n")
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == .simpleString("next"))
        #expect(buffer.readableBytes == 0)
    }

    @Test func survivesBeingHandedAnotherBuffer() throws {
        for mode in [RESPDecoder.Mode.reply, .request] {
            var decoder = RESPDecoder(mode: mode)
            let text = String(repeating: "a", count: 100)
            var long = ByteBuffer(string: mode == .reply ? "+" + text : text)
            #expect(try decoder.decode(buffer: &long) == nil)
            var short = ByteBuffer(string: "+ok\r\n")
            let value = try decoder.decode(buffer: &short)
            #expect(value == (mode == .reply ? .simpleString("ok") : .command(["+ok"])))
        }
    }

    @Test func defaultModeIsReply() {
        #expect(RESPDecoder().mode == .reply)
        #expect(RESPDecoder().limits == RESPLimits())
    }

    @Test func invalidUTF8IsRepairedNotFatal() {
        let run = decodeAll([UInt8(ascii: "$"), UInt8(ascii: "2"), 13, 10, 0xFF, 0xFE, 13, 10], mode: .reply)
        #expect(run.values == [.bulkString("\u{FFFD}\u{FFFD}")])
    }
}
