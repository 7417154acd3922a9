//===----------------------------------------------------------------------===//
// swift-sentinel — RESP2/RESP3 encoder
//===----------------------------------------------------------------------===//

import NIOCore

extension ByteBuffer {
    /// Writes `value` in the wire form of `version`.
    ///
    /// RESP3 writes every type natively. RESP2 downgrades as Redis does: maps, sets and pushes
    /// become arrays of the same elements, `null` is `$-1`, `nullArray` is `*-1`, doubles and big
    /// numbers become bulk strings, booleans `:1`/`:0`, verbatim strings a bulk of their text.
    ///
    /// Simple strings, errors and big numbers cannot hold CR or LF; any there are written as
    /// spaces. A map with an odd number of elements is padded with a null so the stream stays
    /// parseable. A verbatim format that is not three bytes is written as `txt`.
    package mutating func writeRESPValue(_ value: RESPValue, version: RESPVersion) {
        // Two passes: the exact size first, then one reservation and raw stores, so a reply of
        // many fields costs one capacity check instead of several per field.
        let size = RESPWire.size(of: value, version: version)
        self.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            var writer = RESPWire.Writer(base: out.baseAddress!)
            writer.write(value, version: version)
            precondition(writer.offset == size, "RESP size pass and write pass disagree")
            return size
        }
    }
}

/// The two passes of ``NIOCore/ByteBuffer/writeRESPValue(_:version:)``: `size(of:version:)` counts
/// the bytes `Writer.write(_:version:)` then stores. Both follow the same cases, so they must be
/// changed together.
private enum RESPWire {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A

    /// Decimal digits of `n`, with its sign.
    @inline(__always)
    static func decimalLength(_ n: Int) -> Int {
        var magnitude = n.magnitude
        var count = n < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            count += 1
        }
        return count
    }

    /// `<prefix><n>\r\n`
    @inline(__always)
    static func headerSize(_ n: Int) -> Int { 3 + decimalLength(n) }

    /// `<prefix><len>\r\n<text>\r\n`
    @inline(__always)
    static func bulkSize(_ text: String) -> Int {
        let count = text.utf8.count
        return headerSize(count) + count + 2
    }

    static func size(of value: RESPValue, version: RESPVersion) -> Int {
        switch value {
        case .simpleString(let s), .error(let s):
            return s.utf8.count + 3
        case .integer(let n):
            return headerSize(n)
        case .bulkString(let s):
            return bulkSize(s)
        case .null, .nullArray:
            return version == .resp3 ? 3 : 5
        case .array(let elements), .set(let elements), .push(let elements):
            return aggregateSize(elements.count, elements, version: version)
        case .map(let elements):
            if version == .resp3 {
                return aggregateSize((elements.count + 1) / 2, elements, version: version)
                    + (elements.count % 2 == 1 ? 3 : 0)
            }
            return aggregateSize(elements.count, elements, version: version)
        case .double(let d):
            let text = RESPValue.doubleText(d)
            return version == .resp3 ? text.utf8.count + 3 : bulkSize(text)
        case .boolean:
            return 4
        case .bigNumber(let s):
            return version == .resp3 ? s.utf8.count + 3 : bulkSize(s)
        case .verbatimString(_, let text):
            let count = text.utf8.count
            return version == .resp3 ? headerSize(count + 4) + count + 6 : bulkSize(text)
        }
    }

    @inline(__always)
    private static func aggregateSize(_ header: Int, _ elements: [RESPValue], version: RESPVersion) -> Int {
        var total = headerSize(header)
        for element in elements {
            total += size(of: element, version: version)
        }
        return total
    }

    /// Stores into memory reserved by the size pass; never checks bounds itself.
    struct Writer {
        let base: UnsafeMutableRawPointer
        var offset = 0

        init(base: UnsafeMutableRawPointer) {
            self.base = base
        }

        @inline(__always)
        mutating func byte(_ b: UInt8) {
            base.storeBytes(of: b, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }

        @inline(__always)
        mutating func crlf() {
            byte(cr)
            byte(lf)
        }

        /// A fixed ASCII token (`_\r\n`, `$-1\r\n`, `#t\r\n`, ...).
        @inline(__always)
        mutating func bytes(_ text: StaticString) {
            let count = text.utf8CodeUnitCount
            (base + offset).copyMemory(from: text.utf8Start, byteCount: count)
            offset += count
        }

        mutating func text(_ s: String) {
            // Native strings are read in place; only others (bridged, shared) are made contiguous.
            let copied = s.utf8.withContiguousStorageIfAvailable { utf8 in
                store(UnsafeRawBufferPointer(utf8))
            }
            if copied == nil {
                var s = s
                s.withUTF8 { store(UnsafeRawBufferPointer($0)) }
            }
        }

        @inline(__always)
        private mutating func store(_ bytes: UnsafeRawBufferPointer) {
            guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
            (base + offset).copyMemory(from: start, byteCount: bytes.count)
            offset += bytes.count
        }

        /// Text with CR and LF written as spaces (simple strings, errors, big numbers).
        mutating func lineText(_ s: String) {
            for b in s.utf8 {
                byte(b == cr || b == lf ? 0x20 : b)
            }
        }

        mutating func decimal(_ n: Int) {
            let length = RESPWire.decimalLength(n)
            var magnitude = n.magnitude
            var position = offset + length - 1
            repeat {
                base.storeBytes(of: UInt8(ascii: "0") + UInt8(magnitude % 10), toByteOffset: position, as: UInt8.self)
                magnitude /= 10
                position -= 1
            } while magnitude > 0
            if n < 0 {
                base.storeBytes(of: UInt8(ascii: "-"), toByteOffset: position, as: UInt8.self)
            }
            offset += length
        }

        /// `<prefix><n>\r\n`
        @inline(__always)
        mutating func header(_ prefix: UInt8, _ n: Int) {
            byte(prefix)
            decimal(n)
            crlf()
        }

        /// `<prefix><text with CR/LF as spaces>\r\n`
        mutating func line(_ prefix: UInt8, _ s: String) {
            byte(prefix)
            lineText(s)
            crlf()
        }

        /// `$<len>\r\n<text>\r\n`
        mutating func bulk(_ s: String) {
            header(UInt8(ascii: "$"), s.utf8.count)
            text(s)
            crlf()
        }

        mutating func aggregate(_ prefix: UInt8, _ elements: [RESPValue], version: RESPVersion) {
            header(prefix, elements.count)
            for element in elements {
                write(element, version: version)
            }
        }

        mutating func write(_ value: RESPValue, version: RESPVersion) {
            switch value {
            case .simpleString(let s):
                line(UInt8(ascii: "+"), s)
            case .error(let s):
                line(UInt8(ascii: "-"), s)
            case .integer(let n):
                header(UInt8(ascii: ":"), n)
            case .bulkString(let s):
                bulk(s)
            case .null:
                bytes(version == .resp3 ? "_\r\n" : "$-1\r\n")
            case .nullArray:
                bytes(version == .resp3 ? "_\r\n" : "*-1\r\n")
            case .array(let elements):
                aggregate(UInt8(ascii: "*"), elements, version: version)
            case .set(let elements):
                aggregate(version == .resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*"), elements, version: version)
            case .push(let elements):
                aggregate(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), elements, version: version)
            case .map(let elements):
                if version == .resp3 {
                    header(UInt8(ascii: "%"), (elements.count + 1) / 2)
                    for element in elements {
                        write(element, version: version)
                    }
                    if elements.count % 2 == 1 {
                        bytes("_\r\n")
                    }
                } else {
                    aggregate(UInt8(ascii: "*"), elements, version: version)
                }
            case .double(let d):
                let s = RESPValue.doubleText(d)
                if version == .resp3 {
                    byte(UInt8(ascii: ","))
                    text(s)
                    crlf()
                } else {
                    bulk(s)
                }
            case .boolean(let b):
                if version == .resp3 {
                    bytes(b ? "#t\r\n" : "#f\r\n")
                } else {
                    bytes(b ? ":1\r\n" : ":0\r\n")
                }
            case .bigNumber(let s):
                if version == .resp3 {
                    line(UInt8(ascii: "("), s)
                } else {
                    bulk(s)
                }
            case .verbatimString(let format, let s):
                if version == .resp3 {
                    header(UInt8(ascii: "="), s.utf8.count + 4)
                    text(format.utf8.count == 3 ? format : "txt")
                    byte(UInt8(ascii: ":"))
                    text(s)
                    crlf()
                } else {
                    bulk(s)
                }
            }
        }
    }
}

extension RESPValue {
    /// This value's wire bytes in `version`; see `ByteBuffer.writeRESPValue(_:version:)`.
    package func encoded(version: RESPVersion) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeRESPValue(self, version: version)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// The text Redis uses for a double: `inf`, `-inf`, `nan`, whole numbers without a fraction
    /// (`3`, `-0`), others in their shortest round-tripping form (`1.5`, `0.1`, `1e+20`).
    package static func doubleText(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == d.rounded(.towardZero) && d.magnitude < 1e16 {
            if d == 0 { return d.sign == .minus ? "-0" : "0" }
            return String(Int64(d))
        }
        return d.description
    }
}
