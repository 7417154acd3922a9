import RESP
import Testing

@testable import SentinelCore

/// Protected mode in the pure core: which peers are refused with Redis's `-DENIED` text, what a
/// refused connection does to the counters, and the startup check that refuses a config whose
/// listeners reach beyond loopback while protected mode would deny every remote client.
@Suite("Protected mode")
struct ProtectedModeTests {
    static func config(_ lines: String) throws -> SentinelConfig {
        try ConfigParser.parse(lines, fileName: "sentinel.conf")
    }

    /// Whether the startup check refuses the config `lines`, the default user judged from the
    /// config as the executable does.
    static func refusesStartup(_ lines: String) throws -> Bool {
        let config = try config(lines)
        return ProtectedMode.startupProblem(config, defaultUserHasNoPassword: ProtectedMode.defaultUserHasNoPassword(config)) != nil
    }

    static func sentinel(_ lines: String) throws -> Sentinel {
        Sentinel(config: try config(lines), seed: 7)
    }

    static func infoField(_ value: RESPValue?, _ name: String) -> String? {
        guard case .bulkString(let text)? = value else { return nil }
        for line in text.split(separator: "\r\n") where line.hasPrefix("\(name):") {
            return String(line.dropFirst(name.count + 1))
        }
        return nil
    }

    // MARK: - Address kinds

    /// 127.0.0.0/8 and ::1 are loopback (Redis 7.2's `127.` prefix rule), in every spelling the
    /// runtime may report (`ip:port`, `[ip]:port`, bare), and the IPv4-mapped form of a 127/8
    /// address; everything else, including an unparsable `?:0`, is not.
    @Test(
        "loopback per address kind",
        arguments: [
            ("127.0.0.1:5000", true), ("127.0.0.2:1", true), ("127.255.255.254:65535", true), ("127.0.0.1", true),
            ("[::1]:6000", true), ("::1", true), ("[0:0:0:0:0:0:0:1]:1", true), ("[::ffff:127.0.0.1]:7", true),
            ("::ffff:127.9.8.7", true), ("[::ffff:7f00:1]:9", true), ("[::1%lo]:5", true),
            ("10.213.0.2:5000", false), ("128.0.0.1:1", false), ("0.0.0.0:1", false), ("1.127.0.0:2", false),
            ("[::ffff:10.213.0.2]:7", false), ("[::2]:1", false), ("[::]:1", false), ("[fe80::1%eth0]:3", false),
            ("[2001:db8::1]:1", false), ("[::127.0.0.1]:1", false), ("?:0", false), ("localhost:1", false),
            ("127.0.0:1", false), ("127.0.0.256:1", false), ("[1::2::3]:1", false),
        ])
    func loopback(address: String, expected: Bool) {
        #expect(LoopbackAddress.isLoopback(address) == expected, "\(address)")
    }

    @Test("denied only with protected mode on, no password and a non-loopback peer")
    func decisionMatrix() {
        for enabled in [false, true] {
            for noPassword in [false, true] {
                for peer in ["127.0.0.1:1", "[::1]:1", "[::ffff:127.0.0.1]:1", "10.213.0.2:1", "[2001:db8::2]:1"] {
                    let denied = ProtectedMode.denies(enabled: enabled, defaultUserHasNoPassword: noPassword, peer: peer)
                    let remote = !peer.contains("127.0.0.1") && !peer.contains("::1]")
                    #expect(denied == (enabled && noPassword && remote), "\(enabled) \(noPassword) \(peer)")
                }
            }
        }
    }

    // MARK: - The core on .clientConnected

    /// A refused client gets exactly Redis's DENIED text (RESP2 error), is closed, never becomes a
    /// session (its commands are ignored), and counts in rejected_connections but not in
    /// total_connections_received.
    @Test("a remote client is answered DENIED and closed; a loopback client is served")
    func deniedRemoteClient() throws {
        var s = try Self.sentinel("protected-mode yes\nport 26379\n")
        let now: Millis = 1000
        _ = s.start(now: now)
        let denied = s.handle(.clientConnected(ClientID(1), address: "10.213.0.2:40000", localAddress: "10.213.0.1:26379"), now: now)
        #expect(denied == [.reply(ClientID(1), .error(Wire.errProtectedModeDenied), .resp2), .closeClient(ClientID(1))])
        #expect(s.handle(.clientCommand(ClientID(1), ["PING"]), now: now).isEmpty, "no session for a refused client")
        #expect(s.handle(.clientDisconnected(ClientID(1)), now: now).isEmpty)

        #expect(s.handle(.clientConnected(ClientID(2), address: "127.0.0.1:40001", localAddress: "127.0.0.1:26379"), now: now).isEmpty)
        #expect(s.handle(.clientCommand(ClientID(2), ["PING"]), now: now) == [.reply(ClientID(2), .simpleString("PONG"), .resp2)])
        #expect(s.handle(.clientConnected(ClientID(3), address: "[::1]:40002", localAddress: "[::1]:26379"), now: now).isEmpty)

        let info = s.handle(.clientCommand(ClientID(2), ["INFO", "stats"]), now: now)
        let reply: RESPValue? = info.compactMap { if case .reply(_, let v, _) = $0 { v } else { nil } }.first
        #expect(Self.infoField(reply, "rejected_connections") == "1")
        #expect(Self.infoField(reply, "total_connections_received") == "2")
    }

    /// Redis's connIsLocal: a `unixsocket` client is local, whatever its path looks like; it shows
    /// with flag `U` in CLIENT LIST.
    @Test("a unix socket client is served with protected mode on, and has flag U")
    func unixSocketClient() throws {
        var s = try Self.sentinel("protected-mode yes\nport 26379\n")
        _ = s.start(now: 1000)
        let path = "/run/sentinel/s.sock:0"
        #expect(s.handle(.clientConnected(ClientID(1), address: path, localAddress: path, unixSocket: true), now: 1000).isEmpty)
        let list = s.handle(.clientCommand(ClientID(1), ["CLIENT", "INFO"]), now: 1000)
        guard case .reply(_, .verbatimString(_, let line), _)? = list.first else {
            Issue.record("\(list)")
            return
        }
        #expect(line.contains("addr=\(path) laddr=\(path) ") && line.contains(" flags=U "), "\(line)")
    }

    @Test("the DENIED text is Redis 7.0's: one line, 1067 bytes with '-' and CRLF as redis-sentinel 7.0.15 sends")
    func deniedText() {
        let wire = "-" + Wire.errProtectedModeDenied + "\r\n"
        #expect(wire.hasPrefix("-DENIED Redis is running in protected mode because protected mode is enabled and no password"))
        #expect(wire.hasSuffix("in order for the server to start accepting connections from the outside.\r\n"))
        #expect(!Wire.errProtectedModeDenied.contains("\n") && !Wire.errProtectedModeDenied.contains("\r"))
        #expect(wire.utf8.count == 1067)
    }

    @Test("protected mode off (the sentinel default) or a password: remote clients are sessions")
    func notDenied() throws {
        for lines in ["port 26379\n", "protected-mode no\n", "protected-mode yes\nrequirepass secret\n"] {
            var s = try Self.sentinel(lines)
            _ = s.start(now: 1)
            let actions = s.handle(.clientConnected(ClientID(1), address: "10.213.0.2:1", localAddress: "10.213.0.1:2"), now: 1)
            #expect(actions.isEmpty, "\(lines)")
            let ping = s.handle(.clientCommand(ClientID(1), ["PING"]), now: 1)
            let expected: RESPValue =
                lines.contains("requirepass") ? .error("NOAUTH Authentication required.") : .simpleString("PONG")
            #expect(ping == [.reply(ClientID(1), expected, .resp2)], "\(lines)")
        }
    }

    // MARK: - Startup check

    /// Startup refusal matrix: protected-mode × password × bind (no bind line, loopback only, wildcard,
    /// a non-loopback IP, an optional non-loopback IP, a hostname).
    @Test(
        "startup check matrix",
        arguments: [
            ("", true), ("bind 127.0.0.1", false), ("bind 127.0.0.1 -::1", false), ("bind 127.0.0.2 ::1", false),
            ("bind localhost", false), ("bind ::ffff:127.0.0.1", false),
            ("bind * -::*", true), ("bind 0.0.0.0", true), ("bind ::", true), ("bind 127.0.0.1 10.213.0.1", true),
            ("bind 127.0.0.1 -10.213.0.1", true), ("bind 127.0.0.1 -::*", true), ("bind sentinel.example", true),
        ])
    func startupMatrix(bind: String, exposed: Bool) throws {
        for protected in [false, true] {
            for password in [false, true] {
                var lines = "port 26379\n" + bind + "\n"
                if protected { lines += "protected-mode yes\n" }
                if password { lines += "requirepass pw\n" }
                #expect(try Self.refusesStartup(lines) == (protected && !password && exposed), "\(lines)")
            }
        }
    }

    /// The default user's password as the ACL loads it: a `user default` line with a password
    /// counts, and one with `nopass` after `requirepass` removes it (the line applies last).
    @Test("the startup check reads the default user from requirepass and user lines")
    func startupUsers() throws {
        let cases: [(String, Bool)] = [
            ("user default on >pw ~* &* +@all\n", false),
            ("requirepass pw\nuser default on nopass ~* &* +@all\n", true),
            ("user default on #\(String(repeating: "a", count: 64)) ~* +@all\n", false),
            ("user admin on >pw ~* +@all\n", true),
        ]
        for (users, refused) in cases {
            #expect(try Self.refusesStartup("protected-mode yes\nbind 0.0.0.0\n" + users) == refused, "\(users)")
        }
    }

    /// The decision follows the live users: once `ACL SETUSER default nopass` runs, new remote
    /// connections are denied (redis-sentinel 7.0.15 does the same); a password set again lifts it.
    @Test("ACL SETUSER default nopass at runtime exposes new remote connections to DENIED")
    func runtimeNopass() throws {
        var s = try Self.sentinel("protected-mode yes\nrequirepass pw\n")
        _ = s.start(now: 1)
        let remote = { (id: Int) in Event.clientConnected(ClientID(id), address: "10.213.0.2:\(id)", localAddress: "10.213.0.1:2") }
        #expect(s.handle(remote(1), now: 1).isEmpty)
        _ = s.handle(.clientConnected(ClientID(2), address: "127.0.0.1:5", localAddress: "127.0.0.1:2"), now: 1)
        _ = s.handle(.clientCommand(ClientID(2), ["AUTH", "pw"]), now: 1)
        // Its +OK may wait for a config save; the effect on the users is immediate.
        _ = s.handle(.clientCommand(ClientID(2), ["ACL", "SETUSER", "default", "nopass"]), now: 1)
        #expect(s.acl.defaultUserIsNopass)
        #expect(s.handle(remote(3), now: 1).contains(.closeClient(ClientID(3))))
        _ = s.handle(.clientCommand(ClientID(2), ["ACL", "SETUSER", "default", "resetpass", ">pw2"]), now: 1)
        #expect(s.handle(remote(4), now: 1).isEmpty)
    }

    /// A TLS-only sentinel (port 0, tls-port, client certificates required) is judged like any
    /// other: a certificate is not a password, and Redis's protected mode denies remote TLS clients.
    @Test("a TLS-only port with client certificates does not lift the refusal")
    func tlsOnly() throws {
        let tls = "port 0\ntls-port 26380\ntls-auth-clients yes\ntls-cert-file c.pem\ntls-key-file k.pem\ntls-ca-cert-file ca.pem\n"
        for (extra, refused) in [("bind 0.0.0.0\n", true), ("bind 127.0.0.1\n", false), ("bind 0.0.0.0\nrequirepass pw\n", false)] {
            #expect(try Self.refusesStartup("protected-mode yes\n" + tls + extra) == refused, "\(extra)")
        }
    }

    @Test("the refusal names the addresses and every fix")
    func refusalText() throws {
        let config = try Self.config("protected-mode yes\n")
        let text = try #require(ProtectedMode.startupProblem(config, defaultUserHasNoPassword: true))
        #expect(text.contains("'*', '-::*'"))
        #expect(text.contains("no bind line means 'bind * -::*'"))
        #expect(text.contains("requirepass <password>"))
        #expect(text.contains("bind only loopback addresses"))
        #expect(text.contains("'protected-mode no'"))
        let bound = try Self.config("protected-mode yes\nbind 127.0.0.1 10.213.0.1\n")
        let named = try #require(ProtectedMode.startupProblem(bound, defaultUserHasNoPassword: true))
        #expect(named.contains("'10.213.0.1'") && !named.contains("'127.0.0.1'") && !named.contains("no bind line"))
    }
}
