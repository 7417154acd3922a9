import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// The sentinel port's non-SENTINEL commands (sentinel-behaviour §9.4, clients-and-peers §1.5).
@Suite("Client port commands")
struct ClientCommandTests {
    struct Harness {
        var sentinel: Sentinel
        var now: Millis = 5_000

        init(requirePass: String? = nil) {
            var config = SentinelConfig()
            config.myID = String(repeating: "e", count: 40)
            config.requirePass = requirePass
            config.masters = [MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)]
            sentinel = Sentinel(config: config, seed: 3)
            for case .persistConfig(_, let token) in sentinel.start(now: now) {
                _ = sentinel.handle(.configPersisted(token: token, error: nil), now: now)
            }
        }

        mutating func connect(_ id: Int) {
            _ = sentinel.handle(.clientConnected(ClientID(id), address: "127.0.0.1:\(50000 + id)", localAddress: "127.0.0.1:26379"), now: now)
        }

        /// Runs a command and returns (client, frame) pairs of every reply it produced.
        mutating func run(_ id: Int, _ words: String...) -> [(ClientID, RESPValue, RESPVersion)] {
            var out: [(ClientID, RESPValue, RESPVersion)] = []
            var actions = sentinel.handle(.clientCommand(ClientID(id), words), now: now)
            while true {
                var token: Int? = nil
                for action in actions {
                    if case .reply(let c, let v, let p) = action { out.append((c, v, p)) }
                    if case .persistConfig(_, let t) = action { token = t }
                }
                guard let t = token else { break }
                actions = sentinel.handle(.configPersisted(token: t, error: nil), now: now)
            }
            return out
        }

        mutating func one(_ id: Int, _ words: String...) -> RESPValue? {
            var actions = sentinel.handle(.clientCommand(ClientID(id), words), now: now)
            for action in actions { if case .persistConfig(_, let t) = action { actions += sentinel.handle(.configPersisted(token: t, error: nil), now: now) } }
            for action in actions { if case .reply(ClientID(id), let v, _) = action { return v } }
            return nil
        }

        /// Runs SENTINEL FLUSHCONFIG for client `id` and returns the token of the one config
        /// flush it asks for, unanswered (its reply waits for `.configPersisted`).
        mutating func flushConfig(_ id: Int) throws -> Int {
            let actions = sentinel.handle(.clientCommand(ClientID(id), ["SENTINEL", "FLUSHCONFIG"]), now: now)
            let tokens = actions.compactMap { if case .persistConfig(_, let token) = $0 { token } else { nil } }
            try #require(tokens.count == 1, "FLUSHCONFIG of client \(id) asks for one flush: \(tokens)")
            return tokens[0]
        }
    }

    @Test("PING, ROLE and inline-style lowercase names")
    func basics() {
        var h = Harness()
        h.connect(1)
        #expect(h.one(1, "PING") == .simpleString("PONG"))
        #expect(h.one(1, "ping", "hi") == .bulkString("hi"))
        #expect(h.one(1, "PING", "a", "b") == .error("ERR wrong number of arguments for 'ping' command"))
        #expect(h.one(1, "ROLE") == .array([.bulkString("sentinel"), .array([.bulkString("mymaster")])]))
    }

    @Test("commands a sentinel does not serve get Redis's exact errors")
    func unknown() {
        var h = Harness()
        h.connect(1)
        #expect(h.one(1, "SELECT", "1") == .error("ERR unknown command 'SELECT', with args beginning with: '1' "))
        #expect(h.one(1, "ECHO", "hi") == .error("ERR unknown command 'ECHO', with args beginning with: 'hi' "))
        #expect(h.one(1, "GET", "x") == .error("ERR unknown command 'GET', with args beginning with: 'x' "))
        #expect(h.one(1, "CLIENT", "NO-TOUCH", "on") == .error("ERR unknown subcommand 'NO-TOUCH'. Try CLIENT HELP."))
        #expect(h.one(1, "PUBLISH", "chan", "msg") == .error("ERR Only HELLO messages are accepted by Sentinel instances."))
    }

    @Test("HELLO 3 switches to RESP3 and answers the 6-field sentinel map")
    func hello() {
        var h = Harness()
        h.connect(7)
        let reply = h.one(7, "HELLO", "3")
        #expect(reply?.mapKeys == ["server", "version", "proto", "id", "mode", "modules"])
        #expect(reply?["mode"] == "sentinel")
        #expect(reply?["version"] == redisCompatibleVersion)
        let frames = h.run(7, "PING")
        #expect(frames.first?.2 == .resp3)
        #expect(h.one(7, "HELLO", "4") == .error("NOPROTO unsupported protocol version"))
        #expect(h.one(7, "HELLO", "2", "SETNAME", "conn-a")?["proto"] == nil)  // proto is an integer, not a string
        #expect(h.one(7, "CLIENT", "GETNAME") == .bulkString("conn-a"))
        #expect(h.run(7, "PING").first?.2 == .resp2)
    }

    @Test("requirepass: NOAUTH until AUTH, WRONGPASS on a bad password, HELLO AUTH works")
    func auth() {
        var h = Harness(requirePass: "s3cret")
        h.connect(1)
        #expect(h.one(1, "PING") == .error("NOAUTH Authentication required."))
        #expect(h.one(1, "CLIENT", "nope") == .error("ERR unknown subcommand 'nope'. Try CLIENT HELP."), "checked before auth")
        #expect(h.one(1, "AUTH", "nope") == .error("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(h.one(1, "AUTH", "s3cret") == .ok)
        #expect(h.one(1, "PING") == .simpleString("PONG"))
        h.connect(2)
        #expect(h.one(2, "HELLO", "3", "AUTH", "default", "s3cret")?["proto"] == nil)
        #expect(h.one(2, "SENTINEL", "MYID") == .bulkString(String(repeating: "e", count: 40)))
        var open = Harness()
        open.connect(1)
        #expect(
            open.one(1, "AUTH", "x")
                == .error(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
                ))
    }

    @Test("CLIENT ID/SETNAME/GETNAME/INFO/LIST/SETINFO/KILL")
    func client() {
        var h = Harness()
        h.connect(1)
        h.connect(2)
        #expect(h.one(1, "CLIENT", "ID") == .integer(1))
        #expect(h.one(1, "CLIENT", "GETNAME") == .null)
        #expect(h.one(1, "CLIENT", "SETNAME", "my conn") == .error("ERR Client names cannot contain spaces, newlines or special characters."))
        #expect(h.one(1, "CLIENT", "SETNAME", "myconn") == .ok)
        #expect(h.one(1, "CLIENT", "SETINFO", "LIB-NAME", "redis-py") == .ok)
        #expect(h.one(1, "CLIENT", "SETINFO", "LIB-VER", "8.1.0") == .ok)
        #expect(h.one(1, "CLIENT", "SETINFO", "bogus", "1") == .error("ERR Unrecognized option 'bogus'"))
        guard case .verbatimString(_, let info) = h.one(1, "CLIENT", "INFO") else { Issue.record("CLIENT INFO"); return }
        #expect(info.hasPrefix("id=1 addr=127.0.0.1:50001 laddr=127.0.0.1:26379 "))
        #expect(info.contains(" name=myconn "))
        #expect(info.contains(" lib-name=redis-py lib-ver=8.1.0"))
        guard case .verbatimString(_, let list) = h.one(1, "CLIENT", "LIST") else { Issue.record("CLIENT LIST"); return }
        #expect(list.split(separator: "\n").count == 2)
        let kill = h.sentinel.handle(.clientCommand(ClientID(1), ["CLIENT", "KILL", "ID", "2"]), now: h.now)
        #expect(kill.contains(.reply(ClientID(1), .integer(1), .resp2)))
        #expect(kill.contains(.closeClient(ClientID(2))))
        #expect(h.one(1, "CLIENT", "KILL", "1.2.3.4:5") == .error("ERR No such client"))
    }

    @Test("CLIENT LIST stays in connection order after clients in the middle have gone")
    func clientListOrderAfterDisconnects() {
        var h = Harness()
        for id in 1...5 { h.connect(id) }
        // Sessions are removed in constant time by moving the last into the gap.
        _ = h.sentinel.handle(.clientDisconnected(ClientID(2)), now: h.now)
        _ = h.sentinel.handle(.clientDisconnected(ClientID(3)), now: h.now)
        h.connect(6)
        guard case .verbatimString(_, let list) = h.one(1, "CLIENT", "LIST") else { Issue.record("CLIENT LIST"); return }
        let ids = list.split(separator: "\n").map { $0.split(separator: " ")[0] }
        #expect(ids == ["id=1", "id=4", "id=5", "id=6"])
        #expect(h.one(4, "CLIENT", "ID") == .integer(4))
        #expect(h.one(6, "CLIENT", "ID") == .integer(6))
    }

    @Test("SUBSCRIBE/PSUBSCRIBE deliver events; RESP2 subscribed mode allows only pub/sub commands")
    func pubsub() {
        var h = Harness()
        h.connect(1)
        #expect(h.one(1, "SUBSCRIBE", "+monitor") == .array([.bulkString("subscribe"), .bulkString("+monitor"), .integer(1)]))
        #expect(h.one(1, "PSUBSCRIBE", "[-+]sdown", "*") == .array([.bulkString("psubscribe"), .bulkString("[-+]sdown"), .integer(2)]))
        #expect(h.one(1, "PING") == .array([.bulkString("pong"), .bulkString("")]))
        #expect(
            h.one(1, "SENTINEL", "MYID")
                == .error(
                    "ERR Can't execute 'sentinel': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
                ))
        h.connect(2)
        let frames = h.run(2, "SENTINEL", "MONITOR", "other", "127.0.0.1", "7000", "1")
        let toSubscriber = frames.filter { $0.0 == ClientID(1) }.map(\.1)
        #expect(
            toSubscriber.contains(
                .array([.bulkString("message"), .bulkString("+monitor"), .bulkString("master other 127.0.0.1 7000 quorum 1")])))
        #expect(
            toSubscriber.contains(
                .array([
                    .bulkString("pmessage"), .bulkString("*"), .bulkString("+monitor"),
                    .bulkString("master other 127.0.0.1 7000 quorum 1"),
                ])))
        #expect(!toSubscriber.contains { $0.elements?[1] == .bulkString("[-+]sdown") })
        #expect(h.one(1, "UNSUBSCRIBE") == .array([.bulkString("unsubscribe"), .bulkString("+monitor"), .integer(2)]))
        let rest = h.run(1, "PUNSUBSCRIBE")
        #expect(rest.count == 2)
        #expect(h.one(1, "UNSUBSCRIBE") == .array([.bulkString("unsubscribe"), .null, .integer(0)]))
        #expect(h.one(1, "SENTINEL", "MYID") == .bulkString(String(repeating: "e", count: 40)))
    }

    @Test("RESP3 subscribers get push frames and may run any command")
    func resp3Push() {
        var h = Harness()
        h.connect(1)
        _ = h.one(1, "HELLO", "3")
        #expect(h.one(1, "SUBSCRIBE", "+set") == .push([.bulkString("subscribe"), .bulkString("+set"), .integer(1)]))
        #expect(h.one(1, "PING") == .simpleString("PONG"))
        h.connect(2)
        let frames = h.run(2, "SENTINEL", "SET", "mymaster", "quorum", "1")
        #expect(frames.contains { $0.0 == ClientID(1) && $0.1 == .push([.bulkString("message"), .bulkString("+set"), .bulkString("master mymaster 127.0.0.1 6379 quorum 1")]) })
    }

    @Test("INFO sections: default has all five, unknown sections are dropped")
    func info() {
        var h = Harness()
        h.connect(1)
        guard case .bulkString(let all) = h.one(1, "INFO") else { Issue.record("INFO"); return }
        for header in ["# Server", "# Clients", "# CPU", "# Stats", "# Sentinel"] { #expect(all.contains(header)) }
        #expect(all.contains("redis_mode:sentinel"))
        #expect(all.contains("master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=0,sentinels=1"))
        guard case .bulkString(let one) = h.one(1, "INFO", "sentinel", "keyspace") else { Issue.record("INFO"); return }
        #expect(one.hasPrefix("# Sentinel\r\nsentinel_masters:1\r\n"))
        #expect(!one.contains("# Server"))
        func headers(_ v: RESPValue?) -> [String] {
            (v?.string ?? "").split(separator: "\r\n").filter { $0.hasPrefix("#") }.map(String.init)
        }
        let everything = h.one(1, "INFO", "everything")
        #expect(headers(everything) == ["# Server", "# Clients", "# Stats", "# CPU", "# Sentinel"])
        #expect(headers(everything) == headers(h.one(1, "INFO", "all")))
    }

    @Test("COMMAND replies come from the sentinel-mode table")
    func command() {
        var h = Harness()
        h.connect(1)
        #expect(h.one(1, "COMMAND", "COUNT") == .integer(15))
        #expect(h.one(1, "COMMAND", "FROB") == .error("ERR unknown subcommand 'FROB'. Try COMMAND HELP."))
    }

    @Test("SHUTDOWN stops the process")
    func shutdown() {
        var h = Harness()
        h.connect(1)
        let actions = h.sentinel.handle(.clientCommand(ClientID(1), ["SHUTDOWN", "NOSAVE"]), now: h.now)
        #expect(actions.contains(.shutdown))
    }

    @Test("a failed config write answers the command with Redis's error and keeps the change in memory")
    func flushFailure() {
        var h = Harness()
        h.connect(1)
        let actions = h.sentinel.handle(.clientCommand(ClientID(1), ["SENTINEL", "SET", "mymaster", "quorum", "5"]), now: h.now)
        guard case .persistConfig(_, let token) = actions.first(where: { if case .persistConfig = $0 { true } else { false } }) else {
            Issue.record("no flush")
            return
        }
        #expect(!actions.contains { if case .reply(ClientID(1), _, _) = $0 { true } else { false } }, "no reply before the flush")
        let after = h.sentinel.handle(.configPersisted(token: token, error: "EROFS"), now: h.now)
        #expect(after.contains(.reply(ClientID(1), .error("ERR Failed to save config file. Check server logs."), .resp2)))
        #expect(h.sentinel.masterNamed("mymaster")?.config.quorum == 5)
    }

    @Test("each reply goes to its own client while clients come and go (the remembered client position is checked)")
    func repliesFollowTheirClient() {
        var h = Harness()
        for id in 1...4 { h.connect(id) }
        _ = h.run(2, "CLIENT", "SETNAME", "two")
        _ = h.run(4, "CLIENT", "SETNAME", "four")
        // Client 2 was looked up last; it leaves, and client 4 moves to its position... and beyond.
        _ = h.sentinel.handle(.clientDisconnected(ClientID(2)), now: h.now)
        _ = h.sentinel.handle(.clientDisconnected(ClientID(1)), now: h.now)
        let replies = h.run(4, "CLIENT", "GETNAME")
        #expect(replies.map(\.0) == [ClientID(4)])
        #expect(replies.first?.1 == .bulkString("four"))
        #expect(h.one(3, "CLIENT", "GETNAME") == .null)
        #expect(h.run(2, "PING").isEmpty)
        // Mixed case is matched as Redis's strcasecmp does.
        #expect(h.one(3, "Sentinel", "Get-Master-ADDR-by-name", "mymaster") == .array([.bulkString("127.0.0.1"), .bulkString("6379")]))
    }
}
