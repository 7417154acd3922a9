import RESP
import Testing

@testable import SentinelCore

/// ACL CAT, LIST and GETUSER of the default user (no user lines), as redis-sentinel 7.0.15
/// answers them; other users are covered by AclRulesTests and AclEnforcementTests.
@Suite("ACL commands")
struct AclCommandTests {
    typealias Harness = ClientCommandTests.Harness

    @Test("SHA-256 matches the FIPS 180-4 test vectors")
    func sha256() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test("ACL CAT lists Redis 7.0's categories, and the sentinel's commands of one category")
    func cat() {
        var h = Harness()
        h.connect(1)
        let categories = h.one(1, "ACL", "CAT")?.elements?.compactMap(\.string)
        #expect(categories?.count == 21)
        #expect(categories?.first == "keyspace" && categories?.last == "scripting")
        let pubsub = Set(h.one(1, "ACL", "CAT", "PubSub")?.elements?.compactMap(\.string) ?? [])
        #expect(pubsub == ["psubscribe", "subscribe", "publish", "punsubscribe", "unsubscribe"])
        let dangerous = Set(h.one(1, "ACL", "CAT", "dangerous")?.elements?.compactMap(\.string) ?? [])
        #expect(dangerous.contains("sentinel") && dangerous.contains("sentinel|debug") && dangerous.contains("client|kill"))
        #expect(!dangerous.contains("ping"))
        #expect(h.one(1, "ACL", "CAT", "sentinel") == .error("ERR Unknown category 'sentinel'"))
        #expect(
            h.one(1, "ACL", "CAT", "slow", "x") == .error("ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP."))
    }

    @Test("ACL LIST and GETUSER describe the default user: nopass, or the SHA-256 of requirepass")
    func defaultUser() {
        var open = Harness()
        open.connect(1)
        #expect(open.one(1, "ACL", "LIST") == .array([.bulkString("user default on nopass ~* &* +@all")]))
        #expect(
            open.one(1, "ACL", "GETUSER", "default")
                == .map([
                    .bulkString("flags"), .set([.bulkString("on"), .bulkString("nopass")]),
                    .bulkString("passwords"), .array([]),
                    .bulkString("commands"), .bulkString("+@all"),
                    .bulkString("keys"), .bulkString("~*"),
                    .bulkString("channels"), .bulkString("&*"),
                    .bulkString("selectors"), .array([]),
                ]))
        #expect(open.one(1, "ACL", "GETUSER", "nobody") == .null)

        var locked = Harness(requirePass: "abc")
        locked.connect(1)
        _ = locked.one(1, "AUTH", "abc")
        let hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(locked.one(1, "ACL", "LIST") == .array([.bulkString("user default on #\(hash) ~* &* +@all")]))
        let record = locked.one(1, "ACL", "GETUSER", "default")?.elements ?? []
        #expect(record.count == 12)
        if record.count == 12 {
            #expect(record[1] == .set([.bulkString("on")]))
            #expect(record[3] == .array([.bulkString(hash)]))
        }
    }
}
