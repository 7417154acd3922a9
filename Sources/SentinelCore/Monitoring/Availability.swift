import DequeModule
import OrderedCollections
import RESP

/// Failure detection: SDOWN for every instance kind, ODOWN for masters, and asking the peers
/// whether they agree (sentinel-behaviour §7.1–7.2).
extension Sentinel {
    // MARK: - SDOWN

    /// A hello PUBLISH unanswered for longer than this (down-after / 2, at least 100 ms) means
    /// the instance is probably write-paused (a FAILOVER someone started, or CLIENT PAUSE): the
    /// PUBLISH blocks, and so does every PING and INFO behind it on the connection. Half of
    /// down-after, as Redis's own check of a command connection with a PING pending: the PINGs
    /// behind the PUBLISH were sent after it, so the new connection's PING is answered before any
    /// of them is down-after old; a shorter limit would only reconnect more often on a lossy
    /// network, where a segment retransmitted twice already takes 600 ms.
    static func helloStallLimit(downAfter: Int64) -> Int64 { max(downAfter / 2, 100) }

    /// Closes the command connection of a master or replica whose hello PUBLISH has stayed
    /// unanswered for ``helloStallLimit(downAfter:)``, and holds hellos to it until an INFO on the
    /// new connection tells whether it is in a server-side FAILOVER. Redis and Valkey leave such a
    /// connection blocked, so the PINGs behind it go unanswered and the instance is called down
    /// after down-after although it answers everyone else; this sentinel reconnects (the new
    /// connection's PING is answered well within down-after) and finds out why. Returns whether
    /// it closed the connection.
    ///
    /// Only a connection that answered something since it came up can be stalled by a pause: a
    /// write-paused server still answers the AUTH, PING and INFO sent before the PUBLISH. One that
    /// answered nothing yet is slow, not paused (a sentinel of 1,000 masters starting beside 2,000
    /// busy servers, bench/run's scale point), and reopening it only added a reconnect storm;
    /// the PING and SDOWN rules judge it as they judge any slow instance.
    mutating func closeStalledHelloConnection(_ owner: LinkOwner, downAfter: Int64) -> Bool {
        if case .peer = owner { return false }
        let now = self.now
        let limit = Self.helloStallLimit(downAfter: downAfter)
        guard
            let (id, sentAt) = readLink(owner, { link -> (LinkID, Millis)? in
                guard case .up(let cc) = link.cc, cc.helloSentAt != 0, now - cc.helloSentAt > limit,
                    cc.answered
                else { return nil }
                return (cc.id, cc.helloSentAt)
            }) ?? nil
        else { return false }
        modifyLink(owner) { $0.helloStalledAt = now }
        let reason = "hello PUBLISH unanswered for \(now - sentAt) ms (writes paused?)"
        output.append(.log(.notice, "\(describeOwner(owner)): \(reason); reconnecting, no hello before its next INFO"))
        dropConnection(id, owner: owner, reason: reason)
        return true
    }

    /// Whether hellos to a master or replica wait for an INFO after a stalled hello
    /// (``closeStalledHelloConnection(_:downAfter:)``): none arrived since.
    func helloStallUnresolved(_ owner: LinkOwner) -> Bool {
        if case .peer = owner { return false }
        guard let stalledAt = links[owner]?.helloStalledAt, stalledAt != 0 else { return false }
        let infoRefresh = instanceID(of: owner).flatMap { readInstance($0) { $0.info?.infoRefresh } ?? nil }
        return (infoRefresh ?? 0) <= stalledAt
    }

    /// How long the instance has been silent, as Sentinel measures it: since the first unanswered
    /// PING, or since it was last available while a connection is missing and not yet being
    /// reopened; 0 otherwise, and 0 while the link's first command connection is being opened
    /// (``InstanceLink/judged``).
    static func silence(of link: InstanceLink, now: Millis) -> Millis {
        guard link.judged else { return 0 }
        if link.actPingTime != 0 { return now - link.actPingTime }
        if link.awaitingReconnect { return now - link.lastAvailTime }
        return 0
    }

    /// Closes a command connection that stopped answering PINGs, or a pub/sub connection that went
    /// silent, so a half-dead TCP connection cannot hide a dead instance (the forced reconnects).
    /// Returns the link's ``silence(of:now:)`` afterwards, nil if there is no link; the link is read
    /// in place (this runs every tick for every instance).
    mutating func checkLinkHealth(_ owner: LinkOwner, downAfter: Int64) -> Millis? {
        let now = self.now
        let minAge = timing.minLinkReconnectPeriod
        let pubsubSilence = timing.publishPeriod.saturatingMultiplied(by: 3)
        guard
            let (deadCC, silentPC, silence) = readLink(owner, { link in
                var deadCC: LinkID? = nil
                if case .up(let cc) = link.cc, now - cc.connectedAt > minAge,
                    link.actPingTime != 0, now - link.actPingTime > downAfter / 2, now - link.lastPongTime > downAfter / 2
                {
                    deadCC = cc.id
                }
                // Closing the command connection leaves the pub/sub one and its activity time as they were.
                var silentPC: LinkID? = nil
                if case .up(let pc) = link.pc, now - pc.connectedAt > minAge, now - pc.lastActivity > pubsubSilence {
                    silentPC = pc.id
                }
                return (deadCC, silentPC, Self.silence(of: link, now: now))
            })
        else { return nil }
        if deadCC == nil && silentPC == nil {
            if closeStalledHelloConnection(owner, downAfter: downAfter) {
                return readLink(owner) { Self.silence(of: $0, now: now) }
            }
            return silence
        }
        if let id = deadCC {
            let actPingTime = readLink(owner) { $0.actPingTime } ?? 0
            dropConnection(id, owner: owner, reason: "no PING reply for \(now - actPingTime) ms")
        }
        if let id = silentPC { dropConnection(id, owner: owner, reason: "pub/sub connection silent") }
        return readLink(owner) { Self.silence(of: $0, now: now) }
    }

    /// sentinelCheckSubjectivelyDown, for a master, a replica or a peer alike: down once no valid
    /// PING reply came for longer than the master's down-after-milliseconds on its link (`owner`;
    /// a peer's link is shared, its silence is the link's); a master also by the two rules only a
    /// master has (below). A master going down asks the peers at once instead of at the next ask
    /// period. `master` names the instance's master (itself for a master).
    mutating func checkSubjectivelyDown(_ id: InstanceID, link owner: LinkOwner, master name: String) {
        // Every tick for every instance: read in place, and the closures capture locals only (a
        // closure that uses `self` in a mutating method copies the whole Sentinel).
        let now = self.now
        let infoPeriod = timing.infoPeriod
        guard let masterID = masters[name], instances.contains(masterID), instances.contains(id)
        else { return }
        // Field by field, through the table's in-place accessors: nothing is copied.
        let downAfter = instances[masterID].master.config.downAfterMilliseconds
        let wasDown = instances[id].sDown
        // The rules only a master has: it reported the replica role for longer than down-after
        // plus two INFO periods, or it rebooted and stayed unavailable longer than
        // master-reboot-down-after-period.
        var masterRule = false
        if id == masterID {
            let reportsReplica =
                instances[id].master.state.roleReported == .slave
                && now - instances[id].master.state.roleReportedTime
                    > downAfter.saturatingAdding(infoPeriod.saturatingMultiplied(by: 2))
            let rebootTooLong =
                instances[id].master.masterReboot
                && now - instances[id].master.masterRebootSince > instances[id].master.config.masterRebootDownAfterPeriod
            masterRule = reportsReplica || rebootTooLong
        }
        guard let silence = checkLinkHealth(owner, downAfter: downAfter) else { return }
        let down = silence > downAfter || masterRule
        guard down != wasDown else { return }
        modifyInstance(id) {
            $0.sDown = down
            if down { $0.sDownSince = now }
        }
        emit(.warning, down ? "+sdown" : "-sdown", describe(id), master: name)
        output.append(.observe(.subjectivelyDown(master: name, kind: instances[id].kind, down: down)))
        if down && id == masterID { askMasterStateToOtherSentinels(name, forced: true) }
    }

    // MARK: - ODOWN

    /// sentinelCheckObjectivelyDown: this sentinel plus every peer that said "down" reach the quorum.
    mutating func checkObjectivelyDown(_ name: String) {
        guard let id = masters[name] else { return }
        // Neither SDOWN nor ODOWN (every tick for every healthy master): nothing changes.
        let (sDown, oDown) = (instances[id].sDown, instances[id].master.oDown)
        guard sDown || oDown else { return }
        let quorum = instances[id].master.config.quorum
        let count = sDown ? 1 + peersSayingDown(id) : 0
        let down = sDown && count >= quorum
        if down && !oDown {
            self[master: name].oDown = true
            self[master: name].oDownSince = now
            emit(.warning, "+odown", "\(describe(id)) #quorum \(count)/\(quorum)", master: name)
            output.append(.observe(.objectivelyDown(master: name, down: true)))
        } else if !down && oDown {
            self[master: name].oDown = false
            emit(.warning, "-odown", describe(id), master: name)
            output.append(.observe(.objectivelyDown(master: name, down: false)))
        }
    }

    /// How many peers of the master said it is down (their last IS-MASTER-DOWN-BY-ADDR answer).
    func peersSayingDown(_ masterID: InstanceID) -> Int {
        guard let peers = instances.read(masterID, { $0.master.sentinels.values }) else { return 0 }
        return peers.reduce(0) { count, peer in count + (instances.read(peer) { $0.peer.masterDown } == true ? 1 : 0) }
    }

    /// Whether asking the peers about a master has nothing to do: it is not SDOWN, no coordinated
    /// vote is being asked, and no peer's answer is stale and still set.
    func askingIsIdle(_ masterID: InstanceID, now: Millis, stale: Int64) -> Bool {
        // Field by field through the table's in-place accessors (every tick for every master).
        guard instances.contains(masterID), !instances[masterID].sDown,
            instances[masterID].master.failover?.coordinated?.stage != .electing
        else { return false }
        for peer in instances[masterID].master.sentinels.values where instances.contains(peer) {
            if now - instances[peer].peer.lastMasterDownReplyTime > stale,
                instances[peer].peer.masterDown || instances[peer].peer.leader != nil
            {
                return false
            }
        }
        return true
    }

    // MARK: - Asking the peers

    /// sentinelAskMasterStateToOtherSentinels: asks each peer whether it sees the master down, and
    /// (once our failover started) for its vote.
    mutating func askMasterStateToOtherSentinels(_ name: String, forced: Bool) {
        guard let id = masters[name] else { return }
        // Every tick for every master: nothing to ask (the master is not SDOWN and no coordinated
        // vote) and no stale answer to clear is the usual case, decided without copying the master.
        let now = self.now
        let stale = timing.askPeriod.saturatingMultiplied(by: 5)
        guard !askingIsIdle(id, now: now, stale: stale) else { return }
        let sDown = instances[id].sDown
        let master = self[master: name]
        for peerID in master.sentinels.values {
            let peer = instances[peerID]
            let runID = peer.name
            // Only when there is something to clear: this runs every tick for every master and peer.
            if now - peer.peer.lastMasterDownReplyTime > stale, peer.peer.masterDown || peer.peer.leader != nil {
                instances[peerID].peer.masterDown = false
                instances[peerID].peer.leader = nil
            }
            // Votes are also asked for a coordinated failover of a healthy master.
            guard sDown || master.coordinated?.stage == .electing else { continue }
            let owner = LinkOwner.peer(runID: runID)
            guard let link = links[owner], !link.disconnected else { continue }
            guard forced || now - peer.peer.lastMasterDownReplyTime >= timing.askPeriod else { continue }
            // Do not stack asks on a peer that has not answered the previous one.
            if link.cc.isAwaiting(.isMasterDown(master: name)) && !forced { continue }
            let address = announced(master.address)
            let candidate = master.failoverInProgress ? myID : "*"
            send(
                owner,
                [
                    "SENTINEL", "is-master-down-by-addr", address.host, "\(address.port)",
                    "\(settings.currentEpoch)", candidate,
                ],
                tag: .isMasterDown(master: name))
        }
    }

    /// A peer's answer to our IS-MASTER-DOWN-BY-ADDR: `[down, leader, epoch]`, anything else ignored.
    /// Acts on it at once (ODOWN, the election tally) instead of waiting for the next tick.
    mutating func isMasterDownReply(master name: String, peer runID: String, _ value: RESPValue) {
        guard case .array(let e) = value, e.count == 3, case .integer(let down) = e[0], let leader = e[1].string,
            case .integer(let epoch) = e[2], let peerID = peerID(runID, of: name)
        else { return }
        let now = self.now
        let voted = modifyInstance(peerID) { instance -> Bool in
            instance.peer.lastMasterDownReplyTime = now
            instance.peer.masterDown = down == 1
            guard leader != "*" else { return false }
            let changed = instance.peer.leaderEpoch != Epoch(max(0, epoch))
            instance.peer.leader = leader
            instance.peer.leaderEpoch = Epoch(max(0, epoch))
            return changed
        }
        if voted == true { output.append(.log(.notice, "\(runID) voted for \(leader) \(epoch)")) }
        guard !tilt else { return }
        checkObjectivelyDown(name)
        if masterNamed(name)?.failoverState == .waitStart {
            failoverStateMachine(name)
        } else if masterNamed(name)?.oDown == true {
            requestWakeUp(at: masterNamed(name)?.pendingStartAt ?? now)
        }
    }
}
