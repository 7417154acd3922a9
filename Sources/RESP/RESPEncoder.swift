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
        switch value {
        case .simpleString(let s):
            self.writeRESPLine(prefix: UInt8(ascii: "+"), s)
        case .error(let s):
            self.writeRESPLine(prefix: UInt8(ascii: "-"), s)
        case .integer(let n):
            self.writeRESPHeader(UInt8(ascii: ":"), n)
        case .bulkString(let s):
            self.writeRESPBulk(prefix: UInt8(ascii: "$"), s)
        case .null:
            if version == .resp3 {
                self.writeStaticString("_\r\n")
            } else {
                self.writeStaticString("$-1\r\n")
            }
        case .nullArray:
            if version == .resp3 {
                self.writeStaticString("_\r\n")
            } else {
                self.writeStaticString("*-1\r\n")
            }
        case .array(let elements):
            self.writeRESPAggregate(prefix: UInt8(ascii: "*"), elements, version: version)
        case .set(let elements):
            let prefix = version == .resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*")
            self.writeRESPAggregate(prefix: prefix, elements, version: version)
        case .push(let elements):
            let prefix = version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*")
            self.writeRESPAggregate(prefix: prefix, elements, version: version)
        case .map(let elements):
            if version == .resp3 {
                let pairs = (elements.count + 1) / 2
                self.writeRESPHeader(UInt8(ascii: "%"), pairs)
                for element in elements {
                    self.writeRESPValue(element, version: version)
                }
                if elements.count % 2 == 1 {
                    self.writeStaticString("_\r\n")
                }
            } else {
                self.writeRESPAggregate(prefix: UInt8(ascii: "*"), elements, version: version)
            }
        case .double(let d):
            let text = RESPValue.doubleText(d)
            if version == .resp3 {
                self.writeInteger(UInt8(ascii: ","))
                self.writeString(text)
                self.writeStaticString("\r\n")
            } else {
                self.writeRESPBulk(prefix: UInt8(ascii: "$"), text)
            }
        case .boolean(let b):
            if version == .resp3 {
                self.writeStaticString(b ? "#t\r\n" : "#f\r\n")
            } else {
                self.writeStaticString(b ? ":1\r\n" : ":0\r\n")
            }
        case .bigNumber(let s):
            if version == .resp3 {
                self.writeRESPLine(prefix: UInt8(ascii: "("), s)
            } else {
                self.writeRESPBulk(prefix: UInt8(ascii: "$"), s)
            }
        case .verbatimString(let format, let text):
            if version == .resp3 {
                let fmt = format.utf8.count == 3 ? format : "txt"
                self.writeRESPHeader(UInt8(ascii: "="), text.utf8.count + 4)
                self.writeString(fmt)
                self.writeInteger(UInt8(ascii: ":"))
                self.writeString(text)
                self.writeStaticString("\r\n")
            } else {
                self.writeRESPBulk(prefix: UInt8(ascii: "$"), text)
            }
        }
    }

    /// `<prefix><text with CR/LF as spaces>\r\n`
    private mutating func writeRESPLine(prefix: UInt8, _ text: String) {
        self.writeInteger(prefix)
        let utf8 = text.utf8
        if utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            self.writeBytes(utf8.lazy.map { $0 == 0x0D || $0 == 0x0A ? 0x20 : $0 })
        } else {
            self.writeString(text)
        }
        self.writeStaticString("\r\n")
    }

    /// `<prefix><len>\r\n<text>\r\n`
    private mutating func writeRESPBulk(prefix: UInt8, _ text: String) {
        self.writeRESPHeader(prefix, text.utf8.count)
        self.writeString(text)
        self.writeStaticString("\r\n")
    }

    /// `<prefix><count>\r\n` followed by the elements.
    private mutating func writeRESPAggregate(prefix: UInt8, _ elements: [RESPValue], version: RESPVersion) {
        self.writeRESPHeader(prefix, elements.count)
        for element in elements {
            self.writeRESPValue(element, version: version)
        }
    }

    /// `<prefix><decimal n>\r\n`
    private mutating func writeRESPHeader(_ prefix: UInt8, _ n: Int) {
        self.writeInteger(prefix)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var magnitude = n.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { out in
            repeat {
                out[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            if n < 0 {
                out[19 - count] = UInt8(ascii: "-")
                count += 1
            }
        }
        withUnsafeBytes(of: &digits) { out in
            _ = self.writeBytes(UnsafeRawBufferPointer(rebasing: out[(20 - count)...]))
        }
        self.writeStaticString("\r\n")
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
