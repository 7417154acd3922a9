import DequeModule
import OrderedCollections
import RESP

/// Failure detection: SDOWN for every instance kind, ODOWN for masters, and asking the peers
/// whether they agree (sentinel-behaviour §7.1–7.2).
extension Sentinel {
    // MARK: - SDOWN

    /// How long the instance has been silent, as Sentinel measures it: since the first unanswered
    /// PING, or since it was last available while a connection is missing and not yet being
    /// reopened; 0 otherwise.
    func silence(of link: InstanceLink) -> Millis {
        if link.actPingTime != 0 { return now - link.actPingTime }
        if link.awaitingReconnect { return now - link.lastAvailTime }
        return 0
    }

    /// Closes a command connection that stopped answering PINGs, or a pub/sub connection that went
    /// silent, so a half-dead TCP connection cannot hide a dead instance (the forced reconnects).
    mutating func checkLinkHealth(_ owner: LinkOwner, downAfter: Int64) {
        guard let link = links[owner] else { return }
        if let cc = link.cc, cc.connected, now - cc.connectedAt > timing.minLinkReconnectPeriod,
            link.actPingTime != 0, now - link.actPingTime > downAfter / 2, now - link.lastPongTime > downAfter / 2
        {
            dropConnection(cc.id, owner: owner, reason: "no PING reply for \(now - link.actPingTime) ms")
        }
        if let pc = links[owner]?.pc, pc.connected, now - pc.connectedAt > timing.minLinkReconnectPeriod,
            now - (links[owner]?.pcLastActivity ?? now) > timing.publishPeriod * 3
        {
            dropConnection(pc.id, owner: owner, reason: "pub/sub connection silent")
        }
    }

    /// sentinelCheckSubjectivelyDown for a master.
    mutating func checkMasterSDown(_ name: String) {
        guard let master = masters[name] else { return }
        let downAfter = master.config.downAfterMilliseconds
        checkLinkHealth(.master(name), downAfter: downAfter)
        guard let link = links[.master(name)] else { return }
        let elapsed = silence(of: link)
        let reportsReplica =
            master.state.roleReported == .slave
            && now - master.state.roleReportedTime > downAfter + 2 * timing.infoPeriod
        let rebootTooLong =
            master.masterReboot && now - master.masterRebootSince > master.config.masterRebootDownAfterPeriod
        let down = elapsed > downAfter || reportsReplica || rebootTooLong
        if down && !master.state.sDown {
            masters[name]!.state.sDown = true
            masters[name]!.state.sDownSince = now
            emit(.warning, "+sdown", describe(master), master: name)
            // Ask the peers at once instead of at the next ask period.
            askMasterStateToOtherSentinels(name, forced: true)
        } else if !down && master.state.sDown {
            masters[name]!.state.sDown = false
            emit(.warning, "-sdown", describe(master), master: name)
        }
    }

    /// SDOWN for a replica (only the silence rule applies to replicas).
    mutating func checkReplicaSDown(master name: String, replica replicaName: String) {
        guard let master = masters[name], let replica = master.replicas[replicaName] else { return }
        let owner = LinkOwner.replica(master: name, name: replicaName)
        checkLinkHealth(owner, downAfter: master.config.downAfterMilliseconds)
        guard let link = links[owner] else { return }
        let down = silence(of: link) > master.config.downAfterMilliseconds
        if down && !replica.state.sDown {
            masters[name]!.replicas[replicaName]!.state.sDown = true
            masters[name]!.replicas[replicaName]!.state.sDownSince = now
            emit(.warning, "+sdown", describe(replica, of: master), master: name)
        } else if !down && replica.state.sDown {
            masters[name]!.replicas[replicaName]!.state.sDown = false
            emit(.warning, "-sdown", describe(replica, of: master), master: name)
        }
    }

    /// SDOWN for a peer sentinel under one master, from the link it shares with other masters.
    mutating func checkPeerSDown(master name: String, peer runID: String) {
        guard let master = masters[name], let peer = master.sentinels[runID] else { return }
        let owner = LinkOwner.peer(runID: runID)
        checkLinkHealth(owner, downAfter: master.config.downAfterMilliseconds)
        guard let link = links[owner] else { return }
        let down = silence(of: link) > master.config.downAfterMilliseconds
        if down && !peer.sDown {
            masters[name]!.sentinels[runID]!.sDown = true
            masters[name]!.sentinels[runID]!.sDownSince = now
            emit(.warning, "+sdown", describe(peer, of: master), master: name)
        } else if !down && peer.sDown {
            masters[name]!.sentinels[runID]!.sDown = false
            emit(.warning, "-sdown", describe(peer, of: master), master: name)
        }
    }

    // MARK: - ODOWN

    /// sentinelCheckObjectivelyDown: this sentinel plus every peer that said "down" reach the quorum.
    mutating func checkObjectivelyDown(_ name: String) {
        guard let master = masters[name] else { return }
        var count = 0
        if master.state.sDown {
            count = 1 + master.sentinels.values.filter(\.masterDown).count
        }
        let down = master.state.sDown && count >= master.config.quorum
        if down && !master.oDown {
            masters[name]!.oDown = true
            masters[name]!.oDownSince = now
            emit(.warning, "+odown", "\(describe(master)) #quorum \(count)/\(master.config.quorum)", master: name)
        } else if !down && master.oDown {
            masters[name]!.oDown = false
            emit(.warning, "-odown", describe(master), master: name)
        }
    }

    // MARK: - Asking the peers

    /// sentinelAskMasterStateToOtherSentinels: asks each peer whether it sees the master down, and
    /// (once our failover started) for its vote.
    mutating func askMasterStateToOtherSentinels(_ name: String, forced: Bool) {
        guard let master = masters[name] else { return }
        for (runID, peer) in master.sentinels {
            // Only when there is something to clear: this runs every tick for every master and
            // peer, and a write through `masters[name]!` moves the whole MasterState out and back.
            if now - peer.lastMasterDownReplyTime > timing.askPeriod * 5, peer.masterDown || peer.leader != nil {
                masters[name]!.sentinels[runID]!.masterDown = false
                masters[name]!.sentinels[runID]!.leader = nil
            }
            // Votes are also asked for a coordinated failover of a healthy master.
            guard master.state.sDown || master.coordinated?.phase == .electing else { continue }
            let owner = LinkOwner.peer(runID: runID)
            guard let link = links[owner], !link.disconnected else { continue }
            guard forced || now - peer.lastMasterDownReplyTime >= timing.askPeriod else { continue }
            // Do not stack asks on a peer that has not answered the previous one.
            if link.cc?.pending.contains(.isMasterDown(master: name)) == true && !forced { continue }
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
            case .integer(let epoch) = e[2], var peer = masters[name]?.sentinels[runID]
        else { return }
        peer.lastMasterDownReplyTime = now
        peer.masterDown = down == 1
        if leader != "*" {
            if peer.leaderEpoch != UInt64(max(0, epoch)) {
                output.append(.log(.notice, "\(runID) voted for \(leader) \(epoch)"))
            }
            peer.leader = leader
            peer.leaderEpoch = UInt64(max(0, epoch))
        }
        masters[name]!.sentinels[runID] = peer
        guard !tilt else { return }
        checkObjectivelyDown(name)
        if masters[name]?.failoverState == .waitStart {
            failoverStateMachine(name)
        } else if masters[name]?.oDown == true {
            requestWakeUp(at: masters[name]?.pendingStartAt ?? now)
        }
    }
}
