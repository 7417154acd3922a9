import Testing

@testable import SentinelCore

/// A hello that carries our own run id anywhere is ignored (Sentinel's own-hello check); the
/// byte search used for it must answer exactly as `String.contains` does.
@Suite("Own run id in a hello")
struct HelloOwnIDSearchTests {
    static let id = String(repeating: "a", count: 39) + "b"

    /// Matches `String.contains` on ASCII payloads: at the start, in the middle, at the end,
    /// after a partial match, and not at all.
    @Test(arguments: [
        "\(id),1,2,3",
        "127.0.0.1,26379,\(id),0,mymaster,127.0.0.1,6379,0",
        "x,\(id)",
        "aaaa\(id)",
        "127.0.0.1,26379,\(String(repeating: "a", count: 40)),0,mymaster,127.0.0.1,6379,0",
        "",
        "short",
    ])
    func matchesStringContains(_ payload: String) {
        #expect(Sentinel.payload(payload, contains: Self.id) == payload.contains(Self.id))
    }

    /// Non-ASCII payloads: a byte match followed by a combining mark is not a Character match.
    @Test func nonASCIIFollowsCharacterSemantics() {
        let combined = "x,\(Self.id)\u{301},1"
        #expect(Sentinel.payload(combined, contains: Self.id) == combined.contains(Self.id))
        let plain = "é,\(Self.id),1"
        #expect(Sentinel.payload(plain, contains: Self.id) == plain.contains(Self.id))
        #expect(Sentinel.payload(plain, contains: Self.id))
    }
}
