/// Every string that crosses the wire and that clients or peers match on, in one place.
/// Redis keeps the old `master`/`slave` vocabulary on the wire; so do we.
package enum Wire {
    static let helloChannel = "__sentinel__:hello"
    /// INFO `master_replid2` of a server that has not been promoted since it started.
    static let nullReplicationID = String(repeating: "0", count: 40)

    // Instance kinds, as printed in `%@` event details and in `role-reported`.
    static let master = "master"
    static let slave = "slave"
    static let sentinel = "sentinel"

    // Flag tokens of the `flags` field, in Redis's print order.
    static let flagSDown = "s_down"
    static let flagODown = "o_down"
    static let flagDisconnected = "disconnected"
    static let flagMasterDown = "master_down"
    static let flagFailoverInProgress = "failover_in_progress"
    static let flagPromoted = "promoted"
    static let flagReconfSent = "reconf_sent"
    static let flagReconfInprog = "reconf_inprog"
    static let flagReconfDone = "reconf_done"
    static let flagForceFailover = "force_failover"
    static let flagScriptKillSent = "script_kill_sent"
    static let flagMasterReboot = "master_reboot"
    /// Valkey 9's flag for a coordinated failover in progress.
    static let flagCoordinatedFailover = "coordinated_failover"

    // Error replies (without the leading '-').
    static let errNoSuchMaster = "ERR No such master with that name"
    static let errFailoverInProgress = "INPROG Failover already in progress"
    static let errNoGoodSlave = "NOGOODSLAVE No suitable replica to promote"
    /// SENTINEL FAILOVER while the current epoch is at its maximum (an extension: redis-sentinel
    /// wraps around to 0 and fails over in an epoch whose votes are spent).
    static let errEpochExhausted =
        "ERR The current epoch is at its maximum (9223372036854775807): no failover can start; see docs/security.md"
    /// Logged once when a failover cannot start for the same reason.
    static let epochExhausted =
        "The current epoch is at its maximum (9223372036854775807): no failover can start until the epochs of every sentinel are lowered by hand; see docs/security.md"
    static let errUnknownSimulation = "ERR Unknown failure simulation specified"
    static let errCoordinatedUnreachable =
        "NOGOODPRIMARY Primary is not reachable or not healthy: a coordinated failover needs a working master"
    /// Valkey 9's `SENTINEL FAILOVER <master> <word>` when the word is not `COORDINATED`.
    static let errUnknownFailoverOption = "ERR Unknown failover option specified"
    /// Valkey's text for a master that never reported `master_failover_state`.
    static let errNoFailoverSupport = "NOGOODPRIMARY Primary does not support FAILOVER command"
    static let errServerFailoverRunning = "INPROG The primary is already running a FAILOVER"
    /// `SENTINEL COORDINATED-FAILOVER` (the leader's notice) from a leader we did not vote for in that epoch.
    static func errNoticeNotVoted(leader: String, epoch: Epoch) -> String {
        "ERR I did not vote for \(leader) in epoch \(epoch)"
    }
    /// The notice names a leader that is not a sentinel we know (through hellos) as a peer for
    /// this master: anyone can get our vote for an invented runid (docs/security.md).
    static func errNoticeUnknownLeader(_ leader: String) -> String {
        "ERR \(leader) is not a known sentinel of this master"
    }
    /// The notice names a target that is not a known replica of the master (its address, an
    /// unknown one, or an instance that reports `role:master`).
    static func errNoticeUnknownTarget(host: String, port: Int) -> String {
        "ERR \(host):\(port) is not a known replica of this master"
    }
    /// A coordinated failover refused up front: the master refused `command` (its ACL name) to
    /// this sentinel's user when the link came up, with `serverError`.
    static func errCoordinatedRefused(command: String, serverError: String) -> String {
        let code = serverError.hasPrefix("NOPERM") ? "NOPERM" : "ERR"
        return "\(code) The primary refuses '\(command)' to this sentinel's user (\(serverError)): "
            + "a coordinated failover needs +client|pause, and +failover or (pause-switch) +slaveof"
    }
    /// SENTINEL MONITOR with a host that is not an IP literal (resolve-hostnames no) or does not resolve.
    static let errInvalidAddressOrHostname = "ERR Invalid IP address or hostname specified"
    static let errFlushFailed = "ERR Failed to save config file. Check server logs."
    static let errOnlyHello = "ERR Only HELLO messages are accepted by Sentinel instances."
    static let errNoAuth = "NOAUTH Authentication required."
    static let errWrongPass = "WRONGPASS invalid username-password pair or user is disabled."
    static let errNotInteger = "ERR value is not an integer or out of range"
    static let errSyntax = "ERR syntax error"
    static let errNoProto = "NOPROTO unsupported protocol version"
    static let errConfigUsage =
        "ERR Only SENTINEL CONFIG GET <param> [<param> <param> ...] / SET <param> <value> [<param> <value> ...] are supported."
    static func errSubscribedContext(_ command: String) -> String {
        "ERR Can't execute '\(command)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    }

    /// The `CLIENT SETNAME` name of our links: `sentinel-<first 8 chars of myid>-cmd|pubsub`.
    static func linkName(myID: String, pubsub: Bool) -> String {
        "sentinel-\(myID.prefix(8))-\(pubsub ? "pubsub" : "cmd")"
    }
}
