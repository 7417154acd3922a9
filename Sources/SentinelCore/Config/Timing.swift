/// Constants and default periods of Sentinel (sentinel-behaviour §3), all in milliseconds.
struct Timing: Hashable, Sendable {
    var infoPeriod: Int64 = 10_000
    var pingPeriod: Int64 = 1_000
    var askPeriod: Int64 = 1_000
    var publishPeriod: Int64 = 2_000
    var defaultDownAfter: Int64 = MasterConfig.defaults.downAfterMilliseconds
    var defaultFailoverTimeout: Int64 = MasterConfig.defaults.failoverTimeout
    var tiltTrigger: Int64 = 2_000
    var tiltPeriod: Int64 = 30_000
    var slaveReconfTimeout: Int64 = 10_000
    var minLinkReconnectPeriod: Int64 = 15_000
    var electionTimeout: Int64 = 10_000
    var scriptMaxRuntime: Int64 = 60_000
    var scriptRetryDelay: Int64 = 30_000
    /// Upper bound of the random desync before a failover starts and on `failover_start_time`
    /// (Redis uses 1000; a few hundred ms separate peers that reach ODOWN together just as well).
    var failoverStartJitter: Int64 = 100
    /// How often the promoted replica is polled with INFO while waiting for its promotion.
    var promotionPollPeriod: Int64 = 20
    /// How often replicas being repointed are polled with INFO during RECONF_SLAVES.
    var reconfPollPeriod: Int64 = 100

    // Coordinated failover (docs/coordinated-failover.md).
    /// How long the leader waits for its peers to confirm they hold their hellos.
    var coordinatedAnnounceWait: Int64 = 100
    /// Hellos stay held this long after the pause would end.
    var coordinatedHoldMargin: Int64 = 1_000
    /// The target is polled this often while the master hands over.
    var coordinatedPollPeriod: Int64 = 5
    /// The master is polled this often meanwhile (to see FAILOVER end or get stuck).
    var coordinatedMasterPollPeriod: Int64 = 20
    /// `failover-in-progress` longer than this (or the pause, if shorter) means stuck.
    var coordinatedStuckAfter: Int64 = 500
    /// How long the leader waits for the peers to answer the new address before releasing.
    var coordinatedConfirmWait: Int64 = 300
    /// A release transaction that got no confirmation is re-sent after this.
    var coordinatedReleaseRetry: Int64 = 200
    /// A sentinel holding a record waits this long for the leader before finishing itself.
    var coordinatedOrphanGrace: Int64 = 300
    /// While the master is paused, the target is asked for INFO again as soon as it answers, for
    /// this long (then every ``coordinatedPollPeriod``).
    var coordinatedEagerPoll: Int64 = 100
    /// Pause-switch: a sentinel finishing a handover whose leader vanished demotes the old master
    /// only while at least this much of the record's pause is left.
    var coordinatedDemoteMargin: Int64 = 200
    /// A record is forgotten this long after its pause ended.
    var coordinatedRecordLifetime: Int64 = 60_000
    /// A peer believes a notice's pause up to this many times its own down-after-milliseconds
    /// (the leader's pause is at most the leader's down-after); a longer one is clamped to that.
    var coordinatedNoticePauseFactor: Int64 = 2

    // A server-side FAILOVER someone else started (StuckServerFailover.swift).
    /// A master reporting a server-side FAILOVER is polled with INFO this often.
    var serverFailoverInfoPeriod: Int64 = 1_000
    /// `FAILOVER ABORT` to a stuck master is sent again after this while it still reports the FAILOVER.
    var stuckFailoverAbortRetry: Int64 = 1_000

    /// The longest `.wakeUp` the core asks for: the regular ticks (at least one a second) see
    /// anything later.
    static let maxWakeUpDelay: Millis = 1_000
    static let maxPendingCommands = 100
    static let defaultSlavePriority = 100

    init() {}
}
