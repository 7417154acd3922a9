/// The phases one failover went through, as its leader saw them, and how long the master's
/// writes were paused: the `+failover-summary` event and the failover metrics (issue 15).
///
/// Redis logs a failover's steps as separate events and says nothing of how long each took; a
/// coordinated failover's whole point is a short write pause, so the leader keeps the time of
/// every phase change and reports them once, when the failover ends (switched or aborted).
struct FailoverTimeline: Hashable, Sendable {
    /// A phase, by the name the summary prints.
    enum Phase: String, Hashable, Sendable {
        /// From `+try-failover` until elected (or, forced, at once).
        case election
        /// Coordinated: the notice to the peers until they answered (hellos held).
        case helloHold = "hello-hold"
        /// Coordinated: the pause transaction sent until its EXEC was answered.
        case pause
        /// Pause-switch: the pause answered until the target has applied the master's offset.
        case catchUp = "catch-up"
        /// The promotion sent until the target reports `role:master` (classic: from the election
        /// on, the replica's selection included; pause-switch: until the old master is demoted).
        case promotion
        /// Coordinated: the new address pushed to the peers until they answered it.
        case peerConfirmation = "peer-confirmation"
        /// Coordinated: the release transactions until both were answered.
        case release
        /// The other replicas repointed, until `+switch-master`.
        case reconfiguration
    }

    /// One finished phase.
    struct Span: Hashable, Sendable {
        var phase: Phase
        var millis: Millis
    }

    let kind: FailoverKind
    let started: Millis
    private(set) var current: Phase = .election
    private(set) var currentSince: Millis
    private(set) var finished: [Span] = []
    /// When the pause transaction was sent to the master, and when its writes were released
    /// (the release answered, or the abort's `CLIENT UNPAUSE` sent).
    private(set) var pausedAt: Millis? = nil
    private(set) var unpausedAt: Millis? = nil

    init(kind: FailoverKind, now: Millis) {
        self.kind = kind
        self.started = now
        self.currentSince = now
    }

    /// Closes the current phase at `now` and opens `phase` (nothing when it is the current one).
    mutating func enter(_ phase: Phase, now: Millis) {
        guard phase != current else { return }
        finished.append(Span(phase: current, millis: max(0, now - currentSince)))
        current = phase
        currentSince = now
    }

    mutating func paused(now: Millis) {
        if pausedAt == nil { pausedAt = now }
    }

    /// The pause transaction was refused before CLIENT PAUSE ran (a queued command failed, EXEC
    /// aborted, or CLIENT PAUSE itself failed): writes were never paused.
    mutating func pauseNotApplied() {
        pausedAt = nil
        unpausedAt = nil
    }

    mutating func unpaused(now: Millis) {
        if pausedAt != nil, unpausedAt == nil { unpausedAt = now }
    }

    /// Every phase with its length, the current one ending at `now`.
    func phases(endingAt now: Millis) -> [Span] {
        finished + [Span(phase: current, millis: max(0, now - currentSince))]
    }

    /// How long writes were paused; a pause not released by `now` counts until `now`.
    func writePause(endingAt now: Millis) -> Millis? {
        pausedAt.map { max(0, (unpausedAt ?? now) - $0) }
    }
}

extension FailoverRun.Kind {
    /// The kind operators tell apart (metrics label, summary).
    var reported: FailoverKind {
        switch self {
        case .agreed: .automatic
        case .forced: .manual
        case .coordinated: .coordinated
        }
    }
}
