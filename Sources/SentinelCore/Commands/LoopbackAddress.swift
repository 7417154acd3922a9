/// Classifies client and listener addresses as loopback or not, for protected mode.
///
/// Redis 7.2 (`connSocketIsLocal`) calls a TCP peer local when its printed address starts with
/// `127.` or is exactly `::1`; Redis 7.0.15 accepted only `127.0.0.1` and `::1` (measured: a client
/// from 127.0.0.2 is answered `-DENIED` by redis-sentinel 7.0.15). swift-sentinel follows 7.2: the
/// whole of 127.0.0.0/8 and `::1`. It also parses the address instead of comparing text, so
/// `0:0:0:0:0:0:0:1` is `::1`, and an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, which a
/// dual-stack socket reports for an IPv4 loopback client) counts as the IPv4 address it maps.
/// Redis never sees mapped addresses (its IPv6 listeners are IPv6-only, as ours are).
package enum LoopbackAddress {
    /// True when `address` (an IP, `ip:port` or `[ipv6]:port`, optionally with a `%zone`) is a
    /// loopback address. Anything that does not parse as an IP (`?:0`, a hostname) is not.
    package static func isLoopback(_ address: String) -> Bool {
        let host = hostPart(of: address)
        if let v4 = parseIPv4(host[...]) { return v4[0] == 127 }
        guard let v6 = parseIPv6(host) else { return false }
        if v6[0..<15].allSatisfy({ $0 == 0 }) && v6[15] == 1 { return true }
        let mapped = v6[0..<10].allSatisfy { $0 == 0 } && v6[10] == 0xff && v6[11] == 0xff
        return mapped && v6[12] == 127
    }

    /// True when `host` is an IPv4 or IPv6 literal (no port).
    package static func isIPLiteral(_ host: String) -> Bool {
        parseIPv4(host[...]) != nil || parseIPv6(host) != nil
    }

    /// The IP of `ip`, `ip:port`, `[ip]:port` or a bare IPv6 address, without a `%zone`.
    static func hostPart(of address: String) -> String {
        var host = Substring(address)
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.firstIndex(of: ":"), host.lastIndex(of: ":") == colon {
            host = host[..<colon]  // exactly one colon: IPv4 (or a name) with a port
        }
        if let zone = host.firstIndex(of: "%") { host = host[..<zone] }
        return String(host)
    }

    /// Four decimal octets (`a.b.c.d`, each 0...255, no leading `+`). Unlike `inet_pton` (and
    /// ``IPAddressLiteral/isIPv4(_:)``, which only validates) it accepts leading zeros (`127.0.0.01`).
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// The 16 bytes of an IPv6 address: up to eight hex groups, one `::`, and an optional dotted
    /// IPv4 tail (`::ffff:10.0.0.1`).
    static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        var halves = [text]
        if let gap = text.firstRange(of: "::") {
            halves = [String(text[..<gap.lowerBound]), String(text[gap.upperBound...])]
            guard !halves[1].contains("::") else { return nil }
        }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = parseIPv4(piece) {
                    out.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    out.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), let value = UInt16(piece, radix: 16)
                else { return nil }
                out.append(value)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}
