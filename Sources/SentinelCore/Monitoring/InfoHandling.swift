import DequeModule
import OrderedCollections
import RESP
/// Processing of INFO replies from masters and replicas (sentinelRefreshInstanceInfo, §6.2).
extension Sentinel {
    /// Everything here runs for every INFO reply (every 10 s per instance, every second during
    /// failovers), so the master and replica are updated in place (``modifyMaster(_:_:)``) and
    /// the event descriptions are only built when an event is emitted.
    mutating func infoReply(_ owner: LinkOwner, _ text: String) {
        let info = InfoParser.parse(text)
        switch owner {
        case .master(let name):
            // Replica names (`host:port`) of the listed replicas, made once for both uses below.
            let listed = info.replicas.map { (HostPort($0.host, $0.port), $0) }
            let now = self.now
            guard
                let change = modifyMaster(name, { master -> CommonChange in
                    let change = Self.updateCommon(&master.state, info: info, text: text, now: now)
                    if change.rebooted && master.config.masterRebootDownAfterPeriod != 0 {
                        master.masterReboot = true
                        master.masterRebootSince = now
                    }
                    if let offset = info.masterReplOffset { master.masterReplOffset = offset }
                    master.predecessorReplID = info.masterReplID2.flatMap { $0 == Wire.nullReplicationID ? nil : $0 }
                    master.replicaListings = Dictionary(
                        listed.map { ($0.0.description, $0.1) }, uniquingKeysWith: { a, _ in a })
                    return change
                })
            else { return }
            if change.rebooted || change.newRole != nil {
                let detail = readMaster(name) { describe($0) }!
                emitCommon(change, detail: detail, isMasterConfigured: true, master: name)
            }
            // A handover in flight is followed even in TILT: writers are parked on the master.
            coordinatedMasterInfo(name)
            // Replica discovery from `slaveN:` lines: every listed replica is added.
            for (address, _) in listed {
                guard address.port > 0 else { continue }
                let known = readMaster(name) { $0.replicas[address.description] != nil } ?? true
                if known { continue }
                discoverListedReplica(address, master: name)
            }
            recheckReplicasClaimingMaster(name)
        case .replica(let masterName, let name):
            let now = self.now
            let result = modifyMaster(masterName) { master -> CommonChange? in
                guard let index = master.replicas.index(forKey: name) else { return nil }
                return Self.updateReplica(&master.replicas.values[index], info: info, text: text, now: now)
            }
            guard let change = result ?? nil else { return }
            if change.rebooted || change.newRole != nil {
                let detail = readMaster(masterName) { master in
                    master.withReplica(name) { describe($0, of: master) }!
                }!
                emitCommon(change, detail: detail, isMasterConfigured: false, master: masterName)
            }
            if !tilt || readMaster(masterName, { $0.coordinated != nil }) == true {
                if info.role == .slave && replicaIsSettled(master: masterName, replica: name) { return }
                replicaInfoActions(master: masterName, replica: name, reported: info.role, replID: info.masterReplID)
            }
        case .peer:
            return
        }
    }

    /// The replica half of INFO processing, on the replica in place; returns what the common
    /// fields changed.
    private static func updateReplica(
        _ replica: inout ReplicaState, info: InstanceInfo, text: String, now: Millis
    ) -> CommonChange {
        let previousRole = replica.state.roleReported
        let change = updateCommon(&replica.state, info: info, text: text, now: now)
        if info.role == .slave && previousRole != .slave { replica.slaveConfChangeTime = now }
        replica.masterLinkDownTime = 0
        if let seconds = info.masterLinkDownSinceSeconds {
            replica.masterLinkDownTime = Int64(seconds).saturatingMultiplied(by: 1000)
        }
        if info.role == .slave {
            if let host = info.masterHost, host != replica.slaveMasterHost,
                host.lowercased() != (replica.slaveMasterHost ?? "").lowercased()
            {
                replica.slaveMasterHost = host
                replica.slaveConfChangeTime = now
            }
            if let port = info.masterPort, port != replica.slaveMasterPort {
                replica.slaveMasterPort = port
                replica.slaveConfChangeTime = now
            }
            replica.slaveMasterLinkUp = info.masterLinkUp
            if let priority = info.slavePriority { replica.slavePriority = priority }
            if let offset = info.slaveReplOffset { replica.slaveReplOffset = offset }
            if let announcedFlag = info.replicaAnnounced { replica.replicaAnnounced = announcedFlag }
        }
        return change
    }

    /// Adds a replica the master lists and we do not know yet (`+slave`). A listed name is kept
    /// only with resolve-hostnames (createSentinelAddr fails otherwise); it is then known by its
    /// name or, if printed as an IP, by that. A name to be printed as an IP is resolved first
    /// (Redis resolves while creating it), and added when the answer comes (Address.swift).
    mutating func discoverListedReplica(_ address: HostPort, master name: String) {
        guard isAcceptableHost(address.host) else { return }
        let printedName = announced(address).description
        if printedName != address.description, readMaster(name, { $0.replicas[printedName] != nil }) ?? true {
            return
        }
        if resolveBeforeNaming(address.host) { return }
        if let replicaName = addReplica(address, to: name) {
            let detail = readMaster(name) { master in
                master.withReplica(replicaName) { describe($0, of: master) }!
            }!
            emit(.notice, "+slave", detail, master: name)
            persistence.changed = true
            reconnect(.replica(master: name, name: replicaName))
        }
    }

    /// Whether ``replicaInfoActions(master:replica:reported:)`` has nothing to do for a replica
    /// that reports `role:slave`: no reconfiguration under way and it replicates from the
    /// master's address (the usual case, checked in place without copying the master).
    private func replicaIsSettled(master masterName: String, replica name: String) -> Bool {
        readMaster(masterName) { master in
            master.withReplica(name) { replica in
                replica.reconf == .none && replica.slaveMasterPort == master.address.port
                    && (replica.slaveMasterHost == master.address.host
                        || sameAddress(HostPort(replica.slaveMasterHost ?? "", replica.slaveMasterPort), master.address))
            } ?? false
        } ?? false
    }

    /// The acting half of INFO processing for a replica (skipped in TILT): promotion success,
    /// `+convert-to-slave`, `+fix-slave-config`, and reconfiguration progress. `replID` is the
    /// replica's `master_replid`.
    private mutating func replicaInfoActions(
        master masterName: String, replica name: String, reported: ReportedRole?, replID: String?
    ) {
        guard let master = masters[masterName], let replica = master.replicas[name] else { return }
        let owner = LinkOwner.replica(master: masterName, name: name)
        if reported == .master {
            if master.promotedReplica == name && master.failoverState == .waitPromotion {
                promotionConfirmed(masterName)
                return
            }
            // A replica (often the old master back from the dead) claims to be a master: once
            // things are calm (Redis: 8 s since the claim and since its last SDOWN, for newer
            // configurations to arrive by hello), or at once when its replication id proves it is
            // the master ours replaced (StaleMaster.swift), make it a replica of the current master.
            guard master.promotedReplica != name && masterLooksSane(master) else { return }
            let wait = timing.publishPeriod.saturatingMultiplied(by: 4)
            let calm = noDown(replica.state, for: wait) && now - replica.state.roleReportedTime > wait
            let superseded = !calm && isSupersededMaster(replID: replID, of: master)
            guard calm || superseded else { return }
            if sendSlaveOf(owner, to: announced(currentAddress(master))) {
                if superseded {
                    output.append(
                        .log(
                            .notice,
                            "\(describeOwner(owner)) still serves the replication history \(master.name) was promoted from: converting it at once"
                        ))
                }
                emit(.notice, "+convert-to-slave", describe(replica, of: master), master: masterName)
            }
            return
        }
        guard reported == .slave else { return }
        // Replicating from the wrong master for longer than failover-timeout: repoint it.
        let wait = master.config.failoverTimeout
        // The host it reports may be the master's name or its IP (Redis's sentinelAddrEqualsHostname).
        let pointsElsewhere = !sameAddress(
            HostPort(replica.slaveMasterHost ?? "", replica.slaveMasterPort), master.address)
        if replica.reconf == .none && pointsElsewhere && masterLooksSane(master) && noDown(replica.state, for: wait)
            && now - replica.slaveConfChangeTime > wait
        {
            if sendSlaveOf(owner, to: announced(master.address)) {
                emit(.notice, "+fix-slave-config", describe(replica, of: master), master: masterName)
            }
        }
        // Reconfiguration progress during RECONF_SLAVES.
        guard master.failoverInProgress, replica.reconf == .sent || replica.reconf == .inProgress,
            let promoted = master.promotedReplica.flatMap({ master.replicas[$0] })
        else { return }
        if replica.reconf == .sent,
            sameAddress(HostPort(replica.slaveMasterHost ?? "", replica.slaveMasterPort), promoted.address)
        {
            masters[masterName]!.replicas[name]!.reconf = .inProgress
            emit(.notice, "+slave-reconf-inprog", describe(replica, of: master), master: masterName)
        }
        if masters[masterName]!.replicas[name]!.reconf == .inProgress && replica.slaveMasterLinkUp {
            masters[masterName]!.replicas[name]!.reconf = .done
            emit(.notice, "+slave-reconf-done", describe(replica, of: master), master: masterName)
        }
        if master.failoverState == .reconfSlaves { failoverStateMachine(masterName) }
        if masters[masterName]?.failoverState == .updateConfig { switchToPromotedReplica(masterName) }
    }

    /// sentinelMasterLooksSane: a master that reports itself master, is not down, and whose INFO is fresh.
    func masterLooksSane(_ master: MasterState) -> Bool {
        master.state.roleReported == .master && !master.state.sDown && !master.oDown
            && master.state.infoRefresh != 0 && now - master.state.infoRefresh < timing.infoPeriod.saturatingMultiplied(by: 2)
    }

    /// sentinelRedisInstanceNoDownFor: no SDOWN began within the last `window` ms.
    func noDown(_ state: RedisInstanceState, for window: Int64) -> Bool {
        state.sDownSince == 0 || now - state.sDownSince > window
    }

    /// What ``updateCommon(_:info:text:now:)`` changed, for the events it calls for.
    struct CommonChange {
        /// The run id changed (`+reboot`).
        var rebooted = false
        /// The reported role changed to this one (`+role-change` / `-role-change`).
        var newRole: ReportedRole? = nil
    }

    /// The fields every monitored instance shares: cached text, run id, reported role.
    private static func updateCommon(
        _ state: inout RedisInstanceState, info: InstanceInfo, text: String, now: Millis
    ) -> CommonChange {
        var change = CommonChange()
        state.infoText = text
        if let runID = info.runID {
            if let old = state.runID, old != runID { change.rebooted = true }
            state.runID = runID
        }
        if info.masterFailoverState != state.serverFailoverState {
            state.serverFailoverState = info.masterFailoverState
            state.serverFailoverSince = state.inServerFailover ? now : 0
        }
        if let role = info.role, role != state.roleReported {
            state.roleReported = role
            state.roleReportedTime = now
            change.newRole = role
        }
        state.infoRefresh = now
        return change
    }

    /// The events for a ``CommonChange``: `+reboot`, then the role change.
    private mutating func emitCommon(_ change: CommonChange, detail: String, isMasterConfigured: Bool, master: String) {
        if change.rebooted { emit(.notice, "+reboot", detail, master: master) }
        if let role = change.newRole {
            let matchesConfigured = (role == .master) == isMasterConfigured
            emit(
                .verbose, matchesConfigured ? "+role-change" : "-role-change",
                "\(detail) new reported role is \(role == .master ? Wire.master : Wire.slave)", master: master)
        }
    }
}
