import DequeModule
import OrderedCollections
import RESP

/// What a reply on a command connection answers; the core keeps one per command sent, in order.
enum ReplyTag: Hashable, Sendable {
    case ignore
    /// The AUTH of a link's handshake (checked for the log only; Redis ignores it).
    case auth
    case ping
    case info
    case publishHello
    /// A hello PUBLISHed to a peer sentinel on behalf of one master.
    case helloToPeer(master: String)
    case subscribe
    case isMasterDown(master: String)
    /// The reply to one command of a SLAVEOF / promotion transaction (checked for the log only;
    /// progress is judged from INFO, as Redis does).
    case reconfigure
    /// One step of a coordinated-failover transaction; `last` is the index of `EXEC`.
    case transaction(TransactionKind, master: String, step: Int, last: Int)
    /// `CONFIG REWRITE` after a coordinated failover's release (its own command, after the EXEC).
    case configRewrite
    /// A peer's answer to our coordinated-failover notice.
    case coordinatedNotice(master: String)
    /// A peer's GET-MASTER-ADDR-BY-NAME, asked to confirm it knows the new master.
    case confirmAddress(master: String)
    /// `ECHO <nonce>` sent right after an untracked `REPLCONF GETACK *` (which Redis 7 answers with
    /// nothing, older servers with `+OK`, a restricted user with an error): the nonce tells which.
    /// `retried` is set once GETACK's own answer was seen and the ECHO's is the next frame.
    case ackFence(String, retried: Bool)
    /// A harmless, deliberately malformed `FAILOVER` or `CLIENT PAUSE` sent when the master's
    /// link comes up: `-NOPERM` (or an unknown command) tells that a coordinated failover would
    /// be refused, any other error that the command is allowed. `command` is its ACL name.
    case permissionProbe(master: String, command: String)
    /// `FAILOVER ABORT` sent to a master stuck in someone else's server-side FAILOVER.
    case stuckFailoverAbort(master: String)
}

/// The transactions of a coordinated failover whose every reply is checked.
enum TransactionKind: Hashable, Sendable {
    /// `MULTI; CLIENT PAUSE t WRITE; FAILOVER TO host port TIMEOUT t; EXEC` to the master, or for
    /// the pause-switch `MULTI; CLIENT PAUSE t WRITE; INFO replication; EXEC`.
    case pause
    /// Pause-switch: `MULTI; SLAVEOF NO ONE; INFO replication; EXEC` to the target.
    case switchPromotion
    /// Pause-switch: `MULTI; INFO replication; SLAVEOF <target>; EXEC` to the old master.
    case switchDemotion
    /// `MULTI; CONFIG REWRITE; CLIENT KILL TYPE normal; CLIENT KILL TYPE pubsub; CLIENT UNPAUSE; EXEC`
    /// to the old and the new master, at `address`.
    case release(HostPort)
}

/// What the INFO of a master or replica says, and when it said it (the fields of
/// sentinelRedisInstance that only Redis instances have).
struct RedisInstanceState: Hashable, Sendable {
    var infoRefresh: Millis = 0
    var infoText: String? = nil
    var roleReported: ReportedRole
    var roleReportedTime: Millis
    /// INFO `master_failover_state` (any role reports it); nil while it never reported one (no FAILOVER).
    var serverFailoverState: String? = nil
    /// When the instance began to report its current `serverFailoverState` other than
    /// `no-failover` (0 while it reports none): how long a server-side FAILOVER has been stuck.
    var serverFailoverSince: Millis = 0

    /// Whether its last INFO reports a server-side FAILOVER under way (`waiting-for-sync`,
    /// `failover-in-progress`): writes are paused and REPLICAOF is refused until it ends.
    var inServerFailover: Bool { serverFailoverState.map { $0 != "no-failover" } ?? false }

    init(role: ReportedRole, now: Millis) {
        self.roleReported = role
        self.roleReportedTime = now
    }
}

/// A replica's own data: discovered from its master's INFO or remembered in the config.
struct ReplicaState: Hashable, Sendable {
    /// The master it replicates (its entry in the ``InstanceTable``).
    let master: InstanceID
    /// `ip:port`, its key among its master's replicas.
    var name: String
    var address: HostPort
    var state: RedisInstanceState
    var masterLinkDownTime: Int64 = 0
    var slavePriority: Int = Timing.defaultSlavePriority
    var replicaAnnounced: Bool = true
    var slaveMasterHost: String? = nil
    var slaveMasterPort: Int = 0
    var slaveMasterLinkUp: Bool = false
    var slaveReplOffset: Int64 = 0
    var slaveConfChangeTime: Millis
    /// Reconfiguration progress during a failover (`reconf_sent`, `reconf_inprog`, `reconf_done`).
    var reconf: ReconfState = .none
    var slaveReconfSentTime: Millis = 0

    init(address: HostPort, of master: InstanceID, now: Millis) {
        self.master = master
        self.name = address.description
        self.address = address
        self.state = RedisInstanceState(role: .slave, now: now)
        self.slaveConfChangeTime = now
    }
}

/// Where a replica is in being repointed at the promoted replica (sentinel-behaviour §7.3 RECONF_SLAVES).
enum ReconfState: Hashable, Sendable {
    case none
    case sent
    case inProgress
    case done
}

/// A peer sentinel's own data under one master (discovered by hello or remembered in the config);
/// its runid is the instance's ``Instance/runID``.
struct PeerState: Hashable, Sendable {
    /// The master under which this sentinel was discovered (its entry in the ``InstanceTable``).
    let master: InstanceID
    var address: HostPort
    var masterDown: Bool = false
    var lastHelloTime: Millis
    var lastMasterDownReplyTime: Millis
    /// That sentinel's most recent vote, as it told us.
    var leader: String? = nil
    var leaderEpoch: Epoch = 0

    init(address: HostPort, of master: InstanceID, now: Millis) {
        self.master = master
        self.address = address
        self.lastHelloTime = now
        self.lastMasterDownReplyTime = now
    }

    /// Stands in for a role's data while that data is modified in place (``Instance/master``):
    /// every field is trivial or immortal, so putting it in costs no reference counting.
    static let vacant = PeerState(address: HostPort("", 0), of: InstanceID(-1), now: 0)
}

/// A master's own data: its settings (as persisted), its live state, its replicas and peer sentinels.
struct MasterState: Hashable, Sendable {
    var config: MasterConfig
    var state: RedisInstanceState
    var oDown: Bool = false
    var oDownSince: Millis = 0
    /// Replicas keyed by `ip:port` name (their entries in the ``InstanceTable``).
    var replicas: OrderedDictionary<String, InstanceID> = [:]
    /// Peer sentinels keyed by runid (their entries in the ``InstanceTable``).
    var sentinels: OrderedDictionary<String, InstanceID> = [:]
    /// Our vote for this master (`leader`); the epoch is `config.leaderEpoch`.
    var leader: String? = nil

    // Failover (sentinel-behaviour §4.2, §7.3).
    /// The failover running for this master, if any (FailoverRun.swift).
    var failover: FailoverRun? = nil
    /// When the last failover attempt started (plus the desync term), or when we last voted for
    /// another sentinel; 0 allows one at once. Kept after the failover ends: the next attempt
    /// waits 2 × failover-timeout from it.
    var failoverStartTime: Millis = 0
    /// Whether "Next failover delay" was already logged for the current wait.
    var failoverDelayLogged: Bool = false
    /// `master_reboot`: the runid changed and `master-reboot-down-after-period` is set.
    var masterReboot: Bool = false
    var masterRebootSince: Millis = 0
    /// When the failover may start after ODOWN (a short random desync so that peers that reached
    /// ODOWN together do not split the vote); nil until ODOWN makes a start possible.
    var pendingStartAt: Millis? = nil

    /// INFO `master_failover_state` of the master; nil while it never reported one (no FAILOVER).
    var masterFailoverState: String? {
        get { state.serverFailoverState }
        set { state.serverFailoverState = newValue }
    }
    /// When this sentinel last sent the master `FAILOVER ABORT` (its coordinated failover got
    /// stuck, or a stuck FAILOVER someone else started, StuckServerFailover.swift); 0: never.
    /// Until an INFO newer than that arrives, the master's FAILOVER state is not acted upon.
    var failoverAbortSentAt: Millis = 0
    /// Commands a coordinated failover needs that the master refused to this sentinel's user at
    /// the last link handshake (ACL name → the server's error), from the permission probes.
    var refusedCommands: [String: String] = [:]
    var masterReplOffset: Int64 = 0
    /// The replication history this master continued when it was promoted (`master_replid2` of its
    /// last INFO); nil when it reports none or all zeros (not promoted since it started). An
    /// instance still serving exactly that history as a master is the one this master replaced.
    var predecessorReplID: String? = nil
    /// The master's own view of its replicas (`slaveN:` lines of its last INFO), by replica name.
    var replicaListings: [String: ReplicaListing] = [:]

    /// `failover_in_progress`.
    var failoverInProgress: Bool { failover != nil }
    /// The failover's state name (`none` without one).
    var failoverState: FailoverState { failover?.state ?? .none }
    /// The replica chosen for promotion (`promoted` flag).
    var promotedReplica: String? { failover?.promoted }
    /// The coordinated failover this sentinel leads for this master, if any.
    var coordinated: CoordinatedRun? { failover?.coordinated }

    init(config: MasterConfig, now: Millis) {
        self.config = config
        self.state = RedisInstanceState(role: .master, now: now)
    }

    var name: String { config.name }
    var address: HostPort { config.address }
}
