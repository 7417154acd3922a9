import DequeModule
import RESP
import Testing

@testable import SentinelCore

/// The users survive the config rewrite: what the core persists is written as `user` lines and
/// loads back into the same users; the ACL log keeps Redis's grouping and length limit.
@Suite("ACL persistence and log")
struct AclPersistenceTests {
    @Test("users changed by SETUSER are rewritten into sentinel.conf and load back identical")
    func rewriteRoundTrip() throws {
        var h = ClientCommandTests.Harness(requirePass: "admin")
        h.connect(1)
        #expect(h.one(1, "AUTH", "admin") == .ok)
        #expect(h.one(1, "ACL", "SETUSER", "app", "on", ">p w", "resetchannels", "&__sentinel__:*", "-@all", "+sentinel|masters", "+ping|x") == .ok)
        #expect(h.one(1, "ACL", "SETUSER", "ops", "on", "#" + SHA256.hex("o"), "%R~r*", "+@all", "-@dangerous", "(+ping &c)") == .ok)
        let config = h.sentinel.config
        #expect(config.users.map(\.name) == ["app", "default", "ops"])
        let text = ConfigRewriter.rewrite(original: "port 26379\nrequirepass admin\n", config: config)
        #expect(text.contains("user app on #\(SHA256.hex("p w")) resetchannels &__sentinel__:* -@all +ping|x +sentinel|masters\n"))
        let reloaded = AclState(config: try ConfigParser.parse(text, fileName: "s.conf"))
        for name in ["app", "ops"] {
            #expect(reloaded.user(name) == h.sentinel.acl.user(name), "\(name)")
        }
        // A `user default` line starts from `reset`, which sets sanitize-payload: redis-sentinel
        // 7.0.15 shows the same flag after loading such a line (it has no effect on a sentinel).
        var expectedDefault = h.sentinel.acl.user("default")
        expectedDefault?.sanitizePayload = true
        #expect(reloaded.user("default") == expectedDefault)
        #expect(!reloaded.defaultUserIsNopass && reloaded.checkCredentials(user: "default", password: "admin"))
    }

    @Test("only the default user as requirepass makes it: no user lines are written")
    func noUserLines() {
        let h = ClientCommandTests.Harness(requirePass: "pw")
        #expect(h.sentinel.config.users.isEmpty)
        #expect(!ConfigRewriter.rewrite(original: "", config: h.sentinel.config).contains("user "))
    }

    @Test("the ACL log groups similar entries within 60 s and keeps acllog-max-len entries")
    func logGrouping() {
        var state = AclState()
        state.logMaxLength = 3
        func entry(_ object: String, at time: Millis) -> AclLogEntry {
            AclLogEntry(count: 1, reason: .command, object: object, username: "u", createdAt: time, clientInfo: "c\(time)")
        }
        state.addLogEntry(entry("a", at: 0))
        state.addLogEntry(entry("a", at: 60_000))
        #expect(state.log.count == 1 && state.log[0].count == 2 && state.log[0].clientInfo == "c60000")
        state.addLogEntry(entry("a", at: 120_001))
        #expect(state.log.count == 2)
        for (i, name) in ["b", "c", "d"].enumerated() { state.addLogEntry(entry(name, at: 130_000 + Millis(i))) }
        #expect(state.log.map(\.object) == ["d", "c", "b"])
    }
}
