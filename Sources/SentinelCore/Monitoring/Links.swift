import DequeModule
import OrderedCollections
import RESP

/// Links to monitored instances and peers: connecting, handshakes, reply routing and the periodic
/// PING / INFO / hello sends (sentinel-behaviour §5).
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
        for name in masters.keys {
            handleInstance(.master(name))
            guard let (replicas, peers) = readMaster(name, { ($0.replicas.keys, $0.sentinels.keys) }) else { continue }
            for replica in replicas { handleInstance(.replica(master: name, name: replica)) }
            if !stillInTilt() {
                for replica in replicas { checkReplicaSDown(master: name, replica: replica) }
                for runID in peers { checkPeerSDown(master: name, peer: runID) }
                checkMasterSDown(name)
                checkObjectivelyDown(name)
                if startFailoverIfNeeded(name) { askMasterStateToOtherSentinels(name, forced: true) }
                failoverStateMachine(name)
                recoverStuckServerFailover(name)
                askMasterStateToOtherSentinels(name, forced: false)
            }
            finishOrphanedHandover(name)
            if readMaster(name, { $0.failoverState }) == .updateConfig { finished.append(name) }
        }
        sendPendingReleases()
        for runID in peerRunIDs() { handleInstance(.peer(runID: runID)) }
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

    mutating func handleInstance(_ owner: LinkOwner) {
        reconnect(owner)
        sendPeriodicCommands(owner)
    }

    mutating func reconnectAll() {
        for name in masters.keys {
            reconnect(.master(name))
            for replica in masters[name]!.replicas.keys { reconnect(.replica(master: name, name: replica)) }
        }
        for runID in peerRunIDs() { reconnect(.peer(runID: runID)) }
    }

    // MARK: - Addresses and rename-command

    /// The address an owner's link connects to.
    func address(of owner: LinkOwner) -> HostPort? {
        switch owner {
        case .master(let name): return readMaster(name) { $0.address }
        case .replica(let master, let name): return readMaster(master) { $0.withReplica(name) { $0.address } } ?? nil
        case .peer(let runID): return firstMaster { $0.withPeer(runID) { $0.address } }
        }
    }

    /// The master whose rename-command map and auth apply to this owner's link.
    func governingMaster(of owner: LinkOwner) -> MasterState? {
        switch owner {
        case .master(let name), .replica(let name, _): return masters[name]
        case .peer(let runID): return masters.values.first { $0.sentinels[runID] != nil }
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
        if readLink(owner, { $0.cc != nil && (!$0.needsPubSub || $0.pc != nil) }) == true { return }
        guard let address = address(of: owner), address.port != 0 else { return }
        if links[owner] == nil {
            if case .peer = owner { links[owner] = InstanceLink(needsPubSub: false, now: now) } else { return }
        }
        guard var link = links[owner] else { return }
        let needCC = link.cc == nil
        let needPC = link.needsPubSub && link.pc == nil
        guard needCC || needPC else { return }
        if !atOnce && link.lastReconnTime != 0 && now - link.lastReconnTime < timing.pingPeriod { return }
        link.lastReconnTime = now
        if needCC {
            // Redis queues a PING with every reconnect, so the SDOWN clock of an instance that
            // dropped its connection starts now at the latest: a reset (CLIENT KILL, a blip) never
            // makes a healthy instance look down for the time the reconnect was throttled.
            if link.actPingTime == 0 { link.actPingTime = now }
            let id = allocateLinkID()
            link.cc = Connection(id: id)
            connections[id] = (owner, false)
            output.append(.connect(id, host: address.host, port: address.port))
        }
        if needPC {
            let id = allocateLinkID()
            link.pc = Connection(id: id)
            connections[id] = (owner, true)
            output.append(.connect(id, host: address.host, port: address.port))
        }
        links[owner] = link
    }

    mutating func allocateLinkID() -> LinkID {
        defer { nextLinkID += 1 }
        return LinkID(nextLinkID)
    }

    /// The AUTH command for a link, if credentials are configured (sentinel-behaviour §10.3).
    func authCommand(for owner: LinkOwner) -> [String]? {
        switch owner {
        case .master, .replica:
            guard let master = governingMaster(of: owner), let pass = master.config.authPass else { return nil }
            if let user = master.config.authUser { return ["AUTH", user, pass] }
            return ["AUTH", pass]
        case .peer:
            if let pass = settings.sentinelPass {
                if let user = settings.sentinelUser { return ["AUTH", user, pass] }
                return ["AUTH", pass]
            }
            if let pass = settings.requirePass { return ["AUTH", pass] }
            return nil
        }
    }

    /// A connection came up: queue the handshake (AUTH, CLIENT SETNAME, then PING or SUBSCRIBE),
    /// and for command connections ask for INFO and say hello at once rather than on the next period.
    mutating func linkConnected(_ id: LinkID, localAddress: String?) {
        guard let (owner, pubsub) = connections[id], var link = links[owner] else { return }
        if pubsub {
            guard link.pc?.id == id else { return }
            link.pc?.connected = true
            link.pc?.connectedAt = now
            link.pc?.localAddress = localAddress
            link.pcLastActivity = now
            links[owner] = link
            if let auth = authCommand(for: owner) { send(owner, auth, tag: .auth, pubsub: true) }
            send(owner, ["CLIENT", "SETNAME", Wire.linkName(myID: myID, pubsub: true)], tag: .ignore, pubsub: true)
            send(owner, ["SUBSCRIBE", Wire.helloChannel], tag: .subscribe, pubsub: true)
            return
        }
        guard link.cc?.id == id else { return }
        link.cc?.connected = true
        link.cc?.connectedAt = now
        link.cc?.localAddress = localAddress
        link.cc?.pending = []
        links[owner] = link
        if let auth = authCommand(for: owner) { send(owner, auth, tag: .auth) }
        send(owner, ["CLIENT", "SETNAME", Wire.linkName(myID: myID, pubsub: false)], tag: .ignore)
        sendPing(owner)
        switch owner {
        case .master(let name):
            send(owner, ["INFO"], tag: .info)
            sendHello(owner)
            sendPermissionProbes(master: name)
        case .replica:
            send(owner, ["INFO"], tag: .info)
            sendHello(owner)
        case .peer(let runID):
            for name in masters.keys where masters[name]?.sentinels[runID] != nil {
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
    /// and connection (``InstanceLink/ccReopenedEarly``). Connections this sentinel closes itself
    /// (``dropConnection(_:owner:reason:)``) keep the throttle.
    mutating func connectionLost(_ id: LinkID, reason: String) {
        guard let (owner, pubsub) = connections[id], let link = links[owner] else { return }
        let connection = pubsub ? link.pc : link.cc
        let established = connection?.id == id && connection?.connected == true
        let lastEarly = pubsub ? link.pcReopenedEarly : link.ccReopenedEarly
        linkClosed(id, reason: reason)
        guard established, lastEarly == 0 || now - lastEarly >= timing.pingPeriod else { return }
        let now = self.now
        modifyLink(owner) { link in
            if pubsub { link.pcReopenedEarly = now } else { link.ccReopenedEarly = now }
        }
        reconnect(owner, atOnce: true)
    }

    /// A connection failed or closed. Timing fields are kept: the SDOWN clock keeps running.
    mutating func linkClosed(_ id: LinkID, reason: String) {
        guard let (owner, pubsub) = connections.removeValue(forKey: id) else { return }
        guard var link = links[owner] else { return }
        if pubsub, link.pc?.id == id {
            link.pc = nil
            emit(.debug, "-pubsub-link-reconnection", "\(describeOwner(owner)) #\(reason)")
        } else if !pubsub, link.cc?.id == id {
            link.cc = nil
            emit(.debug, "-cmd-link-reconnection", "\(describeOwner(owner)) #\(reason)")
        }
        links[owner] = link
    }

    /// Closes both connections of a link (instance reset, address change, credentials change).
    mutating func closeLink(_ owner: LinkOwner) {
        guard var link = links[owner] else { return }
        for connection in [link.cc, link.pc].compactMap({ $0 }) {
            connections.removeValue(forKey: connection.id)
            output.append(.closeLink(connection.id))
        }
        link.cc = nil
        link.pc = nil
        links[owner] = link
    }

    /// Queues one command on a link's command (or pub/sub) connection, remembering what the reply answers.
    mutating func send(_ owner: LinkOwner, _ words: [String], tag: ReplyTag, pubsub: Bool = false) {
        // In place: a copy of the link would make its pending queue shared, and the append copy it.
        let id: LinkID? = modifyLink(owner) { link in
            if pubsub {
                guard link.pc?.connected == true else { return nil }
                link.pc!.pending.append(tag)
                return link.pc!.id
            }
            guard link.cc?.connected == true else { return nil }
            link.cc!.pending.append(tag)
            return link.cc!.id
        } ?? nil
        guard let id else { return }
        output.append(.send(id, renamed(words, for: owner)))
    }

    /// Runs `body` on an owner's link, modified in place; nil if it has no link.
    @inline(__always)
    mutating func modifyLink<R>(_ owner: LinkOwner, _ body: (inout InstanceLink) -> R) -> R? {
        guard let index = links.index(forKey: owner) else { return nil }
        return body(&links.values[index])
    }

    /// Sends `REPLCONF GETACK *` to a replica so it acknowledges its replication offset to its
    /// master now rather than at its next once-a-second ACK, fenced by an `ECHO` whose answer keeps
    /// the reply accounting right whether GETACK answers nothing, `+OK`, or an error.
    mutating func promptReplicaAck(_ owner: LinkOwner) {
        guard var link = links[owner], let cc = link.cc, cc.connected else { return }
        if cc.pending.contains(where: { if case .ackFence = $0 { true } else { false } }) { return }
        if ackPromptRefused.contains(owner) { return }
        output.append(.send(cc.id, renamed(["REPLCONF", "GETACK", "*"], for: owner)))
        let nonce = "sentinel-ack-\(now)"
        link.cc?.pending.append(.ackFence(nonce, retried: false))
        links[owner] = link
        output.append(.send(cc.id, renamed(["ECHO", nonce], for: owner)))
    }

    // MARK: - Frames

    mutating func linkFrame(_ id: LinkID, _ value: RESPValue) {
        guard let (owner, pubsub) = connections[id] else { return }
        let now = self.now
        if pubsub {
            // The link is changed in place: a copy would make its pending queue shared, and the pop copy it.
            let popped: ReplyTag?? = modifyLink(owner) { link in
                guard link.pc?.id == id else { return nil }
                link.pcLastActivity = now
                return .some(link.pc?.pending.popFirst())
            } ?? nil
            guard let popped else { return }
            if let tag = popped {
                // Handshake replies (AUTH, SETNAME, the SUBSCRIBE confirmation) come first, in order.
                if tag == .subscribe, case .error(let text) = value {
                    // hiredis closes a pub/sub connection whose SUBSCRIBE fails (e.g. -NOAUTH).
                    if Self.isAuthFailure(text) || text.hasPrefix("NOPERM") {
                        noteAuthFailure(owner, text, command: "SUBSCRIBE \(Wire.helloChannel)")
                    }
                    dropConnection(id, owner: owner, reason: "SUBSCRIBE failed: \(text)")
                } else if tag == .subscribe {
                    noteAuthWorks(owner, permissionToo: true)
                } else if tag == .auth {
                    authReply(owner, value)
                }
                return
            }
            if let elements = value.elements, elements.count == 3, elements[0].string == "message",
                let payload = elements[2].string
            {
                processHello(payload, from: owner)
            } else if case .error(let text) = value {
                dropConnection(id, owner: owner, reason: text)
            }
            return
        }
        let popped: ReplyTag?? = modifyLink(owner) { link in
            guard link.cc?.id == id else { return nil }
            return .some(link.cc?.pending.popFirst())
        } ?? nil
        guard let popped else { return }
        guard let tag = popped else {
            // An error with no request waiting (e.g. "max number of clients reached"): hiredis closes.
            if case .error = value { dropConnection(id, owner: owner, reason: value.errorText) }
            return
        }
        switch tag {
        case .ignore, .subscribe:
            break
        case .auth:
            authReply(owner, value)
        case .ping:
            pingReply(owner, value)
        case .info:
            if let text = value.string { infoReply(owner, text) }
        case .publishHello:
            modifyLink(owner) { $0.cc?.helloSentAt = 0 }
            if case .master(let name) = owner { helloPublishAnswered(master: name) }
            if case .error = value { break }
            switch owner {
            case .master(let name): masters[name]?.state.lastPubTime = now
            case .replica(let master, let name): masters[master]?.replicas[name]?.state.lastPubTime = now
            case .peer: break
            }
        case .helloToPeer(let master):
            if case .error = value { break }
            if case .peer(let runID) = owner { masters[master]?.sentinels[runID]?.lastPubTime = now }
        case .isMasterDown(let master):
            if case .peer(let runID) = owner { isMasterDownReply(master: master, peer: runID, value) }
        case .reconfigure:
            reconfigureReply(owner, value)
        case .transaction(let kind, let master, let step, let last):
            transactionReply(kind, master: master, step: step, last: last, value)
        case .coordinatedNotice(let master):
            if case .peer(let runID) = owner { coordinatedNoticeReply(master: master, peer: runID) }
        case .confirmAddress(let master):
            if case .peer(let runID) = owner { confirmAddressReply(master: master, peer: runID, value) }
        case .permissionProbe(let master, let command):
            permissionProbeReply(master: master, command: command, value)
        case .stuckFailoverAbort(let master):
            stuckFailoverAbortReply(master: master, value)
        case .ackFence(let nonce, let retried):
            guard value.string != nonce else { break }
            if !retried {
                // That was GETACK's own answer; the ECHO's comes next.
                links[owner]?.cc?.pending.prepend(.ackFence(nonce, retried: true))
            } else if let cc = links[owner]?.cc {
                // Neither frame was the nonce (ECHO refused?): the accounting cannot be trusted,
                // so start the connection afresh.
                ackPromptRefused.insert(owner)
                dropConnection(cc.id, owner: owner, reason: "unexpected reply to the GETACK fence")
            }
        }
    }

    /// Closes one connection ourselves, as hiredis does on a fatal reply.
    mutating func dropConnection(_ id: LinkID, owner: LinkOwner, reason: String) {
        output.append(.closeLink(id))
        linkClosed(id, reason: reason)
    }

    /// PING reply (sentinelPingReplyCallback): PONG, LOADING and MASTERDOWN count as available.
    mutating func pingReply(_ owner: LinkOwner, _ value: RESPValue) {
        var acceptable = false
        switch value {
        case .simpleString(let s): acceptable = s.hasPrefix("PONG")
        case .error(let e): acceptable = e.hasPrefix("LOADING") || e.hasPrefix("MASTERDOWN")
        default: break
        }
        let now = self.now
        let answered: (authFailed: Bool, silence: Millis)? = modifyLink(owner) { link in
            let silence = link.actPingTime == 0 ? 0 : now - link.actPingTime
            if acceptable {
                link.lastAvailTime = now
                link.actPingTime = 0
            }
            link.lastPongTime = now
            return (link.authFailure != nil, silence)
        }
        guard let (authFailed, silence) = answered else { return }
        // Back after a silence: its role may have changed (StaleMaster.swift).
        if acceptable { instanceAnsweredAfterSilence(owner, silence: silence) }
        // -NOAUTH is not "alive" (above) and says why: logged once (LinkAuth.swift).
        if case .error(let text) = value, Self.isAuthFailure(text) {
            noteAuthFailure(owner, text, command: "PING")
        } else if acceptable, authFailed {
            noteAuthWorks(owner)
        }
        // The first real PONG after a reboot ends the master-reboot window (written only when set:
        // every PONG of every master comes here).
        if case .master(let name) = owner, case .simpleString(let s) = value, s.hasPrefix("PONG"),
            readMaster(name, { $0.masterReboot }) == true
        {
            modifyMaster(name) { $0.masterReboot = false }
        }
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
            let (pendingCommands, infoPending, lastPong, lastPing) = readLink(owner, { link in
                link.awaitingReconnect || link.cc?.connected != true
                    ? nil : (link.pendingCommands, link.cc?.pending.contains(.info) ?? false, link.lastPongTime, link.lastPingTime)
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
        let downAfter: Int64
        switch owner {
        case .master(let name):
            guard
                let (masterDownAfter, infoRefresh, inServerFailover) = readMaster(
                    name, { ($0.config.downAfterMilliseconds, $0.state.infoRefresh, $0.state.inServerFailover) })
            else { return }
            downAfter = masterDownAfter
            // A master in a server-side FAILOVER is watched every second (it may be stuck).
            let infoPeriod = inServerFailover ? timing.serverFailoverInfoPeriod : timing.infoPeriod
            // After a stalled hello, one INFO at a time until it answers.
            if infoRefresh == 0 || now - infoRefresh > infoPeriod || (!infoPending && helloStallUnresolved(owner)) {
                send(owner, ["INFO"], tag: .info)
            }
        case .replica(let masterName, let name):
            let found = readMaster(masterName) { master in
                // The master's fields are taken before the replica is looked at: a closure that
                // captured `master` would make the lookup copy the whole master.
                let downAfter = master.config.downAfterMilliseconds
                let failoverInProgress = master.failoverInProgress
                let waitPromotion = master.failoverState == .waitPromotion
                let promoted = waitPromotion ? master.promotedReplica : nil
                let oDown = master.oDown
                return master.withReplica(name) { replica in
                    (
                        downAfter,
                        Self.infoPeriod(
                            of: replica, failoverInProgress: failoverInProgress,
                            promotionTarget: waitPromotion && replica.name == promoted,
                            oDown: oDown, timing: timing),
                        replica.state.infoRefresh
                    )
                }
            }
            guard let (replicaDownAfter, period, infoRefresh) = found ?? nil else { return }
            downAfter = replicaDownAfter
            // Fast polls never stack INFOs; the regular period re-sends as Redis does.
            let due = infoRefresh == 0 || now - infoRefresh > period || (!infoPending && helloStallUnresolved(owner))
            if due && !(period < 1_000 && infoPending) {
                send(owner, ["INFO"], tag: .info)
            }
        case .peer:
            downAfter = peerDownAfter ?? timing.defaultDownAfter
        }
        let pingPeriod = min(downAfter, timing.pingPeriod)
        if now - lastPong > pingPeriod, now - lastPing > pingPeriod / 2 {
            sendPing(owner)
        }
        switch owner {
        case .master(let name):
            if let lastPub = readMaster(name, { $0.state.lastPubTime }), now - lastPub > timing.publishPeriod {
                sendHello(owner)
            }
        case .replica(let master, let name):
            if let lastPub = readMaster(master, { $0.withReplica(name) { $0.state.lastPubTime } }) ?? nil,
                now - lastPub > timing.publishPeriod
            {
                sendHello(owner)
            }
        case .peer(let runID):
            // Collected first (sending changes no master), so no master is copied to look.
            var due: [String] = []
            forEachMaster { master in
                if let lastPub = master.withPeer(runID, { $0.lastPubTime }), now - lastPub > timing.publishPeriod {
                    due.append(master.name)
                }
            }
            for name in due { sendHelloToPeer(runID, master: name) }
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

    /// sentinelSendPing: starts the SDOWN clock if no PING is outstanding.
    mutating func sendPing(_ owner: LinkOwner) {
        let now = self.now
        let connected = modifyLink(owner) { link in
            guard link.cc?.connected == true else { return false }
            if link.actPingTime == 0 { link.actPingTime = now }
            link.lastPingTime = now
            return true
        }
        guard connected == true else { return }
        send(owner, ["PING"], tag: .ping)
    }
}

extension RESPValue {
    /// The text of an error reply, else "".
    var errorText: String {
        if case .error(let e) = self { return e }
        return ""
    }
}
