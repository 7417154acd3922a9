/// The leader's side of one coordinated failover, as a state machine whose phases carry what
/// they know (docs/coordinated-failover.md). It lives inside the failover it belongs to
/// (``FailoverRun/Kind/coordinated(_:)``), so there is no coordinated state without a failover.
///
/// ```
/// electing ──elected──▶ announcing ──all answered / wait over──▶ paused ──target is master──▶
///     confirming ──all confirmed / wait over──▶ released ──both releases confirmed──▶ (ends with the failover)
/// any phase before confirming ──error, stuck, pause over──▶ aborted (the facade unpauses when paused)
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
        /// Promoted; waiting until the peers answer the new address.
        case confirming(PeerWait)
        /// Clients killed and writes unpaused on both nodes, or being retried.
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

    /// The master is write-paused.
    struct Pause: Hashable, Sendable {
        /// When the pause ends on the master (monotonic).
        var ends: Millis
        /// Since when the master reports `failover-in-progress` (0: not seen).
        var inProgressSince: Millis = 0
        /// Whether the master reported a server-side failover at all since the pause was sent.
        var sawServerFailover = false
        /// The master's last `master_failover_state` while paused (logged when it changes).
        var lastFailoverState: String? = nil
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
        /// Abort: unpause the master when it is paused, and with `failoverAbort`, send it
        /// `FAILOVER ABORT` first (its handover got stuck). `code` is the short reason the
        /// summary and the metrics give (`stuck`, `pause-expired`, `not-caught-up`).
        case abort(code: String, reason: String, failoverAbort: Bool)
    }

    /// The write pause, ms (`CLIENT PAUSE` and `FAILOVER TIMEOUT`).
    let pause: Int64
    private(set) var phase: Phase = .electing

    init(pause: Int64) { self.pause = pause }

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
        phase = .paused(Pause(ends: now.saturatingAdding(pause)))
    }

    /// The master's last `master_failover_state` while paused.
    var reportedFailoverState: String? {
        if case .paused(let p) = phase { p.lastFailoverState } else { nil }
    }

    /// When the pause ends, while paused.
    var pauseEnds: Millis? {
        if case .paused(let p) = phase { p.ends } else { nil }
    }

    /// The master's INFO `master_failover_state` while paused: notices the server-side failover
    /// starting and getting stuck; a master back to `no-failover` (still master) after one was
    /// seen ended FAILOVER without a promotion.
    mutating func masterReported(failoverState: String?, isMaster: Bool, now: Millis) -> Action {
        guard case .paused(var p) = phase else { return .wait }
        p.lastFailoverState = failoverState
        switch failoverState {
        case "waiting-for-sync":
            p.sawServerFailover = true
        case "failover-in-progress":
            p.sawServerFailover = true
            if p.inProgressSince == 0 { p.inProgressSince = now }
        default:
            if p.sawServerFailover && isMaster {
                return .abort(
                    code: "not-caught-up", reason: "the master ended FAILOVER without a promotion (replica never caught up)",
                    failoverAbort: false)
            }
        }
        phase = .paused(p)
        return .wait
    }

    /// While paused, on every poll: stuck in `failover-in-progress` for longer than
    /// `min(pause, stuckAfter)` (the master handed over but the target never took it: FAILOVER
    /// ABORT cannot leave two masters, we poll the target every few ms), or the pause (plus
    /// `margin`) is over without a promotion.
    func pollVerdict(now: Millis, stuckAfter: Millis, margin: Millis) -> Action {
        guard case .paused(let p) = phase else { return .wait }
        if p.inProgressSince != 0 && now - p.inProgressSince > min(pause, stuckAfter) {
            return .abort(
                code: "stuck", reason: "stuck in failover-in-progress for \(now - p.inProgressSince) ms", failoverAbort: true)
        }
        if now > p.ends.saturatingAdding(margin) {
            return .abort(
                code: "pause-expired", reason: "the target did not take over within the pause (\(pause) ms)",
                failoverAbort: false)
        }
        return .wait
    }

    // MARK: - Confirming

    /// The target is master: the new address was asked of `peers`; wait until `until`.
    mutating func promoted(asked peers: Set<String>, until: Millis) -> Action {
        guard case .paused = phase else { return .wait }
        phase = .confirming(PeerWait(awaiting: peers, until: until))
        return peers.isEmpty ? .proceed : .wait
    }

    /// A peer named the new address.
    mutating func addressConfirmed(by peer: String) -> Action {
        guard case .confirming(var wait) = phase else { return .wait }
        defer { phase = .confirming(wait) }
        return wait.answered(by: peer)
    }

    /// While confirming: whether asking a peer again is still worth it.
    func confirmationOpen(now: Millis) -> Bool {
        if case .confirming(let wait) = phase { now < wait.until } else { false }
    }

    /// While confirming: whether the bounded wait for the peers is over (release anyway).
    func confirmationExpired(now: Millis) -> Bool {
        if case .confirming(let wait) = phase { now >= wait.until } else { false }
    }

    /// Peers that have not confirmed yet, while confirming.
    var unconfirmed: Set<String> {
        if case .confirming(let wait) = phase { wait.awaiting } else { [] }
    }

    // MARK: - Released

    /// Confirmed (or the wait is over): release the clients.
    mutating func release() {
        guard case .confirming = phase else { return }
        phase = .released(Releases())
    }

    /// The addresses of `targets` whose release is due now: not confirmed, and not sent within
    /// `retry`. Marks them sent.
    mutating func releasesDue(_ targets: [HostPort], now: Millis, retry: Millis) -> [HostPort] {
        guard case .released(var r) = phase else { return [] }
        var due: [HostPort] = []
        for address in targets where !r.confirmed.contains(address) {
            if let sent = r.sentAt[address], now - sent < retry { continue }
            due.append(address)
            r.sentAt[address] = now
        }
        phase = .released(r)
        return due
    }

    /// The release transaction to `address` ended: confirmed, or to be sent again at once.
    /// Returns whether both releases are now confirmed.
    mutating func releaseEnded(_ address: HostPort, ok: Bool) -> Bool {
        guard case .released(var r) = phase else { return false }
        if ok { r.confirmed.insert(address) } else { r.sentAt[address] = nil }
        phase = .released(r)
        return r.confirmed.count == 2
    }

    /// Whether a release is still unconfirmed (the failover waits for both, failover-timeout aside).
    var releasePending: Bool {
        if case .released(let r) = phase { r.confirmed.count < 2 } else { true }
    }
}
