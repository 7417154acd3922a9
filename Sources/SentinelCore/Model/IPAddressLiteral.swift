import RESP

/// Numeric IP address literals, parsed without any system call: the forms `inet_pton` (and
/// `getaddrinfo` with `AI_NUMERICHOST`, which Sentinel relies on) accepts. One parser serves both
/// the config checks (is this an IP or a hostname?) and protected mode (is this peer loopback?).
enum IPAddressLiteral {
    /// Whether `text` is a dotted-quad IPv4 address or an IPv6 address (optionally with a `%zone`).
    static func isValid(_ text: String) -> Bool { ipv4Bytes(text) != nil || ipv6Bytes(text) != nil }

    /// Four decimal octets 0...255, without leading zeros (as `inet_pton`).
    static func isIPv4(_ text: some StringProtocol) -> Bool { ipv4Bytes(text) != nil }

    /// RFC 4291 text forms: eight hex groups, one `::` run, an optional dotted-quad tail, an
    /// optional non-empty `%zone`.
    static func isIPv6(_ text: String) -> Bool { ipv6Bytes(text) != nil }

    /// The 4 bytes of a dotted-quad IPv4 address, or nil.
    static func ipv4Bytes(_ text: some StringProtocol) -> [UInt8]? {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            if part.count > 1 && part.first == UInt8(ascii: "0") { return nil }
            let value = part.reduce(0) { $0 * 10 + Int($1 - 48) }
            guard value <= 255 else { return nil }
            bytes.append(UInt8(value))
        }
        return bytes
    }

    /// The 16 bytes of an IPv6 address (a `%zone` is accepted and not part of the bytes), or nil.
    static func ipv6Bytes(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        if let percent = bytes.firstIndex(of: UInt8(ascii: "%")) {
            guard percent + 1 < bytes.count else { return nil }
            bytes = Array(bytes[..<percent])
        }
        guard bytes.count >= 2 else { return nil }
        var doubleColon: Int? = nil
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: ":") {
                if doubleColon != nil { return nil }
                doubleColon = i
                i += 2
            } else {
                i += 1
            }
        }
        /// The 16-bit groups of one side of the `::` (an IPv4 tail counts as two groups).
        func groups(_ slice: ArraySlice<UInt8>, allowIPv4Tail: Bool) -> [UInt16]? {
            if slice.isEmpty { return [] }
            let parts = slice.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            var out: [UInt16] = []
            for (index, part) in parts.enumerated() {
                if index == parts.count - 1, allowIPv4Tail, part.contains(UInt8(ascii: ".")) {
                    guard let v4 = ipv4Bytes(String(decoding: part, as: UTF8.self)) else { return nil }
                    out.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    out.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard (1...4).contains(part.count) else { return nil }
                var value: UInt16 = 0
                for byte in part {
                    guard let digit = ArgumentSplitter.hexValue(byte) else { return nil }
                    value = value << 4 | UInt16(digit)
                }
                out.append(value)
            }
            return out
        }
        let all: [UInt16]
        if let dc = doubleColon {
            guard let head = groups(bytes[..<dc], allowIPv4Tail: false),
                let tail = groups(bytes[(dc + 2)...], allowIPv4Tail: true), head.count + tail.count <= 7
            else { return nil }
            all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let groups = groups(bytes[...], allowIPv4Tail: true), groups.count == 8 else { return nil }
            all = groups
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}
