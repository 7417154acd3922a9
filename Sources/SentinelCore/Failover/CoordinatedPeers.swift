import DequeModule
import OrderedCollections
import RESP

/// The coordinated failover as every other sentinel takes part in it: hello holds while a master
/// may be write-paused, the leader's COORDINATED-FAILOVER notice, and finishing a handover whose
/// leader vanished (the release and the repoints it left undone). The leader's side is in
/// Coordinated.swift; see docs/coordinated-failover.md.
extension Sentinel {
    // MARK: - Hello holds (every sentinel)

    /// Whether hellos to the instance at `address` must not be PUBLISHed now: it is (or may be)
    /// write-paused by a coordinated failover, and a PUBLISH would block its connection.
    func helloHeld(_ address: HostPort, master name: String) -> Bool {
        if let until = handovers.helloHolds[HostPort(address.host.lowercased(), address.port)], now < until { return true }
        guard let master = masterNamed(name) else { return false }
        if master.coordinated?.holdsHellos == true, sameAddress(address, master.address) {
            return true
        }
        if sameAddress(address, master.address), let state = master.masterFailoverState, state != "no-failover" {
            return true
        }
        return false
    }

    mutating func holdHellos(to address: HostPort, until: Millis) {
        handovers.helloHolds[HostPort(address.host.lowercased(), address.port)] = until
    }

    mutating func releaseHellos(to address: HostPort) {
        handovers.helloHolds.removeValue(forKey: HostPort(address.host.lowercased(), address.port))
    }

    // MARK: - The peer side of the notice

    /// `SENTINEL COORDINATED-FAILOVER <master> <epoch> <leader> <target-host> <target-port> <pause-ms> [pause-switch]`
    /// from the leader we voted for: hold hellos to the master for the pause, keep the record so we
    /// can finish the handover if the leader dies, and answer once no hello of ours is in flight.
    /// Any client can get our vote for any runid, so the notice is believed only from a leader we
    /// know as a peer of this master, for a target we know as its replica, and for at most
    /// ``noticePauseCap(_:)`` (docs/security.md).
    mutating func coordinatedNotice(_ id: ClientID, _ args: [String]) {
        guard let master = masterNamed(args[2]) else { return reply(id, .error(Wire.errNoSuchMaster)) }
        guard let epoch = Epoch(args[3]), let port = Int(args[6]), (0...65535).contains(port), let asked = Int64(args[7]),
            asked > 0
        else {
            return reply(id, .error(Wire.errNotInteger))
        }
        guard args.count <= 9 else { return reply(id, CommandTable.wrongArityError(command: "sentinel", sub: "coordinated-failover")) }
        guard let method = args.count == 9 ? HandoverMethod(rawValue: args[8].lowercased()) : .serverFailover else {
            return reply(id, .error(Wire.errUnknownFailoverOption))
        }
        let name = master.name
        let leader = args[4]
        guard master.config.leaderEpoch == epoch, master.leader?.lowercased() == leader.lowercased() else {
            return reply(id, .error(Wire.errNoticeNotVoted(leader: leader, epoch: epoch)))
        }
        let target = HostPort(args[5], port)
        if let refusal = noticeRefusal(leader: leader, target: target, of: master) {
            logNoticeOnce(id, leader: leader, kind: "Refused", "\(refusal)")
            return reply(id, .error(refusal))
        }
        let cap = noticePauseCap(master)
        let pause = min(asked, cap)
        if pause < asked {
            logNoticeOnce(
                id, leader: leader, kind: "Clamped",
                "pause \(asked) ms clamped to \(pause) ms (\(timing.coordinatedNoticePauseFactor) x our down-after-milliseconds)")
        }
        holdHellos(to: master.address, until: now.saturatingAdding(pause).saturatingAdding(timing.coordinatedHoldMargin))
        output.append(
            .log(
                .notice,
                "Coordinated failover of '\(name)' (epoch \(epoch), leader \(leader)): holding hellos to \(announced(master.address)) for up to \(pause) ms while \(target) takes over"
            ))
        if let wall = wallClockMillis() {
            self[master: name].config.coordinatedRecord = CoordinatedRecord(
                epoch: epoch, leader: leader, old: master.address, target: target,
                pauseEndsUnixMillis: wall.saturatingAdding(pause), method: method)
            handovers.recordSeenAt[name] = now
        }
        if links[.master(name)]?.cc.isAwaiting(.publishHello) == true {
            // Answer only when our last hello to it is through, so none can arrive after the pause.
            if let slot = reserveReplySlot(id) {
                handovers.noticeRepliesWaiting[name, default: []].append((id, slot))
            }
            persistence.changed = true
        } else {
            replyAfterFlush(id, .ok)
        }
    }

    /// Our hello PUBLISH to a master was answered: release the notice answers waiting for it.
    mutating func helloPublishAnswered(master name: String) {
        guard let waiting = handovers.noticeRepliesWaiting.removeValue(forKey: name) else { return }
        for (client, slot) in waiting { fillReplySlot(client, slot, .ok) }
    }

    /// Why a notice from the leader we voted for is not believed, as its error reply: the leader
    /// is not a sentinel we know (through hellos) as a peer of this master, or the target is not
    /// a replica we know of it (unknown, the master's own address, or reporting `role:master`:
    /// a FAILOVER TO such a target cannot happen, and finishing it would switch to a non-replica).
    func noticeRefusal(leader: String, target: HostPort, of master: MasterState) -> String? {
        let key = leader.lowercased()
        guard master.sentinels[leader] != nil || master.sentinels.keys.contains(where: { $0.lowercased() == key }) else {
            return Wire.errNoticeUnknownLeader(leader)
        }
        guard !sameAddress(target, master.address),
            let replica = replicaInstances(of: master).first(where: { sameAddress($0.address, target) }),
            replica.replica.state.roleReported != .master
        else {
            return Wire.errNoticeUnknownTarget(host: target.host, port: target.port)
        }
        return nil
    }

    /// The longest pause a notice is believed for: the leader's pause is at most its own
    /// down-after-milliseconds (``MasterConfig/effectiveCoordinatedPause``), which may differ from
    /// ours, so up to ``Timing/coordinatedNoticePauseFactor`` times ours; a longer one is clamped.
    func noticePauseCap(_ master: MasterState) -> Int64 {
        max(1, master.config.downAfterMilliseconds.saturatingMultiplied(by: timing.coordinatedNoticePauseFactor))
    }

    /// Logs a refused or clamped notice at warning level, once per client IP and leader (at most
    /// ``EpochBounds/maxLoggedSenders`` pairs), so a flood of forged notices cannot flood the log.
    mutating func logNoticeOnce(_ id: ClientID, leader: String, kind: String, _ detail: String) {
        let client = clients[id]?.address ?? "an unknown client"
        let key = "\(kind) \(LoopbackAddress.hostPart(of: client)) \(leader.lowercased())"
        warnOnce(
            \.handovers.noticeRefusalsLogged, key: key,
            "\(kind) SENTINEL COORDINATED-FAILOVER from \(client) naming leader \(leader): \(detail); see docs/security.md. Further ones of this client and leader are not logged"
        )
    }

    /// The replica a coordinated-failover record hands over to, when finishing it can be right: a
    /// known replica that is not at the master's address, unless the old master, asked after the
    /// target began to report `role:master`, still reports `role:master` with no FAILOVER of its
    /// own: two masters, not a handover (a real FAILOVER TO demotes the old master first). A
    /// pause-switch promotes the target before it demotes the old master, so there the old
    /// master still being master is expected while its pause lasts (less
    /// ``Timing/coordinatedDemoteMargin``, for the demotion to reach it): whoever finishes demotes
    /// it. After that it may have taken writes again, and it stays the master.
    func orphanedHandoverTarget(_ record: CoordinatedRecord, of master: MasterState) -> Instance? {
        guard !sameAddress(record.target, master.address),
            let target = replicaInstances(of: master).first(where: { sameAddress($0.address, record.target) }),
            !sameAddress(target.address, master.address)
        else { return nil }
        let oldStillMaster =
            master.state.roleReported == .master && (master.masterFailoverState ?? "no-failover") == "no-failover"
        if record.method == .pauseSwitch, oldStillMaster {
            guard let wall = wallClockMillis(),
                wall < record.pauseEndsUnixMillis.saturatingSubtracting(timing.coordinatedDemoteMargin)
            else { return nil }
            return target
        }
        if target.replica.state.roleReported == .master, oldStillMaster,
            master.state.infoRefresh > target.replica.state.roleReportedTime
        {
            return nil
        }
        return target
    }

    // MARK: - Finishing a handover whose leader vanished

    /// Run on every tick by a sentinel that holds a coordinated-failover record it is not driving
    /// (a peer that got the notice, or the leader after a restart): once the target reports
    /// `role:master` and nobody announced the new configuration, adopt it (same epoch, same
    /// target, so it cannot conflict), switch, and kill clients + unpause the old master.
    mutating func finishOrphanedHandover(_ name: String) {
        // No record (every tick for every master): nothing to finish, decided without a copy.
        guard let id = masters[name], instances[id].master.config.coordinatedRecord != nil,
            instances[id].master.failover?.coordinated == nil
        else { return }
        guard let master = masterNamed(name), master.coordinated == nil, let record = master.config.coordinatedRecord
        else { return }
        let expired =
            wallClockMillis().map { $0 > record.pauseEndsUnixMillis.saturatingAdding(timing.coordinatedRecordLifetime) } ?? false
        if master.config.configEpoch >= record.epoch || expired {
            if !expired, master.config.configEpoch == record.epoch, sameAddress(master.address, record.target) {
                // The leader's hello brought the switch. It repoints the other replicas a few ms
                // later, unless it died in between: then they would stay chained behind the old
                // master until +fix-slave-config (failover-timeout). Check them after a grace.
                let after = now + timing.coordinatedOrphanGrace
                let until = now.saturatingAdding(master.config.failoverTimeout)
                for replica in replicaInstances(of: master) where !sameAddress(replica.address, record.old) {
                    handovers.pendingRepoints[HostPort(replica.address.host.lowercased(), replica.address.port)] = PendingRepoint(
                        condition: .unlessLeaderDid(oldMaster: record.old, after: after, leader: record.leader), until: until)
                }
            }
            self[master: name].config.coordinatedRecord = nil
            handovers.recordSeenAt[name] = nil
            persistence.changed = true
            return
        }
        guard !master.failoverInProgress, sameAddress(master.address, record.old),
            let target = orphanedHandoverTarget(record, of: master)
        else { return }
        // Poll the target while the handover may be happening, and prompt its ACK while the
        // pause lasts: FAILOVER waits for it, and without the leader's prompts the replica acks
        // only once a second, which often misses a FAILOVER TIMEOUT of down-after (1000 ms): the
        // master logs "Replica never caught up before timeout" and nothing switches.
        let owner = LinkOwner.replica(master: name, name: target.name)
        if now - target.replica.state.infoRefresh >= timing.reconfPollPeriod,
            !(links[owner]?.cc.up?.pending.contains(.info) ?? true)
        {
            // A pause-switch waits for no ACK: the leader reads the target's own offset.
            if record.method == .serverFailover, target.replica.state.roleReported != .master, let wall = wallClockMillis(),
                wall < record.pauseEndsUnixMillis
            {
                promptReplicaAck(owner)
            }
            send(owner, ["INFO"], tag: .info)
        }
        let seen = handovers.recordSeenAt[name] ?? startTime
        guard target.replica.state.roleReported == .master, now - seen >= timing.coordinatedOrphanGrace else { return }
        emit(.warning, "+coordinated-failover-finish", "\(describe(masters[name]!)) epoch \(record.epoch)", master: name)
        self[master: name].config.configEpoch = record.epoch
        let old = announced(master.address)
        let new = announced(target.address)
        emit(.warning, "+switch-master", "\(name) \(old.host) \(old.port) \(new.host) \(new.port)", master: name)
        let demote = record.method == .pauseSwitch && master.state.roleReported == .master
        resetMasterAndChangeAddress(name, to: target.address)
        // A pause-switch whose leader died between the two REPLICAOFs: the old master, still
        // paused, is demoted first, on the same connection as the release.
        handovers.pendingReleases[HostPort(record.old.host.lowercased(), record.old.port)] =
            demote ? .demoteAndRelease(to: target.address, untilUnixMillis: record.pauseEndsUnixMillis) : .release
        // The other replicas still replicate from the old master, now chained behind the new one
        // (FAILOVER moved only the old master): repoint them as RECONF_SLAVES would, instead of
        // leaving them to +fix-slave-config after failover-timeout. That takes over afterwards.
        let until = now.saturatingAdding(self[master: name].config.failoverTimeout)
        for replica in replicaInstances(of: self[master: name]) where !sameAddress(replica.address, record.old) {
            handovers.pendingRepoints[HostPort(replica.address.host.lowercased(), replica.address.port)] = PendingRepoint(
                condition: .finishedHere, until: until)
        }
        self[master: name].config.coordinatedRecord = nil
        handovers.recordSeenAt[name] = nil
        forceHellos(master: name)
    }

    /// After a coordinated handover its leader did not finish, once each link is up: the release
    /// to the old master (when we finished it), and `SLAVEOF <new master>` (`+slave-reconf-sent`)
    /// to the other replicas, still chained behind the old master (``PendingRepoint``).
    mutating func sendPendingReleases() {
        guard !handovers.pendingReleases.isEmpty || !handovers.pendingRepoints.isEmpty else { return }
        let wall = wallClockMillis()
        let now = self.now
        if handovers.pendingRepoints.values.contains(where: { $0.until <= now }) {
            handovers.pendingRepoints = handovers.pendingRepoints.filter { $0.value.until > now }
        }
        for (name, masterID) in masters {
            let master = instances[masterID].master
            for (replicaName, replicaID) in master.replicas {
                let replica = instances[replicaID]
                let key = HostPort(replica.address.host.lowercased(), replica.address.port)
                let release = handovers.pendingReleases[key]
                let repoint = handovers.pendingRepoints[key]
                guard release != nil || repoint != nil else { continue }
                let owner = LinkOwner.replica(master: name, name: replicaName)
                guard let cc = links[owner]?.cc.up else { continue }
                if let release {
                    if case .demoteAndRelease(let target, let until) = release {
                        if let wall, wall < until {
                            _ = sendSlaveOf(owner, to: announced(target))
                        } else {
                            output.append(
                                .log(
                                    .warning,
                                    "Coordinated failover of '\(name)': not demoting the old master \(announced(replica.address)): its write pause is over, it may have taken writes since; it stays a master until converted"
                                ))
                        }
                    }
                    sendRelease(owner, address: replica.address, master: name)
                    handovers.pendingReleases.removeValue(forKey: key)
                }
                guard let repoint else { continue }
                switch repoint.condition {
                case .finishedHere:
                    break
                case .unlessLeaderDid(let oldMaster, let after, let leader):
                    guard now >= after else { continue }
                    // A leader we still reach repoints them itself, parallel-syncs at a time.
                    if let link = links[.peer(runID: leader)], !link.disconnected { continue }
                    // An INFO asked after the grace tells whether the leader repointed it.
                    guard replica.replica.state.infoRefresh > after else {
                        if !cc.pending.contains(.info) { send(owner, ["INFO"], tag: .info) }
                        continue
                    }
                    let reported = HostPort(replica.replica.slaveMasterHost ?? "", replica.replica.slaveMasterPort)
                    guard sameAddress(reported, oldMaster) else {
                        handovers.pendingRepoints.removeValue(forKey: key)
                        continue
                    }
                }
                if sendSlaveOf(owner, to: announced(master.address)) {
                    handovers.pendingRepoints.removeValue(forKey: key)
                    emit(.notice, "+slave-reconf-sent", describe(replicaID), master: name)
                    send(owner, ["INFO"], tag: .info)
                }
            }
        }
    }
}

/// What the old master of a handover this sentinel finished still needs, once its link is up.
enum PendingRelease: Hashable, Sendable {
    /// The release (FAILOVER demoted it already).
    case release
    /// Pause-switch: `SLAVEOF <to>` first, while its pause lasts (wall clock, Unix ms), then the
    /// release.
    case demoteAndRelease(to: HostPort, untilUnixMillis: Int64)
}

/// A replica left replicating from the old master of a coordinated handover whose leader may
/// have died before its RECONF_SLAVES step: it gets `SLAVEOF <its master>` once its link is up
/// (``Sentinel/sendPendingReleases()``), instead of staying chained behind the old master until
/// `+fix-slave-config` (failover-timeout).
struct PendingRepoint: Hashable, Sendable {
    enum Condition: Hashable, Sendable {
        /// This sentinel finished the handover itself (`+coordinated-failover-finish`): the
        /// leader is gone, so repoint at once.
        case finishedHere
        /// The switch came with the leader's hello, and the leader repoints the replicas itself
        /// (a few ms later, `parallel-syncs` at a time) unless it died first: repoint only while
        /// our link to `leader` is down and an INFO taken after `after` still shows the replica
        /// replicating from `oldMaster`.
        case unlessLeaderDid(oldMaster: HostPort, after: Millis, leader: String)
    }

    var condition: Condition
    /// Given up then: `+fix-slave-config` (after failover-timeout) takes over.
    var until: Millis
}

/// A sentinel's part in coordinated failovers others lead (or it led before a restart): the
/// hello holds, the notices waiting for our last hello, and finishing a handover whose leader
/// vanished.
struct HandoverState: Sendable {
    /// Instances (lowercased address) we must not PUBLISH hello to until then.
    var helloHolds: [HostPort: Millis] = [:]
    /// Clients waiting for our in-flight hello to a master before their notice is answered.
    var noticeRepliesWaiting: [String: [(ClientID, Int)]] = [:]
    /// (client IP, leader) pairs whose refused or clamped notices were logged, bounded.
    var noticeRefusalsLogged: Set<String> = []
    /// When we learned of a coordinated-failover record per master (grace before finishing it).
    var recordSeenAt: [String: Millis] = [:]
    /// Old masters (lowercased address) that still need the release after an orphaned handover.
    var pendingReleases: [HostPort: PendingRelease] = [:]
    /// Replicas (lowercased address) to repoint at their master after a coordinated handover
    /// whose leader may have died before doing it.
    var pendingRepoints: [HostPort: PendingRepoint] = [:]
}
