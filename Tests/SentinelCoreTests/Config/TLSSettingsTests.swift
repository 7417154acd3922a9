import RESP
import Testing

@testable import SentinelCore

/// The typed `tls-*` settings, the checks of what BoringSSL can enforce, the announced port, and
/// `SENTINEL CONFIG SET/GET tls-*` (an extension: redis-sentinel has no TLS parameters there).
@Suite("TLS settings")
struct TLSSettingsTests {
    static let file = """
        port 0
        tls-port 26380
        tls-cert-file /etc/tls/server.crt
        tls-key-file "/etc/tls/server key.pem"
        tls-ca-cert-file /etc/tls/ca.crt
        tls-auth-clients optional
        tls-replication yes
        tls-protocols "TLSv1.2 TLSv1.3"
        sentinel monitor mymaster 127.0.0.1 6379 2

        """

    /// Redis's defaults (CONFIG GET tls-* on redis-server 7.0.15) when no directive is given.
    @Test func defaults() {
        let tls = SentinelConfig().tls
        #expect(tls == TLSSettings())
        #expect(tls.port == 0 && tls.authClients == .yes && !tls.replication && tls.sessionCaching)
        #expect(tls.sessionCacheSize == 20480 && tls.sessionCacheTimeout == 300 && !tls.preferServerCiphers)
        #expect(!tls.isEnabled)
    }

    @Test func parsedFromTheFile() throws {
        let config = try ConfigParser.parse(Self.file, fileName: "s.conf")
        let tls = config.tls
        #expect(tls.port == 26380)
        #expect(tls.certFile == "/etc/tls/server.crt")
        #expect(tls.keyFile == "/etc/tls/server key.pem")
        #expect(tls.caCertFile == "/etc/tls/ca.crt")
        #expect(tls.authClients == .optional)
        #expect(tls.replication)
        #expect(tls.protocols == "TLSv1.2 TLSv1.3")
        #expect(tls.isEnabled)
    }

    /// A changed setting is written back into its own line, in place; the others stay verbatim.
    @Test func rewrittenInPlace() throws {
        var config = try ConfigParser.parse(Self.file, fileName: "s.conf")
        var tls = config.tls
        tls.certFile = "/etc/tls/new.crt"
        tls.ciphers = "ECDHE-RSA-AES128-GCM-SHA256"
        config.tls = tls
        let text = ConfigRewriter.rewrite(original: Self.file, config: config)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[2] == "tls-cert-file /etc/tls/new.crt")
        #expect(lines[3] == "tls-key-file \"/etc/tls/server key.pem\"")
        #expect(lines.contains("tls-ciphers ECDHE-RSA-AES128-GCM-SHA256"))
        #expect(try ConfigParser.parse(text, fileName: "s.conf").tls == tls)
    }

    /// announce-port, else tls-port when tls-replication and tls-port are set, else port.
    @Test func announcedPort() throws {
        var config = try ConfigParser.parse(Self.file, fileName: "s.conf")
        config.myID = String(repeating: "f", count: 40)
        var s = Sentinel(config: config, seed: 1)
        _ = s.start(now: 1000)
        #expect(s.helloPayload(master: "mymaster", localAddress: "10.0.0.9")?.hasPrefix("10.0.0.9,26380,") == true)
        s.settings.announcePort = 5555
        #expect(s.helloPayload(master: "mymaster", localAddress: "10.0.0.9")?.hasPrefix("10.0.0.9,5555,") == true)
        s.settings.announcePort = 0
        var tls = s.settings.tls
        tls.replication = false
        s.settings.tls = tls
        s.settings.port = 26379
        #expect(s.helloPayload(master: "mymaster", localAddress: "10.0.0.9")?.hasPrefix("10.0.0.9,26379,") == true)
    }

    @Test func protocolRanges() throws {
        #expect(try TLSRestrictions.protocolRange(nil).get() == .tlsv1_2 ... .tlsv1_3)
        #expect(try TLSRestrictions.protocolRange("tlsv1.1  TLSv1.2").get() == .tlsv1_1 ... .tlsv1_2)
        #expect(try TLSRestrictions.protocolRange("TLSv1.3").get() == .tlsv1_3 ... .tlsv1_3)
        guard case .failure(let gap) = TLSRestrictions.protocolRange("TLSv1 TLSv1.3") else {
            Issue.record("a gap must be refused")
            return
        }
        #expect(gap.message.contains("contiguous range"))
        guard case .failure(let unknown) = TLSRestrictions.protocolRange("SSLv3") else {
            Issue.record("an unknown word must be refused")
            return
        }
        #expect(unknown.message == TLSRestrictions.invalidProtocols)
    }

    /// Only a list naming every suite BoringSSL enables is accepted.
    @Test func tls13Ciphersuites() {
        #expect(TLSRestrictions.checkCiphersuites(nil) == nil)
        #expect(
            TLSRestrictions.checkCiphersuites("TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256") == nil)
        #expect(TLSRestrictions.checkCiphersuites("TLS_CHACHA20_POLY1305_SHA256")?.message.contains("cannot restrict") == true)
        #expect(TLSRestrictions.checkCiphersuites("FOO")?.message == "Failed to configure ciphersuites: FOO")
    }

    /// BoringSSL's cipher-list rules: unknown names skipped, syntax errors and empty results refused.
    @Test(arguments: [
        ("DEFAULT", true), ("HIGH:!aNULL", true), ("DEFAULT:!MEDIUM", true), ("ECDHE-RSA-AES256-GCM-SHA384", true),
        ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", true), ("ECDHE+AESGCM:!RSA", true), ("[AES128|CHACHA20]:AES256", true),
        ("ALL:@STRENGTH", true), ("3DES", true), ("DHE-RSA-AES256-SHA:AES128-SHA", true),
        ("!ALL", false), ("ALL:!ALL", false), ("MEDIUM", false), ("FOO:BAR", false), ("ALL:@SECLEVEL=1", false),
        ("[AES128", false), ("AES128:-ALL", false), ("PSK:!kPSK:!aPSK", false), ("RSA+DES", false), ("~ALL", false),
    ])
    func cipherLists(_ list: String, _ accepted: Bool) {
        #expect((TLSCipherList.problem(in: list) == nil) == accepted, "\(list)")
    }

    // MARK: - SENTINEL CONFIG

    func make() throws -> Sentinel {
        var config = try ConfigParser.parse(Self.file, fileName: "s.conf")
        config.myID = String(repeating: "f", count: 40)
        var s = Sentinel(config: config, seed: 1)
        _ = s.start(now: 1000)
        _ = s.handle(.clientConnected(ClientID(1), address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: 1000)
        return s
    }

    func replies(_ actions: [Action]) -> [RESPValue] {
        actions.compactMap { if case .reply(_, let value, _) = $0 { value } else { nil } }
    }

    /// The `.prepareTLS` requests among `actions`: settings and token.
    func prepared(_ actions: [Action]) -> [(TLSSettings, Int)] {
        actions.compactMap { if case .prepareTLS(let settings, let token) = $0 { (settings, token) } else { nil } }
    }

    func persisted(_ actions: [Action]) -> [(SentinelConfig, Int)] {
        actions.compactMap { if case .persistConfig(let c, let t) = $0 { (c, t) } else { nil } }
    }

    /// Good settings: the core reads no file. It asks the runtime to load them (`.prepareTLS`) and
    /// changes nothing until the runtime reports them good; then they are applied, the runtime
    /// switches (`.activateTLS`, before the persist), and +OK comes after the flush.
    @Test func configSetReloads() throws {
        var s = try make()
        let before = s.settings
        let actions = s.handle(
            .clientCommand(ClientID(1), ["SENTINEL", "CONFIG", "SET", "tls-cert-file", "/new.crt", "TLS-KEY-FILE", "/new.key"]),
            now: 2000)
        var expected = s.settings.tls
        expected.certFile = "/new.crt"
        expected.keyFile = "/new.key"
        let asked = prepared(actions)
        #expect(asked.count == 1)
        #expect(asked.first?.0 == expected)
        #expect(replies(actions).isEmpty, "the reply waits for the runtime")
        #expect(persisted(actions).isEmpty && !actions.contains(.activateTLS(token: asked.first?.1 ?? 0)))
        #expect(s.settings == before, "nothing changes before the files are loaded")

        let loaded = s.handle(.tlsPrepared(token: asked[0].1, error: nil), now: 2001)
        let activate = loaded.firstIndex(of: .activateTLS(token: asked[0].1))
        let persist = loaded.firstIndex { if case .persistConfig = $0 { true } else { false } }
        #expect(activate != nil && persist != nil && activate! < persist!)
        #expect(persisted(loaded).first?.0.tls == expected)
        #expect(s.settings.tls == expected)
        #expect(replies(loaded).isEmpty, "the reply waits for the flush")
        let after = s.handle(.configPersisted(token: persisted(loaded)[0].1, error: nil), now: 2002)
        #expect(replies(after) == [.ok])
        let get = s.handle(.clientCommand(ClientID(1), ["SENTINEL", "CONFIG", "GET", "tls-*-file"]), now: 2003)
        #expect(
            replies(get).first?.mapKeys == [
                "tls-cert-file", "tls-key-file", "tls-client-cert-file", "tls-client-key-file", "tls-ca-cert-file",
                "tls-dh-params-file",
            ])
    }

    /// A file the runtime cannot load: an error reply naming it, nothing changed or persisted,
    /// no switch. Syntax errors and tls-port are refused at once, without asking the runtime.
    @Test func configSetRefusesBadFiles() throws {
        var s = try make()
        let before = s.settings
        let actions = s.handle(.clientCommand(ClientID(1), ["SENTINEL", "CONFIG", "SET", "tls-cert-file", "/bad.crt"]), now: 2000)
        #expect(replies(actions).isEmpty)
        let token = try #require(prepared(actions).first?.1)
        let refused = s.handle(
            .tlsPrepared(token: token, error: "Failed to load certificate: /bad.crt (tls-cert-file): No such file or directory"),
            now: 2001)
        #expect(
            replies(refused) == [
                .error(
                    "ERR Unable to update TLS configuration: Failed to load certificate: /bad.crt (tls-cert-file): No such file or directory"
                )
            ])
        #expect(!refused.contains(.activateTLS(token: token)))
        #expect(persisted(refused).isEmpty)
        #expect(s.settings == before)
        let port = s.handle(.clientCommand(ClientID(1), ["SENTINEL", "CONFIG", "SET", "tls-port", "1"]), now: 2002)
        #expect(replies(port).first.map { if case .error(let e) = $0 { e.contains("tls-port cannot be changed") } else { false } } == true)
        #expect(prepared(port).isEmpty)
        let value = s.handle(.clientCommand(ClientID(1), ["SENTINEL", "CONFIG", "SET", "tls-auth-clients", "maybe"]), now: 2003)
        #expect(replies(value) == [.error("ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'tls-auth-clients'")])
        #expect(prepared(value).isEmpty)
    }

    /// `SENTINEL CONFIG GET *` lists exactly redis-sentinel's parameters; TLS ones need a `tls-` pattern.
    @Test func getStarIsUnchanged() throws {
        var s = try make()
        let all = replies(s.handle(.clientCommand(ClientID(1), ["SENTINEL", "CONFIG", "GET", "*"]), now: 2000))
        #expect(all.first?.mapKeys.contains { $0.hasPrefix("tls-") } == false)
        let replication = replies(s.handle(.clientCommand(ClientID(1), ["SENTINEL", "CONFIG", "GET", "tls-replication"]), now: 2001))
        #expect(replication == [.map([.bulkString("tls-replication"), .bulkString("yes")])])
    }
}
