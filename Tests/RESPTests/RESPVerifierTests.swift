//===----------------------------------------------------------------------===//
// swift-sentinel — NIO's decoder verifier: drip feed, one by one, all at once
//===----------------------------------------------------------------------===//

import NIOCore
import NIOTestUtils
import RESP
import Testing

@Suite("ByteToMessageDecoderVerifier")
struct RESPVerifierTests {
    private static func pairs(_ cases: [(String, [RESPValue])]) -> [(ByteBuffer, [RESPValue])] {
        cases.map { (ByteBuffer(string: $0.0), $0.1) }
    }

    @Test func requestMode() throws {
        let cases: [(String, [RESPValue])] = [
            ("*1\r\n$4\r\nPING\r\n", [.command(["PING"])]),
            ("*3\r\n$8\r\nsentinel\r\n$7\r\nmasters\r\n$0\r\n\r\n", [.command(["sentinel", "masters", ""])]),
            ("*2\r\n$3\r\nGET\r\n$6\r\na\r\nb\r\n\r\n", [.command(["GET", "a\r\nb\r\n"])]),
            ("*0\r\n", []),
            ("*-1\r\n", []),
            ("PING\r\n", [.command(["PING"])]),
            ("info  replication\n", [.command(["info", "replication"])]),
            ("set \"a b\\x41\" 'c\\'d'\r\n", [.command(["set", "a bA", "c'd"])]),
            ("\r\n", []),
            ("*2\r\n$1\r\nx\r\n$1\r\ny\r\nQUIT\n", [.command(["x", "y"]), .command(["QUIT"])]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: Self.pairs(cases),
            decoderFactory: { RESPDecoder(mode: .request) }
        )
    }

    @Test func replyMode() throws {
        let cases: [(String, [RESPValue])] = [
            ("+OK\r\n", [.ok]),
            ("-ERR x\r\n", [.error("ERR x")]),
            (":-12\r\n", [.integer(-12)]),
            ("$3\r\nfoo\r\n", [.bulkString("foo")]),
            ("$-1\r\n", [.null]),
            ("*-1\r\n", [.nullArray]),
            ("*2\r\n$1\r\na\r\n*0\r\n", [.array([.bulkString("a"), .array([])])]),
            ("_\r\n", [.null]),
            (",2.5\r\n", [.double(2.5)]),
            ("#t\r\n", [.boolean(true)]),
            ("(1234567890123456789012\r\n", [.bigNumber("1234567890123456789012")]),
            ("=7\r\ntxt:abc\r\n", [.verbatimString(format: "txt", text: "abc")]),
            ("!5\r\nERR x\r\n", [.error("ERR x")]),
            ("%1\r\n+k\r\n~1\r\n:1\r\n", [.map([.simpleString("k"), .set([.integer(1)])])]),
            (">2\r\n+message\r\n+x\r\n", [.push([.simpleString("message"), .simpleString("x")])]),
            ("|1\r\n+a\r\n+b\r\n*1\r\n|1\r\n+c\r\n+d\r\n:9\r\n", [.array([.integer(9)])]),
            ("+a\r\n+b\r\n", [.simpleString("a"), .simpleString("b")]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: Self.pairs(cases),
            decoderFactory: { RESPDecoder(mode: .reply) }
        )
    }

    @Test func randomReplies() throws {
        var generator = RESPValueGenerator(seed: 0xC0FFEE)
        var cases: [(ByteBuffer, [RESPValue])] = []
        for _ in 0..<20 {
            var value = generator.value()
            while containsNaN(value) { value = generator.value() }  // the verifier uses ==
            cases.append((ByteBuffer(bytes: value.encoded(version: .resp3)), [normalizedForRESP3(value)]))
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: cases,
            decoderFactory: { RESPDecoder(mode: .reply) }
        )
    }
}
