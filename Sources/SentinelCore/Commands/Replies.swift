import DequeModule
import OrderedCollections
import RESP

/// Reply shapes of the SENTINEL command (addReplySentinelRedisInstance, sentinel-behaviour §9.3):
/// maps with a fixed field order and every number as a bulk string.
extension Sentinel {
    func flags(_ master: MasterState) -> String {
        var f: [String] = []
        if master.state.sDown { f.append(Wire.flagSDown) }
        if master.oDown { f.append(Wire.flagODown) }
        f.append(Wire.master)
        if links[.master(master.name)]?.disconnected ?? true { f.append(Wire.flagDisconnected) }
        if master.failoverInProgress { f.append(Wire.flagFailoverInProgress) }
        if master.forceFailover { f.append(Wire.flagForceFailover) }
        if master.masterReboot { f.append(Wire.flagMasterReboot) }
        if master.coordinated != nil { f.append(Wire.flagCoordinatedFailover) }
        return f.joined(separator: ",")
    }

    func flags(_ replica: ReplicaState, of master: MasterState) -> String {
        var f: [String] = []
        if replica.state.sDown { f.append(Wire.flagSDown) }
        f.append(Wire.slave)
        if links[.replica(master: master.name, name: replica.name)]?.disconnected ?? true {
            f.append(Wire.flagDisconnected)
        }
        if master.promotedReplica == replica.name { f.append(Wire.flagPromoted) }
        switch replica.reconf {
        case .none: break
        case .sent: f.append(Wire.flagReconfSent)
        case .inProgress: f.append(Wire.flagReconfInprog)
        case .done: f.append(Wire.flagReconfDone)
        }
        return f.joined(separator: ",")
    }

    func flags(_ peer: PeerState) -> String {
        var f: [String] = []
        if peer.sDown { f.append(Wire.flagSDown) }
        f.append(Wire.sentinel)
        if links[.peer(runID: peer.runID)]?.disconnected ?? true { f.append(Wire.flagDisconnected) }
        if peer.masterDown { f.append(Wire.flagMasterDown) }
        return f.joined(separator: ",")
    }

    /// The leading fields every instance kind shares, up to and including `down-after-milliseconds`.
    private func commonFields(
        name: String, address: HostPort, runID: String?, flags: String, owner: LinkOwner, sDown: Bool,
        sDownSince: Millis, oDown: Bool, oDownSince: Millis, downAfter: Int64, failoverState: FailoverState = .none
    ) -> [(String, String)] {
        let link = links[owner]
        let a = announced(address)
        var fields: [(String, String)] = [
            ("name", name), ("ip", a.host), ("port", "\(a.port)"), ("runid", runID ?? ""), ("flags", flags),
            ("link-pending-commands", "\(link?.pendingCommands ?? 0)"),
            ("link-refcount", "\(refcount(of: owner))"),
        ]
        if failoverState != .none { fields.append(("failover-state", failoverState.wireName)) }
        let actPing = link?.actPingTime ?? 0
        fields.append(("last-ping-sent", "\(actPing != 0 ? now - actPing : 0)"))
        fields.append(("last-ok-ping-reply", "\(now - (link?.lastAvailTime ?? now))"))
        fields.append(("last-ping-reply", "\(now - (link?.lastPongTime ?? now))"))
        if sDown { fields.append(("s-down-time", "\(now - sDownSince)")) }
        if oDown { fields.append(("o-down-time", "\(now - oDownSince)")) }
        fields.append(("down-after-milliseconds", "\(downAfter)"))
        return fields
    }

    private func roleFields(_ state: RedisInstanceState) -> [(String, String)] {
        [
            ("info-refresh", "\(state.infoRefresh != 0 ? now - state.infoRefresh : 0)"),
            ("role-reported", state.roleReported == .master ? Wire.master : Wire.slave),
            ("role-reported-time", "\(now - state.roleReportedTime)"),
        ]
    }

    static func map(_ fields: [(String, String)]) -> RESPValue {
        .map(fields.flatMap { [RESPValue.bulkString($0.0), .bulkString($0.1)] })
    }

    /// The address `SENTINEL MASTER(S)` and `INFO sentinel` show: the stored one, as in Redis, except
    /// once a coordinated failover confirmed the promotion. Clients that discover through
    /// `SENTINEL MASTERS` (redis-py does) must not be sent back to the old master when the leader
    /// releases them, before its own switch at the end of the failover.
    func listedAddress(_ master: MasterState) -> HostPort {
        guard let run = master.coordinated, run.phase == .confirming || run.phase == .released else {
            return master.address
        }
        return currentAddress(master)
    }

    func masterReply(_ master: MasterState) -> RESPValue {
        var fields = commonFields(
            name: master.name, address: listedAddress(master), runID: master.state.runID, flags: flags(master),
            owner: .master(master.name), sDown: master.state.sDown, sDownSince: master.state.sDownSince,
            oDown: master.oDown, oDownSince: master.oDownSince, downAfter: master.config.downAfterMilliseconds,
            failoverState: master.failoverState)
        fields += roleFields(master.state)
        fields += [
            ("config-epoch", "\(master.config.configEpoch)"),
            ("num-slaves", "\(master.replicas.count)"),
            ("num-other-sentinels", "\(master.sentinels.count)"),
            ("quorum", "\(master.config.quorum)"),
            ("failover-timeout", "\(master.config.failoverTimeout)"),
            ("parallel-syncs", "\(master.config.parallelSyncs)"),
        ]
        if let script = master.config.notificationScript { fields.append(("notification-script", script)) }
        if let script = master.config.clientReconfigScript { fields.append(("client-reconfig-script", script)) }
        return Self.map(fields)
    }

    func replicaReply(_ replica: ReplicaState, of master: MasterState) -> RESPValue {
        var fields = commonFields(
            name: replica.name, address: replica.address, runID: replica.state.runID,
            flags: flags(replica, of: master), owner: .replica(master: master.name, name: replica.name),
            sDown: replica.state.sDown, sDownSince: replica.state.sDownSince, oDown: false, oDownSince: 0,
            downAfter: master.config.downAfterMilliseconds)
        fields += roleFields(replica.state)
        fields += [
            ("master-link-down-time", "\(replica.masterLinkDownTime)"),
            ("master-link-status", replica.slaveMasterLinkUp ? "ok" : "err"),
            ("master-host", replica.slaveMasterHost ?? "?"),
            ("master-port", "\(replica.slaveMasterPort)"),
            ("slave-priority", "\(replica.slavePriority)"),
            ("slave-repl-offset", "\(replica.slaveReplOffset)"),
            ("replica-announced", replica.replicaAnnounced ? "1" : "0"),
        ]
        return Self.map(fields)
    }

    func peerReply(_ peer: PeerState, of master: MasterState) -> RESPValue {
        var fields = commonFields(
            name: peer.runID, address: peer.address, runID: peer.runID, flags: flags(peer),
            owner: .peer(runID: peer.runID), sDown: peer.sDown, sDownSince: peer.sDownSince, oDown: false,
            oDownSince: 0, downAfter: master.config.downAfterMilliseconds)
        fields += [
            ("last-hello-message", "\(now - peer.lastHelloTime)"),
            ("voted-leader", peer.leader ?? "?"),
            ("voted-leader-epoch", "\(peer.leaderEpoch)"),
        ]
        return Self.map(fields)
    }

    /// The `# Sentinel` section of INFO.
    func sentinelInfoSection() -> String {
        var lines = [
            "# Sentinel",
            "sentinel_masters:\(masters.count)",
            "sentinel_tilt:\(tilt ? 1 : 0)",
            "sentinel_tilt_since_seconds:\(tilt ? (now - tiltStartTime) / 1000 : -1)",
            "sentinel_running_scripts:\(scripts.runningCount)",
            "sentinel_scripts_queue_length:\(scripts.jobs.count)",
            "sentinel_simulate_failure_flags:\(simulateFailureFlags)",
        ]
        if let last = lastTilt {
            // Not in Redis: why the last TILT happened (only shown once one did).
            lines.append("sentinel_tilt_last_delta_ms:\(last.delta)")
            lines.append("sentinel_tilt_last_cause:\(last.cause)")
        }
        for (index, master) in masters.values.enumerated() {
            let status = master.oDown ? "odown" : master.state.sDown ? "sdown" : "ok"
            let a = announced(listedAddress(master))
            lines.append(
                "master\(index):name=\(master.name),status=\(status),address=\(HostPort(a.host, a.port)),"
                    + "slaves=\(master.replicas.count),sentinels=\(master.sentinels.count + 1)")
        }
        return lines.map { $0 + "\r\n" }.joined()
    }
}
