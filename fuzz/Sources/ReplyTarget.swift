//===----------------------------------------------------------------------===//
// swift-sentinel — fuzz target `reply`: the decoder of what data nodes and peers answer
//===----------------------------------------------------------------------===//

import RESP

/// Input: one option byte, then a stream of RESP2/RESP3 replies. The option picks the limits
/// and the read size, as in `request`.
///
/// Checks: no trap; never past the given bytes; split feeding gives the same values and error;
/// every decoded value re-encodes (RESP3) to bytes that decode to a value with the same encoding,
/// and its RESP2 downgrade decodes without error.
enum ReplyTarget {
    static func run(_ data: UnsafeRawBufferPointer) {
        guard let input = StreamInput(data) else { return }
        let limits = input.smallLimits ? RESPLimits(maxBulkLength: 16, maxMultibulkLength: 8, maxDepth: 4) : RESPLimits()
        let whole = decode(input.stream, limits: limits, readSize: input.stream.count)
        let split = decode(input.stream, limits: limits, readSize: input.readSize)
        fuzzCheck(whole.requests.map(bytes) == split.requests.map(bytes) && whole.error == split.error, "split feeding differs")
        for value in whole.requests {
            let wire = value.encoded(version: .resp3)
            let again = decode(wire, limits: RESPLimits(), readSize: .max)
            fuzzCheck(again.error == nil && again.requests.count == 1, "re-encoded \(value) does not decode: \(again)")
            fuzzCheck(again.requests.first.map(bytes) == wire, "round trip changed \(value) to \(again.requests)")
            let downgraded = decode(value.encoded(version: .resp2), limits: RESPLimits(), readSize: .max)
            fuzzCheck(downgraded.error == nil && downgraded.requests.count == 1, "RESP2 form of \(value) does not decode")
        }
    }

    /// RESP3 bytes: equal for equal values, NaN included.
    static func bytes(_ value: RESPValue) -> [UInt8] { value.encoded(version: .resp3) }

    static func decode(_ stream: [UInt8], limits: RESPLimits, readSize: Int) -> RequestTarget.Outcome<RESPValue> {
        var decoder = RESPDecoder(mode: .reply, limits: limits)
        return feed(stream, readSize: readSize) { try decoder.decode(buffer: &$0) }
    }
}
