/// A host (IP literal or hostname as given) and a port.
package struct HostPort: Hashable, Sendable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package init(_ host: String, _ port: Int) {
        self.host = host
        self.port = port
    }
    /// `ip:port`, or `[ip]:port` for IPv6, as Redis names replicas.
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A peer sentinel remembered in the config file (`sentinel known-sentinel <master> <ip> <port> <runid>`).
struct KnownSentinel: Hashable, Sendable {
    var address: HostPort
    var runID: String
    init(address: HostPort, runID: String) {
        self.address = address
        self.runID = runID
    }
}

/// The persistent settings and state of one monitored master: everything `sentinel <directive> <name> ...`
/// lines can say about it.
package struct MasterConfig: Hashable, Sendable {
    package var name: String
    var address: HostPort
    var quorum: Int
    var downAfterMilliseconds: Int64 = 30_000
    var failoverTimeout: Int64 = 180_000
    var parallelSyncs: Int = 1
    package var notificationScript: String? = nil
    package var clientReconfigScript: String? = nil
    var authPass: String? = nil
    var authUser: String? = nil
    var masterRebootDownAfterPeriod: Int64 = 0
    package var configEpoch: Epoch = 0
    var leaderEpoch: Epoch = 0
    package var knownReplicas: [HostPort] = []
    var knownSentinels: [KnownSentinel] = []
    /// rename-command mappings in the order given; keys compare case-insensitively (stored lowercased).
    var renamedCommands: [RenamedCommand] = []
    /// `coordinated-pause-milliseconds`: the write pause of a coordinated failover; 0 means the
    /// down-after period, and a larger value is capped at it.
    var coordinatedPauseMilliseconds: Int64 = 0
    /// `coordinated-failover`: an in-flight coordinated failover, kept so that a restarted leader
    /// or another sentinel can finish it (kill clients and unpause the old master).
    var coordinatedRecord: CoordinatedRecord? = nil

    /// The pause a coordinated failover uses: never longer than down-after-milliseconds.
    var effectiveCoordinatedPause: Int64 {
        coordinatedPauseMilliseconds > 0 ? min(coordinatedPauseMilliseconds, downAfterMilliseconds) : downAfterMilliseconds
    }

    package init(name: String, address: HostPort, quorum: Int) {
        self.name = name
        self.address = address
        self.quorum = quorum
    }

    /// A master with every option at its default: the values the rewrite leaves out
    /// (``MasterOption/written(_:)``) and the defaults SENTINEL MONITOR starts from.
    static let defaults = MasterConfig(name: "", address: HostPort("", 0), quorum: 1)
}

/// What is known of a coordinated failover in flight: the epoch its leader won, the old master,
/// the replica it hands over to, when the write pause ends (wall clock, Unix ms), and how the
/// master is handed over (a pause-switch leaves the old master to be demoted by whoever finishes it).
struct CoordinatedRecord: Hashable, Sendable {
    var epoch: Epoch
    var leader: String
    var old: HostPort
    var target: HostPort
    var pauseEndsUnixMillis: Int64
    var method: HandoverMethod

    init(
        epoch: Epoch, leader: String, old: HostPort, target: HostPort, pauseEndsUnixMillis: Int64,
        method: HandoverMethod = .serverFailover
    ) {
        self.epoch = epoch
        self.leader = leader
        self.old = old
        self.target = target
        self.pauseEndsUnixMillis = pauseEndsUnixMillis
        self.method = method
    }
}

/// One `sentinel rename-command <master> <command> <renamed>` mapping.
struct RenamedCommand: Hashable, Sendable {
    /// The original command name, lowercased.
    var command: String
    /// The name to send instead, as given.
    var renamed: String
    init(command: String, renamed: String) {
        self.command = command.lowercased()
        self.renamed = renamed
    }
}

/// A non-`sentinel` directive line the sentinel accepts (e.g. `port`, `bind`, `tls-port`, `user`).
package struct ServerDirective: Hashable, Sendable {
    /// Lowercased directive name.
    var name: String
    var arguments: [String]
    package init(name: String, arguments: [String]) {
        self.name = name.lowercased()
        self.arguments = arguments
    }
}

/// The whole configuration of a sentinel, as loaded from sentinel.conf (plus command-line overrides)
/// and as written back by the rewriter. The core keeps its live state in other types and produces
/// one of these whenever it persists.
package struct SentinelConfig: Hashable, Sendable {
    // Server options the sentinel acts on.
    package var port: Int = 26379
    /// `bind` addresses; empty means the default (all interfaces, like Redis with no bind line).
    package var bind: [String] = []
    var protectedMode: Bool = false
    var requirePass: String? = nil
    package var logLevel: LogLevel = .notice
    package var logFile: String = ""
    /// `log-format` (not a Redis option): how log lines are written; `text` is Redis's format.
    package var logFormat: LogFormat = .text
    package var dir: String? = nil
    package var pidFile: String? = nil
    package var daemonize: Bool = false
    /// Every other accepted server directive, in file order, kept so the rewrite preserves it.
    package var otherDirectives: [ServerDirective] = []
    /// Server-level `rename-command <command> <new-name>` lines, in file order: the names the
    /// sentinel's own commands answer to (see ``CommandRenames``). Kept as written by the rewrite.
    var commandRenames: [RenamedCommand] = []
    /// ACL users: the `user` lines as loaded (file order), or the live users as the core
    /// persists them (sorted by name). Written back as `user` lines unless `aclfile` is set.
    package var users: [AclUserDefinition] = []
    /// The `aclfile` path, if any (the directive stays in ``otherDirectives``).
    package var aclFile: String? {
        lastDirectiveValue("aclfile").flatMap { $0.isEmpty ? nil : $0 }
    }
    /// `acllog-max-len` (Redis default 128).
    var aclLogMaxLength: Int {
        lastDirectiveValue("acllog-max-len").flatMap { Int($0) } ?? 128
    }

    // Global sentinel state and options.
    /// 40 characters, or nil when not yet generated.
    package var myID: String? = nil
    package var currentEpoch: Epoch = 0
    var announceIP: String? = nil
    var announcePort: Int = 0
    var denyScriptsReconfig: Bool = true
    var sentinelUser: String? = nil
    var sentinelPass: String? = nil
    var resolveHostnames: Bool = false
    var announceHostnames: Bool = false

    /// Monitored masters, in `sentinel monitor` order.
    package var masters: [MasterConfig] = []

    package init() {}

    /// The first argument of the last `name` line among the directives kept as they are
    /// (``otherDirectives``): the value Redis applies when a directive appears more than once.
    /// Every effective value of such a directive is read through this.
    package func lastDirectiveValue(_ name: String) -> String? {
        otherDirectives.last { $0.name == name }?.arguments.first
    }
}
