//===----------------------------------------------------------------------===//
// swift-sentinel — RESP value model
//===----------------------------------------------------------------------===//

/// The RESP protocol version a connection speaks. `HELLO 3` switches a client to RESP3.
package enum RESPVersion: Int, Hashable, Sendable {
    case resp2 = 2
    case resp3 = 3
}

/// One RESP2/RESP3 value, as decoded from the wire or as a reply to encode.
///
/// Maps are stored flat (`key, value, key, value, ...`) because that is both how RESP2 renders
/// them and the order in which Redis writes them; a map must hold an even number of elements.
package enum RESPValue: Hashable, Sendable {
    /// `+text`
    case simpleString(String)
    /// `-CODE text` (RESP3 blob errors `!` decode to this too).
    case error(String)
    /// `:n`
    case integer(Int)
    /// `$n\r\n...`
    case bulkString(String)
    /// A null bulk string: `$-1` in RESP2, `_` in RESP3.
    case null
    /// A null array: `*-1` in RESP2, `_` in RESP3.
    case nullArray
    /// `*n`
    case array([RESPValue])
    /// RESP3 `%n`; flat key/value list. RESP2 renders it as an array of the same elements.
    case map([RESPValue])
    /// RESP3 `~n`; RESP2 renders it as an array.
    case set([RESPValue])
    /// RESP3 `>n`; RESP2 renders it as an array.
    case push([RESPValue])
    /// RESP3 `,d`; RESP2 renders it as a bulk string.
    case double(Double)
    /// RESP3 `#t`/`#f`; RESP2 renders it as `:1`/`:0`.
    case boolean(Bool)
    /// RESP3 `(n`; RESP2 renders it as a bulk string.
    case bigNumber(String)
    /// RESP3 `=n\r\nfmt:text`; RESP2 renders it as a bulk string of `text`.
    case verbatimString(format: String, text: String)
}

extension RESPValue {
    /// The text of a string-like value (simple, bulk, verbatim), else nil.
    package var string: String? {
        switch self {
        case .simpleString(let s), .bulkString(let s): return s
        case .verbatimString(_, let text): return text
        default: return nil
        }
    }

    /// The elements of an aggregate (array, set, push, map flattened), else nil.
    package var elements: [RESPValue]? {
        switch self {
        case .array(let a), .set(let a), .push(let a), .map(let a): return a
        default: return nil
        }
    }

    /// A bulk-string array: how commands are sent.
    package static func command(_ words: [String]) -> RESPValue {
        .array(words.map { .bulkString($0) })
    }

    /// `+OK`
    package static let ok: RESPValue = .simpleString("OK")
}
