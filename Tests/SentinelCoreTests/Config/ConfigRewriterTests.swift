import Testing

@testable import SentinelCore

/// Configs used by the round-trip and idempotence tests.
enum ConfigRewriteFixtures {
    static func minimal() -> SentinelConfig {
        var c = SentinelConfig()
        c.myID = ConfigTestIDs.sample
        c.masters = [MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)]
        return c
    }

    static func full() -> SentinelConfig {
        var c = SentinelConfig()
        c.port = 26380
        c.bind = ["127.0.0.1", "-::1"]
        c.protectedMode = true
        c.requirePass = "s3cret \"pass\""
        c.logLevel = .verbose
        c.logFile = "/var/log/sentinel log.txt"
        c.dir = "/var/lib/sentinel"
        c.pidFile = "/run/sentinel.pid"
        c.daemonize = true
        c.otherDirectives = [
            ServerDirective(name: "tls-port", arguments: ["26390"]),
            ServerDirective(name: "tls-protocols", arguments: ["TLSv1.2 TLSv1.3"]),
        ]
        c.users = [
            AclUserDefinition(name: "default", rules: ["on", "nopass", "~*", "+@all"]),
            AclUserDefinition(name: "alice", rules: ["on", ">p w", "~*", "&*", "+@all"]),
        ]
        c.myID = ConfigTestIDs.sample
        c.currentEpoch = 42
        c.announceIP = "10.1.2.3"
        c.announcePort = 36379
        c.denyScriptsReconfig = false
        c.sentinelUser = "sentinel-user"
        c.sentinelPass = "pass with spaces\tand\ttabs\nand a newline \\ \u{1}"
        var a = MasterConfig(name: "alpha", address: HostPort("10.0.0.1", 6379), quorum: 2)
        a.downAfterMilliseconds = 5000
        a.failoverTimeout = 60000
        a.parallelSyncs = 5
        a.notificationScript = "/opt/scripts/notify.sh"
        a.clientReconfigScript = "/opt/scripts/reconfig me.sh"
        a.authPass = "ä'uth\"pass"
        a.authUser = "sentinel"
        a.masterRebootDownAfterPeriod = 15000
        a.configEpoch = 40
        a.leaderEpoch = 42
        a.knownReplicas = [HostPort("10.0.0.2", 6379), HostPort("fe80::2", 6380)]
        a.knownSentinels = [
            KnownSentinel(address: HostPort("10.0.0.5", 26379), runID: ConfigTestIDs.peer),
            KnownSentinel(address: HostPort("10.0.0.6", 26379), runID: String(repeating: "a", count: 40)),
        ]
        a.renamedCommands = [RenamedCommand(command: "CONFIG", renamed: "cfg-9f2"), RenamedCommand(command: "slaveof", renamed: "")]
        var b = MasterConfig(name: "beta", address: HostPort("::1", 7000), quorum: 1)
        b.configEpoch = 3
        b.leaderEpoch = 0
        b.parallelSyncs = 0
        c.masters = [a, b]
        return c
    }

    static func hostnames() -> SentinelConfig {
        var c = SentinelConfig()
        c.myID = ConfigTestIDs.peer
        c.resolveHostnames = true
        c.announceHostnames = true
        c.currentEpoch = 1
        var m = MasterConfig(name: "cache", address: HostPort("redis-0.redis.svc", 6379), quorum: 2)
        m.configEpoch = 1
        m.knownReplicas = [HostPort("redis-1.redis.svc", 6379), HostPort("10.0.0.9", 6379)]
        m.knownSentinels = [KnownSentinel(address: HostPort("sentinel-1.svc", 26379), runID: ConfigTestIDs.sample)]
        c.masters = [m]
        return c
    }

    static func noMasters() -> SentinelConfig {
        var c = SentinelConfig()
        c.myID = ConfigTestIDs.sample
        c.currentEpoch = 3
        c.port = 0
        return c
    }

    /// A coordinated failover in flight: the pause setting and the persisted record.
    static func coordinated() -> SentinelConfig {
        var c = minimal()
        c.currentEpoch = 7
        c.masters[0].coordinatedPauseMilliseconds = 250
        c.masters[0].coordinatedRecord = CoordinatedRecord(
            epoch: 7, leader: ConfigTestIDs.sample, old: c.masters[0].address, target: HostPort("127.0.0.1", 6380),
            pauseEndsUnixMillis: 1_800_000_001_000)
        return c
    }

    static let configs: [SentinelConfig] = [minimal(), full(), hostnames(), noMasters(), coordinated()]

    /// Old file contents to rewrite over.
    static let originals: [String] = [
        "",
        """
        # Example sentinel config
        port 26379

        # The master to watch:
        sentinel monitor mymaster 127.0.0.1 6379 2
        sentinel down-after-milliseconds mymaster 30000
        # trailing comment
        """,
        """
        sentinel myid \(ConfigTestIDs.peer)
        sentinel monitor gone 10.9.9.9 6379 3
        sentinel known-slave gone 10.9.9.10 6379
        sentinel known-replica gone 10.9.9.11 6379
        sentinel known-sentinel gone 10.9.9.12 26379 \(ConfigTestIDs.sample)
        sentinel rename-command gone config xyz
        sentinel config-epoch gone 1
        sentinel leader-epoch gone 1
        sentinel current-epoch 1
        loglevel notice
        bind 0.0.0.0
        requirepass old
        \(ConfigRewriter.signature)
        sentinel announce-ip "1.1.1.1"
        """,
    ]
}

/// The option keys of a config text's directive lines, as the rewriter keys them.
func configDirectiveKeys(_ text: String) -> [String] {
    ConfigTokenizer.lines(text).compactMap { line in
        guard !line.isEmpty, !line.hasPrefix("#"), let args = ConfigTokenizer.split(line), let first = args.first else { return nil }
        return first.lowercased() == "sentinel" && args.count > 1 ? "sentinel " + args[1].lowercased() : first.lowercased()
    }
}

@Suite("Config rewriter")
struct ConfigRewriterTests {
    @Test func freshFileGetsSignatureAndOrderedLines() {
        let out = ConfigRewriter.rewrite(original: "", config: ConfigRewriteFixtures.minimal())
        #expect(out == """
            # Generated by CONFIG REWRITE
            sentinel myid \(ConfigTestIDs.sample)
            sentinel monitor mymaster 127.0.0.1 6379 2
            sentinel config-epoch mymaster 0
            sentinel leader-epoch mymaster 0
            sentinel current-epoch 0

            """)
    }

    @Test func fullConfigLineOrder() {
        let out = ConfigRewriter.rewrite(original: "", config: ConfigRewriteFixtures.full())
        #expect(out == #"""
            # Generated by CONFIG REWRITE
            port 26380
            bind 127.0.0.1 -::1
            protected-mode yes
            requirepass "s3cret \"pass\""
            loglevel verbose
            logfile "/var/log/sentinel log.txt"
            dir "/var/lib/sentinel"
            pidfile "/run/sentinel.pid"
            daemonize yes
            tls-port 26390
            tls-protocols "TLSv1.2 TLSv1.3"
            user default on nopass ~* +@all
            user alice on ">p w" ~* &* +@all
            sentinel myid 0123456789abcdef0123456789abcdef01234567
            sentinel deny-scripts-reconfig no
            sentinel monitor alpha 10.0.0.1 6379 2
            sentinel down-after-milliseconds alpha 5000
            sentinel failover-timeout alpha 60000
            sentinel parallel-syncs alpha 5
            sentinel notification-script alpha /opt/scripts/notify.sh
            sentinel client-reconfig-script alpha "/opt/scripts/reconfig me.sh"
            sentinel auth-pass alpha "ä'uth\"pass"
            sentinel auth-user alpha sentinel
            sentinel master-reboot-down-after-period alpha 15000
            sentinel config-epoch alpha 40
            sentinel leader-epoch alpha 42
            sentinel known-replica alpha 10.0.0.2 6379
            sentinel known-replica alpha fe80::2 6380
            sentinel known-sentinel alpha 10.0.0.5 26379 fedcba9876543210fedcba9876543210fedcba98
            sentinel known-sentinel alpha 10.0.0.6 26379 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            sentinel rename-command alpha config cfg-9f2
            sentinel rename-command alpha slaveof ""
            sentinel monitor beta ::1 7000 1
            sentinel parallel-syncs beta 0
            sentinel config-epoch beta 3
            sentinel leader-epoch beta 0
            sentinel current-epoch 42
            sentinel announce-ip "10.1.2.3"
            sentinel announce-port 36379
            sentinel sentinel-user sentinel-user
            sentinel sentinel-pass "pass with spaces\tand\ttabs\nand a newline \\ \x01"

            """#)
    }

    @Test(arguments: ConfigRewriteFixtures.configs, ConfigRewriteFixtures.originals)
    func roundTrip(_ config: SentinelConfig, _ original: String) throws {
        let text = ConfigRewriter.rewrite(original: original, config: config)
        let parsed = try ConfigParser.parse(text, fileName: "rewritten.conf")
        #expect(parsed == config)
    }

    @Test(arguments: ConfigRewriteFixtures.configs, ConfigRewriteFixtures.originals)
    func idempotent(_ config: SentinelConfig, _ original: String) {
        let once = ConfigRewriter.rewrite(original: original, config: config)
        let twice = ConfigRewriter.rewrite(original: once, config: config)
        #expect(twice == once)
        #expect(ConfigRewriter.rewrite(original: twice, config: config) == once)
    }

    @Test(arguments: ConfigRewriteFixtures.configs, ConfigRewriteFixtures.originals)
    func singleValuedKeysAppearOnce(_ config: SentinelConfig, _ original: String) {
        let keys = configDirectiveKeys(ConfigRewriter.rewrite(original: original, config: config))
        let multi: Set<String> = [
            "user", "sentinel monitor", "sentinel down-after-milliseconds", "sentinel failover-timeout", "sentinel parallel-syncs",
            "sentinel notification-script", "sentinel client-reconfig-script", "sentinel auth-pass", "sentinel auth-user",
            "sentinel master-reboot-down-after-period", "sentinel config-epoch", "sentinel leader-epoch", "sentinel known-replica",
            "sentinel known-sentinel", "sentinel rename-command", "sentinel coordinated-pause-milliseconds",
            "sentinel coordinated-failover",
        ]
        var seen: Set<String> = []
        for key in keys where !multi.contains(key) {
            #expect(seen.insert(key).inserted, "duplicate \(key)")
        }
        #expect(keys.filter { $0 == "sentinel monitor" }.count == config.masters.count)
    }

    @Test func commentsAndUnrelatedLinesStayInPlace() {
        let original = """
            # Top comment
            port 26379
            # Before the master
            sentinel monitor mymaster 127.0.0.1 6379 2

            # A comment between
            sentinel down-after-milliseconds mymaster 30000
            tls-port 6380
            # Bottom comment
            """
        var c = ConfigRewriteFixtures.minimal()
        c.masters[0].address = HostPort("127.0.0.2", 6380)
        c.masters[0].quorum = 3
        c.otherDirectives = [ServerDirective(name: "tls-port", arguments: ["6380"])]
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out == """
            # Top comment
            port 26379
            # Before the master
            sentinel monitor mymaster 127.0.0.2 6380 3

            # A comment between

            tls-port 6380
            # Bottom comment
            # Generated by CONFIG REWRITE
            sentinel myid \(ConfigTestIDs.sample)
            sentinel config-epoch mymaster 0
            sentinel leader-epoch mymaster 0
            sentinel current-epoch 0

            """)
    }

    @Test func unchangedLinesKeepTheirSpelling() {
        let original = "Port   26379\nSENTINEL Monitor mymaster \"127.0.0.1\" 6379 2\nsentinel myid '\(ConfigTestIDs.sample)'\n"
        let out = ConfigRewriter.rewrite(original: original, config: ConfigRewriteFixtures.minimal())
        #expect(out.hasPrefix(original))
    }

    @Test func removedMasterLinesAreBlanked() throws {
        var two = ConfigRewriteFixtures.full()
        let first = ConfigRewriter.rewrite(original: "# header\n", config: two)
        two.masters.removeFirst()
        let out = ConfigRewriter.rewrite(original: first, config: two)
        #expect(!out.contains("alpha"))
        #expect(out.contains("sentinel monitor beta ::1 7000 1"))
        #expect(!out.contains("\n\n\n"))
        #expect(ConfigTokenizer.lines(out).count < ConfigTokenizer.lines(first).count)
        let parsed = try ConfigParser.parse(out, fileName: "s.conf")
        #expect(parsed.masters.map(\.name) == ["beta"])
        // Removing every master leaves no sentinel master lines at all.
        two.masters = []
        let none = ConfigRewriter.rewrite(original: out, config: two)
        #expect(!none.contains("beta"))
        #expect(configDirectiveKeys(none).filter { $0.hasPrefix("sentinel ") }.sorted() == [
            "sentinel announce-ip", "sentinel announce-port", "sentinel current-epoch", "sentinel deny-scripts-reconfig",
            "sentinel myid", "sentinel sentinel-pass", "sentinel sentinel-user",
        ])
    }

    @Test func knownSlaveLinesAreReusedFirst() {
        let original = """
            sentinel monitor m 127.0.0.1 6379 2
            sentinel known-replica m 127.0.0.1 6381
            # keep me
            sentinel known-slave m 127.0.0.1 6380
            sentinel known-slave m 127.0.0.1 6399
            """
        var c = SentinelConfig()
        c.myID = ConfigTestIDs.sample
        var m = MasterConfig(name: "m", address: HostPort("127.0.0.1", 6379), quorum: 2)
        m.knownReplicas = [HostPort("127.0.0.1", 6380), HostPort("127.0.0.1", 6381), HostPort("127.0.0.1", 6382)]
        c.masters = [m]
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out == """
            sentinel monitor m 127.0.0.1 6379 2
            sentinel known-replica m 127.0.0.1 6382
            # keep me
            sentinel known-replica m 127.0.0.1 6380
            sentinel known-replica m 127.0.0.1 6381
            # Generated by CONFIG REWRITE
            sentinel myid \(ConfigTestIDs.sample)
            sentinel config-epoch m 0
            sentinel leader-epoch m 0
            sentinel current-epoch 0

            """)
        #expect(!out.contains("known-slave"))
    }

    @Test func defaultsAreOmitted() {
        var c = ConfigRewriteFixtures.minimal()
        c.masters[0].downAfterMilliseconds = 30_000
        c.masters[0].failoverTimeout = 180_000
        c.masters[0].parallelSyncs = 1
        c.masters[0].masterRebootDownAfterPeriod = 0
        c.announcePort = 0
        c.announceIP = ""
        c.sentinelUser = ""
        let out = ConfigRewriter.rewrite(original: "", config: c)
        for absent in [
            "down-after-milliseconds", "failover-timeout", "parallel-syncs", "master-reboot", "deny-scripts-reconfig", "resolve-hostnames",
            "announce-hostnames", "announce-ip", "announce-port", "sentinel-user", "sentinel-pass", "auth-", "script", "port", "bind",
            "protected-mode", "requirepass", "loglevel", "logfile", "log-format", "dir", "pidfile", "daemonize",
        ] {
            #expect(!out.contains(absent), "\(absent) should be omitted")
        }
        // Non-default global switches are written.
        c.denyScriptsReconfig = false
        c.resolveHostnames = true
        c.announceHostnames = true
        let on = ConfigRewriter.rewrite(original: "", config: c)
        #expect(on.contains("sentinel deny-scripts-reconfig no\nsentinel resolve-hostnames yes\nsentinel announce-hostnames yes\nsentinel monitor"))
    }

    @Test func serverOptionsAlreadyInTheFileAreKeptEvenAtDefault() {
        let original = "port 26379\nprotected-mode no\nloglevel notice\nlogfile \"\"\ndaemonize no\n"
        var c = SentinelConfig()
        c.myID = ConfigTestIDs.sample
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out.hasPrefix(original))
        c.port = 26400
        c.logLevel = .warning
        let changed = ConfigRewriter.rewrite(original: original, config: c)
        #expect(changed.hasPrefix("port 26400\nprotected-mode no\nloglevel warning\nlogfile \"\"\ndaemonize no\n"))
    }

    @Test func unsetOptionalServerOptionsRemoveTheirLines() {
        let original = "bind 1.2.3.4\nrequirepass secret\ndir /data\npidfile /run/s.pid\n# end\n"
        var c = SentinelConfig()
        c.myID = ConfigTestIDs.sample
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out.hasPrefix("\n# end\n# Generated by CONFIG REWRITE\n"))
    }

    @Test func unparseableAndUnknownLinesAreCommentedOut() {
        let original = "frobnicate 1\nlogfile \"unterminated\nsentinel bogus-option x\nsentinel\n# ??? old\n"
        let out = ConfigRewriter.rewrite(original: original, config: ConfigRewriteFixtures.noMasters())
        #expect(out.hasPrefix("# ??? frobnicate 1\n# ??? logfile \"unterminated\n# ??? sentinel bogus-option x\nsentinel\n# ??? old\n"))
        #expect(ConfigRewriter.rewrite(original: out, config: ConfigRewriteFixtures.noMasters()) == out)
    }

    @Test func signatureIsNotDuplicated() {
        let original = "# mine\n\(ConfigRewriter.signature)\nport 1\n"
        var c = ConfigRewriteFixtures.minimal()
        c.port = 1
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out.configOccurrences(of: ConfigRewriter.signature) == 1)
        #expect(out.hasPrefix("# mine\n\(ConfigRewriter.signature)\nport 1\nsentinel myid"))
    }

    @Test func otherDirectivesFromTheFileStayUntouched() throws {
        let original = "tls-port   6000\nuser default on nopass ~* +@all\nhz 10\n"
        let c = try ConfigParser.parse(original, fileName: "s.conf", overrides: ["tls-cert-file /etc/s.crt", "sentinel myid \(ConfigTestIDs.sample)"])
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out == """
            tls-port   6000
            user default on nopass ~* +@all
            hz 10
            # Generated by CONFIG REWRITE
            tls-cert-file /etc/s.crt
            sentinel myid \(ConfigTestIDs.sample)
            sentinel current-epoch 0

            """)
        #expect(try ConfigParser.parse(out, fileName: "s.conf") == c)
    }

    @Test func overriddenSingleValuedDirectiveReplacesItsLine() throws {
        let original = "tls-port 6000\nport 26379\n"
        let c = try ConfigParser.parse(original, fileName: "s.conf", overrides: ["tls-port 7000", "port 26390"])
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out == "tls-port 7000\nport 26390\n# Generated by CONFIG REWRITE\nsentinel current-epoch 0\n")
    }

    @Test func duplicateOldLinesCollapseToOne() {
        let original = """
            port 1
            port 2
            sentinel myid \(ConfigTestIDs.peer)
            sentinel myid \(ConfigTestIDs.sample)
            sentinel current-epoch 1
            sentinel current-epoch 2
            tls-port 5
            tls-port 6
            """
        var c = ConfigRewriteFixtures.noMasters()
        c.otherDirectives = [ServerDirective(name: "tls-port", arguments: ["6"])]
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out == "port 0\n\nsentinel myid \(ConfigTestIDs.sample)\n\nsentinel current-epoch 3\n\ntls-port 6\n\n")
    }

    @Test func saveIsNeverWritten() {
        var c = ConfigRewriteFixtures.noMasters()
        c.otherDirectives = [ServerDirective(name: "save", arguments: [""])]
        let out = ConfigRewriter.rewrite(original: "save 900 1\n# x\n", config: c)
        #expect(!out.contains("save"))
    }

    @Test func runsOfEmptyLinesCollapse() {
        let out = ConfigRewriter.rewrite(original: "# a\n\n\n   \n\n# b\n\n", config: SentinelConfig())
        #expect(out == "# a\n\n# b\n\n# Generated by CONFIG REWRITE\nsentinel current-epoch 0\n")
    }

    @Test func outputEndsWithNewlineWhateverTheInput() {
        let out = ConfigRewriter.rewrite(original: "# no newline at end", config: ConfigRewriteFixtures.minimal())
        #expect(out.hasSuffix("\n"))
        #expect(out.hasPrefix("# no newline at end\n# Generated by CONFIG REWRITE\n"))
    }

    @Test func crlfFilesAreRead() throws {
        let original = "port 26380\r\nsentinel monitor mymaster 127.0.0.1 6379 2\r\n"
        let c = try ConfigParser.parse(original, fileName: "s.conf")
        let out = ConfigRewriter.rewrite(original: original, config: c)
        #expect(out.hasPrefix("port 26380\nsentinel monitor mymaster 127.0.0.1 6379 2\n"))
    }

    @Test(arguments: ["", " ", "a b", "\"", "'", "\\", "\n\r\t\u{7}\u{8}", "\u{1}\u{7f}", "ünï", "#hash", "x\"y'z\\", "plain", "--", "\\x41"])
    func argumentsSurviveFormatting(_ value: String) {
        let formatted = ConfigRewriter.formatArgument(value)
        #expect(ConfigTokenizer.split("key " + formatted) == ["key", value])
        #expect(ConfigTokenizer.split("key " + ConfigRewriter.formatArgument(value, alwaysQuote: true)) == ["key", value])
    }

    @Test func plainArgumentsAreNotQuoted() {
        #expect(ConfigRewriter.formatArgument("127.0.0.1") == "127.0.0.1")
        #expect(ConfigRewriter.formatArgument("fe80::1%eth0") == "fe80::1%eth0")
        #expect(ConfigRewriter.formatArgument("") == "\"\"")
        #expect(ConfigRewriter.formatArgument("a b") == "\"a b\"")
        #expect(ConfigRewriter.formatArgument("1.2.3.4", alwaysQuote: true) == "\"1.2.3.4\"")
    }
}

extension String {
    /// How many times `needle` occurs (non-overlapping).
    func configOccurrences(of needle: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}

@Suite("Config rewriter: coordinated failover record")
struct CoordinatedRecordRewriteTests {
    @Test("a finished coordinated failover removes its record line")
    func recordRemoved() throws {
        let withRecord = ConfigRewriter.rewrite(original: "", config: ConfigRewriteFixtures.coordinated())
        #expect(withRecord.contains("sentinel coordinated-failover mymaster 7 "))
        var done = ConfigRewriteFixtures.coordinated()
        done.masters[0].coordinatedRecord = nil
        let after = ConfigRewriter.rewrite(original: withRecord, config: done)
        #expect(!after.contains("coordinated-failover"))
        #expect(after.contains("sentinel coordinated-pause-milliseconds mymaster 250"))
        #expect(try ConfigParser.parse(after, fileName: "x.conf") == done)
    }

    @Test("a pause-switch record carries its method as a last field and loads back; a FAILOVER one is written as before")
    func recordMethod() throws {
        var config = ConfigRewriteFixtures.coordinated()
        let plain = ConfigRewriter.rewrite(original: "", config: config)
        let line = try #require(plain.split(separator: "\n").first { $0.hasPrefix("sentinel coordinated-failover ") })
        #expect(line.split(separator: " ").count == 10, "8 fields after the master: \(line)")
        config.masters[0].coordinatedRecord?.method = .pauseSwitch
        let switched = ConfigRewriter.rewrite(original: plain, config: config)
        #expect(switched.contains(String(line) + " pause-switch\n"))
        #expect(try ConfigParser.parse(switched, fileName: "x.conf") == config)
        let bad = switched.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix(" pause-switch") ? $0.dropLast("pause-switch".count) + "teleport" : $0 }.joined(separator: "\n")
        #expect(throws: (any Error).self) { try ConfigParser.parse(bad, fileName: "x.conf") }
    }

    /// redis-sentinel 7.0.15 refuses a file with either swift-sentinel-only line (docs/configuration.md,
    /// "Sharing a file with redis-sentinel"), so each is written only while set, and unsetting the
    /// pause (`SENTINEL SET <m> coordinated-pause-milliseconds 0`) takes its line out again.
    @Test("swift-sentinel-only lines are written only while set")
    func swiftOnlyLinesOnlyWhileSet() throws {
        let plain = ConfigRewriter.rewrite(original: "", config: ConfigRewriteFixtures.minimal())
        #expect(!plain.contains("coordinated"))
        var paused = ConfigRewriteFixtures.minimal()
        paused.masters[0].coordinatedPauseMilliseconds = 250
        let withPause = ConfigRewriter.rewrite(original: plain, config: paused)
        #expect(withPause.contains("sentinel coordinated-pause-milliseconds mymaster 250\n"))
        #expect(!withPause.contains("coordinated-failover"))
        let unset = ConfigRewriter.rewrite(original: withPause, config: ConfigRewriteFixtures.minimal())
        #expect(!unset.contains("coordinated"), "\(unset)")
        #expect(try ConfigParser.parse(unset, fileName: "x.conf") == ConfigRewriteFixtures.minimal())
    }
}
