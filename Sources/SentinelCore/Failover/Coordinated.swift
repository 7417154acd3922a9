import DequeModule
import OrderedCollections
import RESP

/// `SENTINEL FAILOVER <master> COORDINATED`: a planned failover that loses no acknowledged write.
///
/// After a real election the leader tells its peers to hold their hellos, pauses writes on the
/// master and lets the master hand over to the target itself (`MULTI; CLIENT PAUSE t WRITE;
/// FAILOVER TO host port TIMEOUT t; EXEC`), polls the target every few ms, and once it is master
/// pushes the new configuration to the peers, waits until they answer the new address, and only
/// then kills the clients and unpauses both nodes (`MULTI; CONFIG REWRITE; CLIENT KILL TYPE normal;
/// CLIENT KILL TYPE pubsub; CLIENT UNPAUSE; EXEC`). Every reply is checked; any error unpauses
/// and aborts at once. See docs/coordinated-failover.md.
extension Sentinel {
    // MARK: - The command

    /// Checks and starts a coordinated failover; the reply is `+OK` once the election started.
    mutating func coordinatedFailover(_ id: ClientID, _ name: String) {
        guard let master = masters[name] else { return reply(id, .error(Wire.errNoSuchMaster)) }
        guard !master.failoverInProgress else { return reply(id, .error(Wire.errFailoverInProgress)) }
        guard let link = links[.master(name)], !link.disconnected, !master.state.sDown,
            master.state.roleReported == .master, master.state.infoRefresh != 0
        else { return reply(id, .error(Wire.errCoordinatedUnreachable)) }
        guard master.masterFailoverState != nil else { return reply(id, .error(Wire.errNoFailoverSupport)) }
        guard master.masterFailoverState == "no-failover" else {
            return reply(id, .error(Wire.errServerFailoverRunning))
        }
        if let (command, error) = master.refusedCommands.min(by: { $0.key < $1.key }) {
            return reply(id, .error(Wire.errCoordinatedRefused(command: command, serverError: error)))
        }
        guard coordinatedTarget(master) != nil else { return reply(id, .error(Wire.errNoGoodSlave)) }
        guard !epochExhausted() else { return reply(id, .error(Wire.errEpochExhausted)) }
        output.append(.log(.warning, "Executing user requested COORDINATED FAILOVER of '\(name)'"))
        // Fresh replica states and offsets for the choice of the target after the election.
        send(.master(name), ["INFO"], tag: .info)
        startFailover(name)
        masters[name]!.coordinated = CoordinatedRun(pause: master.config.effectiveCoordinatedPause)
        reply(id, .ok)
        // A real election: ask every peer for its vote now, and tally at once.
        askMasterStateToOtherSentinels(name, forced: true)
        failoverStateMachine(name)
    }

    /// The replica a coordinated failover hands over to: like the classic choice, but only replicas
    /// the master reports `online` (FAILOVER refuses others); the most caught-up first. When the
    /// master's INFO is older than a second, a replica whose own INFO shows its link up counts too
    /// (FAILOVER itself refuses a replica that is not online, and that aborts cleanly).
    func coordinatedTarget(_ master: MasterState) -> ReplicaState? {
        let fresh = master.state.infoRefresh != 0 && now - master.state.infoRefresh <= 1_000
        return promotionCandidates(master).filter { replica in
            if let listed = listing(of: replica, in: master)?.state, listed == "online" { return true }
            return !fresh && replica.slaveMasterLinkUp
        }
            .sorted { a, b in
                if a.slavePriority != b.slavePriority { return a.slavePriority < b.slavePriority }
                // Offsets come from INFO: any Int64.
                let ga = master.masterReplOffset.saturatingSubtracting(listing(of: a, in: master)?.offset ?? 0)
                let gb = master.masterReplOffset.saturatingSubtracting(listing(of: b, in: master)?.offset ?? 0)
                if ga != gb { return ga < gb }
                return Self.betterCandidate(a, b)
            }.first
    }

    /// Finds out, when the master's link comes up, whether this sentinel's user may run the two
    /// commands a coordinated failover needs, so that a refusal is an error up front rather than an
    /// aborted failover. Each probe is malformed on purpose: the ACL check comes before argument
    /// parsing, so it either gets `-NOPERM` or a harmless argument error, and never acts.
    mutating func sendPermissionProbes(master name: String) {
        send(.master(name), ["FAILOVER", "TO", "127.0.0.1", "probe"], tag: .permissionProbe(master: name, command: "failover"))
        send(.master(name), ["CLIENT", "PAUSE", "probe", "WRITE"], tag: .permissionProbe(master: name, command: "client|pause"))
    }

    /// A permission probe's answer: `-NOPERM` or an unknown (renamed-away) command is a refusal.
    mutating func permissionProbeReply(master name: String, command: String, _ value: RESPValue) {
        guard masters[name] != nil else { return }
        if case .error(let text) = value, text.hasPrefix("NOPERM") || text.hasPrefix("ERR unknown command") {
            if masters[name]!.refusedCommands[command] == nil {
                output.append(.log(.warning, "The master of '\(name)' refuses '\(command)' to this sentinel: \(text); SENTINEL FAILOVER \(name) COORDINATED will be refused"))
            }
            masters[name]!.refusedCommands[command] = text
        } else {
            masters[name]!.refusedCommands[command] = nil
        }
    }

    // MARK: - SEND_SLAVEOF_NOONE, coordinated

    /// Replaces the SLAVEOF NO ONE step: announce to the peers, then pause and hand over.
    mutating func coordinatedSendPromotion(_ name: String) {
        guard let master = masters[name], var run = master.coordinated, let replicaName = master.promotedReplica,
            let replica = master.replicas[replicaName]
        else { return }
        switch run.phase {
        case .electing:
            // Just elected: hold the peers' hellos first (bounded wait for their answers).
            run.phase = .announcing
            run.waitUntil = now + timing.coordinatedAnnounceWait
            run.awaiting = sendToConnectedPeers(
                of: name,
                [
                    "SENTINEL", "COORDINATED-FAILOVER", name, "\(master.failoverEpoch)", myID, replica.address.host,
                    "\(replica.address.port)", "\(run.pause)",
                ], tag: .coordinatedNotice(master: name))
            masters[name]!.coordinated = run
            requestWakeUp(at: run.waitUntil)
            if !run.awaiting.isEmpty { return }
            coordinatedSendPromotion(name)
        case .announcing:
            guard run.awaiting.isEmpty || now >= run.waitUntil else { return }
            guard let link = links[.master(name)], !link.disconnected else {
                if now - master.failoverStateChangeTime > master.config.failoverTimeout {
                    abortCoordinated(name, reason: "master link down")
                }
                return
            }
            let t = run.pause
            // Exactly as the master lists the replica (its replica-announce-ip, maybe a name):
            // redis-server's FAILOVER TO accepts no other spelling of it.
            let target = failoverToAddress(of: replica, in: master)
            let steps: [[String]] = [
                ["MULTI"], ["CLIENT", "PAUSE", "\(t)", "WRITE"],
                ["FAILOVER", "TO", target.host, "\(target.port)", "TIMEOUT", "\(t)"], ["EXEC"],
            ]
            for (index, words) in steps.enumerated() {
                send(.master(name), words, tag: .transaction(.pause, master: name, step: index, last: steps.count - 1))
            }
            send(.master(name), ["INFO"], tag: .info)
            run.phase = .paused
            // The pause is at most down-after-milliseconds, which may be up to Int64.max.
            run.pauseEnds = now.saturatingAdding(t)
            masters[name]!.coordinated = run
            holdHellos(to: master.address, until: run.pauseEnds.saturatingAdding(timing.coordinatedHoldMargin))
            // The record goes to disk in this batch, before the pause reaches the wire.
            if let wall = wallClockMillis() {
                masters[name]!.config.coordinatedRecord = CoordinatedRecord(
                    epoch: master.failoverEpoch, leader: myID, old: master.address, target: target,
                    pauseEndsUnixMillis: wall.saturatingAdding(t))
                needsFlush = true
            }
            emit(.warning, "+coordinated-failover", "\(describe(master)) pause \(t) to \(target.host) \(target.port)", master: name)
            emit(.notice, "+failover-state-wait-promotion", describe(replica, of: master), master: name)
            setFailoverState(name, .waitPromotion)
            send(.replica(master: name, name: replicaName), ["INFO"], tag: .info)
            requestWakeUp(at: now + timing.coordinatedPollPeriod)
        case .paused, .confirming, .released:
            return
        }
    }

    /// A peer answered our notice (any answer counts: a redis-sentinel peer says it does not know it).
    mutating func coordinatedNoticeReply(master name: String, peer runID: String) {
        guard var run = masters[name]?.coordinated, run.phase == .announcing else { return }
        run.awaiting.remove(runID)
        masters[name]!.coordinated = run
        if run.awaiting.isEmpty { failoverStateMachine(name) }
    }

    // MARK: - WAIT_PROMOTION, coordinated

    /// Polls the target every few ms and the master a little less often; aborts (unpausing) when
    /// the handover failed, or got stuck, before the pause runs out.
    mutating func coordinatedWaitPromotion(_ name: String) {
        guard let master = masters[name], let run = master.coordinated, run.phase == .paused,
            let replicaName = master.promotedReplica
        else { return }
        let targetOwner = LinkOwner.replica(master: name, name: replicaName)
        // FAILOVER waits for the target's ACK, which a replica sends once a second by itself.
        if master.masterFailoverState == "waiting-for-sync" { promptReplicaAck(targetOwner) }
        if !(links[targetOwner]?.cc?.pending.contains(.info) ?? true) {
            send(targetOwner, ["INFO"], tag: .info)
        }
        if !(links[.master(name)]?.cc?.pending.contains(.info) ?? true),
            now - master.state.infoRefresh >= timing.coordinatedMasterPollPeriod
        {
            send(.master(name), ["INFO"], tag: .info)
        }
        if run.inProgressSince != 0 && now - run.inProgressSince > min(run.pause, timing.coordinatedStuckAfter) {
            // The master handed over but the target never took it: the target did not promote
            // (we poll it every few ms), so FAILOVER ABORT cannot leave two masters.
            send(.master(name), ["FAILOVER", "ABORT"], tag: .reconfigure)
            masters[name]!.failoverAbortSentAt = now
            abortCoordinated(name, reason: "stuck in failover-in-progress for \(now - run.inProgressSince) ms")
            return
        }
        if now > run.pauseEnds.saturatingAdding(timing.coordinatedHoldMargin) {
            abortCoordinated(name, reason: "the target did not take over within the pause (\(run.pause) ms)")
            return
        }
        requestWakeUp(at: now + timing.coordinatedPollPeriod)
    }

    /// Master INFO during a coordinated failover: notices the server-side failover starting,
    /// getting stuck, or ending without a promotion (the replica never caught up).
    mutating func coordinatedMasterInfo(_ name: String) {
        // Checked in place first: there is no coordinated run for almost every INFO.
        guard readMaster(name, { $0.coordinated != nil }) == true else { return }
        guard let master = masters[name], var run = master.coordinated, run.phase == .paused else { return }
        switch master.masterFailoverState {
        case "waiting-for-sync":
            run.sawServerFailover = true
        case "failover-in-progress":
            run.sawServerFailover = true
            if run.inProgressSince == 0 { run.inProgressSince = now }
        default:
            if run.sawServerFailover && master.state.roleReported == .master {
                masters[name]!.coordinated = run
                abortCoordinated(name, reason: "the master ended FAILOVER without a promotion (replica never caught up)")
                return
            }
        }
        masters[name]!.coordinated = run
    }

    // MARK: - Promotion, confirmation, release

    /// The target reported `role:master`: push the configuration to the peers and wait (bounded)
    /// until they answer the new address before releasing the clients.
    mutating func coordinatedPromoted(_ name: String) {
        guard let master = masters[name], var run = master.coordinated else { return }
        run.phase = .confirming
        run.waitUntil = now + timing.coordinatedConfirmWait
        // The hello (just forced) is ahead of this question on each connection.
        run.awaiting = sendToConnectedPeers(
            of: name, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name], tag: .confirmAddress(master: name))
        masters[name]!.coordinated = run
        requestWakeUp(at: run.waitUntil)
        if run.awaiting.isEmpty { coordinatedRelease(name) }
    }

    /// Sends one command to every peer of the master whose link is up; returns their run ids.
    mutating func sendToConnectedPeers(of name: String, _ words: [String], tag: ReplyTag) -> Set<String> {
        var sent: Set<String> = []
        for runID in masters[name]?.sentinels.keys ?? [] {
            let owner = LinkOwner.peer(runID: runID)
            guard let link = links[owner], !link.disconnected else { continue }
            send(owner, words, tag: tag)
            sent.insert(runID)
        }
        return sent
    }

    /// A peer's GET-MASTER-ADDR-BY-NAME during confirmation: done when it names the promoted replica.
    mutating func confirmAddressReply(master name: String, peer runID: String, _ value: RESPValue) {
        guard let master = masters[name], var run = master.coordinated, run.phase == .confirming,
            let promoted = master.promotedReplica.flatMap({ master.replicas[$0] })
        else { return }
        if case .array(let e) = value, e.count == 2, let host = e[0].string, let port = e[1].string.flatMap(Int.init),
            sameAddress(HostPort(host, port), announced(promoted.address))
        {
            run.awaiting.remove(runID)
        } else if now < run.waitUntil {
            // Not switched yet: say hello again and ask again.
            sendHelloToPeer(runID, master: name)
            send(.peer(runID: runID), ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name], tag: .confirmAddress(master: name))
        }
        masters[name]!.coordinated = run
        if run.awaiting.isEmpty { coordinatedRelease(name) }
    }

    /// Kills the clients and unpauses both nodes (the old master first), then lets RECONF_SLAVES go on.
    mutating func coordinatedRelease(_ name: String) {
        guard var run = masters[name]?.coordinated, run.phase == .confirming else { return }
        if !run.awaiting.isEmpty {
            output.append(
                .log(
                    .warning,
                    "Coordinated failover of '\(name)': \(run.awaiting.count) sentinel(s) did not confirm the new address in time; releasing clients anyway"
                ))
        }
        run.phase = .released
        run.awaiting = []
        masters[name]!.coordinated = run
        sendReleases(name)
        failoverStateMachine(name)
    }

    /// Sends the release transaction to the old and the new master where it is not confirmed yet,
    /// retrying a lost one until the pause would have ended anyway.
    mutating func sendReleases(_ name: String) {
        guard let master = masters[name], var run = master.coordinated, run.phase == .released,
            let promotedName = master.promotedReplica, let promoted = master.replicas[promotedName]
        else { return }
        let targets: [(LinkOwner, HostPort)] = [
            (.master(name), master.address), (.replica(master: name, name: promotedName), promoted.address),
        ]
        for (owner, address) in targets where !run.released.contains(address) {
            if let sent = run.releaseSentAt[address], now - sent < timing.coordinatedReleaseRetry { continue }
            guard let cc = links[owner]?.cc, cc.connected else { continue }
            sendRelease(owner, address: address, master: name)
            run.releaseSentAt[address] = now
        }
        masters[name]!.coordinated = run
    }

    /// `MULTI; CONFIG REWRITE; CLIENT KILL TYPE normal; CLIENT KILL TYPE pubsub; CLIENT UNPAUSE; EXEC`.
    mutating func sendRelease(_ owner: LinkOwner, address: HostPort, master name: String) {
        let steps: [[String]] = [
            ["MULTI"], ["CONFIG", "REWRITE"], ["CLIENT", "KILL", "TYPE", "normal"], ["CLIENT", "KILL", "TYPE", "pubsub"],
            ["CLIENT", "UNPAUSE"], ["EXEC"],
        ]
        for (index, words) in steps.enumerated() {
            send(owner, words, tag: .transaction(.release(address), master: name, step: index, last: steps.count - 1))
        }
    }

    // MARK: - Replies of the checked transactions

    /// One reply of a pause or release transaction. Any error in the pause transaction aborts at
    /// once (unpausing); a release that failed is retried.
    mutating func transactionReply(_ kind: TransactionKind, master name: String, step: Int, last: Int, _ value: RESPValue) {
        var failure: String? = nil
        if case .error(let text) = value {
            failure = text
        } else if step == last, case .array(let results) = value {
            for case .error(let text) in results {
                // CONFIG REWRITE fails harmlessly on a server without a config file.
                if case .release = kind, text.contains("config file") || text.contains("CONFIG REWRITE") { continue }
                failure = text
                break
            }
        } else if step == last, case .nullArray = value {
            failure = "EXEC aborted (WATCH)"
        }
        switch kind {
        case .pause:
            guard masters[name]?.coordinated?.phase == .paused else { return }
            if let failure {
                abortCoordinated(name, reason: "pause/FAILOVER transaction failed: \(failure)")
            }
        case .release(let address):
            guard var run = masters[name]?.coordinated else { return }
            if let failure {
                if step == last {
                    output.append(.log(.warning, "Coordinated failover of '\(name)': release of \(address) failed: \(failure); retrying"))
                    run.releaseSentAt[address] = nil
                }
            } else if step == last {
                run.released.insert(address)
            }
            masters[name]!.coordinated = run
            if run.released.count == 2 { coordinatedReleased(name) }
        }
    }

    /// Both nodes are released: the record is no longer needed.
    mutating func coordinatedReleased(_ name: String) {
        guard let master = masters[name], master.config.coordinatedRecord != nil else { return }
        masters[name]!.config.coordinatedRecord = nil
        needsFlush = true
        emit(.notice, "+coordinated-failover-released", describe(master), master: name)
    }

    /// Aborts a coordinated failover before the promotion: unpause the master, leave the topology.
    mutating func abortCoordinated(_ name: String, reason: String) {
        guard let master = masters[name], let run = master.coordinated else { return }
        if run.phase == .paused { send(.master(name), ["CLIENT", "UNPAUSE"], tag: .reconfigure) }
        emit(.warning, "-failover-abort-coordinated", "\(describe(master)) #\(reason)", master: name)
        releaseHellos(to: master.address)
        masters[name]!.coordinated = nil
        if master.config.coordinatedRecord != nil {
            masters[name]!.config.coordinatedRecord = nil
            needsFlush = true
        }
        abortFailover(name)
    }

    // MARK: - Hello holds (every sentinel)

    /// Whether hellos to the instance at `address` must not be PUBLISHed now: it is (or may be)
    /// write-paused by a coordinated failover, and a PUBLISH would block its connection.
    func helloHeld(_ address: HostPort, master name: String) -> Bool {
        if let until = helloHolds[HostPort(address.host.lowercased(), address.port)], now < until { return true }
        guard let master = masters[name] else { return false }
        if let run = master.coordinated, sameAddress(address, master.address),
            run.phase == .announcing || run.phase == .paused || run.phase == .confirming
        {
            return true
        }
        if sameAddress(address, master.address), let state = master.masterFailoverState, state != "no-failover" {
            return true
        }
        return false
    }

    mutating func holdHellos(to address: HostPort, until: Millis) {
        helloHolds[HostPort(address.host.lowercased(), address.port)] = until
    }

    mutating func releaseHellos(to address: HostPort) {
        helloHolds.removeValue(forKey: HostPort(address.host.lowercased(), address.port))
    }

    // MARK: - The peer side of the notice

    /// `SENTINEL COORDINATED-FAILOVER <master> <epoch> <leader> <target-host> <target-port> <pause-ms>`
    /// from the leader we voted for: hold hellos to the master for the pause, keep the record so we
    /// can finish the handover if the leader dies, and answer once no hello of ours is in flight.
    /// Any client can get our vote for any runid, so the notice is believed only from a leader we
    /// know as a peer of this master, for a target we know as its replica, and for at most
    /// ``noticePauseCap(_:)`` (docs/security.md).
    mutating func coordinatedNotice(_ id: ClientID, _ args: [String]) {
        guard let master = masters[args[2]] else { return reply(id, .error(Wire.errNoSuchMaster)) }
        guard let epoch = Epoch(args[3]), let port = Int(args[6]), (0...65535).contains(port), let asked = Int64(args[7]),
            asked > 0
        else {
            return reply(id, .error(Wire.errNotInteger))
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
        if let wall = wallClockMillis() {
            masters[name]!.config.coordinatedRecord = CoordinatedRecord(
                epoch: epoch, leader: leader, old: master.address, target: target,
                pauseEndsUnixMillis: wall.saturatingAdding(pause))
            recordSeenAt[name] = now
        }
        if links[.master(name)]?.cc?.pending.contains(.publishHello) == true {
            // Answer only when our last hello to it is through, so none can arrive after the pause.
            if let slot = reserveReplySlot(id) {
                noticeRepliesWaiting[name, default: []].append((id, slot))
            }
            needsFlush = true
        } else {
            replyAfterFlush(id, .ok)
        }
    }

    /// Our hello PUBLISH to a master was answered: release the notice answers waiting for it.
    mutating func helloPublishAnswered(master name: String) {
        guard let waiting = noticeRepliesWaiting.removeValue(forKey: name) else { return }
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
            let replica = master.replicas.values.first(where: { sameAddress($0.address, target) }),
            replica.state.roleReported != .master
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
            \.noticeRefusalsLogged, key: key,
            "\(kind) SENTINEL COORDINATED-FAILOVER from \(client) naming leader \(leader): \(detail); see docs/security.md. Further ones of this client and leader are not logged"
        )
    }

    /// The replica a coordinated-failover record hands over to, when finishing it can be right: a
    /// known replica that is not at the master's address, unless the old master, asked after the
    /// target began to report `role:master`, still reports `role:master` with no FAILOVER of its
    /// own: two masters, not a handover (a real FAILOVER TO demotes the old master first).
    func orphanedHandoverTarget(_ record: CoordinatedRecord, of master: MasterState) -> ReplicaState? {
        guard !sameAddress(record.target, master.address),
            let target = master.replicas.values.first(where: { sameAddress($0.address, record.target) }),
            !sameAddress(target.address, master.address)
        else { return nil }
        let oldStillMaster =
            master.state.roleReported == .master && (master.masterFailoverState ?? "no-failover") == "no-failover"
        if target.state.roleReported == .master, oldStillMaster, master.state.infoRefresh > target.state.roleReportedTime {
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
        guard readMaster(name, { $0.coordinated == nil && $0.config.coordinatedRecord != nil }) == true else { return }
        guard let master = masters[name], master.coordinated == nil, let record = master.config.coordinatedRecord
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
                for replica in master.replicas.values where !sameAddress(replica.address, record.old) {
                    pendingRepoints[HostPort(replica.address.host.lowercased(), replica.address.port)] = PendingRepoint(
                        condition: .unlessLeaderDid(oldMaster: record.old, after: after, leader: record.leader), until: until)
                }
            }
            masters[name]!.config.coordinatedRecord = nil
            recordSeenAt[name] = nil
            needsFlush = true
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
        if now - target.state.infoRefresh >= timing.reconfPollPeriod,
            !(links[owner]?.cc?.pending.contains(.info) ?? true)
        {
            if target.state.roleReported != .master, let wall = wallClockMillis(), wall < record.pauseEndsUnixMillis {
                promptReplicaAck(owner)
            }
            send(owner, ["INFO"], tag: .info)
        }
        let seen = recordSeenAt[name] ?? startTime
        guard target.state.roleReported == .master, now - seen >= timing.coordinatedOrphanGrace else { return }
        emit(.warning, "+coordinated-failover-finish", "\(describe(master)) epoch \(record.epoch)", master: name)
        masters[name]!.config.configEpoch = record.epoch
        let old = announced(master.address)
        let new = announced(target.address)
        emit(.warning, "+switch-master", "\(name) \(old.host) \(old.port) \(new.host) \(new.port)", master: name)
        resetMasterAndChangeAddress(name, to: target.address)
        pendingReleases.insert(HostPort(record.old.host.lowercased(), record.old.port))
        // The other replicas still replicate from the old master, now chained behind the new one
        // (FAILOVER moved only the old master): repoint them as RECONF_SLAVES would, instead of
        // leaving them to +fix-slave-config after failover-timeout. That takes over afterwards.
        let until = now.saturatingAdding(masters[name]!.config.failoverTimeout)
        for replica in masters[name]!.replicas.values where !sameAddress(replica.address, record.old) {
            pendingRepoints[HostPort(replica.address.host.lowercased(), replica.address.port)] = PendingRepoint(
                condition: .finishedHere, until: until)
        }
        masters[name]!.config.coordinatedRecord = nil
        recordSeenAt[name] = nil
        forceHellos(master: name)
    }

    /// After a coordinated handover its leader did not finish, once each link is up: the release
    /// to the old master (when we finished it), and `SLAVEOF <new master>` (`+slave-reconf-sent`)
    /// to the other replicas, still chained behind the old master (``PendingRepoint``).
    mutating func sendPendingReleases() {
        guard !pendingReleases.isEmpty || !pendingRepoints.isEmpty else { return }
        let now = self.now
        if pendingRepoints.values.contains(where: { $0.until <= now }) {
            pendingRepoints = pendingRepoints.filter { $0.value.until > now }
        }
        for (name, master) in masters {
            for (replicaName, replica) in master.replicas {
                let key = HostPort(replica.address.host.lowercased(), replica.address.port)
                let release = pendingReleases.contains(key)
                let repoint = pendingRepoints[key]
                guard release || repoint != nil else { continue }
                let owner = LinkOwner.replica(master: name, name: replicaName)
                guard let cc = links[owner]?.cc, cc.connected else { continue }
                if release {
                    sendRelease(owner, address: replica.address, master: name)
                    pendingReleases.remove(key)
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
                    guard replica.state.infoRefresh > after else {
                        if !cc.pending.contains(.info) { send(owner, ["INFO"], tag: .info) }
                        continue
                    }
                    guard sameAddress(HostPort(replica.slaveMasterHost ?? "", replica.slaveMasterPort), oldMaster) else {
                        pendingRepoints.removeValue(forKey: key)
                        continue
                    }
                }
                if sendSlaveOf(owner, to: announced(master.address)) {
                    pendingRepoints.removeValue(forKey: key)
                    emit(.notice, "+slave-reconf-sent", describe(replica, of: master), master: name)
                    send(owner, ["INFO"], tag: .info)
                }
            }
        }
    }

    /// Wall-clock Unix milliseconds: the last reading (``noteWallClock(_:)``) moved on by the
    /// monotonic clock since; nil before any.
    func wallClockMillis() -> Int64? {
        guard let sample = lastClockSample else { return nil }
        return sample.wallMillis + (now - sample.monotonic)
    }
}

/// A replica left replicating from the old master of a coordinated handover whose leader may
/// have died before its RECONF_SLAVES step: it gets `SLAVEOF <its master>` once its link is up
/// (``Sentinel/sendPendingReleases()``), instead of staying chained behind the old master until
/// `+fix-slave-config` (failover-timeout).
package struct PendingRepoint: Hashable, Sendable {
    package enum Condition: Hashable, Sendable {
        /// This sentinel finished the handover itself (`+coordinated-failover-finish`): the
        /// leader is gone, so repoint at once.
        case finishedHere
        /// The switch came with the leader's hello, and the leader repoints the replicas itself
        /// (a few ms later, `parallel-syncs` at a time) unless it died first: repoint only while
        /// our link to `leader` is down and an INFO taken after `after` still shows the replica
        /// replicating from `oldMaster`.
        case unlessLeaderDid(oldMaster: HostPort, after: Millis, leader: String)
    }

    package var condition: Condition
    /// Given up then: `+fix-slave-config` (after failover-timeout) takes over.
    package var until: Millis
}
