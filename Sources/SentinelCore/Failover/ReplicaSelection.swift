import DequeModule
import OrderedCollections
import RESP

/// Choosing the replica to promote (sentinelSelectSlave, sentinel-behaviour §7.5).
extension Sentinel {
    /// The replicas that may be promoted now, best first: exclusions (``exclusion(of:master:)``),
    /// then lower priority, larger replication offset, smaller runid (case-insensitive; unknown last).
    func promotionCandidates(_ masterID: InstanceID) -> [Instance] {
        guard let masterInstance = instances.lookup(masterID) else { return [] }
        let rules = ExclusionRules(self, master: masterInstance)
        return replicaInstances(of: masterInstance.master).filter { rules.reason($0, in: self) == nil }
            .sorted(by: Self.betterCandidate)
    }

    /// Every replica of the master that may not be promoted now, with why (sentinelSelectSlave's
    /// exclusions, which Redis applies silently: redis/redis#7825 asks to be told).
    func replicaExclusions(_ masterID: InstanceID) -> [(replica: String, reason: String)] {
        guard let masterInstance = instances.lookup(masterID) else { return [] }
        let rules = ExclusionRules(self, master: masterInstance)
        return replicaInstances(of: masterInstance.master).compactMap { replica in
            rules.reason(replica, in: self).map { (replica.name, $0) }
        }
    }

    /// Logs, at warning level, why no replica of the master can be promoted: `context` and then
    /// each replica with its exclusion (or that the master has no replica at all).
    mutating func logReplicaExclusions(_ name: String, context: String) {
        guard let id = masters[name] else { return }
        let exclusions = instances[id].master.coordinated != nil ? coordinatedExclusions(name) : replicaExclusions(id)
        output.append(.log(.warning, "\(context) for '\(name)': \(Self.describeExclusions(exclusions))"))
    }

    /// `replica 10.0.0.2:6379: s_down; replica 10.0.0.3:6379: replica-priority 0`, or `no replicas known`.
    static func describeExclusions(_ exclusions: [(replica: String, reason: String)]) -> String {
        exclusions.isEmpty
            ? "no replicas known" : exclusions.map { "replica \($0.replica): \($0.reason)" }.joined(separator: "; ")
    }

    /// The limits a replica must be within to be promoted now, computed once per selection.
    struct ExclusionRules {
        let masterName: String
        let pingValidity: Millis
        let infoValidity: Millis
        let maxMasterDownTime: Millis

        init(_ sentinel: Sentinel, master: Instance) {
            let pingPeriod = sentinel.timing.pingPeriod
            masterName = master.name
            // Periods (SENTINEL DEBUG) and down-after can be anything up to Int64.max: saturate.
            pingValidity = pingPeriod.saturatingMultiplied(by: 5)
            infoValidity =
                master.sDown ? pingPeriod.saturatingMultiplied(by: 5) : sentinel.timing.infoPeriod.saturatingMultiplied(by: 3)
            var maxDown = master.master.config.downAfterMilliseconds.saturatingMultiplied(by: 10)
            if master.sDown { maxDown = maxDown.saturatingAdding(sentinel.now - master.sDownSince) }
            maxMasterDownTime = maxDown
        }

        /// Why `instance` may not be promoted now, or nil: down, disconnected, not answering
        /// pings, priority 0, INFO too old, or too long disconnected from its master.
        func reason(_ instance: Instance, in sentinel: Sentinel) -> String? {
            let replica = instance.replica
            let now = sentinel.now
            if instance.sDown { return "s_down" }
            guard let link = sentinel.links[.replica(master: masterName, name: replica.name)], !link.disconnected else {
                return "disconnected"
            }
            if now - link.lastAvailTime > pingValidity { return "no ping reply for \(now - link.lastAvailTime) ms" }
            if replica.slavePriority == 0 { return "replica-priority 0" }
            if replica.state.infoRefresh == 0 { return "no INFO yet" }
            if now - replica.state.infoRefresh > infoValidity { return "INFO \(now - replica.state.infoRefresh) ms old" }
            if replica.masterLinkDownTime > maxMasterDownTime {
                return "link to the master down for \(replica.masterLinkDownTime) ms"
            }
            return nil
        }
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
