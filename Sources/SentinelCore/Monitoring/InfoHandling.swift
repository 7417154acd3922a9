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
            updateCommon(&master.state, info: info, text: text, detail: detail, isMasterConfigured: true)
            masters[name] = master
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
            updateCommon(&replica.state, info: info, text: text, detail: detail, isMasterConfigured: false)
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
        case .peer:
            return
        }
    }

    /// The fields every monitored instance shares: cached text, run id (`+reboot`), reported role.
    private mutating func updateCommon(
        _ state: inout RedisInstanceState, info: InstanceInfo, text: String, detail: String, isMasterConfigured: Bool
    ) {
        state.infoText = text
        if let runID = info.runID {
            if let old = state.runID, old != runID {
                emit(.notice, "+reboot", detail)
            }
            state.runID = runID
        }
        if let role = info.role, role != state.roleReported {
            state.roleReported = role
            state.roleReportedTime = now
            let matchesConfigured = (role == .master) == isMasterConfigured
            emit(
                .verbose, matchesConfigured ? "+role-change" : "-role-change",
                "\(detail) new reported role is \(role == .master ? Wire.master : Wire.slave)")
        }
        state.infoRefresh = now
    }
}
