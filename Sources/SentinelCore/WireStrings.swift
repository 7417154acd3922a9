/// Every string that crosses the wire and that clients or peers match on, in one place.
/// Redis keeps the old `master`/`slave` vocabulary on the wire; so do we.
package enum Wire {
    package static let helloChannel = "__sentinel__:hello"
    /// INFO `master_replid2` of a server that has not been promoted since it started.
    package static let nullReplicationID = String(repeating: "0", count: 40)

    // Instance kinds, as printed in `%@` event details and in `role-reported`.
    package static let master = "master"
    package static let slave = "slave"
    package static let sentinel = "sentinel"

    // Flag tokens of the `flags` field, in Redis's print order.
    package static let flagSDown = "s_down"
    package static let flagODown = "o_down"
    package static let flagDisconnected = "disconnected"
    package static let flagMasterDown = "master_down"
    package static let flagFailoverInProgress = "failover_in_progress"
    package static let flagPromoted = "promoted"
    package static let flagReconfSent = "reconf_sent"
    package static let flagReconfInprog = "reconf_inprog"
    package static let flagReconfDone = "reconf_done"
    package static let flagForceFailover = "force_failover"
    package static let flagScriptKillSent = "script_kill_sent"
    package static let flagMasterReboot = "master_reboot"
    /// Valkey 9's flag for a coordinated failover in progress.
    package static let flagCoordinatedFailover = "coordinated_failover"

    // Error replies (without the leading '-').
    package static let errNoSuchMaster = "ERR No such master with that name"
    package static let errFailoverInProgress = "INPROG Failover already in progress"
    package static let errNoGoodSlave = "NOGOODSLAVE No suitable replica to promote"
    /// SENTINEL FAILOVER while the current epoch is at its maximum (an extension: redis-sentinel
    /// wraps around to 0 and fails over in an epoch whose votes are spent).
    package static let errEpochExhausted =
        "ERR The current epoch is at its maximum (9223372036854775807): no failover can start; see docs/security.md"
    /// Logged once when a failover cannot start for the same reason.
    package static let epochExhausted =
        "The current epoch is at its maximum (9223372036854775807): no failover can start until the epochs of every sentinel are lowered by hand; see docs/security.md"
    package static let errUnknownSimulation = "ERR Unknown failure simulation specified"
    package static let errCoordinatedUnreachable =
        "NOGOODPRIMARY Primary is not reachable or not healthy: a coordinated failover needs a working master"
    /// Valkey 9's `SENTINEL FAILOVER <master> <word>` when the word is not `COORDINATED`.
    package static let errUnknownFailoverOption = "ERR Unknown failover option specified"
    /// Valkey's text for a master that never reported `master_failover_state`.
    package static let errNoFailoverSupport = "NOGOODPRIMARY Primary does not support FAILOVER command"
    package static let errServerFailoverRunning = "INPROG The primary is already running a FAILOVER"
    /// `SENTINEL COORDINATED-FAILOVER` (the leader's notice) from a leader we did not vote for in that epoch.
    package static func errNoticeNotVoted(leader: String, epoch: Epoch) -> String {
        "ERR I did not vote for \(leader) in epoch \(epoch)"
    }
    /// The notice names a leader that is not a sentinel we know (through hellos) as a peer for
    /// this master: anyone can get our vote for an invented runid (docs/security.md).
    package static func errNoticeUnknownLeader(_ leader: String) -> String {
        "ERR \(leader) is not a known sentinel of this master"
    }
    /// The notice names a target that is not a known replica of the master (its address, an
    /// unknown one, or an instance that reports `role:master`).
    package static func errNoticeUnknownTarget(host: String, port: Int) -> String {
        "ERR \(host):\(port) is not a known replica of this master"
    }
    /// A coordinated failover refused up front: the master refused `command` (its ACL name) to
    /// this sentinel's user when the link came up, with `serverError`.
    package static func errCoordinatedRefused(command: String, serverError: String) -> String {
        let code = serverError.hasPrefix("NOPERM") ? "NOPERM" : "ERR"
        return "\(code) The primary refuses '\(command)' to this sentinel's user (\(serverError)): "
            + "a coordinated failover needs +failover and +client|pause"
    }
    /// SENTINEL MONITOR with a host that is not an IP literal (resolve-hostnames no) or does not resolve.
    package static let errInvalidAddressOrHostname = "ERR Invalid IP address or hostname specified"
    package static let errFlushFailed = "ERR Failed to save config file. Check server logs."
    package static let errOnlyHello = "ERR Only HELLO messages are accepted by Sentinel instances."
    package static let errNoAuth = "NOAUTH Authentication required."
    package static let errWrongPass = "WRONGPASS invalid username-password pair or user is disabled."
    package static let errNotInteger = "ERR value is not an integer or out of range"
    package static let errSyntax = "ERR syntax error"
    package static let errNoProto = "NOPROTO unsupported protocol version"
    package static let errConfigUsage =
        "ERR Only SENTINEL CONFIG GET <param> [<param> <param> ...] / SET <param> <value> [<param> <value> ...] are supported."
    package static func errSubscribedContext(_ command: String) -> String {
        "ERR Can't execute '\(command)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    }

    /// The `CLIENT SETNAME` name of our links: `sentinel-<first 8 chars of myid>-cmd|pubsub`.
    package static func linkName(myID: String, pubsub: Bool) -> String {
        "sentinel-\(myID.prefix(8))-\(pubsub ? "pubsub" : "cmd")"
    }
}

/// Constants and default periods of Sentinel (sentinel-behaviour §3), all in milliseconds.
package struct Timing: Hashable, Sendable {
    package var infoPeriod: Int64 = 10_000
    package var pingPeriod: Int64 = 1_000
    package var askPeriod: Int64 = 1_000
    package var publishPeriod: Int64 = 2_000
    package var defaultDownAfter: Int64 = MasterConfig.defaults.downAfterMilliseconds
    package var defaultFailoverTimeout: Int64 = MasterConfig.defaults.failoverTimeout
    package var tiltTrigger: Int64 = 2_000
    package var tiltPeriod: Int64 = 30_000
    package var slaveReconfTimeout: Int64 = 10_000
    package var minLinkReconnectPeriod: Int64 = 15_000
    package var electionTimeout: Int64 = 10_000
    package var scriptMaxRuntime: Int64 = 60_000
    package var scriptRetryDelay: Int64 = 30_000
    /// Upper bound of the random desync before a failover starts and on `failover_start_time`
    /// (Redis uses 1000; a few hundred ms separate peers that reach ODOWN together just as well).
    package var failoverStartJitter: Int64 = 100
    /// How often the promoted replica is polled with INFO while waiting for its promotion.
    package var promotionPollPeriod: Int64 = 20
    /// How often replicas being repointed are polled with INFO during RECONF_SLAVES.
    package var reconfPollPeriod: Int64 = 100

    // Coordinated failover (docs/coordinated-failover.md).
    /// How long the leader waits for its peers to confirm they hold their hellos.
    package var coordinatedAnnounceWait: Int64 = 100
    /// Hellos stay held this long after the pause would end.
    package var coordinatedHoldMargin: Int64 = 1_000
    /// The target is polled this often while the master hands over.
    package var coordinatedPollPeriod: Int64 = 5
    /// The master is polled this often meanwhile (to see FAILOVER end or get stuck).
    package var coordinatedMasterPollPeriod: Int64 = 20
    /// `failover-in-progress` longer than this (or the pause, if shorter) means stuck.
    package var coordinatedStuckAfter: Int64 = 500
    /// How long the leader waits for the peers to answer the new address before releasing.
    package var coordinatedConfirmWait: Int64 = 300
    /// A release transaction that got no confirmation is re-sent after this.
    package var coordinatedReleaseRetry: Int64 = 200
    /// A sentinel holding a record waits this long for the leader before finishing itself.
    package var coordinatedOrphanGrace: Int64 = 300
    /// A record is forgotten this long after its pause ended.
    package var coordinatedRecordLifetime: Int64 = 60_000
    /// A peer believes a notice's pause up to this many times its own down-after-milliseconds
    /// (the leader's pause is at most the leader's down-after); a longer one is clamped to that.
    package var coordinatedNoticePauseFactor: Int64 = 2

    // A server-side FAILOVER someone else started (StuckServerFailover.swift).
    /// A master reporting a server-side FAILOVER is polled with INFO this often.
    package var serverFailoverInfoPeriod: Int64 = 1_000
    /// `FAILOVER ABORT` to a stuck master is sent again after this while it still reports the FAILOVER.
    package var stuckFailoverAbortRetry: Int64 = 1_000

    /// The longest `.wakeUp` the core asks for: the regular ticks (at least one a second) see
    /// anything later.
    package static let maxWakeUpDelay: Millis = 1_000
    package static let maxPendingCommands = 100
    package static let defaultSlavePriority = 100

    package init() {}
}
