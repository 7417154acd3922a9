//===----------------------------------------------------------------------===//
// swift-sentinel — RESP2/RESP3 decoder
//===----------------------------------------------------------------------===//

import NIOCore

/// Decodes RESP frames from a byte stream, one whole value at a time.
///
/// - `.request` reads what a Redis server accepts from clients: multibulks of bulk strings and
///   inline commands, with Redis's error texts.
/// - `.reply` reads what a client reads from a server: every RESP2 and RESP3 type. Attributes
///   (`|`) are parsed and dropped; streamed types (`$?`, `*?`, ...) are rejected.
///
/// The decoder never consumes part of a frame: until a whole value is buffered it returns `nil`
/// and leaves the reader index alone. It remembers how far it got, so a large frame that arrives
/// in many reads is parsed once, not once per read; for that it must be fed one stream
/// (as `ByteToMessageHandler` does). Malformed input throws ``RESPProtocolError``.
///
/// String payloads become `String`s; bytes that are not valid UTF-8 become U+FFFD.
package struct RESPDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    package typealias InboundOut = RESPValue

    /// Which side of the protocol is read.
    package enum Mode: Hashable, Sendable {
        /// Client-to-server: multibulk of bulk strings, or inline commands.
        case request
        /// Server-to-client: any RESP2/RESP3 value.
        case reply
    }

    /// The side of the protocol this decoder reads.
    package let mode: Mode
    /// The bounds enforced while decoding.
    package let limits: RESPLimits
    /// Work done on the frame at the reader index that is not yet complete.
    private var progress = Progress()

    /// Creates a decoder for `mode` enforcing `limits`.
    package init(mode: Mode = .reply, limits: RESPLimits = .init()) {
        self.mode = mode
        self.limits = limits
    }

    /// Decodes the next whole value, or returns `nil` (buffer untouched) if it is not all here.
    ///
    /// In request mode, empty inline lines and `*0`/`*-1` multibulks are consumed and skipped.
    package mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        switch try nextOutcome(buffer: &buffer) {
        case .value(let value, _): return value
        case .words(let words, _): return .array(words.map { .bulkString($0) })
        case .needMoreData, .skip, nil: return nil
        }
    }

    /// Request mode: the next whole request as its words (what ``decode(buffer:)`` returns as an
    /// array of bulk strings), without building the `RESPValue`; `nil` (buffer untouched) if it
    /// is not all here. Same parsing, skipping and errors as ``decode(buffer:)``.
    package mutating func decodeWords(buffer: inout ByteBuffer) throws -> [String]? {
        precondition(self.mode == .request, "decodeWords reads requests")
        switch try nextOutcome(buffer: &buffer) {
        case .words(let words, _): return words
        // Not produced in request mode; kept total.
        case .value(let value, _): return value.elements?.map { $0.string ?? "" } ?? []
        case .needMoreData, .skip, nil: return nil
        }
    }

    /// Steps over skipped input until a whole value or request is read (consumed from `buffer`
    /// and returned) or more data is needed (`nil`, buffer untouched).
    @inline(__always)
    private mutating func nextOutcome(buffer: inout ByteBuffer) throws -> Outcome? {
        while true {
            if self.progress.offset > buffer.readableBytes || self.progress.scanResume > buffer.readableBytes {
                // Not the stream we were fed before: start over rather than index past the end.
                self.progress = Progress()
            }
            let outcome: Outcome
            do {
                outcome = try buffer.withUnsafeReadableBytes { bytes in
                    switch self.mode {
                    case .reply: return try self.stepReply(bytes)
                    case .request: return try self.stepRequest(bytes)
                    }
                }
            } catch {
                self.progress = Progress()
                throw error
            }
            switch outcome {
            case .needMoreData:
                return nil
            case .skip(let consumed):
                buffer.moveReaderIndex(forwardBy: consumed)
                self.progress = Progress()
            case .value(_, let consumed), .words(_, let consumed):
                buffer.moveReaderIndex(forwardBy: consumed)
                self.progress = Progress()
                return outcome
            }
        }
    }

    /// At end of stream, decodes whatever whole values remain.
    package mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try self.decode(buffer: &buffer)
    }
}

// MARK: - Parse state

extension RESPDecoder {
    private enum Outcome {
        case needMoreData
        /// Bytes that form no value (empty inline line, `*0`); consume and go on.
        case skip(consumed: Int)
        case value(RESPValue, consumed: Int)
        /// A request (request mode): its words, not yet wrapped as a `RESPValue`.
        case words([String], consumed: Int)
    }

    private enum AggregateKind: Sendable {
        case array, map, set, push, attribute

        func make(_ elements: [RESPValue]) -> RESPValue {
            switch self {
            case .array: return .array(elements)
            case .map: return .map(elements)
            case .set: return .set(elements)
            case .push: return .push(elements)
            case .attribute: return .array(elements)  // never surfaced
            }
        }
    }

    /// An aggregate whose elements are still arriving.
    private struct Partial: Sendable {
        var kind: AggregateKind
        var remaining: Int
        var elements: [RESPValue]
    }

    /// How far into the incomplete frame at the reader index the decoder has got.
    /// All positions are relative to the reader index.
    private struct Progress: Sendable {
        /// Bytes of this frame already turned into the values held in `stack`.
        var offset = 0
        /// Open aggregates, outermost first.
        var stack: [Partial] = []
        /// Request mode: the words of the multibulk in progress (its count is in `stack[0]`).
        var words: [String] = []
        /// A line search begun at `scanLineStart` found no terminator before `scanResume`.
        var scanLineStart = -1
        var scanResume = 0
    }
}

// MARK: - Byte constants

private let cr: UInt8 = 0x0D
private let lf: UInt8 = 0x0A

private enum Byte {
    static let plus = UInt8(ascii: "+")
    static let minus = UInt8(ascii: "-")
    static let colon = UInt8(ascii: ":")
    static let dollar = UInt8(ascii: "$")
    static let star = UInt8(ascii: "*")
    static let underscore = UInt8(ascii: "_")
    static let comma = UInt8(ascii: ",")
    static let hash = UInt8(ascii: "#")
    static let lparen = UInt8(ascii: "(")
    static let equals = UInt8(ascii: "=")
    static let percent = UInt8(ascii: "%")
    static let tilde = UInt8(ascii: "~")
    static let greater = UInt8(ascii: ">")
    static let bang = UInt8(ascii: "!")
    static let pipe = UInt8(ascii: "|")
    static let question = UInt8(ascii: "?")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
}

/// Longest decimal text of an `Int` (`-9223372036854775808`).
private let maxIntegerLineLength = 20

// MARK: - Reply mode

extension RESPDecoder {
    private enum Item {
        case needMoreData
        case value(RESPValue, next: Int)
        case aggregate(AggregateKind, count: Int, next: Int)
    }

    private mutating func stepReply(_ p: UnsafeRawBufferPointer) throws -> Outcome {
        var pos = self.progress.offset
        parsing: while true {
            var value: RESPValue
            switch try self.replyItem(p, at: pos) {
            case .needMoreData:
                self.progress.offset = pos
                return .needMoreData
            case .value(let v, let next):
                pos = next
                value = v
            case .aggregate(let kind, let count, let next):
                pos = next
                guard self.progress.stack.count < self.limits.maxDepth else {
                    throw RESPProtocolError.nestingTooDeep
                }
                if count > 0 {
                    let partial = Partial(kind: kind, remaining: count, elements: [])
                    self.progress.stack.append(partial)
                    self.progress.stack[self.progress.stack.count - 1].elements.reserveCapacity(min(count, 64))
                    continue parsing
                }
                if kind == .attribute {
                    continue parsing  // empty attribute: the value it decorates follows
                }
                value = kind.make([])
            }
            // A value is complete: hand it to the innermost open aggregate, closing any that fill up.
            while true {
                let top = self.progress.stack.count - 1
                guard top >= 0 else {
                    return .value(value, consumed: pos)
                }
                self.progress.stack[top].elements.append(value)
                self.progress.stack[top].remaining -= 1
                if self.progress.stack[top].remaining > 0 {
                    continue parsing
                }
                let done = self.progress.stack.removeLast()
                if done.kind == .attribute {
                    continue parsing  // dropped; the next value takes its place
                }
                value = done.kind.make(done.elements)
            }
        }
    }

    /// Parses the scalar or aggregate header starting at `pos`.
    private mutating func replyItem(_ p: UnsafeRawBufferPointer, at pos: Int) throws -> Item {
        guard pos < p.count else { return .needMoreData }
        let type = p[pos]
        switch type {
        case Byte.plus, Byte.minus, Byte.comma, Byte.hash, Byte.lparen, Byte.underscore, Byte.colon:
            let cap = type == Byte.colon ? maxIntegerLineLength : self.limits.maxBulkLength
            let tooLong = type == Byte.colon ? RESPProtocolError.invalidInteger : .tooBigReplyLine
            guard let end = try self.findCRLF(p, lineStart: pos + 1, cap: cap, tooLong: tooLong) else {
                return .needMoreData
            }
            let line = UnsafeRawBufferPointer(rebasing: p[(pos + 1)..<end])
            return .value(try Self.lineValue(type: type, line: line), next: end + 2)

        case Byte.dollar, Byte.bang, Byte.equals:
            guard
                let end = try self.findCRLF(
                    p,
                    lineStart: pos + 1,
                    cap: maxIntegerLineLength,
                    tooLong: .invalidBulkLength
                )
            else {
                return .needMoreData
            }
            if end - pos == 2 && p[pos + 1] == Byte.question {
                throw RESPProtocolError.streamedTypeUnsupported
            }
            guard let length = Self.parseInteger(p, from: pos + 1, to: end) else {
                throw RESPProtocolError.invalidBulkLength
            }
            if length == -1 && type == Byte.dollar {
                return .value(.null, next: end + 2)
            }
            guard length >= 0, length <= self.limits.maxBulkLength else {
                throw RESPProtocolError.invalidBulkLength
            }
            let dataStart = end + 2
            let (dataEnd, o1) = dataStart.addingReportingOverflow(length)
            let (frameEnd, o2) = dataEnd.addingReportingOverflow(2)
            guard !o1, !o2 else { throw RESPProtocolError.invalidBulkLength }
            guard frameEnd <= p.count else { return .needMoreData }
            guard p[dataEnd] == cr, p[dataEnd + 1] == lf else {
                throw RESPProtocolError.missingBulkTerminator
            }
            let data = UnsafeRawBufferPointer(rebasing: p[dataStart..<dataEnd])
            switch type {
            case Byte.dollar:
                return .value(.bulkString(String(decoding: data, as: UTF8.self)), next: frameEnd)
            case Byte.bang:
                return .value(.error(String(decoding: data, as: UTF8.self)), next: frameEnd)
            default:
                guard data.count >= 4, data[3] == Byte.colon else {
                    throw RESPProtocolError.invalidVerbatimString
                }
                let format = String(decoding: UnsafeRawBufferPointer(rebasing: data[0..<3]), as: UTF8.self)
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: data[4...]), as: UTF8.self)
                return .value(.verbatimString(format: format, text: text), next: frameEnd)
            }

        case Byte.star, Byte.percent, Byte.tilde, Byte.greater, Byte.pipe:
            guard
                let end = try self.findCRLF(
                    p,
                    lineStart: pos + 1,
                    cap: maxIntegerLineLength,
                    tooLong: .invalidMultibulkLength
                )
            else {
                return .needMoreData
            }
            if end - pos == 2 && p[pos + 1] == Byte.question {
                throw RESPProtocolError.streamedTypeUnsupported
            }
            guard let count = Self.parseInteger(p, from: pos + 1, to: end) else {
                throw RESPProtocolError.invalidMultibulkLength
            }
            if count == -1 && type == Byte.star {
                return .value(.nullArray, next: end + 2)
            }
            guard count >= 0 else { throw RESPProtocolError.invalidMultibulkLength }
            let kind: AggregateKind
            switch type {
            case Byte.star: kind = .array
            case Byte.percent: kind = .map
            case Byte.tilde: kind = .set
            case Byte.greater: kind = .push
            default: kind = .attribute
            }
            var elements = count
            if kind == .map || kind == .attribute {
                let (doubled, overflow) = count.multipliedReportingOverflow(by: 2)
                guard !overflow else { throw RESPProtocolError.invalidMultibulkLength }
                elements = doubled
            }
            guard elements <= self.limits.maxMultibulkLength else {
                throw RESPProtocolError.invalidMultibulkLength
            }
            return .aggregate(kind, count: elements, next: end + 2)

        default:
            throw RESPProtocolError.invalidTypeByte(type)
        }
    }

    /// The value of a one-line type (`+ - : _ , # (`) whose text is `line`.
    private static func lineValue(type: UInt8, line: UnsafeRawBufferPointer) throws -> RESPValue {
        switch type {
        case Byte.plus:
            return .simpleString(String(decoding: line, as: UTF8.self))
        case Byte.minus:
            return .error(String(decoding: line, as: UTF8.self))
        case Byte.colon:
            guard let n = parseInteger(line, from: 0, to: line.count) else {
                throw RESPProtocolError.invalidInteger
            }
            return .integer(n)
        case Byte.underscore:
            guard line.isEmpty else { throw RESPProtocolError.invalidNull }
            return .null
        case Byte.hash:
            guard line.count == 1 else { throw RESPProtocolError.invalidBoolean }
            switch line[0] {
            case UInt8(ascii: "t"): return .boolean(true)
            case UInt8(ascii: "f"): return .boolean(false)
            default: throw RESPProtocolError.invalidBoolean
            }
        case Byte.comma:
            guard let d = parseDouble(line) else { throw RESPProtocolError.invalidDouble }
            return .double(d)
        default:  // Byte.lparen
            guard isBigNumber(line) else { throw RESPProtocolError.invalidBigNumber }
            return .bigNumber(String(decoding: line, as: UTF8.self))
        }
    }

    /// Finds the CRLF ending the line that starts at `lineStart`; `nil` if it has not arrived.
    ///
    /// Throws `tooLong` if the line's text is (or must be) longer than `cap`, whatever the
    /// chunking. Remembers how far it searched so the next call resumes there.
    private mutating func findCRLF(
        _ p: UnsafeRawBufferPointer,
        lineStart: Int,
        cap: Int,
        tooLong: RESPProtocolError
    ) throws -> Int? {
        var i = lineStart
        if self.progress.scanLineStart == lineStart {
            i = max(i, self.progress.scanResume)
        }
        let n = p.count
        while i < n {
            guard let found = p[i..<n].firstIndex(of: cr) else {
                i = n
                break
            }
            if found + 1 >= n {
                i = found  // CR is the last byte; its LF may be next
                break
            }
            if p[found + 1] == lf {
                if found - lineStart > cap { throw tooLong }
                return found
            }
            i = found + 1
        }
        // No CRLF starts before `i`, so the line's text is at least `i - lineStart` long.
        if i - lineStart > cap { throw tooLong }
        self.progress.scanLineStart = lineStart
        self.progress.scanResume = i
        return nil
    }

    /// Parses a double as RESP3 writes it: decimal or exponent notation, `inf`, `-inf`, `nan`.
    private static func parseDouble(_ line: UnsafeRawBufferPointer) -> Double? {
        guard !line.isEmpty, line.count <= 512 else { return nil }
        // Swift's parser also takes hex floats and surrounding junk-free words; keep to decimal.
        for byte in line {
            switch byte {
            case Byte.zero...Byte.nine, UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "i"), UInt8(ascii: "n"),
                UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "t"), UInt8(ascii: "y"),
                UInt8(ascii: "I"), UInt8(ascii: "N"), UInt8(ascii: "F"), UInt8(ascii: "A"):
                continue
            default:
                return nil
            }
        }
        return Double(String(decoding: line, as: UTF8.self))
    }

    /// `-?[0-9]+`
    private static func isBigNumber(_ line: UnsafeRawBufferPointer) -> Bool {
        var digits = line[...]
        if digits.first == Byte.minus { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0 >= Byte.zero && $0 <= Byte.nine }
    }

    /// Strict decimal `Int` parsing as Redis does it: optional `-`, no `+`, no spaces, no leading
    /// zeros (`0` alone is fine, `-0` is not), and no overflow.
    static func parseInteger(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if p[i] == Byte.minus {
            negative = true
            i += 1
            guard i < end else { return nil }
        }
        if p[i] == Byte.zero {
            return (!negative && end - i == 1) ? 0 : nil
        }
        var magnitude: UInt64 = 0
        while i < end {
            let byte = p[i]
            guard byte >= Byte.zero, byte <= Byte.nine else { return nil }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - Byte.zero))
            guard !o1, !o2 else { return nil }
            magnitude = sum
            i += 1
        }
        if negative {
            if magnitude == UInt64(Int.max) + 1 { return Int.min }
            guard magnitude <= UInt64(Int.max) else { return nil }
            return -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { return nil }
        return Int(magnitude)
    }
}

// MARK: - Request mode

extension RESPDecoder {
    private mutating func stepRequest(_ p: UnsafeRawBufferPointer) throws -> Outcome {
        var pos = self.progress.offset
        let n = p.count
        if self.progress.stack.isEmpty {
            guard pos < n else { return .needMoreData }
            if p[pos] == Byte.star {
                guard
                    let crAt = try self.findRequestCR(p, lineStart: pos, tooLong: .tooBigMultibulkCountString)
                else {
                    return .needMoreData
                }
                guard
                    let count = Self.parseInteger(p, from: pos + 1, to: crAt),
                    count <= self.limits.maxMultibulkLength
                else {
                    throw RESPProtocolError.invalidMultibulkLength
                }
                pos = crAt + 2
                if count <= 0 {
                    return .skip(consumed: pos)  // Redis ignores empty and negative multibulks
                }
                self.progress.stack.append(Partial(kind: .array, remaining: count, elements: []))
                self.progress.words.reserveCapacity(min(count, 64))
                self.progress.offset = pos
            } else {
                return try self.inlineCommand(p, at: pos)
            }
        }
        // Bulk strings of a multibulk.
        while self.progress.stack[0].remaining > 0 {
            guard pos < n else {
                self.progress.offset = pos
                return .needMoreData
            }
            guard let crAt = try self.findRequestCR(p, lineStart: pos, tooLong: .tooBigBulkCountString) else {
                self.progress.offset = pos
                return .needMoreData
            }
            guard p[pos] == Byte.dollar else {
                throw RESPProtocolError.expectedDollar(got: p[pos])
            }
            guard
                let length = Self.parseInteger(p, from: pos + 1, to: crAt),
                length >= 0,
                length <= self.limits.maxBulkLength
            else {
                throw RESPProtocolError.invalidBulkLength
            }
            let dataStart = crAt + 2
            let (dataEnd, o1) = dataStart.addingReportingOverflow(length)
            let (frameEnd, o2) = dataEnd.addingReportingOverflow(2)
            guard !o1, !o2 else { throw RESPProtocolError.invalidBulkLength }
            guard frameEnd <= n else {
                self.progress.offset = pos
                return .needMoreData
            }
            // Like Redis, the two bytes after the payload are skipped unchecked.
            let data = UnsafeRawBufferPointer(rebasing: p[dataStart..<dataEnd])
            self.progress.words.append(String(decoding: data, as: UTF8.self))
            self.progress.stack[0].remaining -= 1
            pos = frameEnd
        }
        return .words(self.progress.words, consumed: pos)
    }

    /// Finds the CR ending a `*N`/`$N` request line begun at `lineStart` (which holds the type
    /// byte); `nil` until the CR and the byte after it (taken to be LF) have arrived.
    ///
    /// Throws `tooLong` if the line, type byte included, is (or must be) longer than the limit.
    private mutating func findRequestCR(
        _ p: UnsafeRawBufferPointer,
        lineStart: Int,
        tooLong: RESPProtocolError
    ) throws -> Int? {
        let cap = self.limits.maxInlineLength
        var i = lineStart
        if self.progress.scanLineStart == lineStart {
            i = max(i, self.progress.scanResume)
        }
        let n = p.count
        if let found = p[i..<n].firstIndex(of: cr) {
            if found - lineStart > cap { throw tooLong }
            if found + 1 < n { return found }
            i = found
        } else {
            i = n
            if n - lineStart > cap { throw tooLong }
        }
        self.progress.scanLineStart = lineStart
        self.progress.scanResume = i
        return nil
    }

    /// An inline command: one line ending in LF (a CR before it is dropped), split into words.
    private mutating func inlineCommand(_ p: UnsafeRawBufferPointer, at pos: Int) throws -> Outcome {
        let cap = self.limits.maxInlineLength
        var i = pos
        if self.progress.scanLineStart == pos {
            i = max(i, self.progress.scanResume)
        }
        let n = p.count
        guard let lfAt = p[i..<n].firstIndex(of: lf) else {
            if n - pos > cap { throw RESPProtocolError.tooBigInlineRequest }
            self.progress.scanLineStart = pos
            self.progress.scanResume = n
            return .needMoreData
        }
        if lfAt - pos > cap { throw RESPProtocolError.tooBigInlineRequest }
        var end = lfAt
        if end > pos && p[end - 1] == cr { end -= 1 }
        let words = try Self.splitArguments(UnsafeRawBufferPointer(rebasing: p[pos..<end]))
        if words.isEmpty {
            return .skip(consumed: lfAt + 1)
        }
        return .words(words, consumed: lfAt + 1)
    }

    /// Splits an inline command line into words the way `redis-cli` and the Redis server do
    /// (see ``ArgumentSplitter/split(_:)``).
    package static func splitArguments(_ line: UnsafeRawBufferPointer) throws -> [String] {
        guard let words = ArgumentSplitter.split(line) else { throw RESPProtocolError.unbalancedQuotes }
        return words.map { String(decoding: $0, as: UTF8.self) }
    }
}
