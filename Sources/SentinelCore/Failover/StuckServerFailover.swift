import OrderedCollections
import RESP

/// Recovery of a master stuck in a server-side `FAILOVER` that someone else started: an
/// operator's `FAILOVER TO <replica> TIMEOUT <ms> FORCE` whose target never takes over (it is
/// frozen, or cut off from the master). Redis then keeps the master in `failover-in-progress`
/// for good: it has demoted itself (`role:slave`, writes get `-READONLY`), it retries the
/// handshake with the target every repl-timeout, and REPLICAOF is refused while it fails over;
/// only `FAILOVER ABORT` gets it out. Valkey 9's sentinel (valkey PR #1292) recovers such a node
/// by treating the master as down, failing over to another replica and sending the stuck node
/// `FAILOVER ABORT` + REPLICAOF once it has been stuck for failover-timeout. This sentinel
/// sends `FAILOVER ABORT` to the master itself once it has been stuck for down-after: the
/// master, which paused writes for the whole FAILOVER and so has every acknowledged write, serves
/// again and no failover is needed. See docs/coordinated-failover.md.
extension Sentinel {
    /// How long a master may report a server-side FAILOVER state before it counts as stuck:
    /// `failover-in-progress` (it already demoted itself; a live target takes over in milliseconds)
    /// after down-after-milliseconds; `waiting-for-sync` (writes paused while the target catches
    /// up, for the FAILOVER's own TIMEOUT if it has one) after the larger of failover-timeout and
    /// twice down-after, the longest pause a coordinated failover (ours or a peer's) may hold.
    static func stuckAfter(_ state: String, config: MasterConfig) -> Int64 {
        if state == "failover-in-progress" { return config.downAfterMilliseconds }
        return max(config.failoverTimeout, config.downAfterMilliseconds.saturatingMultiplied(by: 2))
    }

    /// Whether a server-side FAILOVER on this master may be part of a failover this sentinel knows
    /// of and must not fight: one it runs itself (a coordinated failover uses FAILOVER; any
    /// failover of ours is excluded), one a leader told it to hold hellos for, or one a
    /// coordinated-failover record says a leader started (this sentinel got the notice, or led it
    /// before a restart) whose pause has not ended yet (+ the hold margin). Past that, the leader
    /// is gone or stuck too, the handover did not happen, and the master is as stuck as any other.
    func serverFailoverIsKnown(_ master: MasterState) -> Bool {
        if master.failoverInProgress || master.coordinated != nil { return true }
        if let until = handovers.helloHolds[HostPort(master.address.host.lowercased(), master.address.port)], now < until {
            return true
        }
        if let record = master.config.coordinatedRecord {
            // Without a wall-clock sample yet the pause cannot be placed: still the leader's.
            guard let wall = wallClockMillis() else { return true }
            if wall <= record.pauseEndsUnixMillis.saturatingAdding(timing.coordinatedHoldMargin) { return true }
        }
        return false
    }

    /// Run every tick outside TILT for every master: when the master has reported the same
    /// server-side FAILOVER state for longer than ``stuckAfter(_:config:)``, the FAILOVER is none
    /// of ours (``serverFailoverIsKnown(_:)``), and no replica took over meanwhile (a known replica
    /// reporting `role:master` since then: the classic rules handle a completed handover), send
    /// `FAILOVER ABORT` (then INFO, to see the outcome at once) and emit `+stuck-failover-abort`;
    /// again after ``Timing/stuckFailoverAbortRetry`` if an INFO that came after it still reports
    /// the FAILOVER (nothing while the view is older than our last abort, ours or a coordinated one).
    /// Every sentinel may do it (the abort restores what all of them already agree on, so it
    /// needs no election); a second abort is answered `-ERR No failover in progress.` and ignored.
    mutating func recoverStuckServerFailover(_ name: String) {
        // Almost every master on almost every tick reports no FAILOVER: decided in place.
        guard let id = masters[name], instances[id].master.state.inServerFailover, let master = masterNamed(name) else { return }
        guard let state = master.state.serverFailoverState, master.state.serverFailoverSince != 0,
            links[.master(name)]?.cc.isUp == true, !serverFailoverIsKnown(master),
            now - master.state.infoRefresh < timing.infoPeriod.saturatingMultiplied(by: 2)
        else { return }
        let stuckFor = now - master.state.serverFailoverSince
        guard stuckFor > Self.stuckAfter(state, config: master.config) else { return }
        let since = master.state.serverFailoverSince
        let handedOver = replicaInstances(of: master).contains { instance in
            let replica = instance.replica
            return replica.state.roleReported == .master && replica.state.roleReportedTime >= since && !instance.sDown
        }
        guard !handedOver else { return }
        // After an abort of ours, only an INFO that came later tells whether it is still stuck.
        let abortSent = master.failoverAbortSentAt
        guard abortSent == 0 || (master.state.infoRefresh > abortSent && now - abortSent >= timing.stuckFailoverAbortRetry)
        else { return }
        self[master: name].failoverAbortSentAt = now
        send(.master(name), ["FAILOVER", "ABORT"], tag: .stuckFailoverAbort(master: name))
        send(.master(name), ["INFO"], tag: .info)
        emit(.warning, "+stuck-failover-abort", "\(describe(masters[name]!)) #\(state) for \(stuckFor) ms", master: name)
    }

    /// The master's answer to ``recoverStuckServerFailover(_:)``'s `FAILOVER ABORT`: logged; the
    /// outcome is judged from the INFO sent right after it.
    mutating func stuckFailoverAbortReply(master name: String, _ value: RESPValue) {
        if case .error(let text) = value {
            // Usually a peer aborted it first ("No failover in progress.").
            output.append(.log(.verbose, "FAILOVER ABORT to master \(name) not applied: \(text)"))
        } else {
            output.append(.log(.notice, "FAILOVER ABORT accepted by master \(name): it serves writes again"))
        }
    }
}
