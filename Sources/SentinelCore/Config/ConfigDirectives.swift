/// The table of directives a sentinel config file may contain.
enum ConfigDirectives {
    /// Server options the sentinel acts on (fields of ``SentinelConfig``), in rewrite order.
    static let actedOn: [String] = [
        "port", "bind", "protected-mode", "requirepass", "loglevel", "logfile", "log-format", "dir", "pidfile", "daemonize",
    ]

    /// How an accepted-but-not-acted-on server directive's arguments are checked.
    enum ArgumentKind: Sendable {
        case string
        case yesNo
        case oneOf([String])
        case integer(min: Int64, max: Int64)
        /// A memory value (`512mb`) within a range.
        case memoryRange(min: Int64, max: Int64)
        /// `client-output-buffer-limit`'s groups of `<class> <hard> <soft> <soft-seconds>`.
        case outputBufferLimits
        case octal
        case saveParams
        case variadic
        /// A memory value, or a percentage `N%` stored as `-N` (Redis's `MEMORY_CONFIG |
        /// PERCENT_CONFIG`, `maxmemory-clients`).
        case memoryOrPercent(min: Int64, max: Int64)
        /// A file or directory name without a path (`dbfilename`, `appendfilename`,
        /// `appenddirname`); `noun` names what it is in Redis's message.
        case fileName(noun: String, allowsEmpty: Bool)
        /// `shutdown-on-sigint`/`shutdown-on-sigterm`: one or more of `default save nosave now
        /// force`, not `save` with `nosave`.
        case shutdownOnSignal
        /// `latency-tracking-info-percentiles`: numbers from 0.0 to 100.0, or a single `""`.
        case percentiles
        /// `oom-score-adj-values`: three integers from -2000 to 2000.
        case oomScoreAdjValues
        /// `notify-keyspace-events`: a string of event class characters.
        case keyspaceEvents
        /// `replicaof`/`slaveof`: `<host> <port>` or `no one`.
        case replicaOf
        /// `cluster-announce-hostname`: fewer than 256 characters, letters, digits, `-` and `.`
        /// (empty allowed).
        case hostname
        /// Valkey's `cluster-announce-client-ipv4`/`-ipv6`: an address of that family, or empty.
        case ipAddress(v6: Bool)
        /// A listener address list like `bind`'s: 1 to 16 addresses (swift-sentinel's
        /// `metrics-bind`).
        case bindList

        /// Redis's `MULTI_ARG_CONFIG` options: they take several arguments, and a single non-empty
        /// argument is split into arguments like a config line (`save "3600 1 300 100"`).
        var isMultiArgument: Bool {
            switch self {
            case .saveParams, .outputBufferLimits, .shutdownOnSignal, .percentiles, .oomScoreAdjValues, .replicaOf: true
            default: false
            }
        }
    }

    static let intMax = Int64(Int32.max)

    /// Accepted directives that may appear on several lines, each line adding to the previous ones.
    /// Every other directive keeps only its last value.
    static let multiLine: Set<String> = ["user", "save", "client-output-buffer-limit"]

    /// Every `sentinel <option>` the loader understands (the rewrite's keys are `sentinel <option>`).
    static let sentinelOptions: [String] =
        [
            "myid", "monitor", "config-epoch", "leader-epoch", "known-replica", "known-slave", "known-sentinel",
            "rename-command", "current-epoch", "coordinated-failover",
        ] + SentinelOption.fileNames + MasterOption.fileNames

    /// Options applied in the first ("pre-monitor") pass.
    static let preMonitor: Set<String> = Set(["current-epoch", "myid"] + SentinelOption.fileNames)

    /// Whether `name` (lowercased) is a server directive the loader accepts.
    /// Aliases count under their primary name; `loadmodule` is known so that the rewrite can drop
    /// its lines, `rename-command` and `include` so that it keeps them as they are.
    static func isKnownServerDirective(_ name: String) -> Bool {
        actedOn.contains(name) || accepted[primaryName(name)] != nil || keptAsWritten.contains(name) || name == "loadmodule"
    }

    /// Lines Redis's rewrite never touches.
    static let keptAsWritten: Set<String> = ["rename-command", "include"]

    /// The primary name of an option given by one of its ``aliases``, else `name`.
    static func primaryName(_ name: String) -> String { aliases[name] ?? name }
}
