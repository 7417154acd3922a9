/// Something the sentinel counts or times for its metrics (`/metrics`, docs/operations.md). The
/// core reports these through ``Action/observe(_:)``; the runtime feeds them to its registry.
/// Nothing here changes behaviour: a runtime without metrics ignores them.
///
/// Gauges (masters, links, the epoch) are not reported this way: they are read off the state
/// when `/metrics` is scraped. Observations are for what the state does not keep: how many times
/// something happened, and how long it took.
package enum Observation: Equatable, Sendable {
    /// `+sdown` / `-sdown` of an instance of `master`.
    case subjectivelyDown(master: String, kind: InstanceKind, down: Bool)
    /// `+odown` / `-odown` of `master`.
    case objectivelyDown(master: String, down: Bool)
    /// `+tilt` (entered or re-armed) or `-tilt`.
    case tilt(entered: Bool)
    /// We gave our vote for `master`'s epoch to a leader (ourselves or a peer): `+vote-for-leader`.
    case voteCast(master: String, forSelf: Bool)
    /// A failover of `master` started (`+try-failover`).
    case failoverStarted(master: String, kind: FailoverKind)
    /// The election of a failover we started ended: won (`+elected-leader`) or not.
    case election(master: String, kind: FailoverKind, won: Bool)
    /// A failover ended, with its timeline (`+failover-summary`).
    case failoverEnded(FailoverSummary)
}

/// Which kind of failover, as operators tell them apart (the `kind` label and the summary).
package enum FailoverKind: String, Hashable, Sendable, CaseIterable {
    /// ODOWN, agreed by the quorum, and an election.
    case automatic
    /// `SENTINEL FAILOVER <master>`: forced, no agreement needed.
    case manual
    /// `SENTINEL FAILOVER <master> COORDINATED`.
    case coordinated
}

/// The timeline of one failover, from `+try-failover` to its end (the summary log line, the
/// `+failover-summary` event and the metrics' histograms).
package struct FailoverSummary: Equatable, Sendable {
    /// How a failover ended.
    package enum Outcome: Equatable, Sendable {
        /// `+failover-end` (or `+failover-end-for-timeout`): the master was switched.
        case succeeded
        /// A `-failover-abort-*` event (or a coordinated abort): `reason` is the event's name
        /// without the leading `-failover-abort-`, e.g. `not-elected`.
        case aborted(reason: String)
    }

    package var master: String
    package var kind: FailoverKind
    package var epoch: Epoch
    /// The elected leader: our id once we won; the winner we know of when we lost; nil when
    /// nobody is known to have won.
    package var leader: String?
    /// The promoted replica, `ip:port`; nil when none was chosen.
    package var target: String?
    /// Each phase the failover went through, in order, and how long it took (ms).
    package var phases: [(name: String, millis: Millis)]
    /// How long the master's writes were paused (coordinated only; nil when never paused).
    package var writePauseMillis: Millis?
    package var totalMillis: Millis
    package var outcome: Outcome

    package static func == (a: Self, b: Self) -> Bool {
        a.master == b.master && a.kind == b.kind && a.epoch == b.epoch && a.leader == b.leader
            && a.target == b.target && a.phases.map(\.name) == b.phases.map(\.name)
            && a.phases.map(\.millis) == b.phases.map(\.millis) && a.writePauseMillis == b.writePauseMillis
            && a.totalMillis == b.totalMillis && a.outcome == b.outcome
    }
}

extension FailoverSummary {
    /// The summary's `key=value` fields, in a fixed order: kind, epoch, leader, target, outcome
    /// (`ok` or `aborted:<reason>`), total, each phase, write-pause (when paused).
    package var fields: String {
        var parts = [
            "kind=\(kind.rawValue)", "epoch=\(epoch)", "leader=\(leader ?? "none")", "target=\(target ?? "none")",
            "outcome=\(outcome.label)", "total=\(totalMillis)ms",
        ]
        for phase in phases { parts.append("\(phase.name)=\(phase.millis)ms") }
        if let writePauseMillis { parts.append("write-pause=\(writePauseMillis)ms") }
        return parts.joined(separator: " ")
    }
}

extension FailoverSummary.Outcome {
    /// `ok`, or `aborted:<reason>` (the summary's `outcome=` field).
    package var label: String {
        switch self {
        case .succeeded: "ok"
        case .aborted(let reason): "aborted:\(reason)"
        }
    }
}
