//===----------------------------------------------------------------------===//
// swift-sentinel — RESP2/RESP3 encoding, byte for byte
//===----------------------------------------------------------------------===//

import NIOCore
import RESP
import Testing

@Suite("Encoder")
struct RESPEncoderTests {
    /// A value and its exact RESP2 and RESP3 bytes.
    struct EncodeCase: Sendable, CustomTestStringConvertible {
        var value: RESPValue
        var resp2: Wire
        var resp3: Wire

        init(_ value: RESPValue, _ resp2: Wire, _ resp3: Wire? = nil) {
            self.value = value
            self.resp2 = resp2
            self.resp3 = resp3 ?? resp2
        }

        var testDescription: String { self.resp3.testDescription }
    }

    static let cases: [EncodeCase] = [
        EncodeCase(.simpleString("OK"), "+OK\r\n"),
        EncodeCase(.simpleString(""), "+\r\n"),
        EncodeCase(.simpleString("a\r\nb\nc\rd"), "+a  b c d\r\n"),
        EncodeCase(.simpleString("caf\u{e9}"), Wire([43, 99, 97, 102, 0xC3, 0xA9, 13, 10])),
        EncodeCase(.error("ERR no\r\nway"), "-ERR no  way\r\n"),
        EncodeCase(.integer(0), ":0\r\n"),
        EncodeCase(.integer(-7), ":-7\r\n"),
        EncodeCase(.integer(Int.max), ":9223372036854775807\r\n"),
        EncodeCase(.integer(Int.min), ":-9223372036854775808\r\n"),
        EncodeCase(.bulkString("hello"), "$5\r\nhello\r\n"),
        EncodeCase(.bulkString(""), "$0\r\n\r\n"),
        EncodeCase(.bulkString("a\r\nb"), "$4\r\na\r\nb\r\n"),
        EncodeCase(.bulkString("\u{e9}"), "$2\r\n\u{e9}\r\n"),
        EncodeCase(.null, "$-1\r\n", "_\r\n"),
        EncodeCase(.nullArray, "*-1\r\n", "_\r\n"),
        EncodeCase(.array([]), "*0\r\n"),
        EncodeCase(
            .array([.integer(1), .bulkString("x"), .array([.null])]),
            "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n$-1\r\n",
            "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n_\r\n"
        ),
        EncodeCase(
            .map([.bulkString("ip"), .bulkString("127.0.0.1"), .bulkString("port"), .integer(6379)]),
            "*4\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n:6379\r\n",
            "%2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n:6379\r\n"
        ),
        EncodeCase(.map([]), "*0\r\n", "%0\r\n"),
        EncodeCase(.map([.integer(1)]), "*1\r\n:1\r\n", "%1\r\n:1\r\n_\r\n"),
        EncodeCase(.set([.integer(1), .integer(2)]), "*2\r\n:1\r\n:2\r\n", "~2\r\n:1\r\n:2\r\n"),
        EncodeCase(
            .push([.bulkString("message"), .bulkString("c"), .bulkString("m")]),
            "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n",
            ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n"
        ),
        EncodeCase(.double(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"),
        EncodeCase(.double(3), "$1\r\n3\r\n", ",3\r\n"),
        EncodeCase(.double(-2), "$2\r\n-2\r\n", ",-2\r\n"),
        EncodeCase(.double(0), "$1\r\n0\r\n", ",0\r\n"),
        EncodeCase(.double(-0.0), "$2\r\n-0\r\n", ",-0\r\n"),
        EncodeCase(.double(0.1), "$3\r\n0.1\r\n", ",0.1\r\n"),
        EncodeCase(.double(1e20), "$5\r\n1e+20\r\n", ",1e+20\r\n"),
        EncodeCase(.double(.infinity), "$3\r\ninf\r\n", ",inf\r\n"),
        EncodeCase(.double(-.infinity), "$4\r\n-inf\r\n", ",-inf\r\n"),
        EncodeCase(.double(.nan), "$3\r\nnan\r\n", ",nan\r\n"),
        EncodeCase(.double(-.nan), "$3\r\nnan\r\n", ",nan\r\n"),
        EncodeCase(.boolean(true), ":1\r\n", "#t\r\n"),
        EncodeCase(.boolean(false), ":0\r\n", "#f\r\n"),
        EncodeCase(.bigNumber("12345678901234567890"), "$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n"),
        EncodeCase(
            .verbatimString(format: "txt", text: "Some string"),
            "$11\r\nSome string\r\n",
            "=15\r\ntxt:Some string\r\n"
        ),
        EncodeCase(.verbatimString(format: "markdown", text: "x"), "$1\r\nx\r\n", "=5\r\ntxt:x\r\n"),
    ]

    @Test("RESP2 bytes", arguments: cases)
    func resp2(_ c: EncodeCase) {
        let bytes = c.value.encoded(version: .resp2)
        #expect(escaped(bytes) == c.resp2.testDescription)
    }

    @Test("RESP3 bytes", arguments: cases)
    func resp3(_ c: EncodeCase) {
        let bytes = c.value.encoded(version: .resp3)
        #expect(escaped(bytes) == c.resp3.testDescription)
    }

    @Test func writesAfterExistingBytes() {
        var buffer = ByteBuffer(string: "xx")
        buffer.writeRESPValue(.ok, version: .resp2)
        buffer.writeRESPValue(.command(["PING"]), version: .resp3)
        #expect(String(buffer: buffer) == "xx+OK\r\n*1\r\n$4\r\nPING\r\n")
    }

    @Test func doubleText() {
        #expect(RESPValue.doubleText(1.5) == "1.5")
        #expect(RESPValue.doubleText(3) == "3")
        #expect(RESPValue.doubleText(-1e15) == "-1000000000000000")
        #expect(RESPValue.doubleText(1e16) == "1e+16")
        #expect(RESPValue.doubleText(1e-7) == "1e-07")
        #expect(RESPValue.doubleText(.infinity) == "inf")
        #expect(RESPValue.doubleText(-.infinity) == "-inf")
        #expect(RESPValue.doubleText(.nan) == "nan")
    }
}
