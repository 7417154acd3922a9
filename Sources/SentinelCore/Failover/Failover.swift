import DequeModule
import OrderedCollections
import RESP

/// The failover state machine: start, election wait, replica selection, promotion, repointing the
/// replicas, and the switch to the promoted replica (sentinel-behaviour §7.3, §7.6, §7.7).
extension Sentinel {
    // MARK: - Starting

    /// sentinelStartFailoverIfNeeded: an ODOWN master with no failover running and no attempt in the
    /// last 2 × failover-timeout gets one, after a short random desync (so peers that reached ODOWN
    /// together do not split the vote). Returns true when a failover started now.
    mutating func startFailoverIfNeeded(_ name: String) -> Bool {
        // Every tick for every master: a master that is not ODOWN with no start pending is the
        // usual case, decided without copying it.
        guard let id = masters[name] else { return false }
        if !instances[id].master.oDown && instances[id].master.pendingStartAt == nil { return false }
        guard let master = masterNamed(name) else { return false }
        guard master.oDown else {
            self[master: name].pendingStartAt = nil
            return false
        }
        guard !master.failoverInProgress else { return false }
        // No earlier attempt (0) means no wait. Redis gets the same from its wall clock being far
        // past 2 × failover-timeout; our monotonic clock may not be (shortly after boot), and a
        // failover-timeout near Int64.max (the sum saturates) would otherwise wait for ever.
        let retryAt =
            master.failoverStartTime == 0
            ? 0 : master.failoverStartTime.saturatingAdding(master.config.failoverTimeout.saturatingMultiplied(by: 2))
        if now < retryAt {
            if !master.failoverDelayLogged {
                output.append(
                    .log(
                        .warning,
                        "Next failover delay: I will not start a failover before \(retryAt - now) ms from now (\(name))"))
                self[master: name].failoverDelayLogged = true
            }
            return false
        }
        guard let startAt = master.pendingStartAt else {
            let at = now + desync()
            self[master: name].pendingStartAt = at
            requestWakeUp(at: at)
            return false
        }
        guard now >= startAt else { return false }
        guard !epochExhausted() else { return false }
        startFailover(name)
        return true
    }

    /// Whether the current epoch is at its maximum, so that no failover can start (logged once).
    /// Hellos and vote requests cannot take it there (EpochBounds); only a config file can.
    /// redis-sentinel wraps around to epoch 0 instead, where every peer's vote is already spent.
    mutating func epochExhausted() -> Bool {
        guard settings.currentEpoch == Epoch.max else { return false }
        if !epochExhaustedLogged {
            epochExhaustedLogged = true
            output.append(.log(.warning, Wire.epochExhausted))
        }
        return true
    }

    /// sentinelStartFailover: a new epoch, `+new-epoch`, `+try-failover`, state WAIT_START.
    /// Callers check ``epochExhausted()`` first.
    mutating func startFailover(_ name: String, kind: FailoverRun.Kind = .agreed) {
        guard var master = masterNamed(name) else { return }
        settings.currentEpoch = settings.currentEpoch.saturatingAdding(1)
        master.failover = FailoverRun(epoch: settings.currentEpoch, kind: kind, now: now)
        master.failoverStartTime = now + desync()
        master.failoverDelayLogged = false
        master.pendingStartAt = nil
        self[master: name] = master
        emit(.warning, "+new-epoch", "\(settings.currentEpoch)", master: name)
        emit(.warning, "+try-failover", describe(masters[name]!), master: name)
        output.append(.observe(.failoverStarted(master: name, kind: kind.reported)))
    }

    /// SENTINEL FAILOVER <name>: a forced failover that needs no agreement.
    mutating func forceFailover(_ id: ClientID, _ name: String) {
        guard let master = masterNamed(name) else { return reply(id, .error(Wire.errNoSuchMaster)) }
        guard !master.failoverInProgress else { return refuseFailover(id, name, Wire.errFailoverInProgress) }
        guard selectReplica(masters[name]!) != nil else {
            return refuseFailover(id, name, Wire.errNoGoodSlave, why: replicaExclusions(masters[name]!))
        }
        guard !epochExhausted() else { return refuseFailover(id, name, Wire.errEpochExhausted) }
        output.append(.log(.warning, "Executing user requested FAILOVER of '\(name)'"))
        startFailover(name, kind: .forced)
        reply(id, .ok)
        // Do not wait for the next tick.
        failoverStateMachine(name)
    }

    /// Refuses `SENTINEL FAILOVER` with `error` (as redis-sentinel does) and also logs it, with
    /// `why` (each replica's exclusion) for `-NOGOODSLAVE`: redis-sentinel tells only the client.
    mutating func refuseFailover(
        _ id: ClientID, _ name: String, _ error: String, why exclusions: [(replica: String, reason: String)]? = nil
    ) {
        var line = "SENTINEL FAILOVER \(name) refused: \(error)"
        if let exclusions { line += " (\(Self.describeExclusions(exclusions)))" }
        output.append(.log(.warning, line))
        reply(id, .error(error))
    }

    // MARK: - The state machine

    /// sentinelFailoverStateMachine. Unlike Redis, which advances one state per timer tick, a state
    /// whose work is done moves on at once, so an elected leader promotes in the same event.
    mutating func failoverStateMachine(_ name: String) {
        // No failover (every tick for every healthy master): nothing to run, decided without a copy.
        guard let id = masters[name] else { return }
        let current = instances[id].master.failoverState
        guard current != .none, current != .updateConfig else { return }
        // A coordinated failover past the pause is finished even in TILT: writers are parked.
        let paused = masterNamed(name)?.coordinated?.pauseSent ?? false
        guard !tilt || paused else { return }
        var previous: FailoverState? = nil
        while let state = masterNamed(name)?.failoverState, state != previous {
            previous = state
            switch state {
            case .none, .updateConfig:
                return
            case .waitStart:
                failoverWaitStart(name)
            case .selectSlave:
                failoverSelectSlave(name)
            case .sendSlaveofNoOne:
                failoverSendSlaveofNoOne(name)
            case .waitPromotion:
                failoverWaitPromotion(name)
            case .reconfSlaves:
                failoverReconfSlaves(name)
            }
        }
    }

    /// Runs `body` on the master's failover run in place; nil when no failover runs.
    @discardableResult
    mutating func modifyFailover<R>(_ name: String, _ body: (inout FailoverRun) -> R) -> R? {
        modifyMaster(name) { master -> R? in
            guard master.failover != nil else { return nil }
            return body(&master.failover!)
        } ?? nil
    }

    /// WAIT_START: wait to be elected (or go on at once when forced).
    private mutating func failoverWaitStart(_ name: String) {
        guard let master = masterNamed(name), let run = master.failover else { return }
        let leader = electedLeader(master: name, epoch: run.epoch)
        let isLeader = leader.map { $0.lowercased() == myID.lowercased() } ?? false
        let electionTimeout = min(timing.electionTimeout, master.config.failoverTimeout)
        switch run.waitStartAction(
            elected: isLeader, now: now, startTime: master.failoverStartTime, electionTimeout: electionTimeout)
        {
        case .wait:
            return
        case .abort(let event):
            output.append(.observe(.election(master: name, kind: run.kind.reported, won: false)))
            abortFailover(name, event: event)
            return
        case .proceed:
            break
        }
        if !run.isForced { output.append(.observe(.election(master: name, kind: run.kind.reported, won: true))) }
        emit(.warning, "+elected-leader", describe(masters[name]!), master: name)
        if simulateFailureFlags & SimulatedFailure.crashAfterElection != 0 {
            output.append(.log(.warning, "Simulated failure: crash after election"))
            output.append(.crash(exitCode: 99))
            return
        }
        modifyFailover(name) { [now] in $0.elected(now: now) }
        emit(.warning, "+failover-state-select-slave", describe(masters[name]!), master: name)
    }

    /// SELECT_SLAVE: choose the replica to promote.
    private mutating func failoverSelectSlave(_ name: String) {
        guard let master = masterNamed(name) else { return }
        let choice = master.coordinated != nil ? coordinatedTarget(name) : selectReplica(masters[name]!)
        guard let replica = choice, let replicaID = master.replicas[replica.name] else {
            logReplicaExclusions(name, context: "No replica to promote")
            abortFailover(name, event: "-failover-abort-no-good-slave")
            return
        }
        emit(.warning, "+selected-slave", describe(replicaID), master: name)
        modifyFailover(name) { [now] in $0.selected(replica.name, now: now) }
        emit(.notice, "+failover-state-send-slaveof-noone", describe(replicaID), master: name)
    }

    /// SEND_SLAVEOF_NOONE: send the promotion transaction, then ask for INFO on the same connection,
    /// which answers after EXEC and so shows the new role one round trip later.
    private mutating func failoverSendSlaveofNoOne(_ name: String) {
        if masterNamed(name)?.coordinated != nil { return coordinatedSendPromotion(name) }
        guard let master = masterNamed(name), let replicaName = master.promotedReplica,
            let replica = master.replicas[replicaName]
        else { return }
        let owner = LinkOwner.replica(master: name, name: replicaName)
        guard let link = links[owner], !link.disconnected else {
            abortOnPromotionTimeout(name)
            return
        }
        guard sendSlaveOf(owner, to: nil) else { return }
        emit(.notice, "+failover-state-wait-promotion", describe(replica), master: name)
        modifyFailover(name) { [now] in $0.promotionSent(now: now) }
        send(owner, ["INFO"], tag: .info)
        requestWakeUp(at: now + timing.promotionPollPeriod)
    }

    /// WAIT_PROMOTION: only the timeout is checked here; INFO processing moves on (see
    /// ``promotionConfirmed(_:)``). The promoted replica is polled every few tens of ms.
    private mutating func failoverWaitPromotion(_ name: String) {
        if masterNamed(name)?.coordinated != nil { return coordinatedWaitPromotion(name) }
        guard !abortOnPromotionTimeout(name) else { return }
        requestWakeUp(at: now + timing.promotionPollPeriod)
    }

    /// SEND_SLAVEOF_NOONE and WAIT_PROMOTION: aborts after failover-timeout in the phase.
    /// Returns whether it aborted.
    @discardableResult
    private mutating func abortOnPromotionTimeout(_ name: String) -> Bool {
        guard let master = masterNamed(name), let run = master.failover else { return false }
        guard case .abort(let event) = run.promotionTimeout(now: now, failoverTimeout: master.config.failoverTimeout)
        else { return false }
        abortFailover(name, event: event)
        return true
    }

    /// The promoted replica reported `role:master` while we wait for it: adopt the failover epoch
    /// as the config epoch, persist, tell everybody, and start repointing the other replicas.
    mutating func promotionConfirmed(_ name: String) {
        guard let master = masterNamed(name), let run = master.failover, let replicaName = run.promoted,
            let replica = master.replicas[replicaName]
        else { return }
        self[master: name].config.configEpoch = run.epoch
        modifyFailover(name) { [now] in $0.promotionConfirmed(now: now) }
        persistence.changed = true
        emit(.warning, "+promoted-slave", describe(replica), master: name)
        if simulateFailureFlags & SimulatedFailure.crashAfterPromotion != 0 {
            output.append(.log(.warning, "Simulated failure: crash after promotion"))
            output.append(.crash(exitCode: 99))
            return
        }
        emit(.warning, "+failover-state-reconf-slaves", describe(masters[name]!), master: name)
        queueClientReconfigScript(master: name, role: "leader", from: master.address, to: instances[replica].address)
        // Broadcast the new configuration now rather than at the next hello period.
        forceHellos(master: name)
        if masterNamed(name)?.coordinated != nil { coordinatedPromoted(name) }
        failoverStateMachine(name)
    }

    /// RECONF_SLAVES: repoint the other replicas at the promoted one, `parallel-syncs` at a time,
    /// then detect the end of the failover.
    private mutating func failoverReconfSlaves(_ name: String) {
        if let run = masterNamed(name)?.coordinated {
            // A peer that never answers (its link up, the sentinel frozen) does not hold the
            // clients beyond the bounded confirmation wait.
            if run.confirmationExpired(now: now) { return coordinatedRelease(name) }
            // The other replicas wait until the clients are released; lost releases are retried.
            guard run.stage == .released else { return }
            sendReleases(name)
        }
        guard let master = masterNamed(name) else { return }
        let promoted = master.promotedReplica
        var inProgress = replicaInstances(of: master).filter { $0.replica.reconf == .sent || $0.replica.reconf == .inProgress }
            .count
        for (replicaName, replicaID) in master.replicas {
            guard inProgress < master.config.parallelSyncs else { break }
            guard let replica = instances.lookup(replicaID)?.replica, replicaName != promoted, replica.reconf != .done
            else { continue }
            if replica.reconf == .sent && now - replica.slaveReconfSentTime > timing.slaveReconfTimeout {
                emit(.notice, "-slave-reconf-sent-timeout", describe(replicaID), master: name)
                instances[replicaID].replica.reconf = .done
                continue
            }
            guard replica.reconf == .none else { continue }
            let owner = LinkOwner.replica(master: name, name: replicaName)
            guard let link = links[owner], !link.disconnected else { continue }
            guard let target = promoted.flatMap({ master.replicas[$0] }).flatMap({ instances.lookup($0)?.address })
            else { continue }
            if sendSlaveOf(owner, to: announced(target)) {
                instances[replicaID].replica.reconf = .sent
                instances[replicaID].replica.slaveReconfSentTime = now
                emit(.notice, "+slave-reconf-sent", describe(replicaID), master: name)
                send(owner, ["INFO"], tag: .info)
                inProgress += 1
            }
        }
        // A coordinated failover ends only once both nodes confirmed the release (a lost one is
        // retried until then): +switch-master resets the run, and a release answered after it
        // would be dropped. failover-timeout still ends it.
        let releasePending = masterNamed(name)?.coordinated?.releasePending ?? false
        if !releasePending || master.failover?.phaseTimedOut(now: now, failoverTimeout: master.config.failoverTimeout) == true {
            checkFailoverEnd(name)
        }
        if masterNamed(name)?.failoverState == .reconfSlaves {
            requestWakeUp(at: now + timing.reconfPollPeriod)
        }
    }

    /// sentinelFailoverDetectEnd: the failover ends when every reachable replica is repointed, or
    /// after failover-timeout (then the rest get a best-effort SLAVEOF).
    private mutating func checkFailoverEnd(_ name: String) {
        guard let master = masterNamed(name), let run = master.failover, run.state == .reconfSlaves,
            let promotedName = run.promoted, let promoted = master.replicas[promotedName].map({ instances[$0] }),
            !promoted.sDown
        else { return }
        var notReconfigured = replicaInstances(of: master).filter {
            $0.name != promotedName && $0.replica.reconf != .done && !$0.sDown
        }.count
        var timedOut = false
        if run.phaseTimedOut(now: now, failoverTimeout: master.config.failoverTimeout) {
            notReconfigured = 0
            timedOut = true
            emit(.warning, "+failover-end-for-timeout", describe(masters[name]!), master: name)
        }
        guard notReconfigured == 0 else { return }
        emit(.warning, "+failover-end", describe(masters[name]!), master: name)
        modifyFailover(name) { [now] in $0.ended(now: now) }
        if timedOut {
            for (replicaName, replicaID) in master.replicas
            where replicaName != promotedName && instances[replicaID].replica.reconf == .none {
                let owner = LinkOwner.replica(master: name, name: replicaName)
                guard let link = links[owner], !link.disconnected else { continue }
                if sendSlaveOf(owner, to: announced(promoted.address)) {
                    instances[replicaID].replica.reconf = .sent
                    emit(.notice, "+slave-reconf-sent-be", describe(replicaID), master: name)
                }
            }
        }
    }

    /// sentinelFailoverSwitchToPromotedSlave: `+switch-master`, then the master is reset to the
    /// promoted replica's address and the new configuration is broadcast at once.
    mutating func switchToPromotedReplica(_ name: String) {
        guard let master = masterNamed(name), master.failoverState == .updateConfig else { return }
        let target =
            master.promotedReplica.flatMap { master.replicas[$0] }.flatMap { instances.lookup($0)?.address } ?? master.address
        let old = announced(master.address)
        let new = announced(target)
        emit(.warning, "+switch-master", "\(name) \(old.host) \(old.port) \(new.host) \(new.port)", master: name)
        endFailover(name, outcome: .succeeded)
        resetMasterAndChangeAddress(name, to: target)
        forceHellos(master: name)
    }

    /// sentinelAbortFailover (only before the promotion is confirmed): emits the abort `event`
    /// (`-failover-abort-*`), then back to no failover; the start time is kept so the next attempt
    /// waits 2 × failover-timeout.
    mutating func abortFailover(_ name: String, event: String) {
        guard let master = masterNamed(name), master.failoverState <= .waitPromotion else { return }
        emit(.warning, event, describe(masters[name]!), master: name)
        let code = event.hasPrefix(Self.abortEventPrefix) ? String(event.dropFirst(Self.abortEventPrefix.count)) : event
        if master.coordinated != nil { return abortCoordinated(name, reason: "failover aborted", code: code) }
        endFailover(name, outcome: .aborted(reason: code))
    }

    static let abortEventPrefix = "-failover-abort-"

    // MARK: - The summary

    /// Ends a failover (we are its leader, or were trying to be) with its summary: one `+failover-summary`
    /// event (logged at notice, published, no notification script) with the kind, epoch, leader,
    /// target, each phase's length, the write pause and the outcome; and the same for the
    /// metrics. redis-sentinel has no such line: its failover is only the sequence of events.
    ///
    /// `+failover-summary master mymaster 127.0.0.1 6379 kind=coordinated epoch=7 leader=<id>
    /// target=127.0.0.1:6380 outcome=ok total=31ms election=2ms hello-hold=1ms pause=1ms
    /// promotion=18ms peer-confirmation=2ms release=1ms reconfiguration=6ms write-pause=24ms`
    ///
    /// No run is left afterwards: call it where a failover ends, once.
    mutating func endFailover(_ name: String, outcome: FailoverSummary.Outcome) {
        guard let id = masters[name], let run = instances[id].master.failover else { return }
        // We lead it once elected (or forced); before that nobody is known to have won.
        let leader = run.state > .waitStart ? myID : nil
        let target = run.promoted.flatMap { instances[id].master.replicas[$0] }.flatMap { instances.lookup($0)?.address }
            .map { announced($0) }
        let summary = FailoverSummary(
            master: name, kind: run.timeline.kind, epoch: run.epoch, leader: leader,
            target: target.map { "\($0.host):\($0.port)" },
            phases: run.timeline.phases(endingAt: now).map { (name: $0.phase.rawValue, millis: $0.millis) },
            writePauseMillis: run.timeline.writePause(endingAt: now), totalMillis: max(0, now - run.timeline.started),
            outcome: outcome)
        emit(.notice, "+failover-summary", "\(describe(id)) \(summary.fields)", master: name)
        output.append(.observe(.failoverEnded(summary)))
        self[master: name].failover = nil
    }

    // MARK: - SLAVEOF

    /// sentinelSendSlaveOf: `MULTI; SLAVEOF host port|NO ONE; CONFIG REWRITE; CLIENT KILL TYPE
    /// normal; CLIENT KILL TYPE pubsub; EXEC`, every name through rename-command. Returns whether
    /// the transaction was queued (the link is up).
    ///
    /// Like Valkey 9's sentinelSendReplicaOf, an instance whose last INFO reports a server-side
    /// FAILOVER under way gets `FAILOVER ABORT` first in the same transaction: Redis refuses
    /// REPLICAOF while failing over ("REPLICAOF not allowed while failing over."), so a node stuck
    /// in someone else's FAILOVER could otherwise never be reconfigured.
    @discardableResult
    mutating func sendSlaveOf(_ owner: LinkOwner, to target: HostPort?) -> Bool {
        guard links[owner]?.cc.isUp == true else { return false }
        let slaveof = target.map { ["SLAVEOF", $0.host, "\($0.port)"] } ?? ["SLAVEOF", "NO", "ONE"]
        let abort: [[String]] = reportsServerFailover(owner) ? [["FAILOVER", "ABORT"]] : []
        for command in [["MULTI"]] + abort + [
            slaveof, ["CONFIG", "REWRITE"], ["CLIENT", "KILL", "TYPE", "normal"],
            ["CLIENT", "KILL", "TYPE", "pubsub"], ["EXEC"],
        ] {
            send(owner, command, tag: .reconfigure)
        }
        return true
    }

    /// Whether the last INFO of a master or replica reports a server-side FAILOVER under way.
    func reportsServerFailover(_ owner: LinkOwner) -> Bool {
        instanceID(of: owner).flatMap { readInstance($0) { $0.info?.inServerFailover } ?? nil } ?? false
    }

    /// Logs a failed step of a SLAVEOF transaction (the outcome itself is judged from INFO).
    mutating func reconfigureReply(_ owner: LinkOwner, _ value: RESPValue) {
        switch value {
        case .error(let text):
            output.append(.log(.warning, "Reconfiguration of \(describeOwner(owner)) failed: \(text)"))
        case .array(let replies):
            for case .error(let text) in replies {
                output.append(.log(.notice, "Reconfiguration of \(describeOwner(owner)): \(text)"))
            }
        default:
            break
        }
    }

    // MARK: - Waking up early

    /// Asks the runtime for an extra timer tick at `at` (coalesced with any earlier request), so a
    /// time-driven step (a poll, the start desync) is not held back to the next 50–100 ms tick.
    mutating func requestWakeUp(at: Millis) {
        let at = max(at, now)
        if let pending = nextWakeUp, pending > now, pending <= at { return }
        nextWakeUp = at
        // A deadline can be anything up to Int64.max (a CLIENT PAUSE, a pause from a peer).
        output.append(.wakeUp(afterMillis: min(at - now, Timing.maxWakeUpDelay)))
    }
}

/// SENTINEL SIMULATE-FAILURE flags.
enum SimulatedFailure {
    static let crashAfterElection = 1
    static let crashAfterPromotion = 2
}
