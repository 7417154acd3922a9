import DequeModule
import OrderedCollections
import RESP

/// Hello gossip on `__sentinel__:hello` (sentinel-behaviour §6.3–6.4).
extension Sentinel {
    /// The address clients should use for the master `id` right now (sentinelGetCurrentMasterAddress):
    /// the promoted replica's once the failover reached RECONF_SLAVES, else the stored address.
    /// Read field by field (it answers every SENTINEL GET-MASTER-ADDR-BY-NAME): handing the whole
    /// master to a function copied it, a retain and a release per field.
    func currentAddress(of id: InstanceID) -> HostPort {
        if instances[id].master.failoverState >= .reconfSlaves,
            let promoted = instances[id].master.promotedReplica,
            let replica = instances[id].master.replicas[promoted],
            let address = readInstance(replica, { $0.address })
        {
            return address
        }
        return instances[id].master.address
    }

    /// The 8-field hello payload for one master, or nil when we do not know our own address yet.
    func helloPayload(master name: String, localAddress: String?) -> String? {
        guard let id = masters[name] else { return nil }
        let announced = settings.announceIP.flatMap { $0.isEmpty ? nil : $0 }
        guard let ip = announced ?? localAddress else { return nil }
        // announce-port, else tls-port when tls-replication is on and tls-port is set, else port
        // (sentinel-behaviour §10.4).
        let port = settings.announcePort != 0 ? settings.announcePort : settings.tlsAnnouncedPort ?? settings.port
        let prefix = "\(ip),\(port),\(myID),\(settings.currentEpoch),"
        // Read in place: one hello per instance and peer every 2 s, for every master.
        let current = announcedAddress(currentAddress(of: id))
        return "\(prefix)\(name),\(current.host),\(current.port),\(instances[id].master.config.configEpoch)"
    }

    /// PUBLISHes our hello about the instance's master: to a master or replica on its command
    /// connection (sentinelSendHello), to a peer on its port (``sendHelloToPeer(_:master:)``).
    /// `forced` (a new configuration to spread now) sends it to a master or replica even while an
    /// earlier hello is still unanswered on the connection.
    mutating func sendHello(_ id: InstanceID, forced: Bool = false) {
        guard let (owner, masterName) = linkOwner(of: id) else { return }
        if case .peer(let runID) = owner { return sendHelloToPeer(runID, master: masterName) }
        guard let cc = commandConnection(owner), let payload = helloPayload(master: masterName, localAddress: cc.localAddress)
        else { return }
        // Never PUBLISH to a write-paused instance: it would block everything behind it on the link.
        if let address = address(of: owner), helloHeld(address, master: masterName) { return }
        // An instance whose own INFO reports a server-side FAILOVER pauses writes (Valkey 9 holds
        // these too), and one whose last hello stalled is not published to before a fresh INFO.
        if reportsServerFailover(owner) || helloStallUnresolved(owner) { return }
        // One periodic hello at a time: until it is answered (Redis re-sends every tick,
        // stacking them behind one that blocks).
        if cc.helloSentAt != 0 && !forced { return }
        send(owner, ["PUBLISH", Wire.helloChannel, payload], tag: .publishHello)
        // The oldest unanswered hello tells how long the connection has been blocked.
        let now = self.now
        modifyLink(owner) { $0.helloSent(now: now) }
    }

    /// PUBLISHes our hello for one master straight to a peer sentinel's port; its PUBLISH command
    /// processes it as a hello (used to spread configuration fast).
    mutating func sendHelloToPeer(_ runID: String, master: String) {
        let owner = LinkOwner.peer(runID: runID)
        guard let cc = commandConnection(owner), let payload = helloPayload(master: master, localAddress: cc.localAddress)
        else { return }
        send(owner, ["PUBLISH", Wire.helloChannel, payload], tag: .helloToPeer(master: master))
    }

    /// What a hello needs of the owner's command connection, if it is up: its local address and
    /// when its oldest unanswered hello went out. Not the connection itself: a copy of it kept
    /// while the hello is sent shared its queue of pending replies, and the send's append copied
    /// the whole queue. A peer watching 1,000 masters has one link and ~1,000 hellos in flight:
    /// that was quadratic, 30 % of a sentinel's CPU, and made the peers' PONGs wait past
    /// down-after (bench/run's 1,000-master point).
    mutating func commandConnection(_ owner: LinkOwner) -> (localAddress: String?, helloSentAt: Millis)? {
        readLink(owner) { link in link.cc.up.map { ($0.localAddress, $0.helloSentAt) } } ?? nil
    }

    /// Sends hellos for a master to all its instances and peers now instead of at the next period.
    mutating func forceHellos(master name: String) {
        guard let id = masters[name] else { return }
        let master = self[master: name]
        for instance in [id] + master.replicas.values + master.sentinels.values { sendHello(instance, forced: true) }
    }

    /// Processes one hello payload, from a monitored instance's channel or from a peer's PUBLISH
    /// (sentinelProcessHelloMessage): discovers peers, handles address switches and restarted
    /// peers, adopts newer epochs and switches the master when a newer config epoch says so.
    mutating func processHello(_ payload: String, from owner: LinkOwner?) {
        // Our own hellos are dropped before anything else, as Sentinel does.
        guard !Self.payload(payload, contains: myID) else { return }
        let tokens = Self.helloTokens(payload)
        guard tokens.count == 8 else { return }
        guard let port = Int(tokens[1]), (0...65535).contains(port), let masterPort = Int(tokens[6]),
            (0...65535).contains(masterPort)
        else { return }
        let address = HostPort(tokens[0], port)
        let runID = tokens[2]
        let masterName = tokens[4]
        let advertised = HostPort(tokens[5], masterPort)
        guard !runID.isEmpty, masters.index(forKey: masterName) != nil else { return }
        let current = settings.currentEpoch
        let epochCheck = EpochBounds.check(tokens[3][...], current: current)
        let configEpochCheck = EpochBounds.check(tokens[7][...], current: current)
        guard case .plausible(let epoch) = epochCheck, case .plausible(let masterConfigEpoch) = configEpochCheck else {
            // One log line per sender at most: the current epoch is reported first.
            let via = owner.map { describeOwner($0) } ?? "a PUBLISH to this sentinel"
            let sender = "sentinel \(address) runid \(runID)"
            if !refuseEpoch(epochCheck, field: "hello with current epoch", value: tokens[3][...], sender: sender, via: via) {
                refuseEpoch(
                    configEpochCheck, field: "hello with config epoch of \(masterName)", value: tokens[7][...],
                    sender: sender, via: via)
            }
            return
        }

        // By name first (every usual hello); else by resolved IP (a peer known by IP announcing a name).
        let known = isKnownPeer(runID, of: masterName, at: address)
        if !known {
            var switched = false
            if let moved = peerID(runID, of: masterName) {
                // Same runid at a new address: the peer moved.
                emitDuplicate(moved, newAddress: address, runID: runID)
                removePeer(runID, from: masterName)
                switched = true
                emit(
                    .notice, "+sentinel-address-switch",
                    "\(describe(masters[masterName]!)) ip \(address.host) port \(address.port) for \(runID)",
                    master: masterName)
            } else if let stale = self[master: masterName].sentinels.values.first(where: {
                let peer = instances[$0]
                return sameAddress(peer.address, address) && peer.runID != runID
            }) {
                // Same address with a new runid: the peer restarted with a new id.
                emitDuplicate(stale, newAddress: address, runID: runID)
                emit(.notice, "+sentinel-invalid-addr", describe(stale), master: masterName)
                removePeerEverywhere(instances[stale].name)
            }
            guard isAcceptableHost(address.host) else {
                // Redis cannot create an instance at such an address (createSentinelAddr fails):
                // a moved peer is gone, a new one is not added. Keeping it would also write a
                // `known-sentinel` line the config loader refuses (an empty host, for one: what
                // redis-sentinel 7.0.15 announces after `SENTINEL CONFIG SET announce-ip ""`).
                if switched {
                    dropPeerLinkIfUnused(runID)
                    persistence.changed = true
                }
                return adoptEpoch(epoch, master: masterName)
            }
            addPeer(runID, address: address, to: masterName)
            if !switched {
                emit(.notice, "+sentinel", describe(peerID(runID, of: masterName)!), master: masterName)
            } else {
                updatePeerAddressEverywhere(runID, address: address)
            }
            persistence.changed = true
            reconnect(.peer(runID: runID))
        }

        adoptEpoch(epoch, master: masterName)

        // The usual hello (a known peer, no newer config) only refreshes lastHelloTime, in place.
        guard let peer = peerID(runID, of: masterName), let configEpoch = readMaster(masterName, { $0.config.configEpoch })
        else { return }
        if masterConfigEpoch > configEpoch {
            self[master: masterName].config.configEpoch = masterConfigEpoch
            let current = currentAddress(of: masters[masterName]!)
            if !sameAddress(current, advertised) && !isAcceptableHost(advertised.host) {
                // Redis cannot create an instance at such an address (createSentinelAddr fails in
                // sentinelResetMasterAndChangeAddress) and the master stays where it is. Switching
                // would also persist a `sentinel monitor` line the config loader refuses, so the
                // next start would fail (found by the `hello` fuzz target).
                output.append(
                    .log(
                        .warning,
                        "Hello from \(runID) announces master \(masterName) at \(advertised), which is not an IP address (resolve-hostnames is off): not switching"
                    ))
            } else if !sameAddress(current, advertised) {
                emit(.warning, "+config-update-from", describe(peer), master: masterName)
                let old = announced(current)
                emit(
                    .warning, "+switch-master",
                    "\(masterName) \(old.host) \(old.port) \(advertised.host) \(advertised.port)",
                    master: masterName)
                resetMasterAndChangeAddress(masterName, to: advertised)
                queueClientReconfigScript(master: masterName, role: "observer", from: current, to: advertised)
            }
        }
        let now = self.now
        // The peer is looked up again: a switch above may have reset the master.
        if let peer = peerID(runID, of: masterName) { modifyInstance(peer) { $0.peer.lastHelloTime = now } }
    }

    /// The comma-separated fields of a hello payload, empty ones kept: what
    /// `payload.split(separator: ",", omittingEmptySubsequences: false)` gives, split on the UTF-8
    /// bytes in place when the payload is ASCII (every real hello; there a comma is always a
    /// Character of its own), by Characters otherwise (a comma followed by a combining mark is one
    /// Character). Every hello of every master arrives here, every 2 s from every peer.
    static func helloTokens(_ payload: String) -> [String] {
        let ascii = payload.utf8.withContiguousStorageIfAvailable { bytes -> [String]? in
            var tokens: [String] = []
            tokens.reserveCapacity(8)
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                if byte >= 0x80 { return nil }
                if byte == UInt8(ascii: ",") {
                    tokens.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                    start = index + 1
                }
            }
            tokens.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self))
            return tokens
        }
        if let ascii, let tokens = ascii { return tokens }
        return payload.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// `payload.contains(id)` for our run id, as Sentinel's own-hello check (a `strstr` on the
    /// payload, sentinelReceiveHelloMessages): a byte search in place when both are ASCII (every
    /// real hello). A byte match in a non-ASCII payload is confirmed by the Character search; no
    /// byte match means no Character match.
    static func payload(_ payload: String, contains id: String) -> Bool {
        let bytes: (found: Bool, ascii: Bool)?? = payload.utf8.withContiguousStorageIfAvailable { haystack in
            id.utf8.withContiguousStorageIfAvailable { needle in
                Self.byteSearch(haystack, needle)
            }
        }
        guard let bytes, let (found, ascii) = bytes else { return payload.contains(id) }
        guard found else { return false }
        return ascii ? true : payload.contains(id)
    }

    /// Whether `needle` occurs in `haystack` byte for byte, and whether both are ASCII.
    private static func byteSearch(
        _ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>
    ) -> (found: Bool, ascii: Bool) {
        let ascii = !haystack.contains { $0 >= 0x80 } && !needle.contains { $0 >= 0x80 }
        guard let first = needle.first else { return (true, ascii) }
        guard haystack.count >= needle.count else { return (false, ascii) }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count && haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return (true, ascii) }
            }
            start += 1
        }
        return (false, ascii)
    }

    /// A hello's current epoch, if newer than ours, becomes ours (`+new-epoch`).
    private mutating func adoptEpoch(_ epoch: Epoch, master masterName: String) {
        if epoch > settings.currentEpoch {
            settings.currentEpoch = epoch
            persistence.changed = true
            emit(.warning, "+new-epoch", "\(epoch)", master: masterName)
        }
    }


    /// Refuses an epoch field of a hello or a vote request (``EpochBounds``) and logs it with a
    /// warning the first time a sender is refused; later refusals of that sender are silent, so a
    /// flood of forged hellos cannot flood the log. Returns false for a plausible field, and for a
    /// malformed one (not a number: dropped silently, as such hellos always were).
    @discardableResult
    mutating func refuseEpoch(
        _ check: EpochBounds.Check, field: String, value: Substring, sender: String, via: String
    ) -> Bool {
        let reason: String
        switch check {
        case .plausible, .malformed:
            return false
        case .outOfRange:
            reason = "is out of range (0 to \(Epoch.max))"
        case .tooFarAhead(_, let limit):
            reason = "is implausibly far ahead of ours (\(settings.currentEpoch); at most \(limit) is believed)"
        }
        warnOnce(
            \.epochRefusalsLogged, key: sender,
            "Refused \(field) \(value) from \(sender) via \(via): it \(reason); see docs/security.md. Further refusals of this sender are not logged",
            whenFull: "Epochs refused from \(EpochBounds.maxLoggedSenders) senders: refusals from further senders are not logged")
        return true
    }

    /// `-dup-sentinel`: an older entry is dropped because a hello showed the same runid or address
    /// (older Sentinels' event, still emitted next to the address-switch / invalid-addr events).
    mutating func emitDuplicate(_ peer: InstanceID, newAddress: HostPort, runID: String) {
        guard let (_, master) = linkOwner(of: peer) else { return }
        emit(.notice, "-dup-sentinel", "\(describe(peer)) #duplicate of \(newAddress) or \(runID)", master: master)
    }

    /// Address equality as Sentinel defines it: same port, and the same host compared
    /// case-insensitively or the same resolved IP (Address.swift).
    func sameAddress(_ a: HostPort, _ b: HostPort) -> Bool { sameResolvedAddress(a, b) }

    /// Equality by name only, for paths that must not look anything up.
    static func sameAddress(_ a: HostPort, _ b: HostPort) -> Bool {
        // Equal hosts (the usual case) need no lowercased copies.
        a.port == b.port && (a.host == b.host || a.host.lowercased() == b.host.lowercased())
    }

    /// Whether the peer `runID` is known under the master at this address (every usual hello).
    func isKnownPeer(_ runID: String, of master: String, at address: HostPort) -> Bool {
        guard let id = peerID(runID, of: master) else { return false }
        return readInstance(id) { sameAddress($0.address, address) } ?? false
    }

    /// Adds a peer sentinel under a master; its link is shared with the same runid under other masters.
    mutating func addPeer(_ runID: String, address: HostPort, to master: String) {
        guard let masterID = masters[master], peerID(runID, of: master) == nil else { return }
        var peer = Instance(.sentinel(PeerState(address: address, of: masterID, now: now)), runID: runID, now: now)
        // Arrange for a hello to go out to it as soon as its link is usable.
        peer.lastPubTime = 0
        let id = instances.insert(peer)
        self[master: master].sentinels[runID] = id
        if links[.peer(runID: runID)] == nil {
            links[.peer(runID: runID)] = InstanceLink(needsPubSub: false, now: now)
        } else {
            sendHelloToPeer(runID, master: master)
        }
    }

    /// Forgets the peer `runID` under one master (its shared link stays; ``dropPeerLinkIfUnused(_:)``).
    mutating func removePeer(_ runID: String, from master: String) {
        guard let id = peerID(runID, of: master) else { return }
        self[master: master].sentinels.removeValue(forKey: runID)
        instances.remove(id)
    }

    /// Removes a runid from every master and drops its link (+sentinel-invalid-addr path, RESET).
    mutating func removePeerEverywhere(_ runID: String) {
        for name in masters.keys { removePeer(runID, from: name) }
        dropPeerLinkIfUnused(runID)
    }

    mutating func dropPeerLinkIfUnused(_ runID: String) {
        guard firstMaster({ $0.sentinels[runID] }) == nil else { return }
        closeLink(.peer(runID: runID))
        links.removeValue(forKey: .peer(runID: runID))
    }

    /// A peer moved: give it the new address under every master and reconnect its shared link.
    mutating func updatePeerAddressEverywhere(_ runID: String, address: HostPort) {
        var others = 0
        for name in masters.keys {
            guard let id = peerID(runID, of: name), !sameAddress(instances[id].address, address) else { continue }
            instances[id].peer.address = address
            others += 1
        }
        closeLink(.peer(runID: runID))
        if others > 0, let id = firstMaster({ $0.sentinels[runID] }) {
            emit(.notice, "+sentinel-address-update", "\(describe(id)) \(others) additional matching instances")
        }
    }

    // MARK: - Reset and address change (sentinel-behaviour §7.7)

    /// sentinelResetMaster: forgets replicas (and peers unless kept), closes links, clears state.
    mutating func resetMaster(_ name: String, keepSentinels: Bool, emitEvent: Bool) {
        guard let id = masters[name] else { return }
        // A failover we lead ends here when nothing ended it before (SENTINEL RESET, a newer
        // configuration): its summary says so.
        if instances[id].master.failover != nil { endFailover(name, outcome: .aborted(reason: "reset")) }
        let (replicas, peers) = readMaster(name) { ($0.replicas, $0.sentinels) }!
        for (replica, replicaID) in replicas {
            closeLink(.replica(master: name, name: replica))
            links.removeValue(forKey: .replica(master: name, name: replica))
            instances.remove(replicaID)
        }
        if !keepSentinels { for peerID in peers.values { instances.remove(peerID) } }
        let droppedPeers = keepSentinels ? [] : Array(peers.keys)
        let now = self.now
        modifyInstance(id) { instance in
            instance.runID = nil
            instance.sDown = false
            instance.sDownSince = 0
            instance.lastPubTime = 0
            instance.master.replicas = [:]
            if !keepSentinels { instance.master.sentinels = [:] }
            instance.master.state = RedisInstanceState(role: .master, now: now)
            instance.master.oDown = false
            instance.master.leader = nil
            instance.master.failover = nil
            instance.master.failoverStartTime = 0
            instance.master.pendingStartAt = nil
            instance.master.failoverDelayLogged = false
            instance.master.masterReboot = false
        }
        closeLink(.master(name))
        links[.master(name)] = InstanceLink(needsPubSub: true, now: now)
        for runID in droppedPeers { dropPeerLinkIfUnused(runID) }
        if emitEvent { emit(.warning, "+reset-master", describe(id), master: name) }
    }

    /// sentinelResetMasterAndChangeAddress: the master now lives at `newAddress`; its old address
    /// and the other replicas become its replicas.
    mutating func resetMasterAndChangeAddress(_ name: String, to newAddress: HostPort) {
        guard let id = masters[name] else { return }
        // Our own attempt, if one runs, is overtaken by the newer configuration.
        if instances[id].master.failover != nil { endFailover(name, outcome: .aborted(reason: "superseded")) }
        let old = instances[id].address
        var replicas = replicaInstances(of: self[master: name]).map(\.address).filter { !sameAddress($0, newAddress) }
        if !sameAddress(old, newAddress) { replicas.append(old) }
        resetMaster(name, keepSentinels: true, emitEvent: false)
        self[master: name].config.address = newAddress
        instances[id].sDownSince = 0
        self[master: name].oDownSince = 0
        for address in replicas {
            if let replicaName = addReplica(address, to: name) {
                emit(.notice, "+slave", describe(replicaID(replicaName, of: name)!), master: name)
            }
        }
        persistence.changed = true
        // The links to the new address are opened by the next tick, as redis-sentinel's timer
        // does (sentinelReconnectInstance), not at once: at a coordinated failover's switch every
        // peer dialling the new master (handshake, INFO, SUBSCRIBE) in the same few milliseconds
        // competed for the 2 cores with the release and the writers' reconnect, and made the
        // longest write stall 3 ms longer (docs/coordinated-failover.md).
    }

    /// Creates a replica under a master (if new) with its link; returns its name, or nil if it existed.
    @discardableResult
    mutating func addReplica(_ address: HostPort, to master: String) -> String? {
        guard let masterID = masters[master] else { return nil }
        var replica = ReplicaState(address: address, of: masterID, now: now)
        // Named as printed at creation (Redis: announceSentinelAddrAndPort), so with
        // announce-hostnames no a resolved name's replica is `ip:port`.
        replica.name = announced(address).description
        guard replicaID(replica.name, of: master) == nil else { return nil }
        let id = instances.insert(Instance(.replica(replica), now: now))
        self[master: master].replicas[replica.name] = id
        links[.replica(master: master, name: replica.name)] = InstanceLink(needsPubSub: true, now: now)
        return replica.name
    }
}
