//===----------------------------------------------------------------------===//
// swift-sentinel — fuzz target `request`: the client-port request decoder
//===----------------------------------------------------------------------===//

import NIOCore
import RESP

/// Input: one option byte, then the byte stream a client sends. The option picks the limits
/// (Redis's defaults or small ones, so limit paths are reached with short inputs) and the size
/// of the reads the stream is split into.
///
/// Checks: no trap; the decoder never moves past the bytes it was given; fed in pieces it gives
/// the same requests and the same error as fed at once; `decode` and `decodeWords` agree; every
/// request it returns, re-encoded as a multibulk, decodes to the same words.
enum RequestTarget {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let input = StreamInput(data) else { return }
        let stream = input.stream
        let limits = input.smallLimits ? RESPLimits(maxBulkLength: 16, maxMultibulkLength: 8, maxInlineLength: 32) : RESPLimits()
        let whole = decodeWords(stream, limits: limits, readSize: stream.count)
        let split = decodeWords(stream, limits: limits, readSize: input.readSize)
        fuzzCheck(whole.requests == split.requests && whole.error == split.error, "split feeding differs: \(whole) vs \(split)")
        let values = decodeValues(stream, limits: limits, readSize: stream.count)
        fuzzCheck(
            values.requests == whole.requests.map { RESPValue.command($0) } && values.error == whole.error,
            "decode and decodeWords differ")
        for words in whole.requests {
            let again = decodeWords(RESPValue.command(words).encoded(version: .resp2), limits: RESPLimits(), readSize: .max)
            fuzzCheck(again.requests == [words] && again.error == nil, "round trip of \(words) gave \(again)")
        }
    }

    struct Outcome<T: Equatable>: Equatable {
        var requests: [T] = []
        var error: RESPProtocolError? = nil
    }

    /// Feeds `stream` in reads of `readSize` bytes through `RESPRequestDecoder`, as
    /// ByteToMessageHandler does: decode until nil after every read; stop at the first error.
    static func decodeWords(_ stream: [UInt8], limits: RESPLimits, readSize: Int) -> Outcome<[String]> {
        var decoder = RESPRequestDecoder(limits: limits)
        return feed(stream, readSize: readSize) { try decoder.decode(buffer: &$0) }
    }

    static func decodeValues(_ stream: [UInt8], limits: RESPLimits, readSize: Int) -> Outcome<RESPValue> {
        var decoder = RESPDecoder(mode: .request, limits: limits)
        return feed(stream, readSize: readSize) { try decoder.decode(buffer: &$0) }
    }
}

/// The input of a decoder target: one option byte, then the stream. Bit 0 of the option picks
/// small limits instead of Redis's; the other bits the size of the reads for split feeding.
struct StreamInput {
    var stream: [UInt8]
    var smallLimits: Bool
    var readSize: Int

    init?(_ data: UnsafeRawBufferPointer) {
        guard let option = data.first else { return nil }
        stream = Array(data.dropFirst())
        smallLimits = option & 1 == 1
        readSize = Int(option >> 1) % 9 + 1
    }
}

/// Feeds `stream` to `decode` in reads of `readSize` bytes, checking that no call moves the
/// reader index past the end or backwards.
func feed<T: Equatable>(_ stream: [UInt8], readSize: Int, _ decode: (inout ByteBuffer) throws -> T?) -> RequestTarget.Outcome<T> {
    var outcome = RequestTarget.Outcome<T>()
    var buffer = ByteBuffer()
    var offset = 0
    repeat {
        let end = min(stream.count, offset + max(1, readSize))
        buffer.writeBytes(stream[offset..<end])
        offset = end
        while true {
            let before = buffer.readerIndex
            let available = buffer.readableBytes
            let value: T?
            do { value = try decode(&buffer) } catch let error as RESPProtocolError {
                outcome.error = error
                return outcome
            } catch {
                fuzzCheck(false, "unexpected error type \(error)")
                return outcome
            }
            fuzzCheck(buffer.readerIndex >= before && buffer.readerIndex - before <= available, "consumed beyond the input")
            // nil may follow skipped input (an empty inline line, `*0`): only a partial frame is left.
            guard let value else { break }
            outcome.requests.append(value)
        }
    } while offset < stream.count
    return outcome
}
