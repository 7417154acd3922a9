import DequeModule
import OrderedCollections
import RESP

/// Choosing the replica to promote (sentinelSelectSlave, sentinel-behaviour §7.5).
extension Sentinel {
    /// The replicas that may be promoted now, best first: exclusions (down, disconnected, stale,
    /// priority 0, too long disconnected from the master), then lower priority, larger replication
    /// offset, smaller runid (case-insensitive; unknown last).
    func promotionCandidates(_ masterID: InstanceID) -> [Instance] {
        guard let masterInstance = instances.lookup(masterID) else { return [] }
        let master = masterInstance.master
        let pingPeriod = timing.pingPeriod
        // Periods (SENTINEL DEBUG) and down-after can be anything up to Int64.max: saturate.
        let infoValidity =
            masterInstance.sDown ? pingPeriod.saturatingMultiplied(by: 5) : timing.infoPeriod.saturatingMultiplied(by: 3)
        var maxMasterDownTime = master.config.downAfterMilliseconds.saturatingMultiplied(by: 10)
        if masterInstance.sDown { maxMasterDownTime = maxMasterDownTime.saturatingAdding(now - masterInstance.sDownSince) }
        let eligible = replicaInstances(of: master).filter { instance in
            let replica = instance.replica
            guard !instance.sDown else { return false }
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
    static func betterCandidate(_ a: Instance, _ b: Instance) -> Bool {
        let (x, y) = (a.replica, b.replica)
        if x.slavePriority != y.slavePriority { return x.slavePriority < y.slavePriority }
        if x.slaveReplOffset != y.slaveReplOffset { return x.slaveReplOffset > y.slaveReplOffset }
        switch (a.runID, b.runID) {
        case (nil, nil): return false
        case (nil, _): return false
        case (_, nil): return true
        case (let x?, let y?): return x.lowercased() < y.lowercased()
        }
    }

    /// The replica a failover of the master would promote right now, if any.
    func selectReplica(_ masterID: InstanceID) -> Instance? {
        promotionCandidates(masterID).first
    }
}
