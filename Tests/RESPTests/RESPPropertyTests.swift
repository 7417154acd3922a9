//===----------------------------------------------------------------------===//
// swift-sentinel — seeded property and fuzz tests for the codec
//===----------------------------------------------------------------------===//

import NIOCore
import RESP
import Testing

@Suite("Codec properties")
struct RESPPropertyTests {
    /// Small limits so random inputs reach every limit check.
    static let tightLimits = RESPLimits(maxBulkLength: 8, maxMultibulkLength: 4, maxInlineLength: 10, maxDepth: 3)

    @Test func resp3RoundTrip() {
        var generator = RESPValueGenerator(seed: 1)
        for _ in 0..<2000 {
            let value = generator.value()
            let bytes = value.encoded(version: .resp3)
            let run = decodeAll(bytes, mode: .reply)
            #expect(run.error == nil)
            #expect(run.leftover == 0)
            let ok = equivalent(run.values, [normalizedForRESP3(value)])
            #expect(ok, "\(value) -> \(escaped(bytes)) -> \(run.values)")
            if !ok { return }
        }
    }

    @Test func resp2RoundTrip() {
        var generator = RESPValueGenerator(seed: 2)
        for _ in 0..<2000 {
            let value = generator.value()
            let bytes = value.encoded(version: .resp2)
            let run = decodeAll(bytes, mode: .reply)
            #expect(run.error == nil)
            let ok = run.values == [downgradedToRESP2(value)] && run.leftover == 0
            #expect(ok, "\(value) -> \(escaped(bytes)) -> \(run.values)")
            if !ok { return }
        }
    }

    @Test func commandsRoundTripAsMultibulk() {
        var generator = RESPValueGenerator(seed: 3)
        var stream: [UInt8] = []
        var expected: [RESPValue] = []
        for _ in 0..<500 {
            let words = (0..<Int.random(in: 1...5, using: &generator.rng)).map { _ in generator.anyText() }
            stream += RESPValue.command(words).encoded(version: .resp2)
            expected.append(.command(words))
        }
        let run = decodeAll(stream, mode: .request)
        #expect(run.error == nil)
        #expect(run.values == expected)
        #expect(run.leftover == 0)
    }

    /// Quotes `word` for an inline command: double quotes, `\xHH` for anything unusual.
    private static func inlineQuoted(_ word: String) -> String {
        var out = "\""
        for byte in word.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: " "):
                out.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x0A: out += "\\n"
            default:
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out + "\""
    }

    @Test func commandsRoundTripInline() {
        var generator = RESPValueGenerator(seed: 4)
        var stream: [UInt8] = []
        var expected: [RESPValue] = []
        for _ in 0..<500 {
            let words = (0..<Int.random(in: 1...5, using: &generator.rng)).map { _ in generator.anyText() }
            let separator = [" ", "  ", "\t"][Int.random(in: 0..<3, using: &generator.rng)]
            let line = words.map(Self.inlineQuoted).joined(separator: separator)
            stream += Array(line.utf8) + (Bool.random(using: &generator.rng) ? [13, 10] : [10])
            expected.append(.command(words))
        }
        let run = decodeAll(stream, mode: .request)
        #expect(run.error == nil)
        #expect(run.values == expected)
        #expect(run.leftover == 0)
    }

    @Test func everyPrefixNeedsMoreDataAndLeavesTheBufferAlone() throws {
        var generator = RESPValueGenerator(seed: 5)
        var frames: [([UInt8], RESPDecoder.Mode)] = []
        for _ in 0..<150 {
            frames.append((generator.value().encoded(version: .resp3), .reply))
            frames.append((generator.value().encoded(version: .resp2), .reply))
            let words = (0..<Int.random(in: 1...3, using: &generator.rng)).map { _ in generator.anyText() }
            frames.append((RESPValue.command(words).encoded(version: .resp2), .request))
        }
        frames.append((Array("PING arg \"q\"\r\n".utf8), .request))
        for (frame, mode) in frames {
            // A fresh decoder per prefix, and one decoder that sees the prefix grow.
            var growing = RESPDecoder(mode: mode)
            var growingBuffer = ByteBuffer()
            for length in 0..<frame.count {
                var decoder = RESPDecoder(mode: mode)
                var buffer = ByteBuffer(bytes: frame[..<length])
                let value = try decoder.decode(buffer: &buffer)
                #expect(value == nil, "\(escaped(Array(frame[..<length])))")
                #expect(buffer.readerIndex == 0 && buffer.readableBytes == length)

                growingBuffer.writeBytes(frame[length..<(length + 1)])
                if length + 1 < frame.count {
                    #expect(try growing.decode(buffer: &growingBuffer) == nil)
                    #expect(growingBuffer.readableBytes == length + 1)
                }
            }
            let last = try growing.decode(buffer: &growingBuffer)
            #expect(last != nil)
            #expect(growingBuffer.readableBytes == 0)
        }
    }

    @Test func chunkingDoesNotChangeTheResult() throws {
        var generator = RESPValueGenerator(seed: 6)
        for round in 0..<20 {
            var stream: [UInt8] = []
            var expected: [RESPValue] = []
            for _ in 0..<60 {
                var value = generator.value()
                while containsNaN(value) { value = generator.value() }  // to compare with ==
                stream += value.encoded(version: round % 2 == 0 ? .resp3 : .resp2)
                expected.append(round % 2 == 0 ? normalizedForRESP3(value) : downgradedToRESP2(value))
            }
            let sizes = (0..<16).map { _ in Int.random(in: 1...40, using: &generator.rng) }
            let values = try decodeChunked(stream, chunkSizes: sizes, mode: .reply)
            #expect(values == expected)
        }
    }

    /// Everything `bytes` decodes to, fed in `chunk`-byte pieces to one decoder.
    private static func decodeInPieces(
        _ bytes: [UInt8],
        chunk: Int,
        mode: RESPDecoder.Mode,
        limits: RESPLimits
    ) -> DecodeRun {
        var decoder = RESPDecoder(mode: mode, limits: limits)
        var buffer = ByteBuffer()
        var run = DecodeRun()
        var start = 0
        do {
            while start < bytes.count {
                let end = min(bytes.count, start + chunk)
                buffer.writeBytes(bytes[start..<end])
                start = end
                while let value = try decoder.decode(buffer: &buffer) {
                    run.values.append(value)
                }
            }
        } catch let error as RESPProtocolError {
            run.error = error
        } catch {
            Issue.record("unexpected error type \(error)")
        }
        return run
    }

    /// Decodes `bytes` whole and in pieces: must not crash, must throw only protocol errors,
    /// and must give the same values and the same error either way.
    private static func checkRobust(_ bytes: [UInt8], mode: RESPDecoder.Mode, limits: RESPLimits, chunk: Int) -> Bool {
        let whole = decodeAll(bytes, mode: mode, limits: limits)
        let pieces = decodeInPieces(bytes, chunk: chunk, mode: mode, limits: limits)
        let same = equivalent(whole.values, pieces.values) && whole.error == pieces.error
        #expect(same, "\(mode) \(escaped(bytes)): \(whole) vs \(pieces)")
        if let error = whole.error {
            #expect(error.message.hasPrefix("Protocol error: "))
        }
        return same
    }

    @Test func randomBytesNeverCrash() {
        var generator = RESPValueGenerator(seed: 7)
        for i in 0..<4000 {
            let length = Int.random(in: 0...40, using: &generator.rng)
            var bytes = (0..<length).map { _ in generator.protocolByte() }
            if i % 3 == 0, !bytes.isEmpty {
                bytes[0] = Array("+-:$*_,#(=%~>!|".utf8).randomElement(using: &generator.rng)!
            }
            let mode: RESPDecoder.Mode = i % 2 == 0 ? .reply : .request
            let limits = i % 4 < 2 ? RESPLimits() : Self.tightLimits
            let chunk = Int.random(in: 1...5, using: &generator.rng)
            if !Self.checkRobust(bytes, mode: mode, limits: limits, chunk: chunk) { return }
        }
    }

    @Test func mutatedFramesNeverCrash() {
        var generator = RESPValueGenerator(seed: 8)
        for i in 0..<3000 {
            let mode: RESPDecoder.Mode = i % 3 == 0 ? .request : .reply
            var bytes: [UInt8]
            if mode == .request {
                let words = (0..<Int.random(in: 1...3, using: &generator.rng)).map { _ in generator.anyText() }
                bytes = RESPValue.command(words).encoded(version: .resp2)
            } else {
                bytes = generator.value().encoded(version: i % 2 == 0 ? .resp3 : .resp2)
            }
            for _ in 0..<Int.random(in: 1...3, using: &generator.rng) {
                let at = Int.random(in: 0...bytes.count, using: &generator.rng)
                switch Int.random(in: 0..<5, using: &generator.rng) {
                case 0 where at < bytes.count:
                    bytes[at] = generator.protocolByte()
                case 1:
                    bytes.insert(generator.protocolByte(), at: at)
                case 2 where at < bytes.count:
                    bytes.remove(at: at)
                case 3:
                    bytes = Array(bytes[..<at])
                default:
                    let junk = Array("9999999999\r\n-1\r\n*1\r\n?".utf8).shuffled(using: &generator.rng)
                    bytes = Array(bytes[..<at]) + junk + Array(bytes[at...])
                }
            }
            let limits = i % 5 == 0 ? Self.tightLimits : RESPLimits()
            let chunk = Int.random(in: 1...7, using: &generator.rng)
            if !Self.checkRobust(bytes, mode: mode, limits: limits, chunk: chunk) { return }
        }
    }
}
