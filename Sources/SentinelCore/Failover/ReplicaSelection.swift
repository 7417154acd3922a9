import DequeModule
import OrderedCollections
import RESP

/// Choosing the replica to promote (sentinelSelectSlave, sentinel-behaviour §7.5).
extension Sentinel {
    /// The replicas that may be promoted now, best first: exclusions (down, disconnected, stale,
    /// priority 0, too long disconnected from the master), then lower priority, larger replication
    /// offset, smaller runid (case-insensitive; unknown last).
    func promotionCandidates(_ master: MasterState) -> [ReplicaState] {
        let pingPeriod = timing.pingPeriod
        // Periods (SENTINEL DEBUG) and down-after can be anything up to Int64.max: saturate.
        let infoValidity = master.state.sDown ? pingPeriod.saturatingMultiplied(by: 5) : timing.infoPeriod.saturatingMultiplied(by: 3)
        var maxMasterDownTime = master.config.downAfterMilliseconds.saturatingMultiplied(by: 10)
        if master.state.sDown { maxMasterDownTime = maxMasterDownTime.saturatingAdding(now - master.state.sDownSince) }
        let eligible = master.replicas.values.filter { replica in
            guard !replica.state.sDown else { return false }
            guard let link = links[.replica(master: master.name, name: replica.name)], !link.disconnected else {
                return false
            }
            guard now - link.lastAvailTime <= pingPeriod.saturatingMultiplied(by: 5) else { return false }
            guard replica.slavePriority != 0 else { return false }
            guard replica.state.infoRefresh != 0, now - replica.state.infoRefresh <= infoValidity else { return false }
            guard replica.masterLinkDownTime <= maxMasterDownTime else { return false }
            return true
        }
        return eligible.sorted(by: Self.betterCandidate)
    }

    /// The sort order of promotion candidates (compareSlavesForPromotion).
    static func betterCandidate(_ a: ReplicaState, _ b: ReplicaState) -> Bool {
        if a.slavePriority != b.slavePriority { return a.slavePriority < b.slavePriority }
        if a.slaveReplOffset != b.slaveReplOffset { return a.slaveReplOffset > b.slaveReplOffset }
        switch (a.state.runID, b.state.runID) {
        case (nil, nil): return false
        case (nil, _): return false
        case (_, nil): return true
        case (let x?, let y?): return x.lowercased() < y.lowercased()
        }
    }

    /// The replica a failover of `master` would promote right now, if any.
    func selectReplica(_ master: MasterState) -> ReplicaState? {
        promotionCandidates(master).first
    }
}
