import RESP
import Testing

@testable import SentinelCore

/// Issue 15 item 5: a new myid and ACL GENPASS come from the ``SecretSource`` the sentinel is
/// given, not from the seeded jitter generator: with `.system` (the runtime's) two sentinels with
/// the same seed differ; with `.seeded` (simulations and tests) they replay.
@Suite("Secret source")
struct SecretSourceTests {
    static let client = ClientID(1)

    static func sentinel(seed: UInt64, _ secrets: SecretSource) -> Sentinel {
        var s = Sentinel(config: SentinelConfig(), seed: seed, secrets: secrets)
        _ = s.start(now: 1000)
        _ = s.handle(.clientConnected(client, address: "127.0.0.1:5001", localAddress: "127.0.0.1:26379"), now: 1000)
        return s
    }

    static func genpass(_ s: inout Sentinel, _ words: String...) -> String? {
        for case .reply(client, .bulkString(let text), _) in s.handle(.clientCommand(client, ["ACL", "GENPASS"] + words), now: 2000) {
            return text
        }
        return nil
    }

    static func isHex(_ text: String) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    @Test("system: same seed, different myids and passwords; seeded: the same ones again")
    func systemDiffersSeededReplays() throws {
        var a = Self.sentinel(seed: 42, .system)
        var b = Self.sentinel(seed: 42, .system)
        #expect(a.myID != b.myID)
        #expect(a.myID.count == 40 && Self.isHex(a.myID))
        let (pa, pb) = (try #require(Self.genpass(&a)), try #require(Self.genpass(&b)))
        #expect(pa != pb)
        var c = Self.sentinel(seed: 42, .seeded)
        var d = Self.sentinel(seed: 42, .seeded)
        #expect(c.myID == d.myID)
        #expect(Self.genpass(&c) == Self.genpass(&d))
    }

    @Test("GENPASS length as redis-sentinel 7.0.15: (bits+3)/4 hex digits, 256 bits by default")
    func genpassLengths() throws {
        var s = Self.sentinel(seed: 1, .system)
        // redis-sentinel 7.0.15: `ACL GENPASS 5` -> 2 digits, `1` -> 1, none -> 64, `4096` -> 1024.
        for (bits, digits) in [("5", 2), ("1", 1), ("4", 1), ("17", 5), ("4096", 1024)] {
            let text = try #require(Self.genpass(&s, bits))
            #expect(text.count == digits && Self.isHex(text), "\(bits) bits: \(text)")
        }
        let full = try #require(Self.genpass(&s))
        #expect(full.count == 64 && Self.isHex(full))
        // Every digit is drawn: over 64 passwords of 64 digits all 16 digits show up at every position.
        var seen = Array(repeating: Set<Character>(), count: 64)
        for _ in 0..<64 {
            for (index, digit) in try #require(Self.genpass(&s)).enumerated() { seen[index].insert(digit) }
        }
        #expect(seen.allSatisfy { $0.count >= 8 }, "digits vary at every position")
    }

    @Test("the secrets do not move the seeded jitter generator under .system")
    func jitterUntouched() {
        var a = Self.sentinel(seed: 7, .system)
        let before = a.rng
        _ = Self.genpass(&a)
        #expect(a.rng == before)
    }
}
