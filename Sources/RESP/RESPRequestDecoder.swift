//===----------------------------------------------------------------------===//
// swift-sentinel — requests decoded straight into words
//===----------------------------------------------------------------------===//

import NIOCore

/// ``RESPDecoder`` in request mode, handing out each request as its words (`[String]`) instead of
/// a `RESPValue` array of bulk strings that the server would only take apart again. Same parsing,
/// limits, skipped empty requests and errors.
package struct RESPRequestDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    package typealias InboundOut = [String]

    private var decoder: RESPDecoder

    /// A request decoder enforcing `limits`.
    package init(limits: RESPLimits = .init()) {
        self.decoder = RESPDecoder(mode: .request, limits: limits)
    }

    package mutating func decode(buffer: inout ByteBuffer) throws -> [String]? {
        try decoder.decodeWords(buffer: &buffer)
    }

    package mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> [String]? {
        try decoder.decodeWords(buffer: &buffer)
    }
}
