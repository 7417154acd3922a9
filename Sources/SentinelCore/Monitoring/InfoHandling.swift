import DequeModule
import OrderedCollections
import RESP
/// Processing of INFO replies from masters and replicas (sentinelRefreshInstanceInfo, §6.2).
extension Sentinel {
    mutating func infoReply(_ owner: LinkOwner, _ text: String) {
        let info = InfoParser.parse(text)
        switch owner {
        case .master(let name):
            guard var master = masters[name] else { return }
            let detail = describe(master)
            let rebooted = updateCommon(
                &master.state, info: info, text: text, detail: detail, isMasterConfigured: true, master: name)
            if rebooted && master.config.masterRebootDownAfterPeriod != 0 {
                master.masterReboot = true
                master.masterRebootSince = now
            }
            master.masterFailoverState = info.masterFailoverState
            if let offset = info.masterReplOffset { master.masterReplOffset = offset }
            master.replicaListings = Dictionary(
                info.replicas.map { (HostPort($0.host, $0.port).description, $0) }, uniquingKeysWith: { a, _ in a })
            masters[name] = master
            // A handover in flight is followed even in TILT: writers are parked on the master.
            coordinatedMasterInfo(name)
            // Replica discovery from `slaveN:` lines: every listed replica is added.
            for listing in info.replicas {
                let address = HostPort(listing.host, listing.port)
                guard address.port > 0 else { continue }
                if let replicaName = addReplica(address, to: name) {
                    emit(
                        .notice, "+slave", describe(masters[name]!.replicas[replicaName]!, of: masters[name]!),
                        master: name)
                    needsFlush = true
                    reconnect(.replica(master: name, name: replicaName))
                }
            }
        case .replica(let masterName, let name):
            guard let master = masters[masterName], var replica = master.replicas[name] else { return }
            let detail = describe(replica, of: master)
            let previousRole = replica.state.roleReported
            updateCommon(
                &replica.state, info: info, text: text, detail: detail, isMasterConfigured: false, master: masterName)
            if info.role == .slave && previousRole != .slave { replica.slaveConfChangeTime = now }
            replica.masterLinkDownTime = 0
            if let seconds = info.masterLinkDownSinceSeconds { replica.masterLinkDownTime = Int64(seconds) * 1000 }
            if info.role == .slave {
                if let host = info.masterHost, host.lowercased() != (replica.slaveMasterHost ?? "").lowercased() {
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
            masters[masterName]!.replicas[name] = replica
            if !tilt || masters[masterName]?.coordinated != nil {
                replicaInfoActions(master: masterName, replica: name, reported: info.role)
            }
        case .peer:
            return
        }
    }

    /// The acting half of INFO processing for a replica (skipped in TILT): promotion success,
    /// `+convert-to-slave`, `+fix-slave-config`, and reconfiguration progress.
    private mutating func replicaInfoActions(master masterName: String, replica name: String, reported: ReportedRole?) {
        guard let master = masters[masterName], let replica = master.replicas[name] else { return }
        let owner = LinkOwner.replica(master: masterName, name: name)
        if reported == .master {
            if master.promotedReplica == name && master.failoverState == .waitPromotion {
                promotionConfirmed(masterName)
                return
            }
            // A replica (often the old master back from the dead) claims to be a master: once
            // things are calm, make it a replica of the current master again.
            let wait = timing.publishPeriod * 4
            if master.promotedReplica != name && masterLooksSane(master) && noDown(replica.state, for: wait)
                && now - replica.state.roleReportedTime > wait
            {
                if sendSlaveOf(owner, to: announced(currentAddress(master))) {
                    emit(.notice, "+convert-to-slave", describe(replica, of: master), master: masterName)
                }
            }
            return
        }
        guard reported == .slave else { return }
        // Replicating from the wrong master for longer than failover-timeout: repoint it.
        let wait = master.config.failoverTimeout
        let pointsElsewhere =
            replica.slaveMasterPort != master.address.port
            || (replica.slaveMasterHost ?? "").lowercased() != master.address.host.lowercased()
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
        if replica.reconf == .sent, replica.slaveMasterPort == promoted.address.port,
            (replica.slaveMasterHost ?? "").lowercased() == announced(promoted.address).host.lowercased()
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
            && master.state.infoRefresh != 0 && now - master.state.infoRefresh < timing.infoPeriod * 2
    }

    /// sentinelRedisInstanceNoDownFor: no SDOWN began within the last `window` ms.
    func noDown(_ state: RedisInstanceState, for window: Int64) -> Bool {
        state.sDownSince == 0 || now - state.sDownSince > window
    }

    /// The fields every monitored instance shares: cached text, run id (`+reboot`), reported role.
    /// Returns whether the run id changed (a reboot).
    @discardableResult
    private mutating func updateCommon(
        _ state: inout RedisInstanceState, info: InstanceInfo, text: String, detail: String, isMasterConfigured: Bool,
        master: String
    ) -> Bool {
        state.infoText = text
        var rebooted = false
        if let runID = info.runID {
            if let old = state.runID, old != runID {
                emit(.notice, "+reboot", detail, master: master)
                rebooted = true
            }
            state.runID = runID
        }
        if let role = info.role, role != state.roleReported {
            state.roleReported = role
            state.roleReportedTime = now
            let matchesConfigured = (role == .master) == isMasterConfigured
            emit(
                .verbose, matchesConfigured ? "+role-change" : "-role-change",
                "\(detail) new reported role is \(role == .master ? Wire.master : Wire.slave)", master: master)
        }
        state.infoRefresh = now
        return rebooted
    }
}
