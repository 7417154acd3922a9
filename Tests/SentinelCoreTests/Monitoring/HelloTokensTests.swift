import Testing

@testable import SentinelCore

/// A hello's eight comma-separated fields are split on bytes for ASCII payloads; the result must
/// be exactly `split(separator: ",", omittingEmptySubsequences: false)` on every payload, so a
/// malformed hello is refused and a well-formed one accepted as before.
@Suite("Hello payload fields")
struct HelloTokensTests {
    static func reference(_ payload: String) -> [String] {
        payload.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// Real hellos, empty fields anywhere, no comma at all, the empty payload, CR/LF inside.
    @Test(arguments: [
        "127.0.0.1,26379,0123456789abcdef0123456789abcdef01234567,0,mymaster,127.0.0.1,6379,0",
        "::1,26379,abc,3,m,::1,6379,7",
        "",
        ",",
        ",,",
        "a,",
        ",a",
        "a,,b",
        "no-comma",
        "a\r\n,b\r,\nc",
    ])
    func asciiMatchesSplit(_ payload: String) {
        #expect(Sentinel.helloTokens(payload) == Self.reference(payload))
    }

    /// Non-ASCII payloads keep Character semantics: a comma followed by a combining mark is one
    /// Character and does not separate fields.
    @Test func nonASCIIFollowsCharacterSemantics() {
        for payload in ["é,b,c", "a,\u{301}b,c", "m\u{e4}ster,1", ",\u{301}", "a,b,\u{1F600}"] {
            #expect(Sentinel.helloTokens(payload) == Self.reference(payload))
        }
        #expect(Sentinel.helloTokens("a,\u{301}b,c").count == 2)
    }

    /// Seeded random payloads over an alphabet of commas, CR, LF, ASCII and a combining mark.
    @Test func randomPayloadsMatchSplit() {
        let alphabet: [String] = [",", ",", "a", "1", ".", "\r", "\n", "\r\n", " ", "\u{301}", "é"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int((state >> 33) % 24)
            var payload = ""
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Mostly ASCII, so both paths are exercised.
                let pick = Int((state >> 33) % UInt64(alphabet.count))
                payload += (state >> 40) % 8 == 0 ? alphabet[pick] : alphabet[pick % 9]
            }
            #expect(Sentinel.helloTokens(payload) == Self.reference(payload), "payload \(Array(payload.unicodeScalars))")
        }
    }
}
