/// The leader's side of one coordinated failover, as a state machine whose phases carry what
/// they know (docs/coordinated-failover.md). It lives inside the failover it belongs to
/// (``FailoverRun/Kind/coordinated(_:)``), so there is no coordinated state without a failover.
///
/// ```
/// electing ──elected──▶ announcing ──all answered / wait over──▶ paused ──target is master──▶
///     confirming (the new master released) ──all confirmed / wait over──▶ released (the old master
///     too) ──both releases confirmed──▶ (ends with the failover)
/// any phase before confirming ──error, stuck, pause over──▶ aborted (the facade unpauses when paused)
/// ```
///
/// While paused the handover takes one of two ways (``HandoverMethod``): the master's own
/// `FAILOVER TO`, or, without it, the pause-switch (``SwitchStep``):
///
/// ```
/// pausing ──pause answered, master at M──▶ catchingUp(M) ──target at ≥ M, within half the pause──▶
///     promoting (target: REPLICAOF NO ONE) ──master at P──▶ demoting (old master: REPLICAOF target) ──▶ promoted
/// ```
///
/// The run decides; the `Sentinel` facade (Coordinated.swift) sends and emits, asking through
/// ``Action``.
struct CoordinatedRun: Hashable, Sendable {
    /// The flat name of a phase (for SENTINEL MASTER's address choice, the hello hold, tests).
    enum Stage: Hashable, Sendable {
        case electing, announcing, paused, confirming, released
    }

    enum Phase: Hashable, Sendable {
        /// Waiting to win the election.
        case electing
        /// Telling the peers to hold their hellos to the master before it is paused.
        case announcing(PeerWait)
        /// The pause transaction is sent; waiting for the target to become master.
        case paused(Pause)
        /// Promoted; waiting until the peers answer the new address. The new master's release
        /// goes out at once: no writer is on it yet, and its `CONFIG REWRITE` (an fsync, several
        /// ms) is then over before the writers arrive.
        case confirming(PeerWait, Releases)
        /// Clients killed and writes unpaused on the old master too, or being retried.
        case released(Releases)
    }

    /// The peers whose answer a phase waits for, and until when (the wait is bounded).
    package struct PeerWait: Hashable, Sendable {
        package var awaiting: Set<String>
        package var until: Millis

        /// `peer` answered: proceed once nobody is left.
        mutating func answered(by peer: String) -> Action {
            awaiting.remove(peer)
            return awaiting.isEmpty ? .proceed : .wait
        }
    }

    /// The master is write-paused; the handover is under way by its method.
    struct Pause: Hashable, Sendable {
        /// When the pause ends on the master (monotonic; it began no earlier than it was sent).
        var ends: Millis
        var handover: Handover
    }

    /// What the handover under the pause knows, by method.
    enum Handover: Hashable, Sendable {
        /// The master runs `FAILOVER TO` itself.
        case serverFailover(ServerFailover)
        /// The leader switches the roles itself once the target has the master's offset.
        case pauseSwitch(PauseSwitch)
    }

    /// The master's own FAILOVER, as its INFO reports it.
    struct ServerFailover: Hashable, Sendable {
        /// Since when the master reports `failover-in-progress` (0: not seen).
        var inProgressSince: Millis = 0
        /// Whether the master reported a server-side failover at all since the pause was sent.
        var sawServerFailover = false
        /// The master's last `master_failover_state` while paused (logged when it changes).
        var lastFailoverState: String? = nil
    }

    /// The pause-switch: where it is, the newest offset the target reported, and the time by
    /// which the target must have caught up (half the pause: the other half is the margin the
    /// two REPLICAOF round trips must land in before the pause could end).
    struct PauseSwitch: Hashable, Sendable {
        var step: SwitchStep = .pausing
        /// The target's newest own `slave_repl_offset` since the pause was sent.
        var targetOffset: Int64? = nil
        var switchBy: Millis
    }

    /// The steps of a pause-switch, each with the offset it rests on.
    enum SwitchStep: Hashable, Sendable {
        /// `MULTI; CLIENT PAUSE t WRITE; INFO replication; EXEC` is on its way.
        case pausing
        /// Paused with the master at `masterOffset` (raised by later master INFO: its replication
        /// PINGs go on during a pause); waiting for the target to have applied as much.
        case catchingUp(masterOffset: Int64)
        /// `MULTI; REPLICAOF NO ONE; INFO replication; EXEC` sent to the target, which had
        /// applied `masterOffset`.
        case promoting(masterOffset: Int64)
        /// The target is master at `targetOffset`; `MULTI; INFO replication; REPLICAOF <target>;
        /// EXEC` is on its way to the old master, still paused.
        case demoting(targetOffset: Int64)
    }

    /// The release transactions to the old and the new master.
    struct Releases: Hashable, Sendable {
        /// Addresses whose release is confirmed.
        var confirmed: Set<HostPort> = []
        /// When each release was last sent, to retry a lost one.
        var sentAt: [HostPort: Millis] = [:]
    }

    /// What the run asks the facade to do.
    package enum Action: Hashable, Sendable {
        /// Nothing now.
        case wait
        /// Go on to the next step now (send the pause, release the clients).
        case proceed
        /// Pause-switch: the target has the master's offset: send it `REPLICAOF NO ONE`.
        case promoteTarget
        /// Pause-switch: the target is master: send the old master `REPLICAOF <target>`.
        case demoteOldMaster
        /// Pause-switch: both roles are switched: the promotion is confirmed.
        case switched
        /// Abort: undo what the handover did so far (``Undo``). `code` is the short reason the
        /// summary and the metrics give (`stuck`, `pause-expired`, `not-caught-up`, ...).
        case abort(code: String, reason: String, undo: Undo)
    }

    /// What an abort undoes besides leaving the topology as it was.
    package enum Undo: Hashable, Sendable {
        /// Unpause the master when it is paused.
        case unpause
        /// Send the master `FAILOVER ABORT` (its handover got stuck), then unpause.
        case failoverAbort
        /// The target was promoted but the old master refused its demotion: make the target a
        /// replica of the old master again, then unpause.
        case demoteTarget
    }

    /// How the master is handed over under the pause.
    let method: HandoverMethod
    /// The write pause, ms (`CLIENT PAUSE` and `FAILOVER TIMEOUT`).
    let pause: Int64
    private(set) var phase: Phase = .electing

    init(pause: Int64, method: HandoverMethod = .serverFailover) {
        self.pause = pause
        self.method = method
    }

    var stage: Stage {
        switch phase {
        case .electing: .electing
        case .announcing: .announcing
        case .paused: .paused
        case .confirming: .confirming
        case .released: .released
        }
    }

    /// Whether the master is (or may be) write-paused by this run: from the notice until the
    /// clients are released. Hellos to it must wait.
    var holdsHellos: Bool {
        switch phase {
        case .announcing, .paused, .confirming: true
        case .electing, .released: false
        }
    }

    /// Whether the pause was sent (a run past it is finished even in TILT: writers are parked).
    var pauseSent: Bool {
        switch phase {
        case .electing, .announcing: false
        case .paused, .confirming, .released: true
        }
    }

    /// Whether the promotion is confirmed: clients should be given the new address.
    var promotionConfirmed: Bool {
        switch phase {
        case .confirming, .released: true
        case .electing, .announcing, .paused: false
        }
    }

    // MARK: - Announcing

    /// Elected: the notice went to `peers` (those whose link is up); wait for their answers until
    /// `until`. Proceeds at once when there is nobody to wait for.
    mutating func announced(to peers: Set<String>, until: Millis) -> Action {
        guard case .electing = phase else { return .wait }
        phase = .announcing(PeerWait(awaiting: peers, until: until))
        return peers.isEmpty ? .proceed : .wait
    }

    /// A peer answered the notice (any answer counts: a redis-sentinel peer says it does not know it).
    mutating func noticeAnswered(by peer: String) -> Action {
        guard case .announcing(var wait) = phase else { return .wait }
        defer { phase = .announcing(wait) }
        return wait.answered(by: peer)
    }

    /// Whether the pause may be sent: every peer answered, or the bounded wait is over.
    func mayPause(now: Millis) -> Bool {
        guard case .announcing(let wait) = phase else { return false }
        return wait.awaiting.isEmpty || now >= wait.until
    }

    // MARK: - Paused

    /// The pause transaction is on its way: the master is paused until `now + pause`.
    mutating func pauseSent(now: Millis) {
        guard case .announcing = phase else { return }
        let handover: Handover =
            switch method {
            case .serverFailover: .serverFailover(ServerFailover())
            case .pauseSwitch: .pauseSwitch(PauseSwitch(switchBy: now.saturatingAdding(pause / 2)))
            }
        phase = .paused(Pause(ends: now.saturatingAdding(pause), handover: handover))
    }

    /// The master's last `master_failover_state` while paused (server FAILOVER).
    var reportedFailoverState: String? {
        if case .paused(let p) = phase, case .serverFailover(let f) = p.handover { f.lastFailoverState } else { nil }
    }

    /// When the pause ends, while paused.
    var pauseEnds: Millis? {
        if case .paused(let p) = phase { p.ends } else { nil }
    }

    /// The pause-switch's step, while paused with that method.
    var switchStep: SwitchStep? {
        if case .paused(let p) = phase, case .pauseSwitch(let s) = p.handover { s.step } else { nil }
    }

    /// Whether the target's `role:master` in INFO confirms the promotion: with FAILOVER it is the
    /// only sign; a pause-switch is confirmed by its own replies once the old master is demoted.
    var promotionShownByInfo: Bool { method == .serverFailover }

    /// The master's INFO `master_failover_state` while paused: notices the server-side failover
    /// starting and getting stuck; a master back to `no-failover` (still master) after one was
    /// seen ended FAILOVER without a promotion. For a pause-switch, its `master_repl_offset`.
    mutating func masterReported(failoverState: String?, isMaster: Bool, offset: Int64?, now: Millis) -> Action {
        guard case .paused(var p) = phase else { return .wait }
        switch p.handover {
        case .serverFailover(var f):
            f.lastFailoverState = failoverState
            switch failoverState {
            case "waiting-for-sync":
                f.sawServerFailover = true
            case "failover-in-progress":
                f.sawServerFailover = true
                if f.inProgressSince == 0 { f.inProgressSince = now }
            default:
                if f.sawServerFailover && isMaster {
                    return .abort(
                        code: "not-caught-up", reason: "the master ended FAILOVER without a promotion (replica never caught up)",
                        undo: .unpause)
                }
            }
            p.handover = .serverFailover(f)
            phase = .paused(p)
            return .wait
        case .pauseSwitch(var s):
            // Its replication PINGs go on under the pause: the target catches up to the newest.
            guard case .catchingUp(let m) = s.step, isMaster, let offset, offset > m else { return .wait }
            s.step = .catchingUp(masterOffset: offset)
            p.handover = .pauseSwitch(s)
            phase = .paused(p)
            return .wait
        }
    }

    /// Pause-switch: the pause transaction was answered with the master's `master_repl_offset`.
    mutating func pauseAnswered(masterOffset: Int64, now: Millis) -> Action {
        guard case .paused(var p) = phase, case .pauseSwitch(var s) = p.handover, s.step == .pausing else { return .wait }
        s.step = .catchingUp(masterOffset: masterOffset)
        p.handover = .pauseSwitch(s)
        phase = .paused(p)
        return targetReported(offset: s.targetOffset, now: now)
    }

    /// Pause-switch: the target reported its own `slave_repl_offset` (what it has applied; it
    /// only grows within one replication history). Once it has the master's offset, within half
    /// the pause, the roles are switched.
    mutating func targetReported(offset: Int64?, now: Millis) -> Action {
        guard case .paused(var p) = phase, case .pauseSwitch(var s) = p.handover else { return .wait }
        if let offset { s.targetOffset = max(s.targetOffset ?? offset, offset) }
        defer {
            p.handover = .pauseSwitch(s)
            phase = .paused(p)
        }
        guard case .catchingUp(let m) = s.step, let reached = s.targetOffset, reached >= m else { return .wait }
        guard now <= s.switchBy else { return .wait }  // the poll verdict aborts
        s.step = .promoting(masterOffset: m)
        return .promoteTarget
    }

    /// Pause-switch: the target's `MULTI; REPLICAOF NO ONE; INFO replication; EXEC` was answered:
    /// `offset` is its `master_repl_offset` as a master, nil when it failed (`failure`).
    mutating func targetPromoted(offset: Int64?, failure: String?) -> Action {
        guard case .paused(var p) = phase, case .pauseSwitch(var s) = p.handover, case .promoting = s.step else { return .wait }
        guard let offset, failure == nil else {
            return .abort(
                code: "promotion-refused", reason: "the target refused REPLICAOF NO ONE: \(failure ?? "no role:master after it")",
                undo: .unpause)
        }
        s.step = .demoting(targetOffset: offset)
        p.handover = .pauseSwitch(s)
        phase = .paused(p)
        return .demoteOldMaster
    }

    /// Pause-switch: the old master's `MULTI; INFO replication; REPLICAOF <target>; EXEC` was
    /// answered; a refusal leaves two masters, so the target is made a replica again.
    mutating func oldMasterDemoted(failure: String?) -> Action {
        guard case .paused(let p) = phase, case .pauseSwitch(let s) = p.handover, case .demoting = s.step else { return .wait }
        if let failure {
            return .abort(code: "demotion-refused", reason: "the old master refused REPLICAOF: \(failure)", undo: .demoteTarget)
        }
        return .switched
    }

    /// While paused, on every poll. FAILOVER: stuck in `failover-in-progress` for longer than
    /// `min(pause, stuckAfter)` (the master handed over but the target never took it: FAILOVER
    /// ABORT cannot leave two masters, we poll the target every few ms), or the pause (plus
    /// `margin`) is over without a promotion. Pause-switch: the target has not caught up within
    /// half the pause, or a switch reply is missing when the pause (plus `margin`) is over: a
    /// lost `REPLICAOF NO ONE` answer aborts (its outcome is unknown: the target, if promoted,
    /// is converted back as any replica claiming to be master), a lost demotion answer goes on
    /// (the target is master).
    func pollVerdict(now: Millis, stuckAfter: Millis, margin: Millis) -> Action {
        guard case .paused(let p) = phase else { return .wait }
        let expired = now > p.ends.saturatingAdding(margin)
        switch p.handover {
        case .serverFailover(let f):
            if f.inProgressSince != 0 && now - f.inProgressSince > min(pause, stuckAfter) {
                return .abort(
                    code: "stuck", reason: "stuck in failover-in-progress for \(now - f.inProgressSince) ms", undo: .failoverAbort)
            }
        case .pauseSwitch(let s):
            switch s.step {
            case .pausing, .catchingUp:
                if now > s.switchBy {
                    let gap = s.step.masterOffset.map { m in " (master at \(m), target at \(s.targetOffset.map(String.init) ?? "unknown"))" } ?? ""
                    return .abort(
                        code: "not-caught-up", reason: "the target did not catch up within half the pause (\(pause / 2) ms)\(gap)",
                        undo: .unpause)
                }
            case .promoting:
                break
            case .demoting:
                if expired { return .switched }
            }
        }
        if expired {
            return .abort(
                code: "pause-expired", reason: "the target did not take over within the pause (\(pause) ms)", undo: .unpause)
        }
        return .wait
    }

    // MARK: - Confirming

    /// The target is master (and, pause-switch, the old master demoted): the new address was
    /// asked of `peers`; wait until `until`.
    mutating func promoted(asked peers: Set<String>, until: Millis) -> Action {
        guard case .paused = phase else { return .wait }
        phase = .confirming(PeerWait(awaiting: peers, until: until), Releases())
        return peers.isEmpty ? .proceed : .wait
    }

    /// A peer named the new address.
    mutating func addressConfirmed(by peer: String) -> Action {
        guard case .confirming(var wait, let releases) = phase else { return .wait }
        defer { phase = .confirming(wait, releases) }
        return wait.answered(by: peer)
    }

    /// While confirming: whether asking a peer again is still worth it.
    func confirmationOpen(now: Millis) -> Bool {
        if case .confirming(let wait, _) = phase { now < wait.until } else { false }
    }

    /// While confirming: whether the bounded wait for the peers is over (release anyway).
    func confirmationExpired(now: Millis) -> Bool {
        if case .confirming(let wait, _) = phase { now >= wait.until } else { false }
    }

    /// Peers that have not confirmed yet, while confirming.
    var unconfirmed: Set<String> {
        if case .confirming(let wait, _) = phase { wait.awaiting } else { [] }
    }

    // MARK: - Released

    /// Confirmed (or the wait is over): release the clients of the old master too.
    mutating func release() {
        guard case .confirming(_, let releases) = phase else { return }
        phase = .released(releases)
    }

    /// Which releases may go out in the current phase, given the old and the new master's
    /// addresses: the new master's from the promotion on, the old master's once released.
    func releaseTargets(old: HostPort, new: HostPort) -> [HostPort] {
        switch phase {
        case .confirming: [new]
        case .released: [old, new]
        case .electing, .announcing, .paused: []
        }
    }

    /// The addresses of `targets` whose release is due now: not confirmed, and not sent within
    /// `retry`. Marks them sent.
    mutating func releasesDue(_ targets: [HostPort], now: Millis, retry: Millis) -> [HostPort] {
        var due: [HostPort] = []
        modifyReleases { r in
            for address in targets where !r.confirmed.contains(address) {
                if let sent = r.sentAt[address], now - sent < retry { continue }
                due.append(address)
                r.sentAt[address] = now
            }
        }
        return due
    }

    /// The release transaction to `address` ended: confirmed, or to be sent again at once.
    /// Returns whether both releases are now confirmed.
    mutating func releaseEnded(_ address: HostPort, ok: Bool) -> Bool {
        var both = false
        modifyReleases { r in
            if ok { r.confirmed.insert(address) } else { r.sentAt[address] = nil }
            both = r.confirmed.count == 2
        }
        return both
    }

    /// Whether a release is still unconfirmed (the failover waits for both, failover-timeout aside).
    var releasePending: Bool {
        if case .released(let r) = phase { r.confirmed.count < 2 } else { true }
    }

    /// Runs `body` on the releases of the confirming or released phase.
    private mutating func modifyReleases(_ body: (inout Releases) -> Void) {
        switch phase {
        case .confirming(let wait, var r):
            body(&r)
            phase = .confirming(wait, r)
        case .released(var r):
            body(&r)
            phase = .released(r)
        case .electing, .announcing, .paused:
            return
        }
    }
}

extension CoordinatedRun.SwitchStep {
    /// The master offset the step rests on, once the pause was answered.
    var masterOffset: Int64? {
        switch self {
        case .pausing, .demoting: nil
        case .catchingUp(let m), .promoting(let m): m
        }
    }
}

/// How a coordinated failover hands the master over under the write pause; the name is the
/// option of `SENTINEL FAILOVER <master> COORDINATED [PAUSE-SWITCH]`, the notice's and the
/// record's last field, and the summary's `method=`.
enum HandoverMethod: String, Hashable, Sendable, CaseIterable {
    /// `FAILOVER TO <target>` on the master (Redis and Valkey ≥ 6.2).
    case serverFailover = "failover"
    /// Without FAILOVER: the target catches up under the pause, then `REPLICAOF NO ONE` on it and
    /// `REPLICAOF <target>` on the old master.
    case pauseSwitch = "pause-switch"
}
