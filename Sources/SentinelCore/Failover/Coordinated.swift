import DequeModule
import OrderedCollections
import RESP

/// `SENTINEL FAILOVER <master> COORDINATED [PAUSE-SWITCH]`: a planned failover that loses no
/// acknowledged write.
///
/// After a real election the leader tells its peers to hold their hellos and pauses writes on the
/// master. Then either the master hands over to the target itself (`MULTI; CLIENT PAUSE t WRITE;
/// FAILOVER TO host port TIMEOUT t; EXEC`), or, where FAILOVER is missing, renamed or denied (or
/// asked for with `PAUSE-SWITCH`), the leader switches the roles itself: `MULTI; CLIENT PAUSE t
/// WRITE; INFO replication; EXEC` gives the master's offset, the target is polled until it has
/// applied as much, then `REPLICAOF NO ONE` goes to the target and `REPLICAOF <target>` to the old
/// master, still paused. Once the target is master the leader releases it, pushes the new
/// configuration to the peers, waits until they answer the new address, and only then kills the
/// clients and unpauses the old master (`MULTI; CLIENT KILL TYPE normal; CLIENT KILL TYPE pubsub;
/// CLIENT UNPAUSE; EXEC`, then `CONFIG REWRITE`). Every reply is checked; any error unpauses and
/// aborts at once. See docs/coordinated-failover.md.
extension Sentinel {
    // MARK: - The command

    /// Checks and starts a coordinated failover; the reply is `+OK` once the election started.
    /// `requested` is the method the operator named, nil to choose (``coordinatedMethod(_:requested:)``).
    mutating func coordinatedFailover(_ id: ClientID, _ name: String, requested: HandoverMethod? = nil) {
        guard let master = masterNamed(name) else { return reply(id, .error(Wire.errNoSuchMaster)) }
        guard !master.failoverInProgress else { return refuseFailover(id, name, Wire.errFailoverInProgress) }
        guard let link = links[.master(name)], !link.disconnected, masterInstance(name)?.sDown == false,
            master.state.roleReported == .master, master.state.infoRefresh != 0
        else { return refuseFailover(id, name, Wire.errCoordinatedUnreachable) }
        guard (master.masterFailoverState ?? "no-failover") == "no-failover" else {
            return refuseFailover(id, name, Wire.errServerFailoverRunning)
        }
        let method: HandoverMethod
        switch coordinatedMethod(master, requested: requested) {
        case .success(let chosen): method = chosen
        case .failure(let refusal): return refuseFailover(id, name, refusal.text)
        }
        guard coordinatedTarget(name) != nil else {
            return refuseFailover(id, name, Wire.errNoGoodSlave, why: coordinatedExclusions(name))
        }
        guard !epochExhausted() else { return refuseFailover(id, name, Wire.errEpochExhausted) }
        output.append(.log(.warning, "Executing user requested COORDINATED FAILOVER of '\(name)' (\(method.rawValue))"))
        // Fresh replica states and offsets for the choice of the target after the election.
        send(.master(name), ["INFO"], tag: .info)
        startFailover(
            name, kind: .coordinated(CoordinatedRun(pause: master.config.effectiveCoordinatedPause, method: method)))
        reply(id, .ok)
        // A real election: ask every peer for its vote now, and tally at once.
        askMasterStateToOtherSentinels(name, forced: true)
        failoverStateMachine(name)
    }

    /// A refusal of the coordinated failover, as its error reply.
    struct CoordinatedRefusal: Error {
        var text: String
    }

    /// The handover method: the master's own FAILOVER when its INFO shows `master_failover_state`
    /// (Redis ≥ 6.2) and the permission probe found FAILOVER allowed, else the pause-switch; or
    /// the one `requested`. Each needs `CLIENT PAUSE`; the pause-switch also `SLAVEOF` on the
    /// master (what the probes found refused is refused up front, with the server's error).
    func coordinatedMethod(_ master: MasterState, requested: HandoverMethod?) -> Result<HandoverMethod, CoordinatedRefusal> {
        let refused = master.refusedCommands
        let method =
            requested ?? (master.masterFailoverState != nil && refused["failover"] == nil ? .serverFailover : .pauseSwitch)
        if method == .serverFailover && master.masterFailoverState == nil {
            return .failure(CoordinatedRefusal(text: Wire.errNoFailoverSupport))
        }
        let needed = method == .serverFailover ? ["client|pause", "failover"] : ["client|pause", "slaveof"]
        if let command = needed.first(where: { refused[$0] != nil }) {
            return .failure(CoordinatedRefusal(text: Wire.errCoordinatedRefused(command: command, serverError: refused[command]!)))
        }
        return .success(method)
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
    /// `SLAVEOF probe probe` fails on its port, after the ACL check, in every Redis version.
    mutating func sendPermissionProbes(master name: String) {
        send(.master(name), ["FAILOVER", "TO", "127.0.0.1", "probe"], tag: .permissionProbe(master: name, command: "failover"))
        send(.master(name), ["CLIENT", "PAUSE", "probe", "WRITE"], tag: .permissionProbe(master: name, command: "client|pause"))
        send(.master(name), ["SLAVEOF", "probe", "probe"], tag: .permissionProbe(master: name, command: "slaveof"))
    }

    /// A permission probe's answer: `-NOPERM` or an unknown (renamed-away) command is a refusal.
    mutating func permissionProbeReply(master name: String, command: String, _ value: RESPValue) {
        guard masters[name] != nil else { return }
        if case .error(let text) = value, text.hasPrefix("NOPERM") || text.hasPrefix("ERR unknown command") {
            if self[master: name].refusedCommands[command] == nil {
                output.append(
                    .log(
                        .warning,
                        "The master of '\(name)' refuses '\(command)' to this sentinel: \(text); \(Self.probeConsequence(command, master: name))"
                    ))
            }
            self[master: name].refusedCommands[command] = text
        } else {
            self[master: name].refusedCommands[command] = nil
        }
    }

    /// What a refused probe means for `SENTINEL FAILOVER <name> COORDINATED`, for the log.
    static func probeConsequence(_ command: String, master name: String) -> String {
        switch command {
        case "failover": "SENTINEL FAILOVER \(name) COORDINATED will use the pause-switch"
        case "slaveof": "the pause-switch of SENTINEL FAILOVER \(name) COORDINATED will be refused (so will a classic failover's reconfiguration)"
        default: "SENTINEL FAILOVER \(name) COORDINATED will be refused"
        }
    }

    // MARK: - SEND_SLAVEOF_NOONE, coordinated

    /// Runs `body` on the master's coordinated run in place; nil when there is none.
    @discardableResult
    mutating func modifyCoordinated<R>(_ name: String, _ body: (inout CoordinatedRun) -> R) -> R? {
        modifyFailover(name) { $0.modifyCoordinated(body) } ?? nil
    }

    /// Does what the run asked after an event: go on with the failover or the switch, or abort.
    mutating func perform(_ action: CoordinatedRun.Action, master name: String) {
        switch action {
        case .wait:
            return
        case .proceed:
            failoverStateMachine(name)
        case .promoteTarget:
            sendSwitchPromotion(name)
        case .demoteOldMaster:
            sendSwitchDemotion(name)
        case .switched:
            promotionConfirmed(name)
        case .abort(let code, let reason, let undo):
            switch undo {
            case .unpause:
                break
            case .failoverAbort:
                send(.master(name), ["FAILOVER", "ABORT"], tag: .reconfigure)
                self[master: name].failoverAbortSentAt = now
            case .demoteTarget:
                demoteSwitchTarget(name)
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
                ] + (run.method == .serverFailover ? [] : [run.method.rawValue]), tag: .coordinatedNotice(master: name))
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

    /// The pause transaction to the master, the hellos held and the record persisted in the same
    /// batch, then WAIT_PROMOTION. With FAILOVER: `MULTI; CLIENT PAUSE t WRITE; FAILOVER TO host
    /// port TIMEOUT t; EXEC`; pause-switch: `MULTI; CLIENT PAUSE t WRITE; INFO replication; EXEC`,
    /// whose INFO is the master's offset the moment writes stopped.
    private mutating func sendPause(
        _ name: String, to replica: Instance, of master: MasterState, run: CoordinatedRun, epoch: Epoch
    ) {
        let t = run.pause
        // Exactly as the master lists the replica (its replica-announce-ip, maybe a name):
        // redis-server's FAILOVER TO accepts no other spelling of it.
        let target = failoverToAddress(of: replica.replica, in: master)
        let handover: [String] =
            switch run.method {
            case .serverFailover: ["FAILOVER", "TO", target.host, "\(target.port)", "TIMEOUT", "\(t)"]
            case .pauseSwitch: ["INFO", "replication"]
            }
        let steps: [[String]] = [["MULTI"], ["CLIENT", "PAUSE", "\(t)", "WRITE"], handover, ["EXEC"]]
        for (index, words) in steps.enumerated() {
            send(.master(name), words, tag: .transaction(.pause, master: name, step: index, last: steps.count - 1))
        }
        if run.method == .serverFailover { send(.master(name), ["INFO"], tag: .info) }
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
                pauseEndsUnixMillis: wall.saturatingAdding(t), method: run.method)
            persistence.changed = true
        }
        let method = run.method == .serverFailover ? "" : " \(run.method.rawValue)"
        emit(
            .warning, "+coordinated-failover", "\(describe(masters[name]!)) pause \(t) to \(target.host) \(target.port)\(method)",
            master: name)
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
        // A pause-switch reads the target's own offset until the switch is sent.
        let pollTarget: Bool =
            switch run.switchStep {
            case nil, .pausing, .catchingUp: true
            case .promoting, .demoting: false
            }
        if pollTarget, !(links[targetOwner]?.cc.up?.pending.contains(.info) ?? true) {
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
    /// getting stuck, or ending without a promotion (the replica never caught up); for a
    /// pause-switch, the master's offset (its replication PINGs go on under the pause).
    mutating func coordinatedMasterInfo(_ name: String) {
        // Checked in place first: there is no coordinated run for almost every INFO.
        guard readMaster(name, { $0.coordinated != nil }) == true else { return }
        guard
            let (state, isMaster, offset) = readMaster(
                name, { ($0.masterFailoverState, $0.state.roleReported == .master, $0.masterReplOffset) })
        else { return }
        let before = readMaster(name) { $0.coordinated?.reportedFailoverState } ?? nil
        let verdict = modifyCoordinated(name) { [now] in
            $0.masterReported(failoverState: state, isMaster: isMaster, offset: offset, now: now)
        }
        if let run = masterNamed(name)?.coordinated, run.stage == .paused, run.method == .serverFailover, before != state,
            let state, let since = masterNamed(name)?.failover?.timeline.pausedAt
        {
            // Said as it happens: a handover that goes wrong is not silent while writes are paused.
            output.append(
                .log(.notice, "Coordinated failover of '\(name)': the master reports master_failover_state:\(state) \(now - since) ms into the pause"))
        }
        perform(verdict ?? .wait, master: name)
    }

    // MARK: - The target while paused, and the pause-switch

    /// The target's INFO while the master is paused. With FAILOVER: not master yet, it is asked
    /// again at once (one INFO in flight), so the promotion is seen one round trip after it
    /// happens instead of up to a poll period later. Pause-switch: its own `slave_repl_offset`,
    /// what it has applied; not there yet, asked again at once, so the switch follows the
    /// catch-up by one round trip. Only in the first ``Timing/coordinatedEagerPoll`` ms of the
    /// pause (a handover takes a few ms); after that the poll period paces it.
    mutating func coordinatedTargetInfo(master name: String, replica replicaName: String, offset: Int64?, isMaster: Bool) {
        guard let (method, eagerUntil) = readMaster(name, { master -> (HandoverMethod, Millis)? in
            guard let run = master.coordinated, let ends = run.pauseEnds, master.promotedReplica == replicaName else { return nil }
            return (run.method, ends - run.pause + timing.coordinatedEagerPoll)
        }) ?? nil else { return }
        var verdict = CoordinatedRun.Action.wait
        var waiting = !isMaster
        if method == .pauseSwitch {
            verdict = modifyCoordinated(name) { [now] in $0.targetReported(offset: offset, now: now) } ?? .wait
            waiting = readMaster(name) { $0.coordinated?.switchStep?.masterOffset != nil } ?? false
        }
        if verdict == .wait, waiting, now < eagerUntil {
            let owner = LinkOwner.replica(master: name, name: replicaName)
            if !(links[owner]?.cc.up?.pending.contains(.info) ?? true) { send(owner, ["INFO"], tag: .info) }
        }
        perform(verdict, master: name)
    }

    /// `MULTI; REPLICAOF NO ONE; INFO replication; EXEC` to the target, which has applied all the
    /// master had when its writes stopped.
    mutating func sendSwitchPromotion(_ name: String) {
        guard let replicaName = masterNamed(name)?.promotedReplica else { return }
        let steps: [[String]] = [["MULTI"], ["SLAVEOF", "NO", "ONE"], ["INFO", "replication"], ["EXEC"]]
        for (index, words) in steps.enumerated() {
            send(
                .replica(master: name, name: replicaName), words,
                tag: .transaction(.switchPromotion, master: name, step: index, last: steps.count - 1))
        }
        modifyFailover(name) { [now] in $0.timeline.enter(.promotion, now: now) }
    }

    /// `MULTI; INFO replication; REPLICAOF <target>; EXEC` to the old master, still paused: the
    /// INFO shows its offset at the instant it stops being master.
    mutating func sendSwitchDemotion(_ name: String) {
        guard let master = masterNamed(name), let replicaName = master.promotedReplica,
            let target = master.replicas[replicaName].map({ announced(instances[$0].address) })
        else { return }
        let steps: [[String]] = [["MULTI"], ["INFO", "replication"], ["SLAVEOF", target.host, "\(target.port)"], ["EXEC"]]
        for (index, words) in steps.enumerated() {
            send(.master(name), words, tag: .transaction(.switchDemotion, master: name, step: index, last: steps.count - 1))
        }
    }

    /// The old master refused its demotion after the target was promoted: the target goes back
    /// to replicating from it (writes made to the target in between, by clients connected to
    /// it directly, are lost; the writers parked on the old master lose nothing).
    mutating func demoteSwitchTarget(_ name: String) {
        guard let master = masterNamed(name), let replicaName = master.promotedReplica else { return }
        let owner = LinkOwner.replica(master: name, name: replicaName)
        let old = announced(master.address)
        output.append(
            .log(.warning, "Coordinated failover of '\(name)': making \(describeOwner(owner)) a replica of \(old) again"))
        _ = sendSlaveOf(owner, to: old)
    }

    /// The `master_repl_offset` in the INFO a switch transaction's EXEC answered, with the role.
    private static func switchInfo(_ results: [RESPValue]) -> (offset: Int64, isMaster: Bool)? {
        for case .bulkString(let text) in results {
            let info = InfoParser.parse(text)
            if let offset = info.masterReplOffset { return (offset, info.role == .master) }
        }
        return nil
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
        let action = modifyCoordinated(name, { $0.promoted(asked: asked, until: until) })
        // The new master's release now, while the peers confirm (no writer is on it yet).
        sendReleases(name)
        if action == .proceed { coordinatedRelease(name) }
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

    /// Kills the clients and unpauses the old master (the new one's release went at the
    /// promotion), then lets RECONF_SLAVES go on.
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

    /// Sends the release transaction to the new master (from the promotion on) and the old one
    /// (once the peers confirmed) where it is not confirmed yet, retrying a lost one until the
    /// pause would have ended anyway.
    mutating func sendReleases(_ name: String) {
        guard let master = masterNamed(name), let run = master.coordinated,
            let promotedName = master.promotedReplica, let promoted = master.replicas[promotedName].map({ instances[$0] })
        else { return }
        var owners: [HostPort: LinkOwner] = [:]
        for (owner, address) in [
            (LinkOwner.master(name), master.address), (.replica(master: name, name: promotedName), promoted.address),
        ] where links[owner]?.cc.isUp == true {
            owners[address] = owner
        }
        let reachable = run.releaseTargets(old: master.address, new: promoted.address).filter { owners[$0] != nil }
        let now = self.now
        let retry = timing.coordinatedReleaseRetry
        for address in modifyCoordinated(name, { [now] in $0.releasesDue(reachable, now: now, retry: retry) }) ?? [] {
            sendRelease(owners[address]!, address: address, master: name)
        }
    }

    /// `MULTI; CLIENT KILL TYPE normal; CLIENT KILL TYPE pubsub; CLIENT UNPAUSE; EXEC`, then
    /// `CONFIG REWRITE`. Redis's CONFIG REWRITE fsyncs the config file, and the whole EXEC runs
    /// before the server serves anyone else: inside the transaction, ahead of the kill, it held
    /// the parked writers (and, on the new master, the reconnected ones) for the fsync, 5–20 ms
    /// on a disk (docs/coordinated-failover.md). Right after it the fsync costs nobody anything.
    mutating func sendRelease(_ owner: LinkOwner, address: HostPort, master name: String) {
        let steps: [[String]] = [
            ["MULTI"], ["CLIENT", "KILL", "TYPE", "normal"], ["CLIENT", "KILL", "TYPE", "pubsub"], ["CLIENT", "UNPAUSE"], ["EXEC"],
        ]
        for (index, words) in steps.enumerated() {
            send(owner, words, tag: .transaction(.release(address), master: name, step: index, last: steps.count - 1))
        }
        send(owner, ["CONFIG", "REWRITE"], tag: .configRewrite)
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
                failure = text
                break
            }
        } else if step == last, case .nullArray = value {
            failure = "EXEC aborted (WATCH)"
        }
        switch kind {
        case .pause:
            guard let run = masterNamed(name)?.coordinated, run.stage == .paused else { return }
            if let failure {
                // CLIENT PAUSE ran only when EXEC ran it (its result, the first, is no error).
                var pauseRan = false
                if step == last, case .array(let results) = value, let first = results.first {
                    if case .error = first {} else { pauseRan = true }
                }
                if !pauseRan { modifyFailover(name) { $0.timeline.pauseNotApplied() } }
                let what = run.method == .serverFailover ? "pause/FAILOVER" : "pause"
                abortCoordinated(name, reason: "\(what) transaction failed: \(failure)", code: "pause-refused")
            } else if step == last {
                // Paused: now the master hands over, or the target catches up.
                modifyFailover(name) { [now] in $0.timeline.enter(run.method == .serverFailover ? .promotion : .catchUp, now: now) }
                guard run.method == .pauseSwitch else {
                    // FAILOVER now waits for the target's ACK of the master's final offset: ask
                    // for it at once rather than after the master's next INFO.
                    if let replicaName = masterNamed(name)?.promotedReplica {
                        promptReplicaAck(.replica(master: name, name: replicaName))
                    }
                    return
                }
                guard case .array(let results) = value, let (offset, _) = Self.switchInfo(results) else {
                    return abortCoordinated(name, reason: "the pause transaction's INFO has no master_repl_offset", code: "pause-refused")
                }
                let verdict = modifyCoordinated(name) { [now] in $0.pauseAnswered(masterOffset: offset, now: now) } ?? .wait
                if verdict == .wait, let replicaName = masterNamed(name)?.promotedReplica {
                    // The target's offset read before the pause is behind: read it again now.
                    let owner = LinkOwner.replica(master: name, name: replicaName)
                    if !(links[owner]?.cc.up?.pending.contains(.info) ?? true) { send(owner, ["INFO"], tag: .info) }
                }
                perform(verdict, master: name)
            }
        // The run checks that the switch is at this step (a late reply after an abort is dropped).
        case .switchPromotion:
            guard step == last || failure != nil else { return }
            var offset: Int64? = nil
            if failure == nil, case .array(let results) = value, let (o, isMaster) = Self.switchInfo(results), isMaster {
                offset = o
            }
            perform(modifyCoordinated(name) { $0.targetPromoted(offset: offset, failure: failure) } ?? .wait, master: name)
        case .switchDemotion:
            guard step == last || failure != nil else { return }
            if failure == nil, case .demoting(let targetOffset)? = masterNamed(name)?.coordinated?.switchStep,
                case .array(let results) = value, let (oldOffset, _) = Self.switchInfo(results), oldOffset != targetOffset
            {
                // Under the pause only the master's replication PINGs (14 bytes each, every
                // repl-ping-replica-period) can have moved it; the old master then resyncs in full.
                output.append(
                    .log(
                        .notice,
                        "Coordinated failover of '\(name)': the old master was at offset \(oldOffset) when demoted, the target at \(targetOffset) when promoted"
                    ))
            }
            perform(modifyCoordinated(name) { $0.oldMasterDemoted(failure: failure) } ?? .wait, master: name)
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
