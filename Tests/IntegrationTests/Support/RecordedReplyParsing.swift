import Foundation

/// The protocol a replayed client negotiated: RESP2 (no `HELLO`, or a RESP2-only library) or
/// RESP3 (`HELLO 3` answered with a map).
enum WireProtocol: Int, Sendable, CustomStringConvertible, CaseIterable {
    case resp2 = 2
    case resp3 = 3

    var description: String { "RESP\(rawValue)" }
}

/// What a client library would do with a reply it cannot use: throw, skip the sentinel, or
/// get out of step with the connection. The text names the library and the reason.
struct ClientRejection: Error, CustomStringConvertible {
    let description: String

    init(_ library: String, _ reason: String) {
        description = "\(library) would reject this reply: \(reason)"
    }
}

/// An address as a client builds it from a sentinel reply.
struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    let host: String
    let port: UInt16

    var description: String { "\(host):\(port)" }
}

/// The building blocks the library parsers share. Each one is as strict as the libraries that
/// use it: byte-array based parsers (Jedis, Lettuce) take a bulk or simple string where they
/// expect text and fail on an integer; ports go through `Integer.parseInt`, `Number()` or
/// `TryGetInt64`, so they must be decimal (JavaScript and .NET also take an integer there).
enum RecordedReply {
    /// The text of a bulk or simple string.
    static func text(_ reply: RESPReply, _ what: String, _ library: String) throws -> String {
        switch reply {
        case .bulkString(let text), .simpleString(let text): return text
        default: throw ClientRejection(library, "\(what) is \(reply), not a string")
        }
    }

    /// The text of a string, or of an integer for libraries that convert numbers themselves
    /// (`Number(x)` in JavaScript, `RawResult.TryGetInt64` in StackExchange.Redis).
    static func textOrInteger(_ reply: RESPReply, _ what: String, _ library: String) throws -> String {
        if let number = reply.integer {
            return String(number)
        }
        return try text(reply, what, library)
    }

    /// A decimal port in text.
    static func port(_ text: String, _ what: String, _ library: String) throws -> UInt16 {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), let port = UInt16(text), port > 0 else {
            throw ClientRejection(library, "\(what) \(text.debugDescription) is not a decimal port")
        }
        return port
    }

    /// A connection that never switched to RESP3 must only see RESP2 type bytes: RESP2-only
    /// parsers (ioredis 5's redis-parser, Jedis before 5, redis-rb) abort on any other.
    static func requireRESP2Types(_ reply: RESPReply, _ library: String) throws {
        switch reply {
        case .simpleString, .simpleError, .integer, .bulkString, .nullBulkString, .nullArray:
            return
        case .array(let items):
            for item in items {
                try requireRESP2Types(item, library)
            }
        default:
            throw ClientRejection(library, "a RESP2 connection received a RESP3 type: \(reply)")
        }
    }

    /// Whether the reply is a null (null array, null bulk, or RESP3 null); on RESP2 a RESP3
    /// null is a rejection like any RESP3 type.
    static func isNull(_ reply: RESPReply, _ proto: WireProtocol, _ library: String) throws -> Bool {
        if proto == .resp2 {
            try requireRESP2Types(reply, library)
        }
        return reply.isNull
    }

    /// The elements of an array; on RESP2 every element must be of a RESP2 type.
    static func array(_ reply: RESPReply, _ what: String, _ proto: WireProtocol, _ library: String) throws -> [RESPReply] {
        if proto == .resp2 {
            try requireRESP2Types(reply, library)
        }
        guard case .array(let items) = reply else {
            throw ClientRejection(library, "\(what) is \(reply), not an array")
        }
        return items
    }

    /// A record (instance description) as ordered name/value pairs: a flat array of names and
    /// values on RESP2; on RESP3 a map, or also a flat array when `flatAllowedOnRESP3` (libraries
    /// that map RESP3 replies back to the RESP2 shape, or whose builders take both).
    static func pairs(
        _ reply: RESPReply, _ what: String, _ proto: WireProtocol, flatAllowedOnRESP3: Bool, _ library: String
    ) throws -> [(String, RESPReply)] {
        if proto == .resp2 {
            try requireRESP2Types(reply, library)
        }
        switch reply {
        case .map(let pairs) where proto == .resp3:
            return try pairs.map { (try text($0.key, "a key of \(what)", library), $0.value) }
        case .array(let items) where proto == .resp2 || flatAllowedOnRESP3:
            guard items.count % 2 == 0 else {
                throw ClientRejection(library, "\(what) has an odd number (\(items.count)) of elements")
            }
            return try stride(from: 0, to: items.count, by: 2).map {
                (try text(items[$0], "a key of \(what)", library), items[$0 + 1])
            }
        default:
            throw ClientRejection(library, "\(what) on \(proto) is \(reply), not a \(proto == .resp3 ? "map" : "flat key/value array")")
        }
    }

    /// A record whose every value is text (what `Map<String, String>` builders produce), or
    /// also an integer with `integersAllowed` (JavaScript objects of typed values).
    static func stringRecord(
        _ reply: RESPReply, _ what: String, _ proto: WireProtocol, flatAllowedOnRESP3: Bool, integersAllowed: Bool = false,
        _ library: String
    ) throws -> [String: String] {
        var record: [String: String] = [:]
        for (key, value) in try pairs(reply, what, proto, flatAllowedOnRESP3: flatAllowedOnRESP3, library) {
            let field = "\(what) field \(key)"
            record[key] = integersAllowed ? try textOrInteger(value, field, library) : try text(value, field, library)
        }
        return record
    }

    /// `record[key]`, or a rejection naming the missing field.
    static func field(_ record: [String: String], _ key: String, _ what: String, _ library: String) throws -> String {
        guard let value = record[key] else {
            throw ClientRejection(library, "\(what) has no \(key) field: \(record.keys.sorted())")
        }
        return value
    }

    /// The `ip` and `port` fields of a record.
    static func address(_ record: [String: String], _ what: String, _ library: String) throws -> ClientAddress {
        let host = try field(record, "ip", what, library)
        return ClientAddress(host: host, port: try port(try field(record, "port", what, library), "\(what) port", library))
    }

    /// A pub/sub frame's elements: a RESP3 push when `pushRequired` (the library routes only
    /// push frames to its pub/sub handler), else a push or an array.
    static func pubSub(_ reply: RESPReply, _ proto: WireProtocol, pushRequired: Bool, _ library: String) throws -> [RESPReply] {
        switch reply {
        case .push(let items) where proto == .resp3:
            return items
        case .array(let items) where proto == .resp2 || !pushRequired:
            if proto == .resp2 {
                try requireRESP2Types(reply, library)
            }
            return items
        default:
            throw ClientRejection(library, "pub/sub frame on \(proto) is \(reply)")
        }
    }
}
