import DequeModule
import OrderedCollections
import RESP

/// Reply shapes of the SENTINEL command (addReplySentinelRedisInstance, sentinel-behaviour §9.3):
/// maps with a fixed field order and every number as a bulk string.
extension Sentinel {
    // The records below read the instance field by field through the table (`instances[id]…`):
    // handing an instance or a master's data to a function copies it whole, every string and
    // dictionary retained and released (SENTINEL MASTERS is a hot query).

    /// The `flags` field of an instance's record (sentinel-behaviour §9.3): its state, its kind,
    /// then what its role adds.
    func flags(_ id: InstanceID) -> String {
        var f: [String] = []
        if instances[id].sDown { f.append(Wire.flagSDown) }
        switch instances[id].kind {
        case .master:
            if instances[id].master.oDown { f.append(Wire.flagODown) }
            f.append(Wire.master)
            if links[.master(instances[id].master.config.name)]?.disconnected ?? true { f.append(Wire.flagDisconnected) }
            if let failover = instances[id].master.failover {
                f.append(Wire.flagFailoverInProgress)
                if failover.isForced { f.append(Wire.flagForceFailover) }
                // Valkey 9's place for its `coordinated_failover` flag: right after force_failover.
                if failover.coordinated != nil { f.append(Wire.flagCoordinatedFailover) }
            }
            if instances[id].master.masterReboot { f.append(Wire.flagMasterReboot) }
        case .replica:
            f.append(Wire.slave)
            let masterID = instances[id].replica.master
            let name = instances[id].replica.name
            if links[.replica(master: instances[masterID].master.config.name, name: name)]?.disconnected ?? true {
                f.append(Wire.flagDisconnected)
            }
            if instances[masterID].master.promotedReplica == name { f.append(Wire.flagPromoted) }
            switch instances[id].replica.reconf {
            case .none: break
            case .sent: f.append(Wire.flagReconfSent)
            case .inProgress: f.append(Wire.flagReconfInprog)
            case .done: f.append(Wire.flagReconfDone)
            }
        case .sentinel:
            f.append(Wire.sentinel)
            if links[.peer(runID: instances[id].runID ?? "")]?.disconnected ?? true { f.append(Wire.flagDisconnected) }
            if instances[id].peer.masterDown { f.append(Wire.flagMasterDown) }
        }
        return f.joined(separator: ",")
    }

    /// An instance's record for SENTINEL MASTER(S), REPLICAS and SENTINELS
    /// (addReplySentinelRedisInstance): the fields every kind has, then its role's.
    func instanceReply(_ id: InstanceID) -> RESPValue {
        var fields = ReplyFields(capacity: 40)
        switch instances[id].kind {
        case .master:
            commonFields(
                &fields, id, owner: .master(instances[id].master.config.name), address: listedAddress(id),
                downAfter: instances[id].master.config.downAfterMilliseconds,
                failoverState: instances[id].master.failoverState,
                oDownSince: instances[id].master.oDown ? instances[id].master.oDownSince : nil)
            roleFields(&fields, id)
            fields.add("config-epoch", instances[id].master.config.configEpoch)
            fields.add("num-slaves", instances[id].master.replicas.count)
            fields.add("num-other-sentinels", instances[id].master.sentinels.count)
            fields.add("quorum", instances[id].master.config.quorum)
            fields.add("failover-timeout", instances[id].master.config.failoverTimeout)
            fields.add("parallel-syncs", instances[id].master.config.parallelSyncs)
            if let script = instances[id].master.config.notificationScript { fields.add("notification-script", script) }
            if let script = instances[id].master.config.clientReconfigScript {
                fields.add("client-reconfig-script", script)
            }
        case .replica:
            let masterID = instances[id].replica.master
            commonFields(
                &fields, id,
                owner: .replica(master: instances[masterID].master.config.name, name: instances[id].replica.name),
                address: instances[id].replica.address,
                downAfter: instances[masterID].master.config.downAfterMilliseconds)
            roleFields(&fields, id)
            fields.add("master-link-down-time", instances[id].replica.masterLinkDownTime)
            fields.add("master-link-status", instances[id].replica.slaveMasterLinkUp ? "ok" : "err")
            fields.add("master-host", instances[id].replica.slaveMasterHost ?? "?")
            fields.add("master-port", instances[id].replica.slaveMasterPort)
            fields.add("slave-priority", instances[id].replica.slavePriority)
            fields.add("slave-repl-offset", instances[id].replica.slaveReplOffset)
            fields.add("replica-announced", instances[id].replica.replicaAnnounced ? "1" : "0")
        case .sentinel:
            let masterID = instances[id].peer.master
            commonFields(
                &fields, id, owner: .peer(runID: instances[id].runID ?? ""), address: instances[id].peer.address,
                downAfter: instances[masterID].master.config.downAfterMilliseconds)
            fields.add("last-hello-message", now - instances[id].peer.lastHelloTime)
            fields.add("voted-leader", instances[id].peer.leader ?? "?")
            fields.add("voted-leader-epoch", instances[id].peer.leaderEpoch)
        }
        return .map(fields.elements)
    }

    /// The leading fields every instance kind shares, up to and including `down-after-milliseconds`.
    private func commonFields(
        _ fields: inout ReplyFields, _ id: InstanceID, owner: LinkOwner, address: HostPort,
        downAfter: Int64, failoverState: FailoverState = .none, oDownSince: Millis? = nil
    ) {
        let link = links[owner]
        let a = announced(address)
        switch instances[id].kind {
        case .master: fields.add("name", instances[id].master.config.name)
        case .replica: fields.add("name", instances[id].replica.name)
        case .sentinel: fields.add("name", instances[id].runID ?? "")
        }
        fields.add("ip", a.host)
        fields.add("port", a.port)
        fields.add("runid", instances[id].runID ?? "")
        fields.add("flags", flags(id))
        fields.add("link-pending-commands", link?.pendingCommands ?? 0)
        fields.add("link-refcount", refcount(of: owner))
        if failoverState != .none { fields.add("failover-state", failoverState.wireName) }
        let actPing = link?.actPingTime ?? 0
        fields.add("last-ping-sent", actPing != 0 ? now - actPing : 0)
        fields.add("last-ok-ping-reply", now - (link?.lastAvailTime ?? now))
        fields.add("last-ping-reply", now - (link?.lastPongTime ?? now))
        if instances[id].sDown { fields.add("s-down-time", now - instances[id].sDownSince) }
        if let oDownSince { fields.add("o-down-time", now - oDownSince) }
        fields.add("down-after-milliseconds", downAfter)
    }

    /// The INFO-derived fields of a master's or replica's record.
    private func roleFields(_ fields: inout ReplyFields, _ id: InstanceID) {
        let (infoRefresh, roleReported, roleReportedTime) =
            instances[id].isMaster
            ? (
                instances[id].master.state.infoRefresh, instances[id].master.state.roleReported,
                instances[id].master.state.roleReportedTime
            )
            : (
                instances[id].replica.state.infoRefresh, instances[id].replica.state.roleReported,
                instances[id].replica.state.roleReportedTime
            )
        fields.add("info-refresh", infoRefresh != 0 ? now - infoRefresh : 0)
        fields.add("role-reported", roleReported == .master ? Wire.master : Wire.slave)
        fields.add("role-reported-time", now - roleReportedTime)
    }

    static func map(_ fields: [(String, String)]) -> RESPValue {
        var elements: [RESPValue] = []
        elements.reserveCapacity(fields.count * 2)
        for (name, value) in fields {
            elements.append(.bulkString(name))
            elements.append(.bulkString(value))
        }
        return .map(elements)
    }

    /// The address `SENTINEL MASTER(S)` and `INFO sentinel` show: the stored one, as in Redis, except
    /// once a coordinated failover confirmed the promotion. Clients that discover through
    /// `SENTINEL MASTERS` (redis-py does) must not be sent back to the old master when the leader
    /// releases them, before its own switch at the end of the failover.
    func listedAddress(_ id: InstanceID) -> HostPort {
        guard instances[id].master.failover?.coordinated?.promotionConfirmed == true else {
            return instances[id].master.config.address
        }
        return currentAddress(of: id)
    }

    // The whole-record replies read the instances in place and are non-mutating on purpose: a
    // closure in a mutating method captures a copy of `self`, the whole Sentinel.

    /// SENTINEL MASTERS: every master's record, in order.
    func mastersReply() -> RESPValue {
        var records: [RESPValue] = []
        records.reserveCapacity(masters.count)
        for id in masters.values { records.append(instanceReply(id)) }
        return .array(records)
    }

    /// SENTINEL MASTER: the record of the master at `index` of ``masters``.
    func masterReply(at index: Int) -> RESPValue {
        instanceReply(masters.values[index])
    }

    /// SENTINEL REPLICAS: the announced replicas of the master at `index`.
    func replicasReply(at index: Int) -> RESPValue {
        let replicas = instances[masters.values[index]].master.replicas.values
        return .array(
            replicas.compactMap { id in
                instances[id].replica.replicaAnnounced ? instanceReply(id) : nil
            })
    }

    /// SENTINEL SENTINELS: the peers of the master at `index`.
    func sentinelsReply(at index: Int) -> RESPValue {
        let peers = instances[masters.values[index]].master.sentinels.values
        return .array(peers.map { instanceReply($0) })
    }

    /// The address clients are given for the master at `index` (``currentAddress(of:)``).
    func currentAddress(ofMasterAt index: Int) -> HostPort {
        currentAddress(of: masters.values[index])
    }

    /// The `# Sentinel` section of INFO.
    func sentinelInfoSection() -> String {
        var lines = [
            "# Sentinel",
            "sentinel_masters:\(masters.count)",
            "sentinel_tilt:\(tilt ? 1 : 0)",
            "sentinel_tilt_since_seconds:\(clock.secondsInTilt(now: now))",
            // Valkey 9.0's field (not in Redis 7.0), where Valkey puts it.
            "sentinel_total_tilt:\(clock.total)",
            "sentinel_running_scripts:\(scripts.runningCount)",
            "sentinel_scripts_queue_length:\(scripts.jobs.count)",
            "sentinel_simulate_failure_flags:\(simulateFailureFlags)",
        ]
        if let last = clock.last {
            // Not in Redis: why the last TILT happened (only shown once one did).
            lines.append("sentinel_tilt_last_delta_ms:\(last.delta)")
            lines.append("sentinel_tilt_last_cause:\(last.cause)")
        }
        for (index, id) in masters.values.enumerated() {
            let master = instances[id].master
            lines.append(
                "master\(index):name=\(master.name),status=\(masterStatus(id)),address=\(infoAddress(id)),"
                    + "slaves=\(master.replicas.count),sentinels=\(master.sentinels.count + 1)")
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// INFO sentinel's `status=` of a master (`odown`, `sdown` or `ok`; also `/metrics`'
    /// `master_status` label, as redis_exporter reads it from there).
    func masterStatus(_ id: InstanceID) -> String {
        instances[id].master.oDown ? "odown" : instances[id].sDown ? "sdown" : "ok"
    }

    /// INFO sentinel's `address=` of a master: the announced `ip:port` it is listed under.
    func infoAddress(_ id: InstanceID) -> String {
        let a = announced(listedAddress(id))
        return "\(HostPort(a.host, a.port))"
    }
}

/// The flat name/value list of an instance record, built in place: every value a bulk string,
/// numbers in decimal (as Redis's addReplyBulkLongLong).
struct ReplyFields {
    var elements: [RESPValue] = []

    init(capacity: Int) {
        elements.reserveCapacity(capacity)
    }

    mutating func add(_ name: String, _ value: String) {
        elements.append(.bulkString(name))
        elements.append(.bulkString(value))
    }

    // Concrete integer types: `description` takes the standard library's fast path, the generic
    // `String(some BinaryInteger)` a slow one (it showed up in SENTINEL MASTERS profiles).
    mutating func add(_ name: String, _ value: Int) {
        add(name, Self.decimal(Int64(value)))
    }

    mutating func add(_ name: String, _ value: Int64) {
        add(name, Self.decimal(value))
    }

    /// `value.description`, written directly for the usual small numbers (at most 15 characters
    /// with the sign: a small string, no allocation); `Int64.description` went through the
    /// radix-generic formatter and was ~2 % of SENTINEL MASTERS CPU.
    static func decimal(_ value: Int64) -> String {
        let magnitude = value.magnitude
        guard magnitude < 100_000_000_000_000 else { return value.description }
        var length = value < 0 ? 2 : 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            length += 1
        }
        return String(unsafeUninitializedCapacity: length) { out in
            var rest = magnitude
            var position = length - 1
            repeat {
                out[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
                position -= 1
            } while rest > 0
            if value < 0 { out[0] = UInt8(ascii: "-") }
            return length
        }
    }
}
