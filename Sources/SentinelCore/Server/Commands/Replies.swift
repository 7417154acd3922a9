import DequeModule
import OrderedCollections
import RESP

/// Reply shapes of the SENTINEL command (addReplySentinelRedisInstance, sentinel-behaviour §9.3):
/// maps with a fixed field order and every number as a bulk string.
extension Sentinel {
    /// The `flags` field of an instance's record (sentinel-behaviour §9.3): its state, its kind,
    /// then what its role adds.
    func flags(_ instance: borrowing Instance) -> String {
        var f: [String] = []
        if instance.sDown { f.append(Wire.flagSDown) }
        switch instance.role {
        case .master(let master):
            if master.oDown { f.append(Wire.flagODown) }
            f.append(Wire.master)
            if links[.master(master.name)]?.disconnected ?? true { f.append(Wire.flagDisconnected) }
            if master.failoverInProgress { f.append(Wire.flagFailoverInProgress) }
            if master.failover?.isForced == true { f.append(Wire.flagForceFailover) }
            // Valkey 9's place for its `coordinated_failover` flag: right after force_failover.
            if master.coordinated != nil { f.append(Wire.flagCoordinatedFailover) }
            if master.masterReboot { f.append(Wire.flagMasterReboot) }
        case .replica(let replica):
            f.append(Wire.slave)
            let (masterName, promoted) =
                instances.read(replica.master) { ($0.name, $0.master.promotedReplica) } ?? ("", nil)
            if links[.replica(master: masterName, name: replica.name)]?.disconnected ?? true {
                f.append(Wire.flagDisconnected)
            }
            if promoted == replica.name { f.append(Wire.flagPromoted) }
            switch replica.reconf {
            case .none: break
            case .sent: f.append(Wire.flagReconfSent)
            case .inProgress: f.append(Wire.flagReconfInprog)
            case .done: f.append(Wire.flagReconfDone)
            }
        case .sentinel(let peer):
            f.append(Wire.sentinel)
            if links[.peer(runID: instance.name)]?.disconnected ?? true { f.append(Wire.flagDisconnected) }
            if peer.masterDown { f.append(Wire.flagMasterDown) }
        }
        return f.joined(separator: ",")
    }

    /// An instance's record for SENTINEL MASTER(S), REPLICAS and SENTINELS
    /// (addReplySentinelRedisInstance): the fields every kind has, then its role's. The master's
    /// data is read in place, never copied (SENTINEL MASTERS is a hot query).
    func instanceReply(_ instance: borrowing Instance) -> RESPValue {
        var fields = ReplyFields(capacity: 40)
        switch instance.role {
        case .master(let master):
            commonFields(
                &fields, instance, owner: .master(master.name), address: listedAddress(master),
                downAfter: master.config.downAfterMilliseconds, failoverState: master.failoverState,
                oDownSince: master.oDown ? master.oDownSince : nil)
            roleFields(&fields, master.state)
            fields.add("config-epoch", master.config.configEpoch)
            fields.add("num-slaves", master.replicas.count)
            fields.add("num-other-sentinels", master.sentinels.count)
            fields.add("quorum", master.config.quorum)
            fields.add("failover-timeout", master.config.failoverTimeout)
            fields.add("parallel-syncs", master.config.parallelSyncs)
            if let script = master.config.notificationScript { fields.add("notification-script", script) }
            if let script = master.config.clientReconfigScript { fields.add("client-reconfig-script", script) }
        case .replica(let replica):
            let (masterName, downAfter) = governing(replica.master)
            commonFields(
                &fields, instance, owner: .replica(master: masterName, name: replica.name), address: replica.address,
                downAfter: downAfter)
            roleFields(&fields, replica.state)
            fields.add("master-link-down-time", replica.masterLinkDownTime)
            fields.add("master-link-status", replica.slaveMasterLinkUp ? "ok" : "err")
            fields.add("master-host", replica.slaveMasterHost ?? "?")
            fields.add("master-port", replica.slaveMasterPort)
            fields.add("slave-priority", replica.slavePriority)
            fields.add("slave-repl-offset", replica.slaveReplOffset)
            fields.add("replica-announced", replica.replicaAnnounced ? "1" : "0")
        case .sentinel(let peer):
            let (_, downAfter) = governing(peer.master)
            commonFields(&fields, instance, owner: .peer(runID: instance.name), address: peer.address, downAfter: downAfter)
            fields.add("last-hello-message", now - peer.lastHelloTime)
            fields.add("voted-leader", peer.leader ?? "?")
            fields.add("voted-leader-epoch", peer.leaderEpoch)
        }
        return .map(fields.elements)
    }

    /// The name and down-after-milliseconds of the master a replica or peer belongs to, read in place.
    private func governing(_ master: InstanceID) -> (name: String, downAfter: Int64) {
        instances.read(master) { ($0.name, $0.master.config.downAfterMilliseconds) } ?? ("", 0)
    }

    /// The leading fields every instance kind shares, up to and including `down-after-milliseconds`.
    private func commonFields(
        _ fields: inout ReplyFields, _ instance: borrowing Instance, owner: LinkOwner, address: HostPort,
        downAfter: Int64, failoverState: FailoverState = .none, oDownSince: Millis? = nil
    ) {
        let link = links[owner]
        let a = announced(address)
        fields.add("name", instance.name)
        fields.add("ip", a.host)
        fields.add("port", a.port)
        fields.add("runid", instance.runID ?? "")
        fields.add("flags", flags(instance))
        fields.add("link-pending-commands", link?.pendingCommands ?? 0)
        fields.add("link-refcount", refcount(of: owner))
        if failoverState != .none { fields.add("failover-state", failoverState.wireName) }
        let actPing = link?.actPingTime ?? 0
        fields.add("last-ping-sent", actPing != 0 ? now - actPing : 0)
        fields.add("last-ok-ping-reply", now - (link?.lastAvailTime ?? now))
        fields.add("last-ping-reply", now - (link?.lastPongTime ?? now))
        if instance.sDown { fields.add("s-down-time", now - instance.sDownSince) }
        if let oDownSince { fields.add("o-down-time", now - oDownSince) }
        fields.add("down-after-milliseconds", downAfter)
    }

    private func roleFields(_ fields: inout ReplyFields, _ state: RedisInstanceState) {
        fields.add("info-refresh", state.infoRefresh != 0 ? now - state.infoRefresh : 0)
        fields.add("role-reported", state.roleReported == .master ? Wire.master : Wire.slave)
        fields.add("role-reported-time", now - state.roleReportedTime)
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
    func listedAddress(_ master: MasterState) -> HostPort {
        guard master.coordinated?.promotionConfirmed == true else {
            return master.address
        }
        return currentAddress(master)
    }

    // The whole-record replies read the instances in place and are non-mutating on purpose: a
    // closure in a mutating method captures a copy of `self`, the whole Sentinel.

    /// SENTINEL MASTERS: every master's record, in order.
    func mastersReply() -> RESPValue {
        var records: [RESPValue] = []
        records.reserveCapacity(masters.count)
        for id in masters.values { records.append(readInstance(id) { instanceReply($0) }!) }
        return .array(records)
    }

    /// SENTINEL MASTER: the record of the master at `index` of ``masters``.
    func masterReply(at index: Int) -> RESPValue {
        readInstance(masters.values[index]) { instanceReply($0) }!
    }

    /// SENTINEL REPLICAS: the announced replicas of the master at `index`.
    func replicasReply(at index: Int) -> RESPValue {
        let replicas = instances[masters.values[index]].master.replicas.values
        return .array(
            replicas.compactMap { id in
                readInstance(id) { $0.replica.replicaAnnounced ? instanceReply($0) : nil } ?? nil
            })
    }

    /// SENTINEL SENTINELS: the peers of the master at `index`.
    func sentinelsReply(at index: Int) -> RESPValue {
        let peers = instances[masters.values[index]].master.sentinels.values
        return .array(peers.compactMap { id in readInstance(id) { instanceReply($0) } })
    }

    /// The address clients are given for the master at `index` (``currentAddress(_:)``).
    func currentAddress(ofMasterAt index: Int) -> HostPort {
        readInstance(masters.values[index]) { currentAddress($0.master) }!
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
            let instance = instances[id]
            let master = instance.master
            let status = master.oDown ? "odown" : instance.sDown ? "sdown" : "ok"
            let a = announced(listedAddress(master))
            lines.append(
                "master\(index):name=\(master.name),status=\(status),address=\(HostPort(a.host, a.port)),"
                    + "slaves=\(master.replicas.count),sentinels=\(master.sentinels.count + 1)")
        }
        return lines.map { $0 + "\r\n" }.joined()
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
