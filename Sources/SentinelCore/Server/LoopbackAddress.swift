/// Classifies client and listener addresses as loopback or not, for protected mode.
///
/// Redis 7.2 (`connSocketIsLocal`) calls a TCP peer local when its printed address starts with
/// `127.` or is exactly `::1`; Redis 7.0.15 accepted only `127.0.0.1` and `::1` (measured: a client
/// from 127.0.0.2 is answered `-DENIED` by redis-sentinel 7.0.15). swift-sentinel follows 7.2: the
/// whole of 127.0.0.0/8 and `::1`. It also parses the address (``IPAddressLiteral``) instead of comparing text, so
/// `0:0:0:0:0:0:0:1` is `::1`, and an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, which a
/// dual-stack socket reports for an IPv4 loopback client) counts as the IPv4 address it maps.
/// Redis never sees mapped addresses (its IPv6 listeners are IPv6-only, as ours are).
enum LoopbackAddress {
    /// True when `address` (an IP, `ip:port` or `[ipv6]:port`, optionally with a `%zone`) is a
    /// loopback address. Anything that does not parse as an IP (`?:0`, a hostname) is not.
    static func isLoopback(_ address: String) -> Bool {
        let host = hostPart(of: address)
        if let v4 = IPAddressLiteral.ipv4Bytes(host) { return v4[0] == 127 }
        guard let v6 = IPAddressLiteral.ipv6Bytes(host) else { return false }
        if v6[0..<15].allSatisfy({ $0 == 0 }) && v6[15] == 1 { return true }
        let mapped = v6[0..<10].allSatisfy { $0 == 0 } && v6[10] == 0xff && v6[11] == 0xff
        return mapped && v6[12] == 127
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
}
