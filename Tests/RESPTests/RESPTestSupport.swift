//===----------------------------------------------------------------------===//
// swift-sentinel — helpers shared by the RESP tests
//===----------------------------------------------------------------------===//

import NIOCore
import RESP
import Testing

/// Bytes on the wire, shown with CR, LF and other control bytes escaped in test names.
struct Wire: Sendable, CustomTestStringConvertible, ExpressibleByStringLiteral {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ string: String) { self.bytes = Array(string.utf8) }
    init(stringLiteral value: String) { self.init(value) }

    var testDescription: String { escaped(self.bytes) }
}

/// `bytes` as printable ASCII with `\r`, `\n`, `\t` and `\xHH` escapes.
func escaped(_ bytes: [UInt8]) -> String {
    var out = ""
    for byte in bytes {
        switch byte {
        case 0x0D: out += "\\r"
        case 0x0A: out += "\\n"
        case 0x09: out += "\\t"
        case 0x5C: out += "\\\\"
        case 0x20..<0x7F: out.unicodeScalars.append(UnicodeScalar(byte))
        default:
            let hex = String(byte, radix: 16)
            out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}

/// An input and the values it decodes to.
struct DecodeCase: Sendable, CustomTestStringConvertible {
    var input: Wire
    var expected: [RESPValue]

    init(_ input: Wire, _ expected: RESPValue...) {
        self.input = input
        self.expected = expected
    }

    var testDescription: String { self.input.testDescription }
}

/// An input and the protocol error it must raise.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var input: Wire
    var error: RESPProtocolError
    var limits: RESPLimits

    init(_ input: Wire, _ error: RESPProtocolError, limits: RESPLimits = .init()) {
        self.input = input
        self.error = error
        self.limits = limits
    }

    var testDescription: String { "\(self.input.testDescription) -> \(self.error.message)" }
}

/// The result of feeding some bytes to a fresh decoder until it wants more.
struct DecodeRun {
    var values: [RESPValue] = []
    var error: RESPProtocolError?
    /// Bytes left unconsumed.
    var leftover = 0
}

/// Feeds `bytes` to a fresh decoder in one buffer and decodes until it needs more data or throws.
func decodeAll(
    _ bytes: [UInt8],
    mode: RESPDecoder.Mode,
    limits: RESPLimits = .init()
) -> DecodeRun {
    var decoder = RESPDecoder(mode: mode, limits: limits)
    var buffer = ByteBuffer(bytes: bytes)
    var run = DecodeRun()
    do {
        while let value = try decoder.decode(buffer: &buffer) {
            run.values.append(value)
        }
    } catch let error as RESPProtocolError {
        run.error = error
    } catch {
        Issue.record("unexpected error type \(error)")
    }
    run.leftover = buffer.readableBytes
    return run
}

/// Feeds `bytes` to one decoder in the given chunk sizes (cycled), as a channel would.
func decodeChunked(
    _ bytes: [UInt8],
    chunkSizes: [Int],
    mode: RESPDecoder.Mode,
    limits: RESPLimits = .init(),
    compactEvery: Int = 7
) throws -> [RESPValue] {
    var decoder = RESPDecoder(mode: mode, limits: limits)
    var buffer = ByteBuffer()
    var values: [RESPValue] = []
    var start = 0
    var chunkIndex = 0
    while start < bytes.count {
        let size = max(1, chunkSizes[chunkIndex % chunkSizes.count])
        let end = min(bytes.count, start + size)
        buffer.writeBytes(bytes[start..<end])
        start = end
        chunkIndex += 1
        while let value = try decoder.decode(buffer: &buffer) {
            values.append(value)
        }
        if chunkIndex % compactEvery == 0 {
            buffer.discardReadBytes()  // moves the bytes; the decoder must not care
        }
    }
    #expect(buffer.readableBytes == 0)
    return values
}

/// Structural equality where NaN equals NaN.
func equivalent(_ a: RESPValue, _ b: RESPValue) -> Bool {
    switch (a, b) {
    case (.double(let x), .double(let y)):
        return x == y || (x.isNaN && y.isNaN)
    case (.array(let x), .array(let y)), (.map(let x), .map(let y)), (.set(let x), .set(let y)),
        (.push(let x), .push(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { equivalent($0, $1) }
    default:
        return a == b
    }
}

func equivalent(_ a: [RESPValue], _ b: [RESPValue]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { equivalent($0, $1) }
}

/// Whether a NaN is anywhere inside `value` (NaN != NaN, so such values fail `==`).
func containsNaN(_ value: RESPValue) -> Bool {
    switch value {
    case .double(let d): return d.isNaN
    case .array(let e), .map(let e), .set(let e), .push(let e): return e.contains(where: containsNaN)
    default: return false
    }
}

/// What a RESP2 reader gets back for `value` written as RESP2.
func downgradedToRESP2(_ value: RESPValue) -> RESPValue {
    switch value {
    case .array(let e), .map(let e), .set(let e), .push(let e):
        return .array(e.map(downgradedToRESP2))
    case .double(let d):
        return .bulkString(RESPValue.doubleText(d))
    case .boolean(let b):
        return .integer(b ? 1 : 0)
    case .bigNumber(let s):
        return .bulkString(s)
    case .verbatimString(_, let text):
        return .bulkString(text)
    default:
        return value
    }
}

/// What a RESP3 reader gets back for `value` written as RESP3 (`nullArray` is `_`, so `null`).
func normalizedForRESP3(_ value: RESPValue) -> RESPValue {
    switch value {
    case .nullArray: return .null
    case .array(let e): return .array(e.map(normalizedForRESP3))
    case .map(let e): return .map(e.map(normalizedForRESP3))
    case .set(let e): return .set(e.map(normalizedForRESP3))
    case .push(let e): return .push(e.map(normalizedForRESP3))
    default: return value
    }
}

// MARK: - Seeded randomness

/// A small, fast, seedable generator (SplitMix64) so fuzz tests are repeatable.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random values of every type, kept small so thousands fit in a fast test.
struct RESPValueGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { self.rng = SplitMix64(seed: seed) }

    /// Text that may hold CR, LF, quotes and non-ASCII characters.
    mutating func anyText(maxLength: Int = 12) -> String {
        let pieces = [
            "a", "b", "Z", "0", "9", " ", "\r", "\n", "\r\n", "\"", "'", "\\", "é", "✓", "🙂", ":", "$", "*", "\t", "\0",
        ]
        let n = Int.random(in: 0...maxLength, using: &self.rng)
        return (0..<n).map { _ in pieces.randomElement(using: &self.rng)! }.joined()
    }

    /// Text without CR or LF, as simple strings and errors carry.
    mutating func lineText(maxLength: Int = 12) -> String {
        String(self.anyText(maxLength: maxLength).filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" })
    }

    mutating func double() -> Double {
        switch Int.random(in: 0..<8, using: &self.rng) {
        case 0: return .infinity
        case 1: return -.infinity
        case 2: return .nan
        case 3: return Double(Int.random(in: -1_000_000...1_000_000, using: &self.rng))
        case 4: return Double(Int.random(in: -1000...1000, using: &self.rng)) / 8
        case 5: return Double(bitPattern: self.rng.next())  // anything, NaN and subnormals included
        default: return Double.random(in: -1e20...1e20, using: &self.rng)
        }
    }

    mutating func value(depth: Int = 0) -> RESPValue {
        let aggregate = depth < 4 && Int.random(in: 0..<3, using: &self.rng) == 0
        if aggregate {
            let count = Int.random(in: 0...4, using: &self.rng)
            let elements = (0..<count).map { _ in self.value(depth: depth + 1) }
            switch Int.random(in: 0..<4, using: &self.rng) {
            case 0: return .array(elements)
            case 1: return .set(elements)
            case 2: return .push(elements)
            default:
                return .map(elements + (count % 2 == 1 ? [self.value(depth: depth + 1)] : []))
            }
        }
        switch Int.random(in: 0..<12, using: &self.rng) {
        case 0: return .simpleString(self.lineText())
        case 1: return .error(self.lineText())
        case 2:
            let n: Int
            switch Int.random(in: 0..<3, using: &self.rng) {
            case 0: n = Int(bitPattern: UInt(self.rng.next()))
            case 1: n = [Int.min, Int.max, 0, -1][Int.random(in: 0..<4, using: &self.rng)]
            default: n = Int.random(in: -100...100, using: &self.rng)
            }
            return .integer(n)
        case 3, 4: return .bulkString(self.anyText(maxLength: 20))
        case 5: return .null
        case 6: return .nullArray
        case 7: return .double(self.double())
        case 8: return .boolean(Bool.random(using: &self.rng))
        case 9:
            let digits = (0..<Int.random(in: 1...40, using: &self.rng)).map { _ in
                String(Int.random(in: 0...9, using: &self.rng))
            }.joined()
            return .bigNumber((Bool.random(using: &self.rng) ? "-" : "") + digits)
        case 10:
            let format = ["txt", "mkd", "abc"][Int.random(in: 0..<3, using: &self.rng)]
            return .verbatimString(format: format, text: self.anyText())
        default: return .array([])
        }
    }

    /// A byte from an alphabet heavy in protocol characters.
    mutating func protocolByte() -> UInt8 {
        let alphabet = Array("+-:$*_,#(=%~>!|?\r\n\r\n0123456789-1 \"'\\xtfabc\0".utf8)
        if Int.random(in: 0..<8, using: &self.rng) == 0 {
            return UInt8.random(in: 0...255, using: &self.rng)
        }
        return alphabet.randomElement(using: &self.rng)!
    }
}
