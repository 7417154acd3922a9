import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Per-connection state of the sentinel's port that redis-sentinel 7.0.15 has and the
/// differential test compares: reply order across config flushes, CLIENT REPLY, CLIENT PAUSE,
/// CLIENT TRACKING, and the argument checks of SHUTDOWN, CLIENT UNBLOCK and CLIENT KILL USER.
@Suite("Client connection state")
struct ClientConnectionStateTests {
    typealias Harness = ClientCommandTests.Harness

    /// The replies to `client` among `actions`, in order.
    static func replies(_ actions: [Action], to client: Int) -> [RESPValue] {
        actions.compactMap { if case .reply(ClientID(client), let value, _) = $0 { value } else { nil } }
    }

    static func flushToken(_ actions: [Action]) -> Int? {
        for case .persistConfig(_, let token) in actions { return token }
        return nil
    }

    @Test("a reply that waits for a config flush keeps its place: later replies and pushes queue behind it")
    func replyOrderAcrossFlush() {
        var h = Harness()
        h.connect(1)
        _ = h.one(1, "HELLO", "3")
        _ = h.one(1, "SUBSCRIBE", "+set")
        var actions = h.sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "FLUSHCONFIG"]), now: h.now)
        let token = Self.flushToken(actions)
        #expect(token != nil)
        actions += h.sentinel.handle(.clientCommand(ClientID(1), ["PING", "a"]), now: h.now)
        // SET flushes too and publishes +set to our own subscription.
        actions += h.sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "SET", "mymaster", "quorum", "2"]), now: h.now)
        actions += h.sentinel.handle(.clientCommand(ClientID(1), ["PING", "b"]), now: h.now)
        #expect(Self.replies(actions, to: 1).isEmpty, "nothing may overtake the FLUSHCONFIG answer")
        guard let first = token else { return }
        #expect(Self.flushToken(actions.filter { if case .persistConfig(_, first) = $0 { false } else { true } }) == nil,
            "one write at a time: the SET's flush waits for the FLUSHCONFIG one")
        var after = h.sentinel.handle(.configPersisted(token: first, error: nil), now: h.now)
        let second = Self.flushToken(after)
        #expect(
            Self.replies(after, to: 1) == [
                .ok, .bulkString("a"),
                .push([.bulkString("message"), .bulkString("+set"), .bulkString("master mymaster 127.0.0.1 6379 quorum 2")]),
            ], "up to the SET, whose answer waits for its own flush")
        if let second {
            after = h.sentinel.handle(.configPersisted(token: second, error: nil), now: h.now)
            #expect(Self.replies(after, to: 1) == [.ok, .bulkString("b")])
        } else {
            Issue.record("SENTINEL SET did not flush")
        }
        #expect(h.one(1, "PING") == .simpleString("PONG"), "nothing is held any more")
    }

    @Test("CLIENT REPLY OFF silences replies until ON; SKIP silences the next command only; pushes still arrive")
    func clientReply() {
        var h = Harness()
        h.connect(1)
        #expect(h.run(1, "CLIENT", "REPLY", "OFF").isEmpty)
        #expect(h.run(1, "PING").isEmpty)
        #expect(h.run(1, "CLIENT", "REPLY", "SKIP").isEmpty, "SKIP while OFF changes nothing")
        #expect(h.one(1, "CLIENT", "REPLY", "ON") == .ok)
        #expect(h.run(1, "CLIENT", "REPLY", "SKIP").isEmpty)
        #expect(h.run(1, "SENTINEL", "NO-SUCH").isEmpty, "errors are skipped too")
        #expect(h.one(1, "PING") == .simpleString("PONG"))
        #expect(h.one(1, "CLIENT", "REPLY", "maybe") == .error("ERR syntax error"))

        // RESP3: pub/sub pushes are delivered while replies are off.
        h.connect(2)
        _ = h.one(2, "HELLO", "3")
        _ = h.one(2, "SUBSCRIBE", "+set")
        #expect(h.run(2, "CLIENT", "REPLY", "OFF").isEmpty)
        h.connect(3)
        let frames = h.run(3, "SENTINEL", "SET", "mymaster", "quorum", "2")
        #expect(frames.contains { $0.0 == ClientID(2) && $0.1.elements?.first == .bulkString("message") })
        #expect(frames.contains { $0.0 == ClientID(3) && $0.1 == .ok })
        // A reply that waits for a flush is suppressed when its command ran under OFF.
        #expect(h.run(2, "SENTINEL", "FLUSHCONFIG").allSatisfy { $0.0 != ClientID(2) })
    }

    @Test("CLIENT PAUSE holds every client's commands, in order, until the timeout or CLIENT UNPAUSE")
    func clientPause() {
        var h = Harness()
        h.connect(1)
        h.connect(2)
        let pause = h.sentinel.handle(.clientCommand(ClientID(1), ["CLIENT", "PAUSE", "500"]), now: h.now)
        #expect(Self.replies(pause, to: 1) == [.ok])
        #expect(pause.contains(.wakeUp(afterMillis: 500)))
        #expect(h.run(2, "PING", "x").isEmpty)
        #expect(h.run(2, "SENTINEL", "MYID").isEmpty, "queued behind the postponed PING")
        #expect(h.run(1, "PING", "y").isEmpty, "the pausing client waits too")
        #expect(h.one(2, "SELECT", "1") == nil, "a refused command of a waiting client queues as well")
        #expect(h.run(3, "NO-SUCH-COMMAND").isEmpty, "a client that is not connected gets nothing")
        h.connect(4)
        #expect(h.one(4, "NO-SUCH-COMMAND") == .error("ERR unknown command 'NO-SUCH-COMMAND', with args beginning with: "), "refusals are not held")
        #expect(h.run(4, "CLIENT", "UNPAUSE").isEmpty, "under an ALL pause even UNPAUSE waits, as in Redis")
        // INFO (read directly: a client would wait) and CLIENT LIST show the blocked clients.
        #expect(h.sentinel.infoText(sections: ["clients"]).contains("blocked_clients:3\r\n"))
        let line = h.sentinel.clients[ClientID(2)]?.infoLine(now: h.now) ?? ""
        #expect(line.contains(" flags=b ") && line.contains(" cmd=ping "))

        let resumed = h.sentinel.handle(.tick, now: h.now + 500)
        #expect(Self.replies(resumed, to: 4) == [.ok])
        #expect(Self.replies(resumed, to: 2) == [
            .bulkString("x"), .bulkString(String(repeating: "e", count: 40)),
            .error("ERR unknown command 'SELECT', with args beginning with: '1' "),
        ])
        #expect(Self.replies(resumed, to: 1) == [.bulkString("y")])
        #expect(resumed.firstIndex(of: .reply(ClientID(2), .bulkString("x"), .resp2))! < resumed.firstIndex(of: .reply(ClientID(1), .bulkString("y"), .resp2))!,
            "clients resume in the order they were blocked")

        // A WRITE pause holds only PUBLISH (a peer's hello); UNPAUSE releases it at once.
        h.now += 500
        #expect(h.one(1, "CLIENT", "PAUSE", "1000", "WRITE") == .ok)
        #expect(h.one(2, "PING") == .simpleString("PONG"))
        #expect(h.one(2, "SENTINEL", "SET", "mymaster", "quorum", "2") == .ok)
        #expect(h.run(2, "PUBLISH", "__sentinel__:hello", "x").isEmpty)
        let unpaused = h.sentinel.handle(.clientCommand(ClientID(4), ["CLIENT", "UNPAUSE"]), now: h.now)
        #expect(Self.replies(unpaused, to: 4) == [.ok])
        #expect(Self.replies(unpaused, to: 2) == [.integer(1)])
    }

    @Test("CLIENT PAUSE checks the mode, then the timeout")
    func clientPauseErrors() {
        var h = Harness()
        h.connect(1)
        #expect(h.one(1, "CLIENT", "PAUSE", "x", "SOMETIMES") == .error("ERR CLIENT PAUSE mode must be WRITE or ALL"))
        #expect(h.one(1, "CLIENT", "PAUSE", "-1") == .error("ERR timeout is negative"))
        #expect(h.one(1, "CLIENT", "PAUSE", "+5") == .error("ERR timeout is not an integer or out of range"))
        #expect(
            h.one(1, "CLIENT", "PAUSE", "10", "WRITE", "x")
                == .error("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."))
        #expect(h.one(1, "CLIENT", "PAUSE", "0") == .ok)
        #expect(h.one(1, "PING") == .simpleString("PONG"), "a zero timeout is over at once")
    }

    @Test("CLIENT TRACKING validates its options and reports its state in TRACKINGINFO, GETREDIR and CLIENT LIST")
    func tracking() {
        var h = Harness()
        h.connect(1)
        h.connect(2)
        #expect(h.one(1, "CLIENT", "GETREDIR") == .integer(-1))
        #expect(h.one(1, "CLIENT", "CACHING", "yes") == .error(Wire.errCachingNotTracking))
        #expect(h.one(1, "CLIENT", "TRACKING", "on", "REDIRECT", "99") == .error("ERR The client ID you want redirect to does not exist"))
        #expect(h.one(1, "CLIENT", "TRACKING", "on", "PREFIX", "a") == .error("ERR PREFIX option requires BCAST mode to be enabled"))
        #expect(h.one(1, "CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT") == .error("ERR You can't specify both OPTIN mode and OPTOUT mode"))
        #expect(h.one(1, "CLIENT", "TRACKING", "maybe") == .error("ERR syntax error"))
        #expect(
            h.one(1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab")
                == .error("ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap."))
        #expect(h.one(1, "CLIENT", "TRACKING", "on", "REDIRECT", "2", "BCAST", "PREFIX", "b", "PREFIX", "a", "NOLOOP") == .ok)
        #expect(h.one(1, "CLIENT", "GETREDIR") == .integer(2))
        #expect(
            h.one(1, "CLIENT", "TRACKINGINFO")
                == .map([
                    .bulkString("flags"), .set([.bulkString("on"), .bulkString("bcast"), .bulkString("noloop")]),
                    .bulkString("redirect"), .integer(2),
                    .bulkString("prefixes"), .array([.bulkString("a"), .bulkString("b")]),
                ]))
        #expect(
            h.one(1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "bc")
                == .error("ERR Prefix 'bc' overlaps with an existing prefix 'b'. Prefixes for a single client must not overlap."))
        #expect(h.one(1, "CLIENT", "TRACKING", "on") == .error(Wire.errTrackingBcastSwitch))
        guard case .verbatimString(_, let line) = h.one(1, "CLIENT", "INFO") else { Issue.record("CLIENT INFO"); return }
        #expect(line.contains(" flags=tB ") && line.contains(" redir=2 "))
        #expect(h.one(1, "CLIENT", "TRACKING", "off") == .ok)
        #expect(h.one(1, "CLIENT", "TRACKING", "on", "OPTIN") == .ok)
        #expect(h.one(1, "CLIENT", "GETREDIR") == .integer(0))
        #expect(h.one(1, "CLIENT", "CACHING", "no") == .error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."))
        #expect(h.one(1, "CLIENT", "CACHING", "yes") == .ok)
        #expect(h.one(1, "CLIENT", "TRACKINGINFO")?.elements?[1] == .set([.bulkString("on"), .bulkString("optin"), .bulkString("caching-yes")]))
        _ = h.one(1, "PING")
        #expect(
            h.one(1, "CLIENT", "TRACKINGINFO")?.elements?[1] == .set([.bulkString("on"), .bulkString("optin")]),
            "CACHING lasts until the next command that is not CLIENT")
        #expect(h.one(1, "CLIENT", "TRACKING", "on", "OPTOUT") == .error(Wire.errTrackingOptSwitch))
    }

    @Test("SHUTDOWN with a bad option, ABORT, or NOSAVE with SAVE is refused and does not stop the process")
    func shutdownArguments() {
        var h = Harness()
        h.connect(1)
        for words in [["SHUTDOWN", "NOW-PLEASE"], ["SHUTDOWN", "ABORT", "NOW"], ["SHUTDOWN", "NOSAVE", "SAVE"], ["SHUTDOWN", "ABORT"]] {
            let actions = h.sentinel.handle(.clientCommand(ClientID(1), words), now: h.now)
            #expect(!actions.contains(.shutdown), "\(words)")
            let expected = words == ["SHUTDOWN", "ABORT"] ? "ERR No shutdown in progress." : "ERR syntax error"
            #expect(Self.replies(actions, to: 1) == [.error(expected)], "\(words)")
        }
        #expect(h.sentinel.handle(.clientCommand(ClientID(1), ["SHUTDOWN", "now", "FORCE", "nosave"]), now: h.now).contains(.shutdown))
    }

    @Test("CLIENT UNBLOCK checks the reason before the id; CLIENT KILL USER refuses unknown users")
    func unblockAndKillUser() {
        var h = Harness()
        h.connect(1)
        #expect(h.one(1, "CLIENT", "UNBLOCK", "x", "SOON") == .error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"))
        #expect(h.one(1, "CLIENT", "UNBLOCK", "x") == .error("ERR value is not an integer or out of range"))
        #expect(h.one(1, "CLIENT", "UNBLOCK", "5", "ERROR") == .integer(0))
        #expect(
            h.one(1, "CLIENT", "UNBLOCK", "5", "ERROR", "x")
                == .error("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP."))
        #expect(h.one(1, "CLIENT", "KILL", "USER", "nobody") == .error("ERR No such user 'nobody'"))
        #expect(h.one(1, "CLIENT", "KILL", "USER", "default") == .integer(0), "skipme: the only default-user client is us")
    }
}
