//===----------------------------------------------------------------------===//
// swift-sentinel — RESP protocol errors and decoder limits
//===----------------------------------------------------------------------===//

/// A malformed or over-limit frame. The connection that sent it cannot be resynchronised.
///
/// `message` is the complete text a Redis server would send, starting with `Protocol error:`,
/// so a server replies `-ERR <message>` and closes that one connection.
package struct RESPProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The full error text, e.g. `Protocol error: invalid bulk length`.
    package var message: String

    /// Creates an error carrying `message` verbatim.
    package init(message: String) {
        self.message = message
    }

    package var description: String { message }
}

extension RESPProtocolError {
    // Texts a Redis server uses for its request parser.

    /// `*N` with a count that does not parse or is over the limit.
    package static let invalidMultibulkLength = Self(message: "Protocol error: invalid multibulk length")
    /// `$N` with a length that does not parse, is negative (in requests) or is over the limit.
    package static let invalidBulkLength = Self(message: "Protocol error: invalid bulk length")
    /// An inline command whose line is longer than the inline limit.
    package static let tooBigInlineRequest = Self(message: "Protocol error: too big inline request")
    /// A `*N` line longer than the inline limit.
    package static let tooBigMultibulkCountString = Self(message: "Protocol error: too big mbulk count string")
    /// A `$N` line longer than the inline limit.
    package static let tooBigBulkCountString = Self(message: "Protocol error: too big bulk count string")
    /// An inline command with an unterminated quote or a closing quote glued to more text.
    package static let unbalancedQuotes = Self(message: "Protocol error: unbalanced quotes in request")

    /// A multibulk element that does not start with `$`; `got` is the byte found instead.
    package static func expectedDollar(got byte: UInt8) -> Self {
        Self(message: "Protocol error: expected '$', got '\(printable(byte))'")
    }

    // Texts of our own for the reply (client-side) parser.

    /// A reply type byte that is not part of RESP2 or RESP3.
    package static func invalidTypeByte(_ byte: UInt8) -> Self {
        Self(message: "Protocol error: invalid reply type byte '\(printable(byte))'")
    }
    /// Aggregates nested deeper than `RESPLimits.maxDepth`.
    package static let nestingTooDeep = Self(message: "Protocol error: nesting too deep")
    /// A `+`, `-`, `,`, `(` ... line longer than the bulk limit.
    package static let tooBigReplyLine = Self(message: "Protocol error: too big reply line")
    /// `:` with a value that is not a 64-bit decimal integer.
    package static let invalidInteger = Self(message: "Protocol error: invalid integer")
    /// `,` with a value that is not a double.
    package static let invalidDouble = Self(message: "Protocol error: invalid double")
    /// `#` with a value other than `t` or `f`.
    package static let invalidBoolean = Self(message: "Protocol error: invalid boolean")
    /// `_` followed by anything but CRLF.
    package static let invalidNull = Self(message: "Protocol error: invalid null")
    /// `(` with a value that is not a decimal integer.
    package static let invalidBigNumber = Self(message: "Protocol error: invalid big number")
    /// `=` whose payload does not start with a three-byte format and `:`.
    package static let invalidVerbatimString = Self(message: "Protocol error: invalid verbatim string")
    /// Bulk payload not followed by CRLF.
    package static let missingBulkTerminator = Self(message: "Protocol error: bulk data not terminated by CRLF")
    /// `$?`, `*?`, ... (RESP3 streamed types), which we never ask for.
    package static let streamedTypeUnsupported = Self(message: "Protocol error: streamed types are not supported")

    /// The byte as a one-character string; bytes that are not printable ASCII become `\xHH`.
    private static func printable(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F {
            return String(UnicodeScalar(byte))
        }
        let digits: [Character] = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}

/// Bounds that keep a peer from making the decoder buffer or nest without end.
package struct RESPLimits: Hashable, Sendable {
    /// Longest bulk string accepted (`proto-max-bulk-len`); longer is `invalid bulk length`.
    package var maxBulkLength: Int
    /// Most elements in one aggregate; more is `invalid multibulk length`. Maps count keys and values.
    package var maxMultibulkLength: Int
    /// Longest inline command line and longest `*N`/`$N` line in requests.
    package var maxInlineLength: Int
    /// Deepest aggregate nesting in replies; the outermost aggregate is depth 1.
    package var maxDepth: Int

    /// Redis's defaults: 512 MB bulks, 1024*1024 elements, 64 KiB inline lines, 128 levels.
    package init(
        maxBulkLength: Int = 512 * 1024 * 1024,
        maxMultibulkLength: Int = 1024 * 1024,
        maxInlineLength: Int = 64 * 1024,
        maxDepth: Int = 128
    ) {
        self.maxBulkLength = maxBulkLength
        self.maxMultibulkLength = maxMultibulkLength
        self.maxInlineLength = maxInlineLength
        self.maxDepth = maxDepth
    }
}
