import Testing

@testable import SentinelCore

/// One config text that must fail to load, with where and why.
struct ConfigErrorCase: CustomTestStringConvertible, Sendable {
    var text: String
    var line: Int
    var message: String
    var testDescription: String { "\(text.configEscapedNewlines) -> \(message)" }
}

extension String {
    /// The string with newlines escaped, so test logs stay one line per case.
    var configEscapedNewlines: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Run ids used by the config tests.
enum ConfigTestIDs {
    static let sample = "0123456789abcdef0123456789abcdef01234567"
    static let peer = "fedcba9876543210fedcba9876543210fedcba98"
}

@Suite("Config tokenizer (sdssplitargs rules)")
struct ConfigTokenizerTests {
    @Test func plainWordsAndBlanks() {
        #expect(ConfigTokenizer.split("  sentinel   monitor\tm 1.2.3.4 6379 2  ") == ["sentinel", "monitor", "m", "1.2.3.4", "6379", "2"])
        #expect(ConfigTokenizer.split("") == [])
        #expect(ConfigTokenizer.split("   ") == [])
    }

    @Test func doubleQuotesAndEscapes() {
        // `\x` without two hex digits is a plain escaped `x`.
        #expect(
            ConfigTokenizer.split(#"a "b c" "" "\n\r\t\b\a\\\"\q" "\x41\x7a\x4""#)
                == ["a", "b c", "", "\n\r\t\u{8}\u{7}\\\"q", "Azx4"]
        )
        #expect(ConfigTokenizer.split(#"x"y z"w"#) == nil)  // closing quote must be followed by a blank
        #expect(ConfigTokenizer.split(#"pre"quoted part" next"#) == ["prequoted part", "next"])
    }

    @Test func singleQuotes() {
        #expect(ConfigTokenizer.split(#"'it\'s' 'a "b"' '\n'"#) == ["it's", #"a "b""#, #"\n"#])
    }

    @Test func unbalancedQuotes() {
        #expect(ConfigTokenizer.split(#"port "26379"#) == nil)
        #expect(ConfigTokenizer.split("port '26379") == nil)
        #expect(ConfigTokenizer.split(#"a "b\"#) == nil)
    }

    @Test func nonASCIIPassesThrough() {
        #expect(ConfigTokenizer.split("requirepass pässwörd \"ünï code\"") == ["requirepass", "pässwörd", "ünï code"])
    }

    @Test func linesSplitOnNewlineAndTrim() {
        #expect(ConfigTokenizer.lines("a\r\n  b \n\n c") == ["a", "b", "", "c"])
        #expect(ConfigTokenizer.lines("a\n") == ["a"])
        #expect(ConfigTokenizer.lines("") == [])
        #expect(ConfigTokenizer.lines("\n") == [""])
        #expect(ConfigTokenizer.lines(" \t \n\nx\t\r") == ["", "", "x"])
        #expect(ConfigTokenizer.lines("é \u{b} z\n\n") == ["é \u{b} z", ""], "only ` \\t\\r\\n` are trimmed")
    }
}

@Suite("IP address literals")
struct IPAddressLiteralTests {
    @Test(arguments: ["127.0.0.1", "0.0.0.0", "255.255.255.255", "::", "::1", "fe80::1%eth0", "2001:db8::8a2e:370:7334",
                      "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1", "1:2:3:4:5:6:1.2.3.4", "1::8"])
    func valid(_ text: String) {
        #expect(IPAddressLiteral.isValid(text))
    }

    @Test(arguments: ["", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", ":::", "1:2:3:4:5:6:7:8:9",
                      "1::2::3", "12345::", "fe80::1%", "1:2:3:4:5:6:7", "::1.2.3", "g::1", "1:2:3:4:5:6:7::8:9"])
    func invalid(_ text: String) {
        #expect(!IPAddressLiteral.isValid(text))
    }
}

@Suite("Config parser")
struct ConfigParserTests {
    static let fullFile = """
        # A sentinel config that uses every directive.
        port 26380
        bind 127.0.0.1 ::1
        protected-mode yes
        requirepass "s3cret pass"
        loglevel warning
        logfile "/var/log/sentinel.log"
        dir /tmp
        pidfile /var/run/sentinel.pid
        daemonize yes
        tls-port 26381
        user default on nopass ~* +@all
        user alice on >pw ~* +@all
        sentinel myid \(ConfigTestIDs.sample)
        sentinel deny-scripts-reconfig no
        sentinel resolve-hostnames no
        sentinel announce-hostnames yes
        sentinel announce-ip 10.0.0.1
        sentinel announce-port 26390
        sentinel sentinel-user sen
        sentinel sentinel-pass senpass
        sentinel current-epoch 7
        sentinel monitor mymaster 127.0.0.1 6379 2
        sentinel down-after-milliseconds mymaster 5000
        sentinel failover-timeout mymaster 60000
        sentinel parallel-syncs mymaster 3
        sentinel notification-script mymaster /usr/local/bin/notify.sh
        sentinel client-reconfig-script mymaster /usr/local/bin/reconfig.sh
        sentinel auth-pass mymaster "pa ss"
        sentinel auth-user mymaster sentineluser
        sentinel master-reboot-down-after-period mymaster 10000
        sentinel config-epoch mymaster 5
        sentinel leader-epoch mymaster 6
        sentinel known-replica mymaster 127.0.0.1 6380
        sentinel known-slave mymaster ::1 6381
        sentinel known-sentinel mymaster 127.0.0.1 26381 \(ConfigTestIDs.peer)
        sentinel rename-command mymaster CONFIG GUESSME

        """

    @Test func everyDirective() throws {
        let c = try ConfigParser.parse(Self.fullFile, fileName: "sentinel.conf")
        #expect(c.port == 26380)
        #expect(c.bind == ["127.0.0.1", "::1"])
        #expect(c.protectedMode)
        #expect(c.requirePass == "s3cret pass")
        #expect(c.logLevel == .warning)
        #expect(c.logFile == "/var/log/sentinel.log")
        #expect(c.dir == "/tmp")
        #expect(c.pidFile == "/var/run/sentinel.pid")
        #expect(c.daemonize)
        #expect(c.otherDirectives == [
            ServerDirective(name: "tls-port", arguments: ["26381"])
        ])
        #expect(c.users == [
            AclUserDefinition(name: "default", rules: ["on", "nopass", "~*", "+@all"]),
            AclUserDefinition(name: "alice", rules: ["on", ">pw", "~*", "+@all"]),
        ])
        #expect(c.myID == ConfigTestIDs.sample)
        #expect(c.denyScriptsReconfig == false)
        #expect(c.resolveHostnames == false)
        #expect(c.announceHostnames)
        #expect(c.announceIP == "10.0.0.1")
        #expect(c.announcePort == 26390)
        #expect(c.sentinelUser == "sen")
        #expect(c.sentinelPass == "senpass")
        #expect(c.currentEpoch == 7)
        try #require(c.masters.count == 1)
        let m = c.masters[0]
        #expect(m.name == "mymaster")
        #expect(m.address == HostPort("127.0.0.1", 6379))
        #expect(m.quorum == 2)
        #expect(m.downAfterMilliseconds == 5000)
        #expect(m.failoverTimeout == 60000)
        #expect(m.parallelSyncs == 3)
        #expect(m.notificationScript == "/usr/local/bin/notify.sh")
        #expect(m.clientReconfigScript == "/usr/local/bin/reconfig.sh")
        #expect(m.authPass == "pa ss")
        #expect(m.authUser == "sentineluser")
        #expect(m.masterRebootDownAfterPeriod == 10000)
        #expect(m.configEpoch == 5)
        #expect(m.leaderEpoch == 6)
        #expect(m.knownReplicas == [HostPort("127.0.0.1", 6380), HostPort("::1", 6381)])
        #expect(m.knownSentinels == [KnownSentinel(address: HostPort("127.0.0.1", 26381), runID: ConfigTestIDs.peer)])
        #expect(m.renamedCommands == [RenamedCommand(command: "config", renamed: "GUESSME")])
    }

    @Test func defaultsWhenEmpty() throws {
        let c = try ConfigParser.parse("# nothing here\n\n   \n", fileName: "s.conf")
        #expect(c == SentinelConfig())
    }

    @Test func orderIndependence() throws {
        // Per-master options before their monitor line, pre-monitor options after it: the same
        // config as the conventional order.
        let shuffled = """
            sentinel known-replica m 10.0.0.2 6379
            sentinel down-after-milliseconds m 20000
            sentinel config-epoch m 3
            sentinel monitor m db.example 6379 2
            sentinel resolve-hostnames yes
            sentinel current-epoch 9
            sentinel myid \(ConfigTestIDs.sample)
            """
        let ordered = """
            sentinel myid \(ConfigTestIDs.sample)
            sentinel resolve-hostnames yes
            sentinel current-epoch 9
            sentinel monitor m db.example 6379 2
            sentinel down-after-milliseconds m 20000
            sentinel config-epoch m 3
            sentinel known-replica m 10.0.0.2 6379
            """
        let a = try ConfigParser.parse(shuffled, fileName: "a.conf")
        let b = try ConfigParser.parse(ordered, fileName: "b.conf")
        #expect(a == b)
        #expect(a.masters.first?.address == HostPort("db.example", 6379))
        #expect(a.masters.first?.downAfterMilliseconds == 20000)
        #expect(a.masters.first?.knownReplicas == [HostPort("10.0.0.2", 6379)])
    }

    @Test func mastersKeepMonitorOrder() throws {
        let c = try ConfigParser.parse("""
            sentinel monitor b 10.0.0.2 6379 1
            sentinel monitor a 10.0.0.1 6379 1
            sentinel monitor c ::1 6379 1
            """, fileName: "s.conf")
        #expect(c.masters.map(\.name) == ["b", "a", "c"])
    }

    @Test func directiveNamesAreCaseInsensitive() throws {
        let c = try ConfigParser.parse("""
            PORT 1234
            Protected-Mode YES
            SENTINEL MONITOR m 127.0.0.1 6379 1
            Sentinel Down-After-Milliseconds m 1000
            sentinel KNOWN-SLAVE m 127.0.0.1 6380
            TLS-Port 7000
            """, fileName: "s.conf")
        #expect(c.port == 1234)
        #expect(c.protectedMode)
        #expect(c.masters.first?.downAfterMilliseconds == 1000)
        #expect(c.masters.first?.knownReplicas == [HostPort("127.0.0.1", 6380)])
        #expect(c.otherDirectives == [ServerDirective(name: "tls-port", arguments: ["7000"])])
    }

    @Test func masterNamesAreCaseSensitive() throws {
        let c = try ConfigParser.parse("sentinel monitor m 127.0.0.1 6379 1\nsentinel monitor M 127.0.0.1 6380 1", fileName: "s.conf")
        #expect(c.masters.map(\.name) == ["m", "M"])
        #expect(throws: ConfigLoadError.self) {
            try ConfigParser.parse("sentinel monitor m 127.0.0.1 6379 1\nsentinel parallel-syncs M 2", fileName: "s.conf")
        }
    }

    @Test func knownSentinelWithoutRunIDIsIgnored() throws {
        let c = try ConfigParser.parse("""
            sentinel known-sentinel nosuchmaster 127.0.0.1 26379
            sentinel monitor m 127.0.0.1 6379 1
            sentinel known-sentinel m 127.0.0.1 26380
            """, fileName: "s.conf")
        #expect(c.masters.first?.knownSentinels == [])
    }

    @Test func sameAddressDifferentRunIDsAreAccepted() throws {
        let c = try ConfigParser.parse("""
            sentinel monitor m 127.0.0.1 6379 1
            sentinel known-sentinel m 127.0.0.1 26380 \(ConfigTestIDs.sample)
            sentinel known-sentinel m 127.0.0.1 26380 \(ConfigTestIDs.peer)
            """, fileName: "s.conf")
        #expect(c.masters.first?.knownSentinels.count == 2)
    }

    @Test func epochs() throws {
        // config-epoch raises current-epoch; current-epoch never lowers it.
        let c = try ConfigParser.parse("""
            sentinel monitor m 127.0.0.1 6379 1
            sentinel config-epoch m 12
            sentinel current-epoch 4
            sentinel current-epoch 3
            sentinel leader-epoch m 20
            """, fileName: "s.conf")
        #expect(c.currentEpoch == 12)
        #expect(c.masters.first?.configEpoch == 12)
        #expect(c.masters.first?.leaderEpoch == 20)
        let d = try ConfigParser.parse("sentinel current-epoch 4\nsentinel current-epoch 3", fileName: "s.conf")
        #expect(d.currentEpoch == 4)
    }

    @Test func emptyValuesMeanUnset() throws {
        let c = try ConfigParser.parse("""
            requirepass ""
            pidfile ""
            sentinel announce-ip ""
            sentinel sentinel-user ""
            sentinel sentinel-pass ""
            sentinel monitor m 127.0.0.1 6379 1
            sentinel auth-pass m ""
            sentinel notification-script m ""
            """, fileName: "s.conf")
        #expect(c.requirePass == nil)
        #expect(c.pidFile == nil)
        #expect(c.announceIP == nil)
        #expect(c.sentinelUser == nil)
        #expect(c.sentinelPass == nil)
        #expect(c.masters.first?.authPass == nil)
        #expect(c.masters.first?.notificationScript == nil)
    }

    @Test func lastValueWins() throws {
        let c = try ConfigParser.parse("""
            port 1
            port 2
            tls-port 10
            hz 5
            tls-port 11
            sentinel myid \(ConfigTestIDs.sample)
            sentinel myid \(ConfigTestIDs.peer)
            """, fileName: "s.conf")
        #expect(c.port == 2)
        #expect(c.myID == ConfigTestIDs.peer)
        #expect(c.otherDirectives == [ServerDirective(name: "tls-port", arguments: ["11"]), ServerDirective(name: "hz", arguments: ["5"])])
    }

    @Test func resolveHostnamesAllowsNamesEverywhere() throws {
        let c = try ConfigParser.parse("""
            sentinel resolve-hostnames yes
            sentinel monitor m redis-1 6379 2
            sentinel known-replica m redis-2 6379
            sentinel known-sentinel m sentinel-2 26379 \(ConfigTestIDs.peer)
            """, fileName: "s.conf")
        #expect(c.masters.first?.knownReplicas == [HostPort("redis-2", 6379)])
        #expect(c.masters.first?.knownSentinels.first?.address == HostPort("sentinel-2", 26379))
    }

    @Test func acceptedServerDirectives() throws {
        let lines = [
            "aclfile /etc/users.acl", "acllog-max-len 128", "enable-debug-command local",
            "enable-protected-configs yes", "enable-module-command no", "bind-source-addr 10.0.0.1", "tls-port 0",
            "tls-cert-file a.crt", "tls-key-file a.key", "tls-key-file-pass x", "tls-client-cert-file c.crt",
            "tls-client-key-file c.key", "tls-client-key-file-pass y", "tls-ca-cert-file ca.crt", "tls-ca-cert-dir /etc/ssl",
            "tls-dh-params-file dh.pem", "tls-protocols \"TLSv1.2 TLSv1.3\"", "tls-ciphers DEFAULT", "tls-ciphersuites TLS_AES_256_GCM_SHA384",
            "tls-prefer-server-ciphers yes", "tls-session-caching no", "tls-session-cache-size 5000", "tls-session-cache-timeout 60",
            "tls-auth-clients optional", "tls-replication yes", "repl-diskless-sync-delay 0", "maxclients 100", "timeout 0",
            "tcp-keepalive 300", "tcp-backlog 511", "unixsocket /tmp/s.sock", "unixsocketperm 700", "syslog-enabled no",
            "syslog-ident sentinel", "syslog-facility local0", "hz 10", "supervised systemd", "crash-log-enabled yes",
            "crash-memcheck-enabled no", "oom-score-adj relative", "disable-thp yes", "locale-collate C", "latency-tracking no",
            "io-threads 1", "set-proc-title yes", "proc-title-template \"{title} {listen-addr}\"", "always-show-logo no",
            "save \"\"", "appendonly no", "client-query-buffer-limit 1gb", "proto-max-bulk-len 512mb", "coordinated-failover-pause 500",
        ]
        let c = try ConfigParser.parse(lines.joined(separator: "\n"), fileName: "s.conf")
        #expect(c.otherDirectives.count == lines.count)
        #expect(c.otherDirectives.first(where: { $0.name == "tls-protocols" })?.arguments == ["TLSv1.2 TLSv1.3"])
        #expect(c.otherDirectives.first(where: { $0.name == "save" })?.arguments == [""])
    }

    @Test func bareSentinelLineIsIgnored() throws {
        #expect(try ConfigParser.parse("sentinel\n", fileName: "s.conf") == SentinelConfig())
    }

    // MARK: Command-line overrides

    @Test func overridesApplyAfterTheFile() throws {
        let c = try ConfigParser.parse("""
            port 26379
            sentinel monitor m 127.0.0.1 6379 2
            """, fileName: "s.conf", overrides: ["port 26380", "sentinel announce-ip 1.2.3.4", "sentinel down-after-milliseconds m 1000", "loglevel debug"])
        #expect(c.port == 26380)
        #expect(c.announceIP == "1.2.3.4")
        #expect(c.masters.first?.downAfterMilliseconds == 1000)
        #expect(c.logLevel == .debug)
    }

    @Test func overridesCanDefineMastersForFileLines() throws {
        // The file's per-master lines may refer to a master monitored from the command line.
        let c = try ConfigParser.parse("sentinel parallel-syncs m 4", fileName: "s.conf", overrides: ["sentinel monitor m 127.0.0.1 6379 2"])
        #expect(c.masters.first?.parallelSyncs == 4)
    }

    @Test func overrideErrorsNameTheCommandLine() {
        #expect(throws: ConfigLoadError(file: "(command line)", line: 2, lineText: "port x", message: "argument couldn't be parsed into an integer")) {
            try ConfigParser.parse("port 26379\n", fileName: "s.conf", overrides: ["loglevel notice", "port x"])
        }
        #expect(throws: ConfigLoadError(file: "(command line)", line: 1, lineText: "sentinel monitor m 127.0.0.1 6379 0",
                                        message: "Quorum must be 1 or greater.")) {
            try ConfigParser.parse("", fileName: "s.conf", overrides: ["sentinel monitor m 127.0.0.1 6379 0"])
        }
    }

    // MARK: Errors

    @Test func errorDescriptionIsOneActionableLine() {
        let error = ConfigLoadError(file: "sentinel.conf", line: 12, lineText: "sentinel monitor m 1.2.3.4 x 2", message: "Invalid port number.")
        #expect(error.description == "sentinel.conf:12: 'sentinel monitor m 1.2.3.4 x 2' -> Invalid port number.")
    }

    static let badConfigs: [ConfigErrorCase] = [
        // Sentinel directives.
        .init(text: "sentinel bogus 1", line: 1, message: "Unrecognized sentinel configuration statement."),
        .init(text: "# c\nsentinel monitor m 127.0.0.1 6379", line: 2, message: "Unrecognized sentinel configuration statement."),
        .init(text: "sentinel myid", line: 1, message: "Unrecognized sentinel configuration statement."),
        .init(text: "sentinel monitor m 127.0.0.1 6379 1\nsentinel known-sentinel m 1 2 3 4", line: 2, message: "Unrecognized sentinel configuration statement."),
        .init(text: "sentinel monitor m 127.0.0.1 6379 0", line: 1, message: "Quorum must be 1 or greater."),
        .init(text: "sentinel monitor m 127.0.0.1 6379 -1", line: 1, message: "Quorum must be 1 or greater."),
        .init(text: "sentinel monitor m 127.0.0.1 6379 two", line: 1, message: "Quorum must be 1 or greater."),
        .init(text: "sentinel monitor m 1.2.3.4 x 2", line: 1, message: "Invalid port number."),
        .init(text: "sentinel monitor m 1.2.3.4 65536 2", line: 1, message: "Invalid port number."),
        .init(text: "sentinel monitor m localhost 6379 2", line: 1, message: "Can't resolve instance hostname."),
        .init(text: "sentinel monitor m \"\" 6379 2", line: 1, message: "Can't resolve instance hostname."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\n\nsentinel monitor m 1.2.3.5 6379 2", line: 3, message: "Duplicate master name."),
        .init(text: "sentinel monitor \"my master\" 1.2.3.4 6379 2", line: 1, message: "Master name can't be empty or contain spaces or commas."),
        .init(text: "sentinel monitor a,b 1.2.3.4 6379 2", line: 1, message: "Master name can't be empty or contain spaces or commas."),
        .init(text: "sentinel monitor \"\" 1.2.3.4 6379 2", line: 1, message: "Master name can't be empty or contain spaces or commas."),
        .init(text: "sentinel down-after-milliseconds nope 1000", line: 1, message: "No such master with specified name."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel down-after-milliseconds m 0", line: 2, message: "negative or zero time parameter."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel failover-timeout m -5", line: 2, message: "negative or zero time parameter."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel failover-timeout m soon", line: 2, message: "negative or zero time parameter."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel master-reboot-down-after-period m -1", line: 2, message: "negative time parameter."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel parallel-syncs m many", line: 2, message: "Invalid numeric argument."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel config-epoch m -1", line: 2, message: ConfigMessages.invalidEpoch),
        .init(text: "sentinel current-epoch x", line: 1, message: "Invalid numeric argument."),
        // What an older version saved after a forged hello (redis-sentinel reads it with strtoull).
        .init(text: "sentinel current-epoch 18446744073709551615", line: 1, message: ConfigMessages.invalidEpoch),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel leader-epoch m 9223372036854775808", line: 2, message: ConfigMessages.invalidEpoch),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel known-replica m 1.2.3.5 6379\nsentinel known-slave m 1.2.3.5 6379", line: 3,
              message: "Duplicate hostname and port for replica."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel known-replica m 1.2.3.5 99999", line: 2, message: "Invalid port number."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel known-replica m replica-host 6379", line: 2, message: "Can't resolve instance hostname."),
        .init(text: """
            sentinel monitor m 1.2.3.4 6379 2
            sentinel known-sentinel m 1.2.3.5 26379 \(ConfigTestIDs.sample)
            sentinel known-sentinel m 1.2.3.6 26379 \(ConfigTestIDs.sample)
            """,
              line: 3, message: "Duplicate runid for sentinel."),
        .init(text: "sentinel monitor m 1.2.3.4 6379 2\nsentinel rename-command m config c1\nsentinel rename-command m CONFIG c2", line: 3,
              message: "Same command renamed multiple times with rename-command."),
        .init(text: "sentinel myid abc", line: 1, message: "Malformed Sentinel id in myid option."),
        .init(text: "sentinel deny-scripts-reconfig maybe", line: 1, message: "Please specify yes or no for the deny-scripts-reconfig options."),
        .init(text: "sentinel resolve-hostnames 1", line: 1, message: "Please specify yes or no for the resolve-hostnames option."),
        .init(text: "sentinel announce-hostnames on", line: 1, message: "Please specify yes or no for the announce-hostnames option."),
        .init(text: "sentinel announce-port 70000", line: 1, message: "Invalid port number."),
        // Server directives.
        .init(text: "port\n", line: 1, message: "wrong number of arguments"),
        .init(text: "port 80 81", line: 1, message: "wrong number of arguments"),
        .init(text: "port 123456", line: 1, message: "argument must be between 0 and 65535 inclusive"),
        .init(text: "tls-port abc", line: 1, message: "argument couldn't be parsed into an integer"),
        .init(text: "tls-port 65536", line: 1, message: "argument must be between 0 and 65535 inclusive"),
        .init(text: "protected-mode maybe", line: 1, message: "argument must be 'yes' or 'no'"),
        .init(text: "daemonize 1", line: 1, message: "argument must be 'yes' or 'no'"),
        .init(text: "tls-replication on", line: 1, message: "argument must be 'yes' or 'no'"),
        .init(text: "loglevel loud", line: 1, message: "argument(s) must be one of the following: debug, verbose, notice, warning, nothing"),
        .init(text: "port 26379\nlog-format xml", line: 2, message: "argument(s) must be one of the following: text, json, logfmt, legacy"),
        .init(text: "log-format json logfmt", line: 1, message: "wrong number of arguments"),
        .init(text: "supervised maybe", line: 1, message: "argument(s) must be one of the following: upstart, systemd, auto, no"),
        .init(text: "maxclients 0", line: 1, message: "argument must be between 1 and 4294967295 inclusive"),
        .init(text: "io-threads 1000", line: 1, message: "argument must be between 1 and 128 inclusive"),
        .init(text: "client-query-buffer-limit lots", line: 1, message: "argument must be a memory value"),
        .init(text: "unixsocketperm 789", line: 1, message: "argument couldn't be parsed as an octal number"),
        .init(text: "save 900", line: 1, message: "Invalid save parameters"),
        .init(text: "bind " + Array(repeating: "127.0.0.1", count: 17).joined(separator: " "), line: 1, message: "Too many bind addresses specified."),
        .init(text: "maxmemory lots", line: 1, message: "argument must be a memory value"),
        .init(text: "frobnicate 1gb", line: 1, message: "Bad directive or wrong number of arguments"),
        .init(text: "include /etc/other.conf", line: 1, message: ConfigMessages.includeUnsupported),
        .init(text: "user", line: 1, message: "Bad directive or wrong number of arguments"),
        .init(text: "hz 10 20", line: 1, message: "wrong number of arguments"),
        .init(text: "# ok\nport 26379\nlogfile \"unterminated", line: 3, message: "Unbalanced quotes in configuration line"),
    ]

    @Test(arguments: badConfigs)
    func errorsPointAtTheLine(_ bad: ConfigErrorCase) {
        do {
            _ = try ConfigParser.parse(bad.text, fileName: "sentinel.conf")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "sentinel.conf")
            #expect(error.line == bad.line)
            #expect(error.message == bad.message)
            let lines = ConfigTokenizer.lines(bad.text)
            #expect(error.lineText == lines[bad.line - 1])
        }
    }

    @Test func serverErrorsComeBeforeSentinelErrors() {
        // Server lines are applied while reading; sentinel lines only after the whole file.
        #expect(throws: ConfigLoadError(file: "s.conf", line: 2, lineText: "port x", message: "argument couldn't be parsed into an integer")) {
            try ConfigParser.parse("sentinel bogus\nport x\n", fileName: "s.conf")
        }
    }

    @Test func passOrderDecidesWhichSentinelErrorWins() {
        // The pre-monitor error on line 2 is found before the monitor error on line 1.
        #expect(throws: ConfigLoadError(file: "s.conf", line: 2, lineText: "sentinel myid short", message: "Malformed Sentinel id in myid option.")) {
            try ConfigParser.parse("sentinel monitor m 1.2.3.4 6379 0\nsentinel myid short\n", fileName: "s.conf")
        }
    }

    @Test func lineNumbersCountBlankAndCommentLines() {
        #expect(throws: ConfigLoadError(file: "x.conf", line: 5, lineText: "frobnicate yes", message: "Bad directive or wrong number of arguments")) {
            try ConfigParser.parse("# one\n\n  # three\r\n\nfrobnicate yes\n", fileName: "x.conf")
        }
    }
}
