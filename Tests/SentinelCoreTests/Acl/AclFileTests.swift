import RESP
import Testing

@testable import SentinelCore

/// `aclfile`: Redis's ACL file format, ACL LOAD and ACL SAVE through file actions (the core does
/// no I/O), and SETUSER persisted into the file instead of sentinel.conf.
@Suite("ACL file")
struct AclFileTests {
    @Test("an ACL file loads; every problem is reported with file:line and nothing is loaded")
    func parse() throws {
        let users = try AclFile.parse("user alice on >a +@all\n\nuser default on nopass ~* &* +@all\n", fileName: "u.acl").get()
        #expect(users.map(\.name) == ["alice", "default"])
        guard case .failure(let bad) = AclFile.parse("user alice on >a\n# comment\nuser alice on\nuser bob on bogus\n", fileName: "u.acl") else {
            Issue.record("accepted a bad file")
            return
        }
        #expect(
            bad.message
                == "u.acl:2 should start with user keyword followed by the username. WARNING: Duplicate user 'alice' found on line 3. u.acl:4: Syntax error. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
        )
    }

    /// A sentinel with `aclfile u.acl` whose file defined `alice`.
    static func harness() -> ClientCommandTests.Harness {
        var h = ClientCommandTests.Harness()
        var config = h.sentinel.config
        config.otherDirectives = [ServerDirective(name: "aclfile", arguments: ["u.acl"])]
        config.users = [AclUserDefinition(name: "alice", rules: ["on", ">a", "+@all"])]
        h.sentinel = Sentinel(config: config, seed: 3)
        _ = h.sentinel.start(now: h.now)
        h.connect(1)
        return h
    }

    @Test("SETUSER and ACL SAVE write the file and answer after the write; no user lines in sentinel.conf")
    func save() {
        var h = Self.harness()
        let actions = h.sentinel.handle(.clientCommand(ClientID(1), ["ACL", "SETUSER", "bob", "on", ">b"]), now: h.now)
        #expect(!actions.contains { if case .reply = $0 { true } else { false } })
        #expect(!actions.contains { if case .persistConfig = $0 { true } else { false } })
        guard case .aclFile(.write(let path, let content), let token)? = actions.first else {
            Issue.record("no file write: \(actions)")
            return
        }
        #expect(path == "u.acl")
        #expect(content.hasPrefix("user alice on #\(SHA256.hex("a")) resetchannels +@all\nuser bob on #\(SHA256.hex("b")) resetchannels -@all\nuser default on nopass"))
        #expect(h.sentinel.handle(.aclFileDone(token: token, text: nil, error: nil), now: h.now) == [.reply(ClientID(1), .ok, .resp2)])
        let failed = h.sentinel.handle(.clientCommand(ClientID(1), ["ACL", "SAVE"]), now: h.now)
        guard case .aclFile(.write, let t2)? = failed.first else {
            Issue.record("no save")
            return
        }
        #expect(
            h.sentinel.handle(.aclFileDone(token: t2, text: nil, error: "Permission denied"), now: h.now).contains(
                .reply(ClientID(1), .error("ERR There was an error trying to save the ACLs. Please check the server logs for more information"), .resp2)))
    }

    @Test("ACL LOAD replaces the users and closes the clients of non-default users; a bad file changes nothing")
    func load() {
        var h = Self.harness()
        h.connect(2)
        #expect(h.one(2, "AUTH", "alice", "a") == .ok)
        var actions = h.sentinel.handle(.clientCommand(ClientID(1), ["ACL", "LOAD"]), now: h.now)
        guard case .aclFile(.read(let path), let token)? = actions.first else {
            Issue.record("no read")
            return
        }
        #expect(path == "u.acl")
        actions = h.sentinel.handle(.aclFileDone(token: token, text: "user carol on >c\n", error: nil), now: h.now)
        #expect(actions.contains(.reply(ClientID(1), .ok, .resp2)) && actions.contains(.closeClient(ClientID(2))))
        #expect(h.one(1, "ACL", "USERS") == .array([.bulkString("carol"), .bulkString("default")]))
        actions = h.sentinel.handle(.clientCommand(ClientID(1), ["ACL", "LOAD"]), now: h.now)
        guard case .aclFile(_, let t2)? = actions.first else {
            Issue.record("no read")
            return
        }
        actions = h.sentinel.handle(.aclFileDone(token: t2, text: nil, error: "No such file or directory"), now: h.now)
        #expect(actions == [.reply(ClientID(1), .error("ERR Error loading ACLs, opening file 'u.acl': No such file or directory"), .resp2)])
        #expect(h.one(1, "ACL", "USERS") == .array([.bulkString("carol"), .bulkString("default")]))
    }

    @Test("a client deleting its own user is answered, closed, and the file is still written")
    func deleteSelf() {
        var h = Self.harness()
        #expect(h.one(1, "AUTH", "alice", "a") == .ok)
        let actions = h.sentinel.handle(.clientCommand(ClientID(1), ["ACL", "DELUSER", "alice"]), now: h.now)
        #expect(actions.contains(.reply(ClientID(1), .integer(1), .resp2)))
        #expect(actions.last == .closeClient(ClientID(1)))
        #expect(actions.contains { if case .aclFile(.write(_, let content), _) = $0 { !content.contains("alice") } else { false } })
        #expect(!actions.contains { if case .persistConfig = $0 { true } else { false } })
    }

    @Test("without aclfile, LOAD and SAVE give Redis's error")
    func noFile() {
        var h = ClientCommandTests.Harness()
        h.connect(1)
        #expect(h.one(1, "ACL", "SAVE") == .error(Wire.errNoACLFile))
        #expect(h.one(1, "ACL", "LOAD") == .error(Wire.errNoACLFile))
    }
}
