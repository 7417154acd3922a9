/// The commands the differential test sends, in this order, to both sentinels (see
/// `DifferentialTests`). Most go one by one over one connection per sentinel; the connection
/// speaks RESP2 until `HELLO 3`. A few are pipelines written at once on a fresh connection
/// (replies suppressed by `CLIENT REPLY OFF|SKIP` cannot be waited for one by one).
///
/// Order matters: nothing here may change what a later probe sees on the shared master. The
/// second master (`probe-master`, on a closed port) is monitored, changed, reset and removed in
/// one block; `SENTINEL FAILOVER` is only sent for masters without replicas or unknown names;
/// `CLIENT KILL` filters never match a live connection; SIMULATE-FAILURE flags are cleared at
/// the end of their block; SENTINEL DEBUG sets the values both sentinels already have.
enum DifferentialProbes {
    struct Probe: Sendable {
        let label: String
        /// One command, answered with one reply.
        let arguments: [String]
        /// Commands written in one go on a fresh connection, followed by `PING <marker>`; every
        /// byte up to the marker's reply is compared.
        let pipeline: [[String]]?
        let ordering: ReplyShape.Ordering
        /// Sent to the candidate instead of `arguments` (a Valkey alias, whose reply must be
        /// the reference's reply to the original), unless the candidate is redis-sentinel itself.
        var candidateArguments: [String]? = nil
    }

    /// What the probes need to know about the running fixture.
    struct Context: Sendable {
        let masterName: String
        let masterPort: UInt16
        /// A loopback port where nothing listens: the address of the second master.
        let closedPort: UInt16
        /// SENTINEL DEBUG parameters and the values both sentinels have (set back unchanged).
        let debugParameters: [(name: String, value: String)]
    }

    static let secondMaster = "probe-master"
    static let pipelineMarker = "differential-pipeline-end"

    static func list(_ context: Context) -> [Probe] {
        var probes: [Probe] = []
        func add(_ arguments: [String], ordering: ReplyShape.Ordering = .ordered, prefix: String = "") {
            probes.append(
                Probe(label: prefix + arguments.joined(separator: " "), arguments: arguments, pipeline: nil, ordering: ordering))
        }
        func pipeline(_ commands: [[String]]) {
            let label = "pipeline: " + commands.map { $0.joined(separator: " ") }.joined(separator: " | ")
            probes.append(Probe(label: label, arguments: [], pipeline: commands, ordering: .ordered))
        }
        let name = context.masterName
        let port = String(context.masterPort)
        let second = secondMaster
        let closedPort = String(context.closedPort)
        let sentinelRecords: [([String], ReplyShape.Ordering)] = [
            (["SENTINEL", "MASTERS"], .unorderedTopLevel),
            (["SENTINEL", "MASTER", name], .ordered),
            (["SENTINEL", "REPLICAS", name], .unorderedTopLevel),
            (["SENTINEL", "SLAVES", name], .unorderedTopLevel),
            (["SENTINEL", "SENTINELS", name], .unorderedTopLevel),
        ]

        // MARK: Read-only state, RESP2
        add(["PING"])
        add(["PING", "hello"])
        add(["INFO"])
        for section in ["server", "clients", "cpu", "stats", "sentinel", "replication", "default", "all", "everything"] {
            add(["INFO", section])
        }
        add(["INFO", "server", "sentinel"])
        add(["INFO", "no-such-section", "other"])
        add(["ROLE"])
        add(["CLIENT", "SETNAME", "differential-probe"])
        add(["CLIENT", "GETNAME"])
        add(["CLIENT", "ID"])
        add(["CLIENT", "INFO"])
        add(["CLIENT", "LIST"])
        add(["CLIENT", "SETINFO", "LIB-NAME", "differential-probe"])
        add(["CLIENT", "NO-SUCH-SUBCOMMAND"])
        add(["COMMAND", "COUNT"])
        add(["COMMAND", "INFO", "sentinel"], ordering: .unorderedDeep)
        add(["COMMAND", "DOCS", "ping"])
        for (arguments, ordering) in sentinelRecords {
            add(arguments, ordering: ordering)
        }
        add(["SENTINEL", "MASTER", "no-such-master"])
        add(["SENTINEL", "REPLICAS", "no-such-master"])
        add(["SENTINEL", "SENTINELS", "no-such-master"])
        add(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name])
        add(["sentinel", "get-master-addr-by-name", name])
        add(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "no-such-master"])
        add(["SENTINEL", "MYID"])
        add(["SENTINEL", "CKQUORUM", name])
        add(["SENTINEL", "CKQUORUM", "no-such-master"])
        add(["SENTINEL", "INFO-CACHE", name], ordering: .unorderedDeep)
        add(["SENTINEL", "PENDING-SCRIPTS"])
        add(["SENTINEL", "DEBUG"])
        add(["SENTINEL", "CONFIG", "GET", "*"])
        add(["SENTINEL", "HELP"])
        add(["SENTINEL", "SIMULATE-FAILURE", "help"])
        add(["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, "0", "*"])
        add(["SENTINEL"])
        add(["SENTINEL", "MASTER"])
        add(["SENTINEL", "GET-MASTER-ADDR-BY-NAME"])
        add(["SENTINEL", "NO-SUCH-SUBCOMMAND"])
        add(["SELECT", "1"])
        add(["ECHO", "hi"])
        add(["GET", "x"])
        add(["PING", "a", "b"])

        // MARK: Argument counts
        add(["ROLE", "x"])
        add(["CLIENT"])
        add(["CLIENT", "GETNAME", "x"])
        add(["COMMAND", "COUNT", "x"])
        for arguments in [
            ["MASTERS", "x"], ["MASTER", name, "x"], ["REPLICAS"], ["SLAVES", name, "x"], ["SENTINELS"],
            ["GET-MASTER-ADDR-BY-NAME", name, "x"], ["MYID", "x"], ["HELP", "x"], ["CKQUORUM"],
            ["PENDING-SCRIPTS", "x"], ["RESET"], ["FLUSHCONFIG", "x"], ["REMOVE"], ["MONITOR", second, "127.0.0.1", closedPort],
            ["SET", name, "quorum"], ["INFO-CACHE"], ["IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, "0"],
            ["SIMULATE-FAILURE"], ["FAILOVER"], ["CONFIG", "GET"], ["CONFIG", "SET"], ["CONFIG", "SET", "announce-port"],
        ] {
            add(["SENTINEL"] + arguments)
        }

        // MARK: SENTINEL CONFIG
        for parameter in [
            "resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port", "sentinel-user", "sentinel-pass",
            "loglevel", "announce-*", "RESOLVE-HOSTNAMES", "no-such-parameter",
        ] {
            add(["SENTINEL", "CONFIG", "GET", parameter])
        }
        add(["SENTINEL", "CONFIG", "GET", "resolve-hostnames", "announce-port"])
        add(["SENTINEL", "CONFIG", "NO-SUCH-ACTION", "x"])
        // The values set are the ones both sentinels already have.
        add(["SENTINEL", "CONFIG", "SET", "resolve-hostnames", "no"])
        add(["SENTINEL", "CONFIG", "SET", "announce-port", "0"])
        add(["SENTINEL", "CONFIG", "SET", "resolve-hostnames", "maybe"])
        add(["SENTINEL", "CONFIG", "SET", "announce-port", "x"])
        add(["SENTINEL", "CONFIG", "SET", "announce-port", "70000"])
        add(["SENTINEL", "CONFIG", "SET", "no-such-parameter", "1"])
        add(["SENTINEL", "CONFIG", "SET", "loglevel", "no-such-level"])
        add(["SENTINEL", "CONFIG", "SET", "resolve-hostnames", "no", "announce-hostnames", "no"])

        // MARK: SENTINEL DEBUG
        if let first = context.debugParameters.first {
            add(["SENTINEL", "DEBUG", first.name.lowercased(), first.value])
            add(["SENTINEL", "DEBUG", first.name.uppercased(), first.value])
            add(["SENTINEL", "DEBUG", first.name.lowercased(), "0"])
            add(["SENTINEL", "DEBUG", first.name.lowercased(), "-5"])
            add(["SENTINEL", "DEBUG", first.name.lowercased(), "x"])
            add(["SENTINEL", "DEBUG", first.name.lowercased()])
        }
        add(["SENTINEL", "DEBUG"] + context.debugParameters.flatMap { [$0.name.lowercased(), $0.value] })
        add(["SENTINEL", "DEBUG", "no-such-parameter", "1"])
        add(["SENTINEL", "DEBUG"])

        // MARK: SENTINEL IS-MASTER-DOWN-BY-ADDR (runid `*`: asks, never votes)
        add(["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "x", "0", "*"])
        add(["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, "x", "*"])
        add(["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, "-1", "*"])
        add(["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.2", port, "0", "*"])
        add(["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "not-an-address", port, "0", "*"])
        add(["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "99999", "0", "*"])

        // MARK: SENTINEL SIMULATE-FAILURE (harmless while no failover runs; cleared at the end)
        add(["SENTINEL", "SIMULATE-FAILURE", "crash-after-election"])
        add(["SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion"])
        add(["SENTINEL", "SIMULATE-FAILURE", "CRASH-AFTER-ELECTION", "crash-after-promotion"])
        add(["SENTINEL", "SIMULATE-FAILURE", "HELP"])
        add(["SENTINEL", "SIMULATE-FAILURE", "help", "x"])
        add(["SENTINEL", "SIMULATE-FAILURE", "crash-after-election", "no-such-flag"])
        add(["SENTINEL", "SIMULATE-FAILURE", "no-such-flag"])

        // MARK: Valkey's PRIMARY aliases answer like the commands they alias (7.0.15 has none)
        func alias(_ original: [String], _ aliased: [String], ordering: ReplyShape.Ordering = .ordered) {
            var probe = Probe(
                label: original.joined(separator: " ") + " (candidate: \(aliased.joined(separator: " ")))",
                arguments: original, pipeline: nil, ordering: ordering)
            probe.candidateArguments = aliased
            probes.append(probe)
        }
        alias(["SENTINEL", "MASTERS"], ["SENTINEL", "PRIMARIES"], ordering: .unorderedTopLevel)
        alias(["SENTINEL", "MASTER", name], ["SENTINEL", "PRIMARY", name])
        alias(["SENTINEL", "MASTER", "no-such-master"], ["SENTINEL", "PRIMARY", "no-such-master"])
        alias(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name], ["SENTINEL", "GET-PRIMARY-ADDR-BY-NAME", name])
        alias(
            ["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, "0", "*"],
            ["SENTINEL", "IS-PRIMARY-DOWN-BY-ADDR", "127.0.0.1", port, "0", "*"])
        // swift-sentinel's notice between its own peers (coordinated failover).
        add(["SENTINEL", "COORDINATED-FAILOVER", name, "0", String(repeating: "0", count: 40), "127.0.0.1", "1", "1"])

        // MARK: SENTINEL FAILOVER without a usable target
        add(["SENTINEL", "FAILOVER", "no-such-master"])
        add(["SENTINEL", "FAILOVER", name, "no-such-option"])

        // MARK: A second master on a closed port: MONITOR, SET, RESET, FAILOVER, REMOVE
        add(["SENTINEL", "MONITOR", second, "127.0.0.1", closedPort, "2"])
        add(["SENTINEL", "MONITOR", second, "127.0.0.1", closedPort, "2"])
        for (address, monitorPort, quorum) in [
            ("127.0.0.1", closedPort, "0"), ("127.0.0.1", closedPort, "x"), ("127.0.0.1", "x", "2"),
            ("127.0.0.1", "70000", "2"), ("127.0.0.1", "-1", "2"), ("999.0.0.1", closedPort, "2"),
            ("localhost", closedPort, "2"),
        ] {
            add(["SENTINEL", "MONITOR", "probe-other", address, monitorPort, quorum])
        }
        for badName in ["probe master", "probe,master"] {
            add(["SENTINEL", "MONITOR", badName, "127.0.0.1", closedPort, "2"])
            add(["SENTINEL", "REMOVE", badName])
        }
        add(["SENTINEL", "MASTER", second])
        add(["SENTINEL", "REPLICAS", second])
        add(["SENTINEL", "SENTINELS", second])
        add(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", second])
        add(["SENTINEL", "CKQUORUM", second])
        add(["SENTINEL", "MASTERS"], ordering: .unorderedTopLevel)
        add(["ROLE"], ordering: .unorderedDeep)
        add(["INFO", "sentinel"])
        add(["SENTINEL", "INFO-CACHE", name, second], ordering: .unorderedDeep)
        add(["SENTINEL", "INFO-CACHE", second, "no-such-master"], ordering: .unorderedDeep)
        add(["SENTINEL", "INFO-CACHE", "no-such-master"], ordering: .unorderedDeep)
        // Down-after stays far above the test's length, so the master never turns SDOWN
        // between the reference's and the candidate's answer.
        for (option, values) in [
            ("down-after-milliseconds", ["60000", "0", "x"]), ("failover-timeout", ["20000", "0", "-1"]),
            ("parallel-syncs", ["2", "0", "x"]), ("quorum", ["3", "0", "x"]),
            ("master-reboot-down-after-period", ["1000", "0", "-1"]),
            ("auth-pass", ["secret", ""]), ("auth-user", ["probe-user", ""]),
            ("notification-script", ["/nonexistent/script.sh"]), ("client-reconfig-script", ["/nonexistent/script.sh"]),
        ] {
            for value in values {
                add(["SENTINEL", "SET", second, option, value])
            }
        }
        add(["SENTINEL", "SET", second, "rename-command", "CONFIG", "PROBE-CONFIG"])
        add(["SENTINEL", "SET", second, "rename-command", "CONFIG"])
        add(["SENTINEL", "SET", second, "no-such-option", "1"])
        add(["SENTINEL", "SET", second, "QUORUM", "2", "parallel-syncs", "1"])
        add(["SENTINEL", "SET", second, "down-after-milliseconds", "60000", "quorum", "x"])
        add(["SENTINEL", "SET", "no-such-master", "quorum", "2"])
        add(["SENTINEL", "MASTER", second])
        add(["SENTINEL", "FAILOVER", second])
        add(["SENTINEL", "FAILOVER", second, "COORDINATED-TYPO"])
        add(["SENTINEL", "FAILOVER", second, "COORDINATED"])
        add(["SENTINEL", "RESET", "probe-*"])
        add(["SENTINEL", "RESET", "no-such-*"])
        add(["SENTINEL", "MASTER", second])
        add(["SENTINEL", "FLUSHCONFIG"])
        add(["SENTINEL", "REMOVE", second])
        add(["SENTINEL", "REMOVE", second])
        add(["SENTINEL", "MASTERS"], ordering: .unorderedTopLevel)
        add(["ROLE"])

        // MARK: CLIENT
        add(["CLIENT", "HELP"])
        add(["CLIENT", "KILL", "127.0.0.1:1"])
        add(["CLIENT", "KILL", "ADDR", "127.0.0.1:1"])
        add(["CLIENT", "KILL", "LADDR", "127.0.0.1:1"])
        add(["CLIENT", "KILL", "ID", "999999"])
        add(["CLIENT", "KILL", "ID", "x"])
        add(["CLIENT", "KILL", "TYPE", "no-such-type"])
        add(["CLIENT", "KILL", "TYPE", "master", "SKIPME", "yes"])
        add(["CLIENT", "KILL", "USER", "no-such-user"])
        add(["CLIENT", "KILL", "ADDR", "127.0.0.1:1", "SKIPME", "maybe"])
        add(["CLIENT", "KILL", "NO-SUCH-FILTER", "x"])
        add(["CLIENT", "KILL", "ADDR", "127.0.0.1:1", "ID"])
        add(["CLIENT", "KILL", "MAXAGE", "100000000"])
        add(["CLIENT", "KILL"])
        add(["CLIENT", "SETNAME", "two words"])
        add(["CLIENT", "SETNAME"])
        add(["CLIENT", "SETNAME", ""])
        add(["CLIENT", "GETNAME"])
        add(["CLIENT", "SETNAME", "differential-probe"])
        add(["CLIENT", "LIST", "TYPE", "normal"])
        add(["CLIENT", "LIST", "TYPE", "pubsub"])
        add(["CLIENT", "LIST", "TYPE", "no-such-type"])
        add(["CLIENT", "LIST", "ID", "x"])
        add(["CLIENT", "LIST", "no-such-option"])
        add(["CLIENT", "NO-EVICT", "on"])
        add(["CLIENT", "NO-EVICT", "maybe"])
        add(["CLIENT", "INFO"])
        add(["CLIENT", "NO-EVICT", "off"])
        add(["CLIENT", "PAUSE", "10"])
        add(["CLIENT", "PAUSE", "10", "WRITE"])
        add(["CLIENT", "PAUSE", "10", "ALL"])
        add(["CLIENT", "PAUSE", "10", "no-such-mode"])
        add(["CLIENT", "PAUSE", "x"])
        add(["CLIENT", "PAUSE", "-1"])
        add(["CLIENT", "PAUSE"])
        add(["CLIENT", "PAUSE", "10", "WRITE", "x"])
        add(["CLIENT", "UNPAUSE"])
        add(["CLIENT", "UNPAUSE", "x"])
        add(["CLIENT", "UNBLOCK", "999999"])
        add(["CLIENT", "UNBLOCK", "999999", "TIMEOUT"])
        add(["CLIENT", "UNBLOCK", "999999", "ERROR"])
        add(["CLIENT", "UNBLOCK", "x"])
        add(["CLIENT", "UNBLOCK", "999999", "no-such-reason"])
        add(["CLIENT", "UNBLOCK", "999999", "TIMEOUT", "x"])
        add(["CLIENT", "REPLY", "ON"])
        add(["CLIENT", "REPLY", "no-such-mode"])
        pipeline([["CLIENT", "REPLY", "OFF"], ["PING", "a"], ["CLIENT", "REPLY", "ON"], ["PING", "b"]])
        pipeline([["CLIENT", "REPLY", "SKIP"], ["PING", "a"], ["PING", "b"]])
        pipeline([["CLIENT", "REPLY", "SKIP"], ["SENTINEL", "NO-SUCH-SUBCOMMAND"], ["PING", "c"]])
        pipeline([["CLIENT", "REPLY", "OFF"], ["CLIENT", "REPLY", "SKIP"], ["PING", "a"], ["CLIENT", "REPLY", "ON"], ["PING", "b"]])
        // Replies in command order although the first one waits for a config flush.
        pipeline([["SENTINEL", "FLUSHCONFIG"], ["PING", "a"], ["SENTINEL", "SET", name, "quorum", String(Cluster.quorum)], ["PING", "b"]])
        add(["CLIENT", "GETREDIR"])
        add(["CLIENT", "TRACKINGINFO"])
        add(["CLIENT", "CACHING", "yes"])
        add(["CLIENT", "TRACKING", "maybe"])
        add(["CLIENT", "TRACKING", "on", "REDIRECT", "999999"])
        add(["CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"])
        add(["CLIENT", "TRACKING", "on", "PREFIX", "a"])
        add(["CLIENT", "TRACKING", "on", "NO-SUCH-OPTION"])
        add(["CLIENT", "TRACKING", "on", "REDIRECT", "x"])
        add(["CLIENT", "TRACKING", "on", "BCAST", "OPTIN"])
        add(["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"])
        add(["CLIENT", "TRACKING", "on", "PREFIX"])
        add(["CLIENT", "TRACKING", "on"])
        add(["CLIENT", "GETREDIR"])
        add(["CLIENT", "TRACKINGINFO"])
        add(["CLIENT", "CACHING", "yes"])
        add(["CLIENT", "TRACKING", "off"])
        add(["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", "NOLOOP"])
        add(["CLIENT", "TRACKINGINFO"])
        add(["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "bc"])
        add(["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c"])
        add(["CLIENT", "TRACKING", "on"])
        add(["CLIENT", "TRACKINGINFO"])
        add(["CLIENT", "LIST", "ID", "999999"])
        add(["CLIENT", "TRACKING", "off"])
        add(["CLIENT", "TRACKING", "on", "OPTIN"])
        add(["CLIENT", "CACHING", "yes"])
        add(["CLIENT", "CACHING", "no"])
        add(["CLIENT", "CACHING", "maybe"])
        add(["CLIENT", "TRACKINGINFO"])
        add(["CLIENT", "TRACKING", "on", "OPTOUT"])
        add(["CLIENT", "GETREDIR"])
        add(["PING"])
        add(["CLIENT", "TRACKINGINFO"])
        add(["CLIENT", "TRACKING", "off"])
        add(["CLIENT", "TRACKINGINFO"])

        // MARK: COMMAND
        add(["COMMAND"], ordering: .unorderedDeep)
        add(["COMMAND", "INFO"], ordering: .unorderedDeep)
        add(["COMMAND", "INFO", "ping", "no-such-command", "client"], ordering: .unorderedDeep)
        add(["COMMAND", "DOCS"], ordering: .unorderedDeep)
        add(["COMMAND", "DOCS", "no-such-command"])
        add(["COMMAND", "LIST"], ordering: .unorderedDeep)
        add(["COMMAND", "LIST", "FILTERBY", "PATTERN", "sent*"], ordering: .unorderedDeep)
        add(["COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"], ordering: .unorderedDeep)
        add(["COMMAND", "LIST", "FILTERBY", "ACLCAT", "no-such-category"], ordering: .unorderedDeep)
        add(["COMMAND", "LIST", "FILTERBY", "MODULE", "no-such-module"])
        add(["COMMAND", "LIST", "FILTERBY", "NO-SUCH-FILTER", "x"])
        add(["COMMAND", "LIST", "FILTERBY"])
        add(["COMMAND", "GETKEYS"])
        add(["COMMAND", "GETKEYS", "ping"])
        add(["COMMAND", "GETKEYS", "sentinel", "masters"])
        add(["COMMAND", "GETKEYS", "get", "x"])
        add(["COMMAND", "GETKEYS", "no-such-command", "x"])
        add(["COMMAND", "GETKEYSANDFLAGS", "sentinel", "masters"])
        add(["COMMAND", "HELP"])
        add(["COMMAND", "NO-SUCH-SUBCOMMAND"])

        // MARK: ACL and AUTH (no requirepass: the default user has nopass)
        add(["ACL", "WHOAMI"])
        add(["ACL", "WHOAMI", "x"])
        add(["ACL", "USERS"])
        add(["ACL", "CAT"], ordering: .unorderedDeep)
        add(["ACL", "CAT", "connection"], ordering: .unorderedDeep)
        add(["ACL", "CAT", "pubsub"], ordering: .unorderedDeep)
        for category in ["slow", "dangerous", "admin", "fast", "CONNECTION"] {
            add(["ACL", "CAT", category], ordering: .unorderedDeep)
        }
        add(["ACL", "CAT", "no-such-category"])
        add(["ACL", "CAT", "connection", "x"])
        add(["ACL", "LIST"])
        add(["ACL", "GETUSER", "default"])
        add(["ACL", "GETUSER", "no-such-user"])
        add(["ACL", "NO-SUCH-SUBCOMMAND"])
        add(["ACL"])
        add(["AUTH", "x"])
        add(["AUTH", "default", "x"])
        add(["AUTH", "no-such-user", "x"])
        add(["AUTH", "a", "b", "c"])
        add(["AUTH"])

        // MARK: Pub/sub argument errors and commands a sentinel does not have
        add(["SUBSCRIBE"])
        add(["PSUBSCRIBE"])
        add(["UNSUBSCRIBE"])
        add(["PUNSUBSCRIBE"])
        add(["PUBLISH", "__sentinel__:hello"])
        add(["PUBLISH", "chan", "msg"])
        for command in [["MONITOR"], ["MULTI"], ["EXEC"], ["CONFIG", "GET", "*"], ["LATENCY", "LATEST"], ["SLOWLOG", "LEN"], ["DEBUG", "SLEEP", "0"]] {
            add(command)
        }

        // MARK: HELLO
        add(["HELLO", "1"])
        add(["HELLO", "4"])
        add(["HELLO", "x"])
        add(["HELLO", "2", "AUTH", "default", "wrong"])
        add(["HELLO", "2", "AUTH", "no-such-user", "wrong"])
        add(["HELLO", "2", "AUTH", "default"])
        add(["HELLO", "2", "NO-SUCH-OPTION"])
        add(["HELLO", "2", "SETNAME"])
        add(["HELLO", "2", "SETNAME", "two words"])
        add(["HELLO", "2"])
        add(["HELLO", "3"])

        // MARK: The same connection in RESP3
        let resp3 = "[resp3] "
        for (arguments, ordering) in sentinelRecords {
            add(arguments, ordering: ordering, prefix: resp3)
        }
        add(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name], prefix: resp3)
        add(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "no-such-master"], prefix: resp3)
        add(["SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", port, "0", "*"], prefix: resp3)
        add(["SENTINEL", "DEBUG"], prefix: resp3)
        add(["SENTINEL", "CONFIG", "GET", "*"], prefix: resp3)
        add(["SENTINEL", "CONFIG", "GET", "resolve-hostnames"], prefix: resp3)
        add(["SENTINEL", "INFO-CACHE", name], ordering: .unorderedDeep, prefix: resp3)
        add(["SENTINEL", "INFO-CACHE", "no-such-master"], ordering: .unorderedDeep, prefix: resp3)
        add(["SENTINEL", "CKQUORUM", name], prefix: resp3)
        add(["SENTINEL", "PENDING-SCRIPTS"], prefix: resp3)
        add(["SENTINEL", "SIMULATE-FAILURE", "help"], prefix: resp3)
        add(["ROLE"], prefix: resp3)
        add(["INFO", "sentinel"], prefix: resp3)
        add(["CLIENT", "INFO"], prefix: resp3)
        add(["CLIENT", "LIST", "ID", "999999"], prefix: resp3)
        add(["CLIENT", "GETNAME"], prefix: resp3)
        add(["CLIENT", "TRACKINGINFO"], prefix: resp3)
        add(["CLIENT", "NO-SUCH-SUBCOMMAND"], prefix: resp3)
        add(["COMMAND", "DOCS", "ping"], prefix: resp3)
        add(["COMMAND", "INFO", "ping"], ordering: .unorderedDeep, prefix: resp3)
        add(["ACL", "GETUSER", "default"], prefix: resp3)
        add(["ACL", "GETUSER", "no-such-user"], prefix: resp3)
        add(["UNSUBSCRIBE"], prefix: resp3)
        add(["SELECT", "1"], prefix: resp3)
        add(["HELLO", "3", "SETNAME", "differential-resp3"], prefix: resp3)
        add(["CLIENT", "GETNAME"], prefix: resp3)
        add(["HELLO", "2"], prefix: resp3)

        // MARK: ACL users (issue 6) --------------------------------------------------------
        // Two users are created, exercised and deleted again inside this block, so later
        // probes see only the default user. Rules are chosen so that each description names at
        // most one single command: Redis lists single commands in its hash-table order, which
        // changes from process to process (see KnownDifferences).
        let user = "probe-user"
        add(["ACL", "LOG", "RESET"])
        add(["ACL", "SETUSER", user, "on", ">probe-pw", "resetchannels", "&__sentinel__:*", "-@all", "+@connection", "+@pubsub",
             "+sentinel|get-master-addr-by-name"])
        add(["ACL", "SETUSER", "probe-off", "off", "nopass", "+@all", "-@dangerous"])
        add(["ACL", "SETUSER", user])
        for bad in [["+sentinel|foo"], ["+nosuch"], ["+@nosuch"], ["bogus"], ["~*", "~a"], ["&*", "&a"], ["<nope"], ["#abc"],
                    ["+sentinel|masters|x"], ["%X~e"], ["+ping|"], ["on", "(+ping", "foo"], ["(+ping +@foo)"]] {
            add(["ACL", "SETUSER", "probe-bad"] + bad)
        }
        add(["ACL", "SETUSER", "probe bad"])
        add(["ACL", "GETUSER", user])
        add(["ACL", "GETUSER", "probe-off"])
        add(["ACL", "LIST"])
        add(["ACL", "USERS"])
        add(["ACL", "DRYRUN", user, "ping"])
        add(["ACL", "DRYRUN", user, "sentinel", "get-master-addr-by-name", name])
        add(["ACL", "DRYRUN", user, "sentinel", "masters"])
        add(["ACL", "DRYRUN", user, "publish", "foo", "x"])
        add(["ACL", "DRYRUN", user, "publish", "__sentinel__:hello", "x"])
        add(["ACL", "DRYRUN", user, "psubscribe", "*"])
        add(["ACL", "DRYRUN", "no-such-user", "ping"])
        add(["ACL", "DRYRUN", user, "no-such-command"])
        add(["ACL", "DRYRUN", user, "sentinel"])
        add(["ACL", "DRYRUN", user, "sentinel", "masters", "x"])
        add(["ACL", "GENPASS", "0"])
        add(["ACL", "GENPASS", "x"])
        add(["ACL", "LOAD"])
        add(["ACL", "SAVE"])
        // A fresh connection: wrong and right passwords, what the user may and may not run.
        pipeline([
            ["AUTH", user, "wrong"], ["AUTH", "probe-off", "x"], ["HELLO", "2", "AUTH", user, "wrong"],
            ["AUTH", user, "probe-pw"], ["ACL", "WHOAMI"], ["PING"], ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name],
            ["SENTINEL", "MASTERS"], ["SENTINEL", "RESET", "*"], ["PUBLISH", "foo", "x"], ["SUBSCRIBE", "foo"],
            ["PSUBSCRIBE", "*"],
        ])
        // RESP3 on a fresh connection: GETUSER with a selector (maps and a set), ACL LOG's double.
        add(["ACL", "SETUSER", "probe-sel", "on", "%R~r*", "(+ping ~k &c)", "(+@connection)"])
        pipeline([["HELLO", "3"], ["ACL", "GETUSER", "probe-sel"], ["ACL", "LOG", "1"], ["ACL", "DELUSER", "probe-sel"]])
        add(["ACL", "LOG"])
        add(["ACL", "LOG", "1"])
        add(["ACL", "LOG", "x"])
        add(["CLIENT", "KILL", "USER", "probe-off"])
        add(["CLIENT", "KILL", "USER", "no-such-user"])
        add(["ACL", "DELUSER", "default", user])
        add(["ACL", "DELUSER", user, "probe-off", "no-such-user"])
        add(["ACL", "DELUSER", "no-such-user"])
        add(["ACL", "LIST"])
        add(["ACL", "LOG", "RESET"])
        // ------------------------------------------------------------------ end of ACL users

        // MARK: Last: SHUTDOWN that must not shut down, then RESET and QUIT
        add(["SHUTDOWN", "no-such-option"])
        add(["SHUTDOWN", "ABORT"])
        add(["SHUTDOWN", "ABORT", "NOW"])
        add(["SHUTDOWN", "NOSAVE", "SAVE"])
        add(["PING"])
        add(["RESET"])
        add(["QUIT"])
        return probes
    }
}
