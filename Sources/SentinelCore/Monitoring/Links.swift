import DequeModule
import OrderedCollections
import RESP

/// Links to monitored instances and peers, the part that needs the masters: the timer, addresses,
/// handshakes and the periodic PING / INFO / hello sends (sentinel-behaviour §5). The links' own
/// state and transitions are the link machine (``LinkTable``, Monitoring/Link/); what each reply
/// means is in LinkReplies.swift.
extension Sentinel {
    // MARK: - Timer

    /// One timer tick (Redis's sentinelTimer → sentinelHandleDictOfRedisInstances): check TILT,
    /// then for every master, its replicas and its sentinels: reconnect, send what is due, and
    /// (outside TILT) detect failures and drive failovers; finally switch the masters whose
    /// failover finished.
    mutating func timer() {
        if let wake = nextWakeUp, wake <= now { nextWakeUp = nil }
        checkClientPauseTimeout()
        checkTiltCondition()
        var finished: [String] = []
        for (name, id) in masters {
            handleLink(.master(name))
            guard instances.contains(id) else { continue }
            let (replicas, peers) = (instances[id].master.replicas, instances[id].master.sentinels)
            for replica in replicas.keys { handleLink(.replica(master: name, name: replica)) }
            if !stillInTilt() {
                for (replica, replicaID) in replicas {
                    checkSubjectivelyDown(replicaID, link: .replica(master: name, name: replica), master: name)
                }
                for (runID, peerID) in peers { checkSubjectivelyDown(peerID, link: .peer(runID: runID), master: name) }
                checkSubjectivelyDown(id, link: .master(name), master: name)
                checkObjectivelyDown(name)
                if startFailoverIfNeeded(name) { askMasterStateToOtherSentinels(name, forced: true) }
                failoverStateMachine(name)
                recoverStuckServerFailover(name)
                askMasterStateToOtherSentinels(name, forced: false)
            }
            finishOrphanedHandover(name)
            if instances.contains(id), instances[id].master.failoverState == .updateConfig { finished.append(name) }
        }
        sendPendingReleases()
        for runID in peerRunIDs() { handleLink(.peer(runID: runID)) }
        for name in finished { switchToPromotedReplica(name) }
        scriptsTimer()
    }

    /// Every distinct peer runid across all masters (each is one shared link).
    /// In first-seen order. Runs every tick: while there are few peers (the usual case, the same
    /// few under every master) they are compared with the ones found so far, which costs less than
    /// hashing each 40-character runid once per master; a set takes over beyond a handful.
    func peerRunIDs() -> [String] {
        var seen: Set<String>? = nil
        var result: [String] = []
        forEachMaster { master in
            for runID in master.sentinels.keys {
                if seen == nil {
                    if result.contains(runID) { continue }
                    result.append(runID)
                    if result.count > 8 { seen = Set(result) }
                } else if seen!.insert(runID).inserted {
                    result.append(runID)
                }
            }
        }
        return result
    }

    /// Reconnects a link and sends what is due on it (sentinelHandleRedisInstance's link part; a
    /// peer's link, shared by its instances under several masters, once per tick).
    mutating func handleLink(_ owner: LinkOwner) {
        reconnect(owner)
        sendPeriodicCommands(owner)
    }

    mutating func reconnectAll() {
        for name in masters.keys {
            reconnect(.master(name))
            for replica in self[master: name].replicas.keys { reconnect(.replica(master: name, name: replica)) }
        }
        for runID in peerRunIDs() { reconnect(.peer(runID: runID)) }
    }

    // MARK: - Addresses and rename-command

    /// The link an instance uses (a peer's is shared with the same runid under other masters), and
    /// the name of the master the instance is or belongs to.
    func linkOwner(of id: InstanceID) -> (owner: LinkOwner, master: String)? {
        guard instances.contains(id) else { return nil }
        let name = instances[id].name
        guard let masterID = instances[id].masterID else { return (.master(name), name) }
        guard instances.contains(masterID) else { return nil }
        let master = instances[masterID].name
        switch instances[id].kind {
        case .master: return (.master(name), name)
        case .replica: return (.replica(master: master, name: name), master)
        case .sentinel: return (.peer(runID: name), master)
        }
    }

    /// The instance a link belongs to (for a peer's shared link, the peer under the first master
    /// that knows it).
    func instanceID(of owner: LinkOwner) -> InstanceID? {
        switch owner {
        case .master(let name): masters[name]
        case .replica(let master, let name): replicaID(name, of: master)
        case .peer(let runID): firstMaster { $0.sentinels[runID] }
        }
    }

    /// The address an owner's link connects to.
    func address(of owner: LinkOwner) -> HostPort? {
        instanceID(of: owner).flatMap { readInstance($0) { $0.address } }
    }

    /// The master whose rename-command map and auth apply to this owner's link.
    func governingMaster(of owner: LinkOwner) -> MasterState? {
        switch owner {
        case .master(let name), .replica(let name, _): return masterNamed(name)
        case .peer(let runID): return firstMaster { $0.sentinels[runID] != nil ? $0 : nil }
        }
    }

    /// The `rename-command` map of the master governing this owner's link (empty if none).
    func renamedCommands(of owner: LinkOwner) -> [RenamedCommand] {
        switch owner {
        case .master(let name), .replica(let name, _): return readMaster(name) { $0.config.renamedCommands } ?? []
        case .peer(let runID):
            return firstMaster { $0.sentinels.index(forKey: runID) != nil ? $0.config.renamedCommands : nil } ?? []
        }
    }

    /// Applies the master's `rename-command` map to a command's name (every command Sentinel sends).
    func renamed(_ words: [String], for owner: LinkOwner) -> [String] {
        guard let first = words.first else { return words }
        let renames = renamedCommands(of: owner)
        // Nearly always empty: no lowercasing or search then.
        guard !renames.isEmpty else { return words }
        let key = first.lowercased()
        guard let mapping = renames.first(where: { $0.command == key }) else { return words }
        return [mapping.renamed] + words.dropFirst()
    }

    // MARK: - Connecting

    /// Opens the missing connections of a link, at most once per ping period (sentinelReconnectInstance);
    /// `atOnce` skips that wait (``connectionLost(_:reason:)``).
    mutating func reconnect(_ owner: LinkOwner, atOnce: Bool = false) {
        // Both connections present (the usual case): nothing to do, whatever the address.
        if readLink(owner, { !$0.awaitingReconnect }) == true { return }
        guard let address = address(of: owner), address.port != 0 else { return }
        for action in links.reconnect(owner, to: address, now: now, pingPeriod: timing.pingPeriod, atOnce: atOnce) {
            perform(action, for: owner)
        }
    }

    /// Carries out what the link machine asks for, as core actions; what is sent goes through
    /// the governing master's `rename-command` map.
    mutating func perform(_ action: LinkAction, for owner: LinkOwner) {
        switch action {
        case .connect(let id, let address, _): output.append(.connect(id, host: address.host, port: address.port))
        case .send(let id, let words): output.append(.send(id, renamed(words, for: owner)))
        case .close(let id): output.append(.closeLink(id))
        }
    }

    /// A connection came up: queue the handshake (AUTH, CLIENT SETNAME, then PING or SUBSCRIBE),
    /// and for command connections ask for INFO and say hello at once rather than on the next period.
    mutating func linkConnected(_ id: LinkID, localAddress: String?) {
        let grace = links.owner(of: id).map { connectionDownAfter($0.owner) } ?? 0
        guard let (owner, pubsub) = links.connected(id, localAddress: localAddress, now: now, clockGrace: grace)
        else { return }
        if pubsub {
            if let auth = authCommand(for: owner) { send(owner, auth, tag: .auth, pubsub: true) }
            send(owner, ["CLIENT", "SETNAME", Wire.linkName(myID: myID, pubsub: true)], tag: .ignore, pubsub: true)
            send(owner, ["SUBSCRIBE", Wire.helloChannel], tag: .subscribe, pubsub: true)
            return
        }
        if let auth = authCommand(for: owner) { send(owner, auth, tag: .auth) }
        send(owner, ["CLIENT", "SETNAME", Wire.linkName(myID: myID, pubsub: false)], tag: .ignore)
        sendPing(owner)
        switch owner {
        case .master(let name):
            send(owner, ["INFO"], tag: .info)
            if let id = instanceID(of: owner) { sendHello(id) }
            sendPermissionProbes(master: name)
        case .replica:
            send(owner, ["INFO"], tag: .info)
            if let id = instanceID(of: owner) { sendHello(id) }
        case .peer(let runID):
            for name in masters.keys where peerID(runID, of: name) != nil {
                sendHelloToPeer(runID, master: name)
            }
        }
    }

    /// The runtime reports a connection closed (a failed connect, or the other end or the network
    /// closed it). A connection that was established and is closed by the instance (a `CLIENT
    /// KILL TYPE normal|pubsub`, as in every reconfiguration transaction and in a coordinated
    /// failover's release) is reopened at once instead of up to a ping period later. Redis waits
    /// the ping period since the last reconnect, and the unanswered PING of a killed connection
    /// keeps the SDOWN clock running meanwhile: a link opened at a `+switch-master` and killed
    /// before its first PONG reached down-after (1000 ms) just as its reconnect came due, and
    /// the peers flagged the new master `+sdown`/`+odown` about a second after the switch. An
    /// instance that is really gone refuses the early reconnect, and its SDOWN clock runs from
    /// that attempt, as it did from the next tick's reconnect of a link older than a ping period;
    /// one accepting and closing every connection is reopened early at most once per ping period
    /// and connection (``LinkTable/lost(_:now:pingPeriod:)``). Connections this sentinel closes
    /// itself (``dropConnection(_:owner:reason:)``) keep the throttle.
    mutating func connectionLost(_ id: LinkID, reason: String) {
        guard let (closed, reopen) = links.lost(id, now: now, pingPeriod: timing.pingPeriod) else { return }
        noteClosed(closed, reason: reason)
        if reopen { reconnect(closed.owner, atOnce: true) }
    }

    /// A connection failed or closed. Timing fields are kept: the SDOWN clock keeps running.
    mutating func linkClosed(_ id: LinkID, reason: String) {
        if let closed = links.closed(id) { noteClosed(closed, reason: reason) }
    }

    /// The debug event of a link's current connection closing.
    private mutating func noteClosed(_ closed: ClosedConnection, reason: String) {
        let event = closed.pubsub ? "-pubsub-link-reconnection" : "-cmd-link-reconnection"
        emit(.debug, event, "\(describeOwner(closed.owner)) #\(reason)")
    }

    /// Closes one connection ourselves, as hiredis does on a fatal reply.
    mutating func dropConnection(_ id: LinkID, owner: LinkOwner, reason: String) {
        output.append(.closeLink(id))
        linkClosed(id, reason: reason)
    }

    /// Closes both connections of a link (instance reset, address change, credentials change).
    mutating func closeLink(_ owner: LinkOwner) {
        for action in links.close(owner) { perform(action, for: owner) }
    }

    /// Queues one command on a link's command (or pub/sub) connection, remembering what the reply answers.
    mutating func send(_ owner: LinkOwner, _ words: [String], tag: ReplyTag, pubsub: Bool = false) {
        if let action = links.send(words, tag: tag, on: owner, pubsub: pubsub) { perform(action, for: owner) }
    }

    /// Runs `body` on an owner's link, modified in place; nil if it has no link.
    @inline(__always) @discardableResult
    mutating func modifyLink<R>(_ owner: LinkOwner, _ body: (inout InstanceLink) -> R) -> R? {
        links.modify(owner, body)
    }

    /// Sends `REPLCONF GETACK *` to a replica so it acknowledges its replication offset to its
    /// master now rather than at its next once-a-second ACK, fenced by an `ECHO` whose answer keeps
    /// the reply accounting right whether GETACK answers nothing, `+OK`, or an error.
    mutating func promptReplicaAck(_ owner: LinkOwner) {
        for action in links.promptAck(owner, nonce: "sentinel-ack-\(now)") { perform(action, for: owner) }
    }

    // MARK: - Periodic commands

    /// Sends PING, INFO and hello when due (sentinelSendPeriodicCommands), unless the link is down
    /// or has too many commands pending. "Down" is Redis's `link->disconnected`: a needed
    /// connection is missing and not being reopened (``InstanceLink/awaitingReconnect``); a
    /// pub/sub connection that is being reopened does not hold back the commands on the working
    /// command connection. So a master whose SUBSCRIBE is refused (an ACL user without
    /// +subscribe: the pub/sub connection is closed and reopened every second) still gets its
    /// PING about once a second, in the tick that reopens the pub/sub connection, and is not
    /// SDOWN (redis-sentinel 7.0.15 alike; AuthTests.subscribeDenied).
    mutating func sendPeriodicCommands(_ owner: LinkOwner) {
        // The link's fields are read once: sending INFO below changes only its pending queue,
        // which is read here before that send, as before.
        guard
            let (pendingCommands, infoPending, lastPong, lastPing) = readLink(owner, { link -> (Int, Bool, Millis, Millis)? in
                guard !link.awaitingReconnect, case .up(let cc) = link.cc else { return nil }
                return (cc.pending.count, cc.pending.contains(.info), link.lastPongTime, link.lastPingTime)
            }) ?? nil
        else { return }
        // Closures below capture these locals, not `self` (which would copy the whole Sentinel).
        let now = self.now
        let timing = self.timing
        // Masters are read in place (no MasterState copies): this runs every tick for every link.
        var peerDownAfter: Int64? = nil
        var refcount = 1
        if case .peer(let runID) = owner {
            (refcount, peerDownAfter) = peerSharing(runID)
        }
        guard pendingCommands < Timing.maxPendingCommands * refcount else { return }
        // What the link's instance needs: the down-after governing its PINGs, and, for a master
        // or replica, how often it gets INFO.
        var downAfter = peerDownAfter ?? timing.defaultDownAfter
        var infoDue = false
        var fastPoll = false
        let instance: InstanceID?
        if case .peer = owner {
            instance = nil
        } else if let (id, instanceDownAfter, period, infoRefresh) = infoSchedule(of: owner, timing: timing) {
            instance = id
            downAfter = instanceDownAfter
            // After a stalled hello, one INFO at a time until it answers.
            infoDue = infoRefresh == 0 || now - infoRefresh > period || (!infoPending && helloStallUnresolved(owner))
            // A replica polled fast while it is promoted or repointed.
            if case .replica = owner { fastPoll = period < 1_000 }
        } else {
            return
        }
        // Fast polls never stack INFOs; the regular period re-sends as Redis does.
        if infoDue && !(fastPoll && infoPending) {
            send(owner, ["INFO"], tag: .info)
        }
        let pingPeriod = min(downAfter, timing.pingPeriod)
        if now - lastPong > pingPeriod, now - lastPing > pingPeriod / 2 {
            sendPing(owner)
        }
        // Hellos: to a master or replica, and to a peer once for each master it shares.
        // Collected first (sending changes no instance), so nothing is copied to look.
        var due: [InstanceID] = []
        switch owner {
        case .master, .replica:
            if let id = instance, instances.contains(id), now - instances[id].lastPubTime > timing.publishPeriod {
                due.append(id)
            }
        case .peer(let runID):
            for masterID in masters.values {
                guard instances.contains(masterID), let id = instances[masterID].master.sentinels[runID],
                    instances.contains(id), now - instances[id].lastPubTime > timing.publishPeriod
                else { continue }
                due.append(id)
            }
        }
        for id in due { sendHello(id) }
    }

    /// A master's or replica's id, its down-after, its INFO period now, and when its last INFO
    /// came; nil for a peer. Read in place; no closure captures an instance (that would copy it).
    func infoSchedule(
        of owner: LinkOwner, timing: Timing
    ) -> (id: InstanceID, downAfter: Int64, period: Int64, infoRefresh: Millis)? {
        // Field by field through the table's in-place accessors: nothing is copied.
        switch owner {
        case .master(let name):
            guard let id = masters[name] else { return nil }
            // A master in a server-side FAILOVER is watched every second (it may be stuck).
            let period =
                instances[id].master.state.inServerFailover ? timing.serverFailoverInfoPeriod : timing.infoPeriod
            return (
                id, instances[id].master.config.downAfterMilliseconds, period, instances[id].master.state.infoRefresh
            )
        case .replica(let masterName, let name):
            guard let masterID = masters[masterName], let id = instances[masterID].master.replicas[name] else { return nil }
            let waitPromotion = instances[masterID].master.failoverState == .waitPromotion
            let period = Self.infoPeriod(
                of: instances[id].replica, failoverInProgress: instances[masterID].master.failoverInProgress,
                promotionTarget: waitPromotion && instances[masterID].master.promotedReplica == name,
                oDown: instances[masterID].master.oDown, timing: timing)
            return (id, instances[masterID].master.config.downAfterMilliseconds, period, instances[id].replica.state.infoRefresh)
        case .peer:
            return nil
        }
    }

    /// How often a replica gets INFO: every few tens of ms while it is being promoted, every
    /// 100 ms while it is being repointed, every second while its master is ODOWN or failing over
    /// or its replication link is down (Redis), or while it claims to be a master; else the INFO period.
    /// Takes the master's fields it reads, not the master (`promotionTarget`: this replica is the
    /// one being promoted and the failover waits for the promotion).
    static func infoPeriod(
        of replica: ReplicaState, failoverInProgress: Bool, promotionTarget: Bool, oDown: Bool, timing: Timing
    ) -> Int64 {
        if failoverInProgress {
            if promotionTarget { return timing.promotionPollPeriod }
            if replica.reconf == .sent || replica.reconf == .inProgress { return timing.reconfPollPeriod }
        }
        if oDown || failoverInProgress || replica.masterLinkDownTime != 0 { return 1_000 }
        // A replica that claims to be a master (an old master back) is converted 8 s after the
        // claim was seen unless it is provably stale (StaleMaster.swift); polling it every second
        // keeps that wait from stretching to 18 s.
        if replica.state.roleReported == .master { return 1_000 }
        return timing.infoPeriod
    }

    /// Number of masters sharing a link (`link-refcount`): 1 for masters and replicas.
    func refcount(of owner: LinkOwner) -> Int {
        guard case .peer(let runID) = owner else { return 1 }
        return peerSharing(runID).refcount
    }

    /// A peer's link: how many masters share it (at least 1), and the smallest
    /// down-after-milliseconds among them (nil if none), in one pass over the masters, read in place.
    func peerSharing(_ runID: String) -> (refcount: Int, downAfter: Int64?) {
        var sharing = 0
        var downAfter: Int64? = nil
        forEachMaster { master in
            guard master.sentinels.index(forKey: runID) != nil else { return }
            sharing += 1
            downAfter = min(downAfter ?? .max, master.config.downAfterMilliseconds)
        }
        return (max(1, sharing), downAfter)
    }

    /// The down-after that governs `owner`'s link: its master's; for a peer's shared link, the
    /// shortest of the masters it is known for (``peerSharing(_:)``).
    func connectionDownAfter(_ owner: LinkOwner) -> Int64 {
        switch owner {
        case .master(let name), .replica(master: let name, name: _):
            guard let id = masters[name], instances.contains(id) else { return 0 }
            return instances[id].master.config.downAfterMilliseconds
        case .peer(let runID):
            return peerSharing(runID).downAfter ?? timing.defaultDownAfter
        }
    }

    /// sentinelSendPing: starts the SDOWN clock if no PING is outstanding.
    mutating func sendPing(_ owner: LinkOwner) {
        if let action = links.ping(owner, now: now) { perform(action, for: owner) }
    }
}
