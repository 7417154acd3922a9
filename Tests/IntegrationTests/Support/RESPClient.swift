import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reply as it arrived on the wire. Every RESP2 and RESP3 type is kept distinct, so that the
/// tests can tell a simple string from a bulk string, a RESP2 null bulk from a null array
/// and from the RESP3 null, and a flat key/value array from a map.
indirect enum RESPReply: Equatable, Sendable {
    struct Pair: Equatable, Sendable {
        let key: RESPReply
        let value: RESPReply
    }

    case simpleString(String)  // +
    case simpleError(String)  // -
    case integer(Int64)  // :
    case bulkString(String)  // $
    case nullBulkString  // $-1
    case array([RESPReply])  // *
    case nullArray  // *-1
    case null  // _
    case double(String)  // , (raw text)
    case boolean(Bool)  // #
    case bigNumber(String)  // (
    case bulkError(String)  // !
    case verbatim(format: String, text: String)  // =
    case map([Pair])  // %
    case set([RESPReply])  // ~
    case push([RESPReply])  // >
    case attributed([Pair], RESPReply)  // | followed by the value it annotates

    /// The text of a simple string, bulk string or verbatim string.
    var string: String? {
        switch self {
        case .simpleString(let text), .bulkString(let text): text
        case .verbatim(_, let text): text
        default: nil
        }
    }

    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var elements: [RESPReply]? {
        switch self {
        case .array(let items), .set(let items), .push(let items): items
        default: nil
        }
    }

    var isError: Bool {
        switch self {
        case .simpleError, .bulkError: true
        default: false
        }
    }

    var errorText: String? {
        switch self {
        case .simpleError(let text), .bulkError(let text): text
        default: nil
        }
    }

    var isNull: Bool {
        switch self {
        case .null, .nullArray, .nullBulkString: true
        default: false
        }
    }

    /// A record (`SENTINEL MASTER` and friends) as ordered name/value pairs: a RESP3 map, or a
    /// RESP2 flat array of alternating names and values. Nil for anything else.
    var recordFields: [(String, RESPReply)]? {
        switch self {
        case .map(let pairs):
            var fields: [(String, RESPReply)] = []
            for pair in pairs {
                guard let key = pair.key.string else { return nil }
                fields.append((key, pair.value))
            }
            return fields
        case .array(let items) where items.count % 2 == 0:
            var fields: [(String, RESPReply)] = []
            var index = 0
            while index < items.count {
                guard let key = items[index].string else { return nil }
                fields.append((key, items[index + 1]))
                index += 2
            }
            return fields
        default:
            return nil
        }
    }

    /// `recordFields` with string values, as a dictionary (last value wins).
    var record: [String: String]? {
        guard let fields = recordFields else { return nil }
        var result: [String: String] = [:]
        for (key, value) in fields {
            if let text = value.string {
                result[key] = text
            } else if let number = value.integer {
                result[key] = String(number)
            }
        }
        return result
    }
}

extension RESPReply: CustomStringConvertible {
    var description: String {
        switch self {
        case .simpleString(let text): "+\(text.debugDescription)"
        case .simpleError(let text): "-\(text.debugDescription)"
        case .integer(let value): ":\(value)"
        case .bulkString(let text): "$\(text.debugDescription)"
        case .nullBulkString: "$-1"
        case .array(let items): "[\(items.map(\.description).joined(separator: ", "))]"
        case .nullArray: "*-1"
        case .null: "_"
        case .double(let text): ",\(text)"
        case .boolean(let value): value ? "#t" : "#f"
        case .bigNumber(let text): "(\(text)"
        case .bulkError(let text): "!\(text.debugDescription)"
        case .verbatim(let format, let text): "=\(format):\(text.debugDescription)"
        case .map(let pairs): "%{\(pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", "))}"
        case .set(let items): "~{\(items.map(\.description).joined(separator: ", "))}"
        case .push(let items): ">[\(items.map(\.description).joined(separator: ", "))]"
        case .attributed(let pairs, let value):
            "|{\(pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", "))} \(value)"
        }
    }
}

private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

/// A minimal blocking RESP client over a plain socket to 127.0.0.1. Each call sends one command
/// as an array of bulk strings and reads one reply. Enough for tests; not for production.
final class RESPClient {
    let port: UInt16
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var readIndex = 0

    /// `auth`: the arguments of an `AUTH` sent right after connecting (`[password]` or
    /// `[user, password]`); anything but `+OK` closes the connection and throws.
    init(port: UInt16, timeout: Duration = .seconds(5), auth: [String]? = nil) throws {
        self.port = port
        fd = try connectToLoopback(port: port, timeout: timeout)
        if let auth {
            let reply = try send(["AUTH"] + auth)
            guard reply == .simpleString("OK") else {
                close()
                throw HarnessError("AUTH on port \(port) answered \(reply)")
            }
        }
    }

    deinit {
        close()
    }

    func close() {
        if fd >= 0 {
            closeDescriptor(fd)
            fd = -1
        }
    }

    /// Sends a command and reads its reply. Server errors come back as `.simpleError`, not as
    /// a thrown error; I/O and protocol problems throw.
    @discardableResult
    func send(_ arguments: [String]) throws -> RESPReply {
        try write(Self.encode(arguments))
        return try readReply()
    }

    @discardableResult
    func send(_ arguments: String...) throws -> RESPReply {
        try send(arguments)
    }

    /// Sends every command in one write before reading any reply, as pipelining clients do
    /// (Jedis's fire-and-forget `CLIENT SETINFO` batch, node-redis's handshake, Lettuce's
    /// `zipWith`), then reads one reply per command, in order. Server errors are replies.
    func pipeline(_ commands: [[String]]) throws -> [RESPReply] {
        try write(commands.flatMap { Self.encode($0) })
        return try commands.map { _ in try readReply() }
    }

    /// Sends a command without reading its reply: for a connection whose replies are read by
    /// another thread (a subscribed RESP3 connection that also carries commands).
    func sendWithoutReading(_ arguments: [String]) throws {
        try write(Self.encode(arguments))
    }

    static func encode(_ arguments: [String]) -> [UInt8] {
        var out = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            let bytes = Array(argument.utf8)
            out += Array("$\(bytes.count)\r\n".utf8)
            out += bytes
            out += [13, 10]
        }
        return out
    }

    private func write(_ bytes: [UInt8]) throws {
        guard fd >= 0 else { throw HarnessError("connection to port \(port) is closed") }
        try sendAll(fd: fd, bytes, port: port)
    }

    private func fill() throws {
        guard fd >= 0 else { throw HarnessError("connection to port \(port) is closed") }
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { raw in
                recv(fd, raw.baseAddress, raw.count, 0)
            }
            if count > 0 {
                buffer += chunk[0..<count]
                return
            }
            if count == 0 {
                throw HarnessError("port \(port) closed the connection")
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw HarnessError("timed out reading from port \(port)")
            }
            throw HarnessError("read from port \(port) failed: \(String(cString: strerror(errno)))")
        }
    }

    private func readLine() throws -> String {
        while true {
            if let end = findCRLF() {
                let line = String(decoding: buffer[readIndex..<end], as: UTF8.self)
                readIndex = end + 2
                return line
            }
            try fill()
        }
    }

    private func findCRLF() -> Int? {
        var index = readIndex
        while index + 1 < buffer.count {
            if buffer[index] == 13 && buffer[index + 1] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    private func readBytes(_ count: Int) throws -> String {
        while buffer.count - readIndex < count + 2 {
            try fill()
        }
        let text = String(decoding: buffer[readIndex..<(readIndex + count)], as: UTF8.self)
        guard buffer[readIndex + count] == 13, buffer[readIndex + count + 1] == 10 else {
            throw HarnessError("bulk payload from port \(port) is not followed by CRLF")
        }
        readIndex += count + 2
        return text
    }

    private func length(_ text: Substring) throws -> Int {
        guard let value = Int(text) else {
            throw HarnessError("bad length \(text.debugDescription) from port \(port)")
        }
        return value
    }

    /// Whether a reply can be read without blocking for more than `timeout`: bytes are buffered
    /// already, or the socket becomes readable (data or end of stream) within `timeout`. Lets a
    /// pub/sub reader wake up regularly without a receive timeout cutting a reply in half.
    func waitForData(timeout: Duration) throws -> Bool {
        guard fd >= 0 else { throw HarnessError("connection to port \(port) is closed") }
        if readIndex < buffer.count {
            return true
        }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(max(0, timeout.milliseconds.rounded()))
        while true {
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 {
                return true
            }
            if ready == 0 {
                return false
            }
            if errno == EINTR { continue }
            throw HarnessError("poll on port \(port) failed: \(String(cString: strerror(errno)))")
        }
    }

    func readReply() throws -> RESPReply {
        let line = try readLine()
        guard let kind = line.first else {
            throw HarnessError("empty line from port \(port)")
        }
        let body = line.dropFirst()
        switch kind {
        case "+": return .simpleString(String(body))
        case "-": return .simpleError(String(body))
        case ":":
            guard let value = Int64(body) else { throw HarnessError("bad integer \(body) from port \(port)") }
            return .integer(value)
        case "$":
            let count = try length(body)
            return count < 0 ? .nullBulkString : .bulkString(try readBytes(count))
        case "*":
            let count = try length(body)
            if count < 0 { return .nullArray }
            return .array(try (0..<count).map { _ in try readReply() })
        case "_": return .null
        case ",": return .double(String(body))
        case "#": return .boolean(body == "t")
        case "(": return .bigNumber(String(body))
        case "!": return .bulkError(try readBytes(try length(body)))
        case "=":
            let text = try readBytes(try length(body))
            let format = String(text.prefix(3))
            return .verbatim(format: format, text: String(text.dropFirst(4)))
        case "%":
            let count = try length(body)
            return .map(try (0..<count).map { _ in RESPReply.Pair(key: try readReply(), value: try readReply()) })
        case "~":
            return .set(try (0..<(try length(body))).map { _ in try readReply() })
        case ">":
            return .push(try (0..<(try length(body))).map { _ in try readReply() })
        case "|":
            let count = try length(body)
            let pairs = try (0..<count).map { _ in RESPReply.Pair(key: try readReply(), value: try readReply()) }
            return .attributed(pairs, try readReply())
        default:
            throw HarnessError("unknown RESP type byte \(kind.debugDescription) from port \(port): \(line.debugDescription)")
        }
    }
}
