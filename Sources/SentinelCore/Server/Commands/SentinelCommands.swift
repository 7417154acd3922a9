import DequeModule
import OrderedCollections
import RESP

/// The SENTINEL command (sentinelCommand, sentinel-behaviour §9.2), including the Valkey aliases.
extension Sentinel {
    /// A command refused before it runs, with the error reply Redis gives.
    struct CommandRefusal: Error {
        let reply: RESPValue
        init(_ reply: RESPValue) { self.reply = reply }
    }

    /// The registry row of a SENTINEL command's subcommand (``sentinelSubcommands``), or the
    /// unknown-subcommand or argument-count error Redis gives before authentication. `sub` is
    /// `args[1]` lowercased. The row found here is the one that runs: one lookup per command.
    static func sentinelSubcommand(_ args: [String], sub: String?) -> Result<SentinelSubcommand, CommandRefusal> {
        guard args.count >= 2, let sub else { return .failure(CommandRefusal(CommandTable.wrongArityError(command: "sentinel", sub: nil))) }
        guard let row = sentinelSubcommands[sub] else {
            return .failure(CommandRefusal(CommandTable.unknownSubcommandError(command: "sentinel", sub: args[1])))
        }
        guard CommandSpec.arityAllows(row.arity, args.count) else {
            return .failure(CommandRefusal(CommandTable.wrongArityError(command: "sentinel", sub: sub)))
        }
        return .success(row)
    }

    // MARK: - Subcommands about one master

    /// SENTINEL MASTER / PRIMARY <name>.
    mutating func sentinelMaster(_ id: ClientID, _ args: [String]) {
        guard let index = masters.index(forKey: args[2]) else { return reply(id, .error(Wire.errNoSuchMaster)) }
        reply(id, masterReply(at: index))
    }

    /// SENTINEL REPLICAS / SLAVES <name>.
    mutating func sentinelReplicas(_ id: ClientID, _ args: [String]) {
        guard let index = masters.index(forKey: args[2]) else { return reply(id, .error(Wire.errNoSuchMaster)) }
        reply(id, replicasReply(at: index))
    }

    /// SENTINEL SENTINELS <name>.
    mutating func sentinelSentinels(_ id: ClientID, _ args: [String]) {
        guard let index = masters.index(forKey: args[2]) else { return reply(id, .error(Wire.errNoSuchMaster)) }
        reply(id, sentinelsReply(at: index))
    }

    /// SENTINEL GET-MASTER-ADDR-BY-NAME / GET-PRIMARY-ADDR-BY-NAME <name>: the announced address,
    /// or a null array for an unknown master.
    mutating func sentinelMasterAddress(_ id: ClientID, _ args: [String]) {
        guard let index = masters.index(forKey: args[2]) else { return reply(id, .nullArray) }
        let a = announced(currentAddress(ofMasterAt: index))
        reply(id, .array([.bulkString(a.host), .bulkString(String(a.port))]))
    }

    /// SENTINEL CKQUORUM <name>.
    mutating func sentinelCkquorum(_ id: ClientID, _ args: [String]) {
        guard let master = masterNamed(args[2]) else { return reply(id, .error(Wire.errNoSuchMaster)) }
        reply(id, ckquorum(master))
    }

    /// SENTINEL RESET <pattern>: resets every master whose name matches; answers how many.
    mutating func sentinelReset(_ id: ClientID, _ args: [String]) {
        var count = 0
        for name in masters.keys where globMatch(args[2], name) {
            resetMaster(name, keepSentinels: false, emitEvent: true)
            count += 1
        }
        reply(id, .integer(count))
    }

    /// SENTINEL REMOVE <name>, answered once the config is flushed.
    mutating func sentinelRemove(_ id: ClientID, _ args: [String]) {
        guard masters[args[2]] != nil else { return reply(id, .error(Wire.errNoSuchMaster)) }
        removeMaster(args[2])
        replyAfterFlush(id, .ok)
    }

    /// Valkey 9's `SENTINEL FAILOVER <master> [COORDINATED]`, and swift-sentinel's
    /// `COORDINATED PAUSE-SWITCH`: more options (any other second one) are an argument-count
    /// error, as in Valkey, then the master is looked up, then the option is checked.
    mutating func sentinelFailover(_ id: ClientID, _ args: [String]) {
        if args.count == 3 {
            forceFailover(id, args[2])
        } else if args.count > 5 || (args.count == 5 && args[4].lowercased() != HandoverMethod.pauseSwitch.rawValue) {
            reply(id, CommandTable.wrongArityError(command: "sentinel", sub: "failover"))
        } else if masters[args[2]] == nil {
            reply(id, .error(Wire.errNoSuchMaster))
        } else if args[3].lowercased() == "coordinated" {
            coordinatedFailover(id, args[2], requested: args.count == 5 ? .pauseSwitch : nil)
        } else {
            reply(id, .error(Wire.errUnknownFailoverOption))
        }
    }

    // MARK: - CKQUORUM (sentinelIsQuorumReachable)

    func ckquorum(_ master: MasterState) -> RESPValue {
        let voters = master.sentinels.count + 1
        let usable = 1 + master.sentinels.values.filter { !instances[$0].sDown }.count
        var problems: [String] = []
        if usable < master.config.quorum {
            problems.append("Not enough available Sentinels to reach the specified quorum for this master")
        }
        if usable < voters / 2 + 1 {
            problems.append("Not enough available Sentinels to reach the majority and authorize a failover")
        }
        if problems.isEmpty {
            return .simpleString("OK \(usable) usable Sentinels. Quorum and failover authorization can be reached")
        }
        return .error("NOQUORUM \(usable) usable Sentinels. " + problems.joined(separator: ". "))
    }

    // MARK: - MONITOR / REMOVE

    mutating func monitor(_ id: ClientID, _ args: [String]) {
        guard let quorum = Int(args[5]) else { return reply(id, .error("ERR Invalid quorum")) }
        guard Int(args[4]) != nil else { return reply(id, .error("ERR Invalid port")) }
        guard quorum > 0 else { return reply(id, .error("ERR Quorum must be 1 or greater.")) }
        guard settings.resolveHostnames || IPAddressLiteral.isValid(args[3]) else {
            return reply(id, .error(Wire.errInvalidAddressOrHostname))
        }
        // A name must resolve now (Redis's anetResolve in the command): the runtime is asked and
        // the reply waits for its answer (Address.swift), then the checks below run.
        if !IPAddressLiteral.isValid(args[3]) { return monitorAfterResolving(id, args) }
        if let error = createMonitoredMaster(args) { return reply(id, error) }
        replyAfterFlush(id, .ok)
        announceMonitored(args[2])
    }

    /// The rest of a `SENTINEL MONITOR` once its host is known to resolve: answered in the slot
    /// the command reserved (after the flush when it succeeds).
    mutating func finishMonitor(_ id: ClientID, slot: Int, _ args: [String]) {
        if let error = createMonitoredMaster(args) { return fillReplySlot(id, slot, error) }
        replyAfterFlush(id, .ok, slot: slot)
        announceMonitored(args[2])
    }

    /// The checks after the address and the creation of a monitored master; the error reply, or
    /// nil when the master was created.
    private mutating func createMonitoredMaster(_ args: [String]) -> RESPValue? {
        let name = args[2]
        guard let quorum = Int(args[5]), let port = Int(args[4]) else { return .error("ERR Invalid port") }
        guard !name.isEmpty, !name.contains(" "), !name.contains(",") else {
            return .error("ERR Master names cannot be empty or contain spaces or commas")
        }
        guard masters[name] == nil else { return .error("ERR Duplicate master name.") }
        guard (0...65535).contains(port) else { return .error("ERR Invalid port number.") }
        var config = MasterConfig(name: name, address: HostPort(args[3], port), quorum: quorum)
        config.downAfterMilliseconds = timing.defaultDownAfter
        config.failoverTimeout = timing.defaultFailoverTimeout
        masters[name] = instances.insert(Instance(.master(MasterState(config: config, now: now)), now: now))
        links[.master(name)] = InstanceLink(needsPubSub: true, now: now)
        return nil
    }

    /// `+monitor` and the first connect of a newly monitored master.
    private mutating func announceMonitored(_ name: String) {
        guard let id = masters[name] else { return }
        emit(.warning, "+monitor", "\(describe(id)) quorum \(self[master: name].config.quorum)", master: name)
        reconnect(.master(name))
    }

    /// SENTINEL REMOVE: `-monitor`, then forget the master, its replicas and unshared peer links.
    mutating func removeMaster(_ name: String) {
        guard let id = masters[name] else { return }
        let peers = self[master: name].sentinels.keys
        emit(.warning, "-monitor", describe(id), master: name)
        resetMaster(name, keepSentinels: false, emitEvent: false)
        closeLink(.master(name))
        links.removeValue(forKey: .master(name))
        masters.removeValue(forKey: name)
        instances.remove(id)
        for runID in peers { dropPeerLinkIfUnused(runID) }
    }

    // MARK: - IS-MASTER-DOWN-BY-ADDR and the vote (sentinel-behaviour §7.2, §7.4)

    /// sentinelCommand's is-master-down-by-addr: our view of the master and, when a runid is
    /// given, our vote for it in the requested epoch.
    mutating func isMasterDownByAddr(_ id: ClientID, _ args: [String]) {
        // Both are read as signed 64-bit integers, refused beyond that as by Redis.
        guard let port = RedisNumbers.int64(args[3]), let epoch = RedisNumbers.int64(args[4]) else {
            return reply(id, .error(Wire.errNotInteger))
        }
        let runID = args[5]
        let found = masters.values.first { sameAddress(instances[$0].address, HostPort(args[2], Int(port))) }
            .map { instances[$0] }
        // In TILT we still vote but never say "down" (our view of time cannot be trusted).
        let down = !tilt && (found.map { $0.sDown } ?? false)
        var leader = "*"
        var leaderEpoch: Epoch = 0
        if let master = found, runID != "*" {
            let check = EpochBounds.check(epoch, current: settings.currentEpoch)
            if case .plausible = check {
                let vote = voteLeader(master: master.name, epoch: epoch, candidate: runID)
                leader = vote.leader ?? "*"
                leaderEpoch = vote.epoch
            } else {
                // Redis casts a negative epoch to a huge unsigned one and votes in it, which ends
                // every later failover. We do not vote, and answer our standing vote, as for any
                // vote not granted.
                refuseEpoch(
                    check, field: "vote request in epoch", value: args[4][...],
                    sender: "runid \(runID)",
                    via: "SENTINEL IS-MASTER-DOWN-BY-ADDR from \(clients[id]?.address ?? "an unknown client")")
                leader = master.master.leader ?? "*"
                leaderEpoch = master.master.config.leaderEpoch
            }
        }
        let answer = RESPValue.array([.integer(down ? 1 : 0), .bulkString(leader), .integer(Int(leaderEpoch))])
        // A vote must be on disk before it is announced.
        if persistence.changed { replyAfterFlush(id, answer, failure: answer) } else { reply(id, answer) }
    }

    // MARK: - SIMULATE-FAILURE

    /// SENTINEL SIMULATE-FAILURE: clears the flags, then sets each one given (logging it); `help`
    /// lists them.
    mutating func simulateFailure(_ id: ClientID, _ names: [String]) {
        simulateFailureFlags = 0
        for name in names {
            switch name.lowercased() {
            case "crash-after-election":
                simulateFailureFlags |= SimulatedFailure.crashAfterElection
                output.append(
                    .log(
                        .warning,
                        "Failure simulation: this Sentinel will crash after being successfully elected as failover leader"
                    ))
            case "crash-after-promotion":
                simulateFailureFlags |= SimulatedFailure.crashAfterPromotion
                output.append(
                    .log(.warning, "Failure simulation: this Sentinel will crash after promoting the selected replica to master"))
            case "help":
                return reply(id, .array([.bulkString("crash-after-election"), .bulkString("crash-after-promotion")]))
            default:
                return reply(id, .error(Wire.errUnknownSimulation))
            }
        }
        reply(id, .ok)
    }

    // MARK: - INFO-CACHE

    mutating func infoCache(_ id: ClientID, _ names: [String]) {
        var out: [RESPValue] = []
        for (name, id) in masters where names.contains(name) {
            let master = instances[id].master
            var entries: [RESPValue] = []
            let masterRefreshed = master.state.infoRefresh != 0
            entries.append(
                .array([
                    .integer(masterRefreshed ? Int(now - master.state.infoRefresh) : 0),
                    master.state.infoText.map { .bulkString($0) } ?? .null,
                ]))
            for replica in master.replicas.values.map({ instances[$0].replica }) {
                let age = masterRefreshed && replica.state.infoRefresh != 0 ? Int(now - replica.state.infoRefresh) : 0
                entries.append(.array([.integer(age), replica.state.infoText.map { .bulkString($0) } ?? .null]))
            }
            out.append(.bulkString(master.name))
            out.append(.array(entries))
        }
        reply(id, .array(out))
    }

    // MARK: - DEBUG

    nonisolated(unsafe) static let debugParameters: [(name: String, keyPath: WritableKeyPath<Timing, Int64>)] = [
        ("info-period", \.infoPeriod), ("ping-period", \.pingPeriod), ("ask-period", \.askPeriod),
        ("publish-period", \.publishPeriod), ("default-down-after", \.defaultDownAfter),
        ("default-failover-timeout", \.defaultFailoverTimeout), ("tilt-trigger", \.tiltTrigger),
        ("tilt-period", \.tiltPeriod), ("slave-reconf-timeout", \.slaveReconfTimeout),
        ("min-link-reconnect-period", \.minLinkReconnectPeriod), ("election-timeout", \.electionTimeout),
        ("script-max-runtime", \.scriptMaxRuntime), ("script-retry-delay", \.scriptRetryDelay),
    ]

    mutating func sentinelDebug(_ id: ClientID, _ args: [String]) {
        if args.count == 2 {
            let fields = Self.debugParameters.map { ($0.name.uppercased(), "\(timing[keyPath: $0.keyPath])") }
            return reply(id, Self.map(fields))
        }
        var index = 2
        while index < args.count {
            let name = args[index].lowercased()
            guard let parameter = Self.debugParameters.first(where: { $0.name == name }), index + 1 < args.count else {
                return reply(id, .error("ERR Unknown option or number of arguments for SENTINEL DEBUG '\(args[index])'"))
            }
            guard let value = Int64(args[index + 1]), value > 0 else {
                return reply(
                    id, .error("ERR Invalid argument '\(args[index + 1])' for SENTINEL DEBUG '\(args[index])'"))
            }
            timing[keyPath: parameter.keyPath] = value
            index += 2
        }
        reply(id, .ok)
    }
}
