import RESP
import Testing

@testable import SentinelCore

/// What a restricted user may do on the sentinel's port, the ACL subcommands, and how changes
/// are persisted: replies and texts as redis-sentinel 7.0.15 gives them.
@Suite("ACL enforcement and subcommands")
struct AclEnforcementTests {
    typealias Harness = ClientCommandTests.Harness

    /// A sentinel whose config has a restricted user `peer` (password `pw`).
    static func harness() -> Harness {
        var h = Harness()
        var config = h.sentinel.config
        config.masters = [MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)]
        config.users = [
            AclUserDefinition(
                name: "peer",
                rules: ["on", ">pw", "-@all", "+ping", "+sentinel|get-master-addr-by-name", "+subscribe", "+publish", "&__sentinel__:*"])
        ]
        h.sentinel = Sentinel(config: config, seed: 3)
        _ = h.sentinel.start(now: h.now)
        return h
    }

    @Test("a restricted user gets NOPERM for commands, subcommands and channels it lacks; denials are logged")
    func noPerm() {
        var h = Self.harness()
        h.connect(1)
        #expect(h.one(1, "AUTH", "peer", "wrong") == .error("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(h.one(1, "AUTH", "peer", "pw") == .ok)
        #expect(h.one(1, "PING") == .simpleString("PONG"))
        #expect(h.one(1, "SENTINEL", "get-master-addr-by-name", "mymaster") == .array([.bulkString("127.0.0.1"), .bulkString("6379")]))
        #expect(h.one(1, "SENTINEL", "MASTERS") == .error("NOPERM this user has no permissions to run the 'sentinel|masters' command"))
        #expect(h.one(1, "SENTINEL", "RESET", "*") == .error("NOPERM this user has no permissions to run the 'sentinel|reset' command"))
        #expect(h.one(1, "ACL", "WHOAMI") == .error("NOPERM this user has no permissions to run the 'acl|whoami' command"))
        #expect(h.one(1, "PUBLISH", "foo", "x") == .error("NOPERM this user has no permissions to access one of the channels used as arguments"))
        #expect(
            h.one(1, "SUBSCRIBE", "__sentinel__:hello", "foo")
                == .error("NOPERM this user has no permissions to access one of the channels used as arguments"))
        #expect(h.one(1, "PSUBSCRIBE", "*") == .error("NOPERM this user has no permissions to run the 'psubscribe' command"))
        // The log, newest first: channel foo (twice: grouped), acl|whoami, ..., the failed AUTH.
        h.connect(2)
        let log = h.one(2, "ACL", "LOG")?.elements ?? []
        #expect(log.count == 6)
        let first = log.first?.mapPairs ?? [:]
        #expect(first["reason"] == .bulkString("command") && first["object"] == .bulkString("psubscribe"))
        let channel = log[1].mapPairs
        #expect(channel["reason"] == .bulkString("channel") && channel["object"] == .bulkString("foo") && channel["count"] == .integer(2))
        let auth = log.last?.mapPairs ?? [:]
        #expect(auth["reason"] == .bulkString("auth") && auth["object"] == .bulkString("AUTH") && auth["username"] == .bulkString("peer"))
        #expect(h.one(2, "ACL", "LOG", "1")?.elements?.count == 1)
        #expect(h.one(2, "ACL", "LOG", "RESET") == .ok)
        #expect(h.one(2, "ACL", "LOG") == .array([]))
    }

    @Test("a disabled user and an unknown user get WRONGPASS, also through HELLO AUTH")
    func disabled() {
        var h = Self.harness()
        h.connect(1)
        #expect(h.one(1, "ACL", "SETUSER", "peer", "off") == .ok)
        h.connect(2)
        #expect(h.one(2, "AUTH", "peer", "pw") == .error("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(h.one(2, "HELLO", "3", "AUTH", "nobody", "x") == .error("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(h.one(2, "AUTH", "pw") == .error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"))
    }

    @Test("SETUSER answers after the config write with the user lines; a new password needs a new AUTH")
    func setUserPersists() {
        var h = Self.harness()
        h.connect(1)
        let actions = h.sentinel.handle(.clientCommand(ClientID(1), ["ACL", "SETUSER", "peer", "<pw", ">new"]), now: h.now)
        #expect(!actions.contains { if case .reply = $0 { true } else { false } })
        guard case .persistConfig(let config, let token)? = actions.first(where: { if case .persistConfig = $0 { true } else { false } }) else {
            Issue.record("no persistConfig")
            return
        }
        #expect(config.users.map(\.name) == ["default", "peer"])
        #expect(config.users.last?.rules.contains("#" + SHA256.hex("new")) == true)
        let after = h.sentinel.handle(.configPersisted(token: token, error: nil), now: h.now)
        #expect(after.contains(.reply(ClientID(1), .ok, .resp2)))
        h.connect(2)
        #expect(h.one(2, "AUTH", "peer", "pw") == .error("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(h.one(2, "AUTH", "peer", "new") == .ok)
        // Nothing applies when one rule fails.
        #expect(h.one(1, "ACL", "SETUSER", "peer", "+@all", "bogus") == .error("ERR Error in ACL SETUSER modifier 'bogus': Syntax error"))
        #expect(h.one(2, "SENTINEL", "MASTERS") == .error("NOPERM this user has no permissions to run the 'sentinel|masters' command"))
        #expect(h.one(1, "ACL", "SETUSER", "a b") == .error("ERR Usernames can't contain spaces or null characters"))
        #expect(h.one(1, "ACL", "SETUSER", "x", "on", "(+ping", "foo") == .error("ERR Unmatched parenthesis in acl selector starting at '(+ping'."))
    }

    @Test("a change to a user's permissions applies to its open connections at once")
    func liveChange() {
        var h = Self.harness()
        h.connect(1)
        h.connect(2)
        #expect(h.one(2, "AUTH", "peer", "pw") == .ok)
        #expect(h.one(1, "ACL", "SETUSER", "peer", "+sentinel|masters") == .ok)
        #expect(h.one(2, "SENTINEL", "MASTERS")?.elements?.count == 1)
    }

    @Test("DELUSER: default cannot go; clients of a deleted user are closed")
    func delUser() {
        var h = Self.harness()
        h.connect(1)
        h.connect(2)
        #expect(h.one(2, "AUTH", "peer", "pw") == .ok)
        #expect(h.one(1, "ACL", "DELUSER", "default", "peer") == .error("ERR The 'default' user cannot be removed"))
        let actions = h.sentinel.handle(.clientCommand(ClientID(1), ["ACL", "DELUSER", "peer", "nobody"]), now: h.now)
        #expect(actions.contains(.closeClient(ClientID(2))))
        #expect(actions.contains { if case .persistConfig(let c, _) = $0 { c.users.isEmpty } else { false } })
        for case .persistConfig(_, let token) in actions {
            #expect(h.sentinel.handle(.configPersisted(token: token, error: nil), now: h.now).contains(.reply(ClientID(1), .integer(1), .resp2)))
        }
        #expect(h.one(1, "ACL", "USERS") == .array([.bulkString("default")]))
        #expect(h.one(1, "CLIENT", "KILL", "USER", "peer") == .error("ERR No such user 'peer'"))
    }

    @Test("GETUSER, LIST, USERS, WHOAMI, DRYRUN, GENPASS")
    func readCommands() {
        var h = Self.harness()
        h.connect(1)
        #expect(
            h.one(1, "ACL", "LIST")
                == .array([
                    .bulkString("user default on nopass ~* &* +@all"),
                    .bulkString(
                        "user peer on #\(SHA256.hex("pw")) resetchannels &__sentinel__:* -@all +ping +publish +sentinel|get-master-addr-by-name +subscribe"
                    ),
                ]))
        #expect(h.one(1, "ACL", "USERS") == .array([.bulkString("default"), .bulkString("peer")]))
        #expect(h.one(1, "ACL", "GETUSER", "nobody") == .null)
        let peer = h.one(1, "ACL", "GETUSER", "peer")?.mapPairs ?? [:]
        #expect(peer["flags"] == .set([.bulkString("on")]))
        #expect(peer["keys"] == .bulkString("") && peer["channels"] == .bulkString("&__sentinel__:*"))
        #expect(peer["selectors"] == .array([]))
        #expect(h.one(1, "ACL", "WHOAMI") == .bulkString("default"))
        #expect(h.one(1, "ACL", "DRYRUN", "peer", "ping") == .ok)
        #expect(h.one(1, "ACL", "DRYRUN", "peer", "sentinel", "masters") == .bulkString("This user has no permissions to run the 'sentinel|masters' command"))
        #expect(h.one(1, "ACL", "DRYRUN", "peer", "publish", "foo", "x") == .bulkString("This user has no permissions to access the 'foo' channel"))
        #expect(h.one(1, "ACL", "DRYRUN", "nobody", "ping") == .error("ERR User 'nobody' not found"))
        #expect(h.one(1, "ACL", "DRYRUN", "peer", "nosuch") == .error("ERR Command 'nosuch' not found"))
        #expect(h.one(1, "ACL", "DRYRUN", "peer", "sentinel") == .error("ERR wrong number of arguments for 'sentinel' command"))
        #expect(h.one(1, "ACL", "DRYRUN", "peer", "sentinel", "masters", "x") == .error("ERR wrong number of arguments for 'sentinel|masters' command"))
        #expect(h.one(1, "ACL", "GENPASS", "5")?.string?.count == 2)
        #expect(h.one(1, "ACL", "GENPASS", "x") == .error("ERR value is not an integer or out of range"))
    }
}

extension RESPValue {
    /// A map's (or flat array's) string keys and values.
    fileprivate var mapPairs: [String: RESPValue] {
        var elements: [RESPValue] = []
        switch self {
        case .map(let e), .array(let e): elements = e
        default: return [:]
        }
        var d: [String: RESPValue] = [:]
        var i = 0
        while i + 1 < elements.count {
            if let k = elements[i].string { d[k] = elements[i + 1] }
            i += 2
        }
        return d
    }
}
