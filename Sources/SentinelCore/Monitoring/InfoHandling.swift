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
            guard let id = masters[name],
                let change = modifyInstance(id, { instance -> CommonChange in
                    let change = Self.updateCommon(&instance, info: info, text: text, now: now)
                    if change.rebooted && instance.master.config.masterRebootDownAfterPeriod != 0 {
                        instance.master.masterReboot = true
                        instance.master.masterRebootSince = now
                    }
                    if let offset = info.masterReplOffset { instance.master.masterReplOffset = offset }
                    instance.master.predecessorReplID = info.masterReplID2.flatMap {
                        $0 == Wire.nullReplicationID ? nil : $0
                    }
                    instance.master.replicaListings = Dictionary(
                        listed.map { ($0.0.description, $0.1) }, uniquingKeysWith: { a, _ in a })
                    return change
                })
            else { return }
            if change.rebooted || change.newRole != nil {
                let detail = describe(id)
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
            guard let id = replicaID(name, of: masterName),
                let change = modifyInstance(id, { Self.updateReplica(&$0, info: info, text: text, now: now) })
            else { return }
            if change.rebooted || change.newRole != nil {
                let detail = describe(id)
                emitCommon(change, detail: detail, isMasterConfigured: false, master: masterName)
            }
            if !tilt || readMaster(masterName, { $0.coordinated != nil }) == true {
                coordinatedTargetInfo(master: masterName, replica: name, offset: info.slaveReplOffset, isMaster: info.role == .master)
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
        _ instance: inout Instance, info: InstanceInfo, text: String, now: Millis
    ) -> CommonChange {
        let previousRole = instance.replica.state.roleReported
        let change = updateCommon(&instance, info: info, text: text, now: now)
        if info.role == .slave && previousRole != .slave { instance.replica.slaveConfChangeTime = now }
        instance.replica.masterLinkDownTime = 0
        if let seconds = info.masterLinkDownSinceSeconds {
            instance.replica.masterLinkDownTime = Int64(seconds).saturatingMultiplied(by: 1000)
        }
        if info.role == .slave {
            if let host = info.masterHost, host != instance.replica.slaveMasterHost,
                host.lowercased() != (instance.replica.slaveMasterHost ?? "").lowercased()
            {
                instance.replica.slaveMasterHost = host
                instance.replica.slaveConfChangeTime = now
            }
            if let port = info.masterPort, port != instance.replica.slaveMasterPort {
                instance.replica.slaveMasterPort = port
                instance.replica.slaveConfChangeTime = now
            }
            instance.replica.slaveMasterLinkUp = info.masterLinkUp
            if let priority = info.slavePriority { instance.replica.slavePriority = priority }
            if let offset = info.slaveReplOffset { instance.replica.slaveReplOffset = offset }
            if let announcedFlag = info.replicaAnnounced { instance.replica.replicaAnnounced = announcedFlag }
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
            emit(.notice, "+slave", describe(replicaID(replicaName, of: name)!), master: name)
            persistence.changed = true
            reconnect(.replica(master: name, name: replicaName))
        }
    }

    /// Whether ``replicaInfoActions(master:replica:reported:)`` has nothing to do for a replica
    /// that reports `role:slave`: no reconfiguration under way and it replicates from the
    /// master's address (the usual case, checked in place without copying the master).
    private func replicaIsSettled(master masterName: String, replica name: String) -> Bool {
        // The master's fields are taken first: a closure capturing the master would copy it.
        guard let (address, id) = readMaster(masterName, { ($0.address, $0.replicas[name]) }), let id else { return false }
        return readInstance(id) { instance in
            let replica = instance.replica
            return replica.reconf == .none && replica.slaveMasterPort == address.port
                && (replica.slaveMasterHost == address.host
                    || sameAddress(HostPort(replica.slaveMasterHost ?? "", replica.slaveMasterPort), address))
        } ?? false
    }

    /// The acting half of INFO processing for a replica (skipped in TILT): promotion success,
    /// `+convert-to-slave`, `+fix-slave-config`, and reconfiguration progress. `replID` is the
    /// replica's `master_replid`.
    private mutating func replicaInfoActions(
        master masterName: String, replica name: String, reported: ReportedRole?, replID: String?
    ) {
        guard let master = masterNamed(masterName), let replicaID = master.replicas[name], let masterID = masters[masterName]
        else { return }
        let replicaInstance = instances[replicaID]
        let replica = replicaInstance.replica
        let owner = LinkOwner.replica(master: masterName, name: name)
        if reported == .master {
            if master.promotedReplica == name && master.failoverState == .waitPromotion {
                // A pause-switch is confirmed by its own replies, once the old master is demoted.
                if master.coordinated?.promotionShownByInfo ?? true { promotionConfirmed(masterName) }
                return
            }
            // A replica (often the old master back from the dead) claims to be a master: once
            // things are calm (Redis: 8 s since the claim and since its last SDOWN, for newer
            // configurations to arrive by hello), or at once when its replication id proves it is
            // the master ours replaced (StaleMaster.swift), make it a replica of the current master.
            guard master.promotedReplica != name && masterLooksSane(masterID) else { return }
            let wait = timing.publishPeriod.saturatingMultiplied(by: 4)
            let calm = noDown(replicaInstance, for: wait) && now - replica.state.roleReportedTime > wait
            let superseded = !calm && isSupersededMaster(replID: replID, of: master)
            guard calm || superseded else { return }
            if sendSlaveOf(owner, to: announced(currentAddress(of: masterID))) {
                if superseded {
                    output.append(
                        .log(
                            .notice,
                            "\(describeOwner(owner)) still serves the replication history \(master.name) was promoted from: converting it at once"
                        ))
                }
                emit(.notice, "+convert-to-slave", describe(replicaID), master: masterName)
            }
            return
        }
        guard reported == .slave else { return }
        // Replicating from the wrong master for longer than failover-timeout: repoint it.
        let wait = master.config.failoverTimeout
        // The host it reports may be the master's name or its IP (Redis's sentinelAddrEqualsHostname).
        let pointsElsewhere = !sameAddress(
            HostPort(replica.slaveMasterHost ?? "", replica.slaveMasterPort), master.address)
        if replica.reconf == .none && pointsElsewhere && masterLooksSane(masterID) && noDown(replicaInstance, for: wait)
            && now - replica.slaveConfChangeTime > wait
        {
            if sendSlaveOf(owner, to: announced(master.address)) {
                emit(.notice, "+fix-slave-config", describe(replicaID), master: masterName)
            }
        }
        // Reconfiguration progress during RECONF_SLAVES.
        guard master.failoverInProgress, replica.reconf == .sent || replica.reconf == .inProgress,
            let promoted = master.promotedReplica.flatMap({ master.replicas[$0] }).map({ instances[$0] })
        else { return }
        if replica.reconf == .sent,
            sameAddress(HostPort(replica.slaveMasterHost ?? "", replica.slaveMasterPort), promoted.address)
        {
            instances[replicaID].replica.reconf = .inProgress
            emit(.notice, "+slave-reconf-inprog", describe(replicaID), master: masterName)
        }
        if instances[replicaID].replica.reconf == .inProgress && replica.slaveMasterLinkUp {
            instances[replicaID].replica.reconf = .done
            emit(.notice, "+slave-reconf-done", describe(replicaID), master: masterName)
        }
        if master.failoverState == .reconfSlaves { failoverStateMachine(masterName) }
        if masterNamed(masterName)?.failoverState == .updateConfig { switchToPromotedReplica(masterName) }
    }

    /// sentinelMasterLooksSane: a master that reports itself master, is not down, and whose INFO is fresh.
    func masterLooksSane(_ id: InstanceID) -> Bool {
        readInstance(id) { instance in
            let master = instance.master
            return master.state.roleReported == .master && !instance.sDown && !master.oDown
                && master.state.infoRefresh != 0
                && now - master.state.infoRefresh < timing.infoPeriod.saturatingMultiplied(by: 2)
        } ?? false
    }

    /// sentinelRedisInstanceNoDownFor: no SDOWN began within the last `window` ms.
    func noDown(_ instance: borrowing Instance, for window: Int64) -> Bool {
        instance.sDownSince == 0 || now - instance.sDownSince > window
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
        _ instance: inout Instance, info: InstanceInfo, text: String, now: Millis
    ) -> CommonChange {
        var change = CommonChange()
        if let runID = info.runID {
            if let old = instance.runID, old != runID { change.rebooted = true }
            instance.runID = runID
        }
        switch instance.kind {
        case .master: updateInfoState(&instance.master.state, info: info, text: text, now: now, change: &change)
        case .replica: updateInfoState(&instance.replica.state, info: info, text: text, now: now, change: &change)
        case .sentinel: break
        }
        return change
    }

    /// What INFO says of a master or replica: cached text, server-side FAILOVER, reported role.
    private static func updateInfoState(
        _ state: inout RedisInstanceState, info: InstanceInfo, text: String, now: Millis, change: inout CommonChange
    ) {
        state.infoText = text
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
