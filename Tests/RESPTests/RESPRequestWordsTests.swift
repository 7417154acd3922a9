//===----------------------------------------------------------------------===//
// swift-sentinel — requests decoded straight into words
//===----------------------------------------------------------------------===//

import NIOCore
import RESP
import Testing

/// The server reads requests with ``RESPRequestDecoder`` (words, no `RESPValue`); these tests prove
/// it sees exactly the commands, skips and protocol errors the request-mode ``RESPDecoder`` sees.
@Suite("Request decoder, words")
struct RESPRequestWordsTests {
    /// All of `bytes` through one words decoder, fed `chunk` bytes at a time.
    private static func words(
        _ bytes: [UInt8], chunk: Int, limits: RESPLimits = .init()
    ) -> (commands: [[String]], error: RESPProtocolError?, leftover: Int) {
        var decoder = RESPRequestDecoder(limits: limits)
        var buffer = ByteBuffer()
        var commands: [[String]] = []
        var start = 0
        do {
            while start < bytes.count {
                let end = min(bytes.count, start + chunk)
                buffer.writeBytes(bytes[start..<end])
                start = end
                while let command = try decoder.decode(buffer: &buffer) {
                    commands.append(command)
                }
            }
        } catch let error as RESPProtocolError {
            return (commands, error, buffer.readableBytes)
        } catch {
            Issue.record("unexpected error type \(error)")
        }
        return (commands, nil, buffer.readableBytes)
    }

    /// Every valid request case gives the same commands as the value decoder, in one read or
    /// byte by byte (a request split across reads).
    @Test("same commands as the value decoder", arguments: RESPRequestDecoderTests.valid)
    func sameCommands(_ c: DecodeCase) {
        let expected = c.expected.map { value in value.elements?.map { $0.string ?? "<not a string>" } ?? [] }
        for chunk in [c.input.bytes.count + 1, 1, 3] {
            let run = Self.words(c.input.bytes, chunk: chunk)
            #expect(run.error == nil)
            #expect(run.commands == expected, "chunk \(chunk)")
            #expect(run.leftover == 0)
        }
    }

    /// Every malformed request raises the same protocol error as with the value decoder.
    @Test("same errors as the value decoder", arguments: RESPRequestDecoderTests.invalid)
    func sameErrors(_ c: ErrorCase) {
        let run = Self.words(c.input.bytes, chunk: c.input.bytes.count + 1, limits: c.limits)
        #expect(run.error == c.error)
    }

    /// An unfinished request yields nothing and leaves the buffer alone until its last byte.
    @Test func nothingUntilComplete() throws {
        var decoder = RESPRequestDecoder()
        var buffer = ByteBuffer(string: "*2\r\n$8\r\nSENTINEL\r\n$7\r\nMASTERS\r")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readerIndex == 0)
        buffer.writeString("\n")
        #expect(try decoder.decode(buffer: &buffer) == ["SENTINEL", "MASTERS"])
        #expect(buffer.readableBytes == 0)
    }
}
