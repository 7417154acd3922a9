//===----------------------------------------------------------------------===//
// swift-sentinel — request-mode (server side) decoding
//===----------------------------------------------------------------------===//

import NIOCore
import RESP
import Testing

@Suite("Request decoder")
struct RESPRequestDecoderTests {
    static let valid: [DecodeCase] = [
        // Multibulk
        DecodeCase("*1\r\n$4\r\nPING\r\n", .command(["PING"])),
        DecodeCase("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", .command(["SET", "k", ""])),
        DecodeCase("*1\r\n$4\r\na\r\nb\r\n", .command(["a\r\nb"])),
        DecodeCase("*0\r\n"),
        DecodeCase("*-1\r\n"),
        DecodeCase("*-5\r\n"),
        DecodeCase("*0\r\n*1\r\n$1\r\na\r\n", .command(["a"])),
        DecodeCase("*1\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n", .command(["a"]), .command(["b"])),
        // Like Redis: the two bytes after a payload, and after a count's CR, are not checked.
        DecodeCase("*1\r\n$3\r\nfooXY", .command(["foo"])),
        DecodeCase("*1\r\n$3\rXfoo\r\n", .command(["foo"])),
        // Inline
        DecodeCase("PING\r\n", .command(["PING"])),
        DecodeCase("PING\n", .command(["PING"])),
        DecodeCase("  set  k \t  v  \r\n", .command(["set", "k", "v"])),
        DecodeCase("\r\n"),
        DecodeCase("\n"),
        DecodeCase("   \t \r\n"),
        DecodeCase("\n\nPING\n", .command(["PING"])),
        DecodeCase("a\r\r\n", .command(["a"])),
        DecodeCase("set \"a b\" 'c d'\n", .command(["set", "a b", "c d"])),
        DecodeCase("\"\" ''\n", .command(["", ""])),
        DecodeCase("\"\\x41\\x7a\\n\\r\\t\\b\\a\\\\\\\"\"\n", .command(["Az\n\r\t\u{8}\u{7}\\\""])),
        DecodeCase("\"\\q\\xZZ\\x4\"\n", .command(["qxZZx4"])),
        DecodeCase("'it\\'s' 'a\\nb' 'c\"d'\n", .command(["it's", "a\\nb", "c\"d"])),
        DecodeCase("a\"b c\" d\n", .command(["ab c", "d"])),
        DecodeCase("x'y z'\n", .command(["xy z"])),
        DecodeCase("\"a\"\t\"b\"\n", .command(["a", "b"])),
        DecodeCase("GET a\u{0}b c\n", .command(["GET", "a"])),
        DecodeCase("\u{0}\n"),
        DecodeCase(
            "sentinel get-master-addr-by-name mymaster\n",
            .command(["sentinel", "get-master-addr-by-name", "mymaster"])
        ),
        // Mixed
        DecodeCase("PING\n*1\r\n$4\r\nPING\r\n\n", .command(["PING"]), .command(["PING"])),
    ]

    @Test("decodes", arguments: valid)
    func decodes(_ c: DecodeCase) {
        let run = decodeAll(c.input.bytes, mode: .request)
        #expect(run.error == nil)
        #expect(run.values == c.expected)
        #expect(run.leftover == 0)
    }

    static let invalid: [ErrorCase] = [
        ErrorCase("*x\r\n", .invalidMultibulkLength),
        ErrorCase("*\r\n", .invalidMultibulkLength),
        ErrorCase("*01\r\n", .invalidMultibulkLength),
        ErrorCase("* 1\r\n", .invalidMultibulkLength),
        ErrorCase("*1048577\r\n", .invalidMultibulkLength),
        ErrorCase("*99999999999999999999999\r\n", .invalidMultibulkLength),
        ErrorCase("*1\n$1\r\n", .invalidMultibulkLength),  // a count line ends at CR
        ErrorCase("*1\r\nX3\r\n", .expectedDollar(got: UInt8(ascii: "X"))),
        ErrorCase("*1\r\n:3\r\n", .expectedDollar(got: UInt8(ascii: ":"))),
        ErrorCase("*1\r\n\r\n", .expectedDollar(got: 0x0D)),
        ErrorCase("*2\r\n$1\r\na\r\n*1\r\n", .expectedDollar(got: UInt8(ascii: "*"))),
        ErrorCase("*1\r\n$-1\r\n", .invalidBulkLength),
        ErrorCase("*1\r\n$abc\r\n", .invalidBulkLength),
        ErrorCase("*1\r\n$\r\n", .invalidBulkLength),
        ErrorCase("*1\r\n$536870913\r\n", .invalidBulkLength),
        ErrorCase("*1\r\n$9223372036854775807\r\n", .invalidBulkLength),
        ErrorCase("\"abc\n", .unbalancedQuotes),
        ErrorCase("'abc\n", .unbalancedQuotes),
        ErrorCase("\"abc\"def\n", .unbalancedQuotes),
        ErrorCase("'a'b\n", .unbalancedQuotes),
        ErrorCase("\"abc\\\"\n", .unbalancedQuotes),
        ErrorCase("\"ab\u{0}c\"\n", .unbalancedQuotes),
        ErrorCase("PING\n\"x\n", .unbalancedQuotes),
    ]

    @Test("rejects", arguments: invalid)
    func rejects(_ c: ErrorCase) {
        let run = decodeAll(c.input.bytes, mode: .request, limits: c.limits)
        #expect(run.error == c.error)
    }

    @Test func errorTextsAreRedis() {
        #expect(RESPProtocolError.invalidMultibulkLength.message == "Protocol error: invalid multibulk length")
        #expect(RESPProtocolError.invalidBulkLength.message == "Protocol error: invalid bulk length")
        #expect(RESPProtocolError.tooBigInlineRequest.message == "Protocol error: too big inline request")
        #expect(RESPProtocolError.tooBigMultibulkCountString.message == "Protocol error: too big mbulk count string")
        #expect(RESPProtocolError.tooBigBulkCountString.message == "Protocol error: too big bulk count string")
        #expect(RESPProtocolError.unbalancedQuotes.message == "Protocol error: unbalanced quotes in request")
        #expect(
            RESPProtocolError.expectedDollar(got: UInt8(ascii: "X")).message == "Protocol error: expected '$', got 'X'"
        )
        #expect(RESPProtocolError.expectedDollar(got: 0x0D).message == "Protocol error: expected '$', got '\\x0d'")
        #expect("\(RESPProtocolError.invalidBulkLength)" == "Protocol error: invalid bulk length")
    }

    @Test func commandIsValueOnlyOnceComplete() throws {
        var decoder = RESPDecoder(mode: .request)
        var buffer = ByteBuffer(string: "*2\r\n$3\r\nGET\r\n$1\r\n")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readerIndex == 0)
        buffer.writeString("k\r")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readerIndex == 0)
        buffer.writeString("\nPIN")
        #expect(try decoder.decode(buffer: &buffer) == .command(["GET", "k"]))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytesView.elementsEqual("PIN".utf8))
        buffer.writeString("G\r\n")
        #expect(try decoder.decode(buffer: &buffer) == .command(["PING"]))
    }

    @Test func skippedFramesAreConsumed() throws {
        var decoder = RESPDecoder(mode: .request)
        var buffer = ByteBuffer(string: "\r\n*0\r\n*-1\r\n")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 0)
    }

    @Test func splitArgumentsDirectly() throws {
        func split(_ s: String) throws -> [String] {
            try Array(s.utf8).withUnsafeBytes { try RESPDecoder.splitArguments($0) }
        }
        #expect(try split("") == [])
        #expect(try split("a b") == ["a", "b"])
        #expect(try split("\"\\xff\"") == ["\u{FFFD}"])
        #expect(try split("\"a\"\u{0B}b") == ["a", "b"])  // \v ends a quote but does not split words
        #expect(try split("a\u{0B}b") == ["a\u{0B}b"])
        #expect(throws: RESPProtocolError.unbalancedQuotes) { try split("\"") }
    }
}
