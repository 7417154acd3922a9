/// The failover state machine's states, with the names `SENTINEL MASTER` prints (§7.3). The
/// data of each state lives in ``FailoverRun/Phase``; this is its name, and its order.
enum FailoverState: Int, Hashable, Sendable, Comparable {
    case none = 0
    case waitStart
    case selectSlave
    case sendSlaveofNoOne
    case waitPromotion
    case reconfSlaves
    case updateConfig

    var wireName: String {
        switch self {
        case .none: "none"
        case .waitStart: "wait_start"
        case .selectSlave: "select_slave"
        case .sendSlaveofNoOne: "send_slaveof_noone"
        case .waitPromotion: "wait_promotion"
        case .reconfSlaves: "reconf_slaves"
        case .updateConfig: "update_config"
        }
    }

    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One failover attempt of one master, from `+try-failover` until `+switch-master` or an abort
/// (sentinelFailoverStateMachine, sentinel-behaviour §7.3). A master with no failover running
/// has none (`MasterState.failover == nil`), so there is no "promoted replica" or "forced" flag
/// without a failover, and no coordinated run outside one.
///
/// The run only keeps the state and checks the transitions; what each step sends and emits is
/// done by the `Sentinel` facade (Failover.swift, Coordinated.swift), which asks the run what to
/// do through ``Action``.
struct FailoverRun: Hashable, Sendable {
    /// Where the failover is; the replica chosen for promotion exists from SEND_SLAVEOF_NOONE on.
    enum Phase: Hashable, Sendable {
        /// WAIT_START: waiting to win the election (or going on at once when forced).
        case waitStart
        /// SELECT_SLAVE: choosing the replica to promote.
        case selectSlave
        /// SEND_SLAVEOF_NOONE: `promoted` (a replica name) gets `SLAVEOF NO ONE`, or, coordinated,
        /// the peers are told and the master is paused.
        case sendSlaveofNoOne(promoted: String)
        /// WAIT_PROMOTION: waiting for `promoted` to report `role:master`.
        case waitPromotion(promoted: String)
        /// RECONF_SLAVES: the other replicas are repointed at `promoted`.
        case reconfSlaves(promoted: String)
        /// UPDATE_CONFIG: done; the next INFO or tick switches the master to `promoted`.
        case updateConfig(promoted: String)

        /// The state's name and order.
        var state: FailoverState {
            switch self {
            case .waitStart: .waitStart
            case .selectSlave: .selectSlave
            case .sendSlaveofNoOne: .sendSlaveofNoOne
            case .waitPromotion: .waitPromotion
            case .reconfSlaves: .reconfSlaves
            case .updateConfig: .updateConfig
            }
        }

        /// The replica chosen for promotion (`promoted` flag), once chosen.
        var promoted: String? {
            switch self {
            case .waitStart, .selectSlave: nil
            case .sendSlaveofNoOne(let r), .waitPromotion(let r), .reconfSlaves(let r), .updateConfig(let r): r
            }
        }
    }

    /// Who started it, and for a coordinated failover the handover's own machine.
    enum Kind: Hashable, Sendable {
        /// ODOWN and the timer: needs the election.
        case agreed
        /// `SENTINEL FAILOVER <master>`: needs no agreement (`force_failover` flag).
        case forced
        /// `SENTINEL FAILOVER <master> COORDINATED`: a real election, then the handover.
        case coordinated(CoordinatedRun)
    }

    /// What a step of the machine asks the facade to do.
    package enum Action: Hashable, Sendable {
        /// Nothing until a later event (or tick).
        case wait
        /// Give up with this `-failover-abort-*` event (only before the promotion is confirmed).
        case abort(event: String)
        /// The phase's work is done: run the next phase now.
        case proceed
    }

    private(set) var phase: Phase
    /// The epoch this failover runs in (`failover_epoch`).
    let epoch: Epoch
    /// When the current phase was entered (`failover_state_change_time`).
    private(set) var phaseSince: Millis
    var kind: Kind
    /// Its phases and their lengths, for the summary (the kind it started as, even when a
    /// coordinated failover goes on as a classic one).
    var timeline: FailoverTimeline

    /// A failover that starts in WAIT_START at `now`.
    init(epoch: Epoch, kind: Kind, now: Millis) {
        self.phase = .waitStart
        self.epoch = epoch
        self.phaseSince = now
        self.kind = kind
        self.timeline = FailoverTimeline(kind: kind.reported, now: now)
    }

    var state: FailoverState { phase.state }
    var promoted: String? { phase.promoted }
    var isForced: Bool { if case .forced = kind { true } else { false } }

    /// The coordinated handover, when this is one.
    var coordinated: CoordinatedRun? {
        if case .coordinated(let run) = kind { run } else { nil }
    }

    /// Runs `body` on the coordinated handover in place; nil when this is not one.
    mutating func modifyCoordinated<R>(_ body: (inout CoordinatedRun) -> R) -> R? {
        guard case .coordinated(var run) = kind else { return nil }
        // Out of `kind` while it changes, so its sets and dictionaries are not copied.
        kind = .agreed
        defer { kind = .coordinated(run) }
        return body(&run)
    }

    // MARK: - Transitions (each checks the phase it leaves)

    /// WAIT_START → SELECT_SLAVE.
    mutating func elected(now: Millis) {
        guard case .waitStart = phase else { return }
        enter(.selectSlave, now)
        if case .coordinated = kind { timeline.enter(.helloHold, now: now) } else { timeline.enter(.promotion, now: now) }
    }

    /// SELECT_SLAVE → SEND_SLAVEOF_NOONE with the chosen replica.
    mutating func selected(_ replica: String, now: Millis) {
        guard case .selectSlave = phase else { return }
        enter(.sendSlaveofNoOne(promoted: replica), now)
    }

    /// SEND_SLAVEOF_NOONE → WAIT_PROMOTION: the promotion (or the pause and FAILOVER) is sent.
    mutating func promotionSent(now: Millis) {
        guard case .sendSlaveofNoOne(let replica) = phase else { return }
        enter(.waitPromotion(promoted: replica), now)
    }

    /// WAIT_PROMOTION → RECONF_SLAVES: the promoted replica reports `role:master`.
    mutating func promotionConfirmed(now: Millis) {
        guard case .waitPromotion(let replica) = phase else { return }
        enter(.reconfSlaves(promoted: replica), now)
        if case .coordinated = kind { timeline.enter(.peerConfirmation, now: now) } else { timeline.enter(.reconfiguration, now: now) }
    }

    /// RECONF_SLAVES → UPDATE_CONFIG: every reachable replica is repointed, or the time is up.
    mutating func ended(now: Millis) {
        guard case .reconfSlaves(let replica) = phase else { return }
        enter(.updateConfig(promoted: replica), now)
    }

    private mutating func enter(_ next: Phase, _ now: Millis) {
        phase = next
        phaseSince = now
    }

    // MARK: - Time limits

    /// WAIT_START: not elected within `min(election timeout, failover-timeout)` of the start
    /// (`startTime`, the master's `failover_start_time`) aborts; a forced failover does not wait.
    func waitStartAction(elected: Bool, now: Millis, startTime: Millis, electionTimeout: Millis) -> Action {
        if elected || isForced { return .proceed }
        return now - startTime > electionTimeout ? .abort(event: "-failover-abort-not-elected") : .wait
    }

    /// SEND_SLAVEOF_NOONE while the promoted replica cannot be reached, and WAIT_PROMOTION: more
    /// than failover-timeout in the phase aborts (`-failover-abort-slave-timeout`).
    func promotionTimeout(now: Millis, failoverTimeout: Millis) -> Action {
        now - phaseSince > failoverTimeout ? .abort(event: "-failover-abort-slave-timeout") : .wait
    }

    /// Whether failover-timeout passed since the phase began (RECONF_SLAVES ends for timeout).
    func phaseTimedOut(now: Millis, failoverTimeout: Millis) -> Bool {
        now - phaseSince > failoverTimeout
    }
}
