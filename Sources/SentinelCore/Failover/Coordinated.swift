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
        guard let master = masterNamed(name) else { return reply(id, .error(Wire.errNoSuchMaster)) }
        guard !master.failoverInProgress else { return refuseFailover(id, name, Wire.errFailoverInProgress) }
        guard let link = links[.master(name)], !link.disconnected, masterInstance(name)?.sDown == false,
            master.state.roleReported == .master, master.state.infoRefresh != 0
        else { return refuseFailover(id, name, Wire.errCoordinatedUnreachable) }
        guard master.masterFailoverState != nil else { return refuseFailover(id, name, Wire.errNoFailoverSupport) }
        guard master.masterFailoverState == "no-failover" else {
            return refuseFailover(id, name, Wire.errServerFailoverRunning)
        }
        if let (command, error) = master.refusedCommands.min(by: { $0.key < $1.key }) {
            return refuseFailover(id, name, Wire.errCoordinatedRefused(command: command, serverError: error))
        }
        guard coordinatedTarget(name) != nil else {
            return refuseFailover(id, name, Wire.errNoGoodSlave, why: coordinatedExclusions(name))
        }
        guard !epochExhausted() else { return refuseFailover(id, name, Wire.errEpochExhausted) }
        output.append(.log(.warning, "Executing user requested COORDINATED FAILOVER of '\(name)'"))
        // Fresh replica states and offsets for the choice of the target after the election.
        send(.master(name), ["INFO"], tag: .info)
        startFailover(name, kind: .coordinated(CoordinatedRun(pause: master.config.effectiveCoordinatedPause)))
        reply(id, .ok)
        // A real election: ask every peer for its vote now, and tally at once.
        askMasterStateToOtherSentinels(name, forced: true)
        failoverStateMachine(name)
    }

    /// The replica a coordinated failover hands over to: like the classic choice, but only replicas
    /// the master reports `online` (FAILOVER refuses others); the most caught-up first. When the
    /// master's INFO is older than a second, a replica whose own INFO shows its link up counts too
    /// (FAILOVER itself refuses a replica that is not online, and that aborts cleanly).
    func coordinatedTarget(_ name: String) -> Instance? {
        guard let id = masters[name], let master = masterNamed(name) else { return nil }
        return promotionCandidates(id).filter { coordinatedExclusion($0, of: master) == nil }
            .sorted { a, b in
                if a.replica.slavePriority != b.replica.slavePriority { return a.replica.slavePriority < b.replica.slavePriority }
                // Offsets come from INFO: any Int64.
                let ga = master.masterReplOffset.saturatingSubtracting(listing(of: a.replica, in: master)?.offset ?? 0)
                let gb = master.masterReplOffset.saturatingSubtracting(listing(of: b.replica, in: master)?.offset ?? 0)
                if ga != gb { return ga < gb }
                return Self.betterCandidate(a, b)
            }.first
    }

    /// Why a replica that a classic failover could promote is no target for FAILOVER TO, or nil.
    func coordinatedExclusion(_ replica: Instance, of master: MasterState) -> String? {
        let listed = listing(of: replica.replica, in: master)?.state
        if listed == "online" { return nil }
        let fresh = master.state.infoRefresh != 0 && now - master.state.infoRefresh <= 1_000
        if !fresh && replica.replica.slaveMasterLinkUp { return nil }
        return "the master lists it as \(listed ?? "absent"), not online"
    }

    /// Every replica no coordinated failover of the master could hand over to, with why.
    func coordinatedExclusions(_ name: String) -> [(replica: String, reason: String)] {
        guard let id = masters[name], let master = masterNamed(name) else { return [] }
        let excluded = replicaExclusions(id)
        let notOnline = promotionCandidates(id).compactMap { replica in
            coordinatedExclusion(replica, of: master).map { (replica: replica.name, reason: $0) }
        }
        return excluded + notOnline
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
            if self[master: name].refusedCommands[command] == nil {
                output.append(.log(.warning, "The master of '\(name)' refuses '\(command)' to this sentinel: \(text); SENTINEL FAILOVER \(name) COORDINATED will be refused"))
            }
            self[master: name].refusedCommands[command] = text
        } else {
            self[master: name].refusedCommands[command] = nil
        }
    }

    // MARK: - SEND_SLAVEOF_NOONE, coordinated

    /// Runs `body` on the master's coordinated run in place; nil when there is none.
    @discardableResult
    mutating func modifyCoordinated<R>(_ name: String, _ body: (inout CoordinatedRun) -> R) -> R? {
        modifyFailover(name) { $0.modifyCoordinated(body) } ?? nil
    }

    /// Does what the run asked after an event: go on with the failover, or abort it.
    mutating func perform(_ action: CoordinatedRun.Action, master name: String) {
        switch action {
        case .wait:
            return
        case .proceed:
            failoverStateMachine(name)
        case .abort(let code, let reason, let failoverAbort):
            if failoverAbort {
                send(.master(name), ["FAILOVER", "ABORT"], tag: .reconfigure)
                self[master: name].failoverAbortSentAt = now
            }
            abortCoordinated(name, reason: reason, code: code)
        }
    }

    /// Replaces the SLAVEOF NO ONE step: announce to the peers, then pause and hand over.
    mutating func coordinatedSendPromotion(_ name: String) {
        guard let master = masterNamed(name), let failover = master.failover, let run = failover.coordinated,
            let replicaName = failover.promoted, let replica = master.replicas[replicaName].map({ instances[$0] })
        else { return }
        switch run.stage {
        case .electing:
            // Just elected: hold the peers' hellos first (bounded wait for their answers).
            let until = now + timing.coordinatedAnnounceWait
            let peers = sendToConnectedPeers(
                of: name,
                [
                    "SENTINEL", "COORDINATED-FAILOVER", name, "\(failover.epoch)", myID, replica.address.host,
                    "\(replica.address.port)", "\(run.pause)",
                ], tag: .coordinatedNotice(master: name))
            requestWakeUp(at: until)
            if modifyCoordinated(name, { $0.announced(to: peers, until: until) }) == .proceed {
                coordinatedSendPromotion(name)
            }
        case .announcing:
            guard run.mayPause(now: now) else { return }
            guard let link = links[.master(name)], !link.disconnected else {
                if failover.phaseTimedOut(now: now, failoverTimeout: master.config.failoverTimeout) {
                    // Valkey 9's event for a master it cannot send FAILOVER to in time.
                    emit(.warning, "-failover-abort-master-timeout", describe(masters[name]!), master: name)
                    abortCoordinated(name, reason: "master link down", code: "master-timeout")
                }
                return
            }
            sendPause(name, to: replica, of: master, run: run, epoch: failover.epoch)
        case .paused, .confirming, .released:
            return
        }
    }

    /// `MULTI; CLIENT PAUSE t WRITE; FAILOVER TO host port TIMEOUT t; EXEC` to the master, the
    /// hellos held and the record persisted in the same batch, then WAIT_PROMOTION.
    private mutating func sendPause(
        _ name: String, to replica: Instance, of master: MasterState, run: CoordinatedRun, epoch: Epoch
    ) {
        let t = run.pause
        // Exactly as the master lists the replica (its replica-announce-ip, maybe a name):
        // redis-server's FAILOVER TO accepts no other spelling of it.
        let target = failoverToAddress(of: replica.replica, in: master)
        let steps: [[String]] = [
            ["MULTI"], ["CLIENT", "PAUSE", "\(t)", "WRITE"],
            ["FAILOVER", "TO", target.host, "\(target.port)", "TIMEOUT", "\(t)"], ["EXEC"],
        ]
        for (index, words) in steps.enumerated() {
            send(.master(name), words, tag: .transaction(.pause, master: name, step: index, last: steps.count - 1))
        }
        send(.master(name), ["INFO"], tag: .info)
        modifyCoordinated(name) { [now] in $0.pauseSent(now: now) }
        modifyFailover(name) { [now] in
            $0.timeline.enter(.pause, now: now)
            $0.timeline.paused(now: now)
        }
        // The pause is at most down-after-milliseconds, which may be up to Int64.max.
        holdHellos(to: master.address, until: now.saturatingAdding(t).saturatingAdding(timing.coordinatedHoldMargin))
        // The record goes to disk in this batch, before the pause reaches the wire.
        if let wall = wallClockMillis() {
            self[master: name].config.coordinatedRecord = CoordinatedRecord(
                epoch: epoch, leader: myID, old: master.address, target: target,
                pauseEndsUnixMillis: wall.saturatingAdding(t))
            persistence.changed = true
        }
        emit(.warning, "+coordinated-failover", "\(describe(masters[name]!)) pause \(t) to \(target.host) \(target.port)", master: name)
        emit(.notice, "+failover-state-wait-promotion", describe(master.replicas[replica.name]!), master: name)
        modifyFailover(name) { [now] in $0.promotionSent(now: now) }
        send(.replica(master: name, name: replica.name), ["INFO"], tag: .info)
        requestWakeUp(at: now + timing.coordinatedPollPeriod)
    }

    /// A peer answered our notice (any answer counts: a redis-sentinel peer says it does not know it).
    mutating func coordinatedNoticeReply(master name: String, peer runID: String) {
        perform(modifyCoordinated(name) { $0.noticeAnswered(by: runID) } ?? .wait, master: name)
    }

    // MARK: - WAIT_PROMOTION, coordinated

    /// Polls the target every few ms and the master a little less often; aborts (unpausing) when
    /// the handover failed, or got stuck, before the pause runs out.
    mutating func coordinatedWaitPromotion(_ name: String) {
        guard let master = masterNamed(name), let run = master.coordinated, run.stage == .paused,
            let replicaName = master.promotedReplica
        else { return }
        let targetOwner = LinkOwner.replica(master: name, name: replicaName)
        // FAILOVER waits for the target's ACK, which a replica sends once a second by itself.
        if master.masterFailoverState == "waiting-for-sync" { promptReplicaAck(targetOwner) }
        if !(links[targetOwner]?.cc.up?.pending.contains(.info) ?? true) {
            send(targetOwner, ["INFO"], tag: .info)
        }
        if !(links[.master(name)]?.cc.up?.pending.contains(.info) ?? true),
            now - master.state.infoRefresh >= timing.coordinatedMasterPollPeriod
        {
            send(.master(name), ["INFO"], tag: .info)
        }
        let verdict = run.pollVerdict(now: now, stuckAfter: timing.coordinatedStuckAfter, margin: timing.coordinatedHoldMargin)
        guard verdict == .wait else { return perform(verdict, master: name) }
        requestWakeUp(at: now + timing.coordinatedPollPeriod)
    }

    /// Master INFO during a coordinated failover: notices the server-side failover starting,
    /// getting stuck, or ending without a promotion (the replica never caught up).
    mutating func coordinatedMasterInfo(_ name: String) {
        // Checked in place first: there is no coordinated run for almost every INFO.
        guard readMaster(name, { $0.coordinated != nil }) == true else { return }
        guard let (state, isMaster) = readMaster(name, { ($0.masterFailoverState, $0.state.roleReported == .master) })
        else { return }
        let before = readMaster(name) { $0.coordinated?.reportedFailoverState } ?? nil
        let verdict = modifyCoordinated(name) { [now] in $0.masterReported(failoverState: state, isMaster: isMaster, now: now) }
        if masterNamed(name)?.coordinated?.stage == .paused, before != state, let state,
            let since = masterNamed(name)?.failover?.timeline.pausedAt
        {
            // Said as it happens: a handover that goes wrong is not silent while writes are paused.
            output.append(
                .log(.notice, "Coordinated failover of '\(name)': the master reports master_failover_state:\(state) \(now - since) ms into the pause"))
        }
        perform(verdict ?? .wait, master: name)
    }

    // MARK: - Promotion, confirmation, release

    /// The target reported `role:master`: push the configuration to the peers and wait (bounded)
    /// until they answer the new address before releasing the clients.
    mutating func coordinatedPromoted(_ name: String) {
        guard masterNamed(name)?.coordinated?.stage == .paused else { return }
        let until = now + timing.coordinatedConfirmWait
        // The hello (just forced) is ahead of this question on each connection.
        let asked = sendToConnectedPeers(
            of: name, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name], tag: .confirmAddress(master: name))
        requestWakeUp(at: until)
        if modifyCoordinated(name, { $0.promoted(asked: asked, until: until) }) == .proceed { coordinatedRelease(name) }
    }

    /// Sends one command to every peer of the master whose link is up; returns their run ids.
    mutating func sendToConnectedPeers(of name: String, _ words: [String], tag: ReplyTag) -> Set<String> {
        var sent: Set<String> = []
        for runID in masterNamed(name)?.sentinels.keys ?? [] {
            let owner = LinkOwner.peer(runID: runID)
            guard let link = links[owner], !link.disconnected else { continue }
            send(owner, words, tag: tag)
            sent.insert(runID)
        }
        return sent
    }

    /// A peer's GET-MASTER-ADDR-BY-NAME during confirmation: done when it names the promoted replica.
    mutating func confirmAddressReply(master name: String, peer runID: String, _ value: RESPValue) {
        guard let master = masterNamed(name), let run = master.coordinated, run.stage == .confirming,
            let promoted = master.promotedReplica.flatMap({ master.replicas[$0] }).map({ instances[$0] })
        else { return }
        if case .array(let e) = value, e.count == 2, let host = e[0].string, let port = e[1].string.flatMap(Int.init),
            sameAddress(HostPort(host, port), announced(promoted.address))
        {
            if modifyCoordinated(name, { $0.addressConfirmed(by: runID) }) == .proceed { coordinatedRelease(name) }
        } else if run.confirmationOpen(now: now) {
            // Not switched yet: say hello again and ask again.
            sendHelloToPeer(runID, master: name)
            send(.peer(runID: runID), ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name], tag: .confirmAddress(master: name))
        } else if run.unconfirmed.isEmpty {
            coordinatedRelease(name)
        }
    }

    /// Kills the clients and unpauses both nodes (the old master first), then lets RECONF_SLAVES go on.
    mutating func coordinatedRelease(_ name: String) {
        guard let run = masterNamed(name)?.coordinated, run.stage == .confirming else { return }
        if !run.unconfirmed.isEmpty {
            output.append(
                .log(
                    .warning,
                    "Coordinated failover of '\(name)': \(run.unconfirmed.count) sentinel(s) did not confirm the new address in time; releasing clients anyway"
                ))
        }
        modifyCoordinated(name) { $0.release() }
        modifyFailover(name) { [now] in $0.timeline.enter(.release, now: now) }
        sendReleases(name)
        failoverStateMachine(name)
    }

    /// Sends the release transaction to the old and the new master where it is not confirmed yet,
    /// retrying a lost one until the pause would have ended anyway.
    mutating func sendReleases(_ name: String) {
        guard let master = masterNamed(name), master.coordinated?.stage == .released,
            let promotedName = master.promotedReplica, let promoted = master.replicas[promotedName].map({ instances[$0] })
        else { return }
        var owners: [HostPort: LinkOwner] = [:]
        for (owner, address) in [
            (LinkOwner.master(name), master.address), (.replica(master: name, name: promotedName), promoted.address),
        ] where links[owner]?.cc.isUp == true {
            owners[address] = owner
        }
        let reachable = [master.address, promoted.address].filter { owners[$0] != nil }
        let now = self.now
        let retry = timing.coordinatedReleaseRetry
        for address in modifyCoordinated(name, { [now] in $0.releasesDue(reachable, now: now, retry: retry) }) ?? [] {
            sendRelease(owners[address]!, address: address, master: name)
        }
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
            guard masterNamed(name)?.coordinated?.stage == .paused else { return }
            if let failure {
                // CLIENT PAUSE ran only when EXEC ran it (its result, the first, is no error).
                var pauseRan = false
                if step == last, case .array(let results) = value, let first = results.first {
                    if case .error = first {} else { pauseRan = true }
                }
                if !pauseRan { modifyFailover(name) { $0.timeline.pauseNotApplied() } }
                abortCoordinated(name, reason: "pause/FAILOVER transaction failed: \(failure)", code: "pause-refused")
            } else if step == last {
                // Paused and FAILOVER under way: now the master hands over.
                modifyFailover(name) { [now] in $0.timeline.enter(.promotion, now: now) }
            }
        case .release(let address):
            guard step == last, masterNamed(name)?.coordinated != nil else { return }
            if let failure {
                output.append(.log(.warning, "Coordinated failover of '\(name)': release of \(address) failed: \(failure); retrying"))
            }
            if failure == nil, let master = masterNamed(name), sameAddress(address, master.address) {
                modifyFailover(name) { [now] in $0.timeline.unpaused(now: now) }
            }
            if modifyCoordinated(name, { $0.releaseEnded(address, ok: failure == nil) }) == true {
                modifyFailover(name) { [now] in $0.timeline.enter(.reconfiguration, now: now) }
                coordinatedReleased(name)
            }
        }
    }

    /// Both nodes are released: the record is no longer needed.
    mutating func coordinatedReleased(_ name: String) {
        guard let master = masterNamed(name), master.config.coordinatedRecord != nil else { return }
        self[master: name].config.coordinatedRecord = nil
        persistence.changed = true
        emit(.notice, "+coordinated-failover-released", describe(masters[name]!), master: name)
    }

    /// Aborts a coordinated failover before the promotion: unpause the master, leave the topology.
    /// `code` is the summary's short reason.
    mutating func abortCoordinated(_ name: String, reason: String, code: String) {
        guard let master = masterNamed(name), let run = master.coordinated else { return }
        if run.stage == .paused {
            send(.master(name), ["CLIENT", "UNPAUSE"], tag: .reconfigure)
            modifyFailover(name) { [now] in $0.timeline.unpaused(now: now) }
        }
        emit(.warning, "-failover-abort-coordinated", "\(describe(masters[name]!)) #\(reason)", master: name)
        releaseHellos(to: master.address)
        if master.config.coordinatedRecord != nil {
            self[master: name].config.coordinatedRecord = nil
            persistence.changed = true
        }
        // Only before the promotion is confirmed (sentinelAbortFailover).
        if master.failoverState <= .waitPromotion {
            endFailover(name, outcome: .aborted(reason: code))
        } else {
            // Past the promotion the failover itself goes on, as a classic one.
            self[master: name].failover!.kind = .agreed
        }
    }
}
