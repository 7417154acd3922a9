import Testing

@testable import SentinelCore

/// The bytes of the one IP-literal parser, which protected mode classifies as loopback or not
/// (which texts are valid at all: ConfigParserTests' "IP address literals").
@Suite("IP address literal bytes")
struct IPAddressLiteralBytesTests {
    @Test("IPv4: four decimal octets, no leading zeros, each at most 255")
    func ipv4() {
        #expect(IPAddressLiteral.ipv4Bytes("127.0.0.1") == [127, 0, 0, 1])
        #expect(IPAddressLiteral.ipv4Bytes("255.255.255.255") == [255, 255, 255, 255])
        for bad in ["127.0.0.01", "256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "+1.2.3.4", "a.b.c.d", ""] {
            #expect(IPAddressLiteral.ipv4Bytes(bad) == nil, "\(bad)")
        }
    }

    @Test("IPv6: groups, one ::, a dotted tail, a zone that is not part of the bytes")
    func ipv6() {
        let loopback = [UInt8](repeating: 0, count: 15) + [1]
        #expect(IPAddressLiteral.ipv6Bytes("::1") == loopback)
        #expect(IPAddressLiteral.ipv6Bytes("0:0:0:0:0:0:0:1") == loopback)
        #expect(IPAddressLiteral.ipv6Bytes("::1%lo") == loopback)
        #expect(
            IPAddressLiteral.ipv6Bytes("::ffff:127.0.0.1")
                == [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 127, 0, 0, 1])
        #expect(IPAddressLiteral.ipv6Bytes("fe80::a:bc") == [0xfe, 0x80] + [UInt8](repeating: 0, count: 10) + [0, 0x0a, 0, 0xbc])
        for bad in ["1::2::3", "12345::1", "::1%", ":", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::1.2.3.4:5", "g::1"] {
            #expect(IPAddressLiteral.ipv6Bytes(bad) == nil, "\(bad)")
        }
    }
}
