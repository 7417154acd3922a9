import DequeModule
import OrderedCollections
import RESP

/// The whole sentinel as a value: feed it events, execute the actions it returns.
///
/// Reproduces Redis Sentinel's global state (`sentinel` in sentinel.c) and its entry points:
/// the timer, link callbacks, and the commands of the sentinel's own port. It performs no I/O and
/// reads no clock: `now` comes with every event and randomness from a seeded generator, except
/// the secrets (a new myid, ACL GENPASS), which come from the ``SecretSource`` it is given.
package struct Sentinel: Sendable {
    /// Our 40-character run id.
    private(set) var myID: String
    /// Global options and server settings (the `masters` list of this value is not used; see ``masters``).
    var settings: SentinelConfig
    /// The monitored masters by name, in the order they were added (their entries in ``instances``).
    var masters: OrderedDictionary<String, InstanceID> = [:]
    /// Every monitored instance: the masters, their replicas and their peer sentinels (InstanceTable.swift).
    var instances = InstanceTable()
    var timing = Timing()

    /// The links to monitored instances and peers (the link state machine, Monitoring/Link/).
    var links = LinkTable()
    /// The client sessions; not in connection order once one has gone (``removeClientSession(_:)``).
    var clients: OrderedDictionary<ClientID, ClientSession> = [:]
    /// Where ``clientIndex(_:)`` last found a client in ``clients``.
    var lastClientIndex = 0
    /// Timing jitter (and, under ``SecretSource/seeded``, the secrets): reproducible from the seed.
    var rng: SplitMix64
    /// Where a new myid and ACL GENPASS passwords come from.
    let secrets: SecretSource
    var now: Millis = 0
    var startTime: Millis = 0
    var processStats = ProcessStats()
    var counters = Counters()
    /// Client-connection I/O as last reported by the runtime (TrafficStats.swift).
    var traffic = ClientTraffic()
    /// The instantaneous metrics of INFO stats (TrafficStats.swift).
    var trafficRates = TrafficRates()
    /// `client_recent_max_input_buffer` and `..._output_buffer` (TrafficStats.swift).
    var recentInputBuffer = RecentPeak()
    var recentOutputBuffer = RecentPeak()
    var simulateFailureFlags = 0
    /// ACL users of our own port and the ACL log (Acl/).
    var acl = AclState()
    /// Resolved IPs of hostnames and MONITOR commands waiting for a resolution (Address.swift).
    var resolution = HostResolution()
    /// What this sentinel keeps for coordinated failovers it takes part in without leading them
    /// (CoordinatedPeers.swift); the leader's own run is in ``MasterState/failover``.
    var handovers = HandoverState()
    /// Senders whose refused epochs were logged (Hello.swift `refuseEpoch`), bounded.
    var epochRefusalsLogged: Set<String> = []
    /// Whether the refusal to start a failover with the current epoch at its maximum was logged.
    var epochExhaustedLogged = false
    /// The pending extra tick requested with `.wakeUp`, if any.
    var nextWakeUp: Millis? = nil
    /// TILT mode and the clock readings it compares (Tilt.swift).
    var clock = TiltClock()
    /// Queued and running user scripts (sentinel-behaviour §10.1).
    var scripts = ScriptQueue()
    /// Static INFO fields (executable, config file, OS) the runtime fills in once.
    package var serverInfoBase = ServerInfoInput()
    /// Whether script paths are executable, as the runtime found them when the commands naming
    /// them arrived (``CommandFacts``); kept until a command that waited (CLIENT PAUSE) runs.
    var executableFacts: [String: Bool] = [:]
    /// The `SENTINEL CONFIG SET tls-*` whose files the runtime is loading, and the SENTINEL
    /// CONFIG commands waiting for it (TLSConfigSet.swift).
    var tlsReload = TLSReloadState()

    /// Persisting the configuration, one write at a time (IO/ConfigFlush.swift).
    var persistence = ConfigFlush()
    /// The next reply slot number (ClientReplies.swift).
    var nextReplySlot = 1
    /// Clients whose commands wait for a CLIENT PAUSE to end, in the order they were blocked.
    var postponedClients: [ClientID] = []
    /// The CLIENT PAUSE in force, if any (ClientPause.swift).
    var clientPause: ClientPauseState? = nil
    var output: [Action] = []

    struct Counters: Hashable, Sendable {
        var connectionsReceived = 0
        /// Commands that ran (Redis's stat_numcommands, counted in call() once the command is
        /// done): not those refused before running (unknown, arity, NOAUTH, subscribed context).
        var commandsProcessed = 0
        var rejectedConnections = 0
        /// Error replies produced by the core (afterErrorReply); protocol errors are the runtime's.
        var errorReplies = 0
    }

    /// - Parameters:
    ///   - config: the loaded configuration (masters, known replicas and sentinels, epochs).
    ///   - seed: seeds the failover jitter (and the secrets under ``SecretSource/seeded``).
    ///   - secrets: where a new myid and ACL GENPASS passwords come from: the runtime passes
    ///     ``SecretSource/system``; the default replays from `seed`, for simulations and tests.
    package init(config: SentinelConfig, seed: UInt64, secrets: SecretSource = .seeded) {
        var rng = SplitMix64(seed: seed)
        var settings = config
        settings.masters = []
        let generated = config.myID == nil
        self.myID = config.myID ?? Sentinel.randomHex(digits: 40, from: secrets, seeded: &rng)
        settings.myID = myID
        self.settings = settings
        self.rng = rng
        self.secrets = secrets
        self.persistence.changed = generated
        for m in config.masters {
            var master = MasterState(config: m, now: 0)
            master.config.knownReplicas = []
            master.config.knownSentinels = []
            masters[m.name] = instances.insert(Instance(.master(master), now: 0))
        }
        self.pendingConfig = config
        self.acl = AclState(config: config)
        if !config.commandRenames.isEmpty, case .success(let names) = CommandRenames.names(applying: config.commandRenames) {
            self.commandNames = names
        }
    }

    /// The names clients may send for each command after server-level `rename-command` lines
    /// (lowercased name -> table name); nil without such lines.
    private(set) var commandNames: [String: String]? = nil

    /// The configuration as loaded, kept until ``start(now:)`` creates the remembered replicas and peers.
    private var pendingConfig: SentinelConfig?

    /// Called once before the first event (Redis's sentinelIsRunning): persists a freshly generated
    /// myid, creates the remembered replicas and sentinels, emits `+monitor` for every master and
    /// starts connecting.
    /// Starts the sentinel at `now` (monotonic ms); `wall` is the wall clock (Unix ms) when the
    /// runtime has it.
    package mutating func start(now: Millis, wall: Int64? = nil) -> [Action] {
        self.now = now
        if let wall { noteWallClock(wall) }
        startTime = now
        // Redis's initSentinel sets previous_time at startup, so a stall before the first timer
        // run (the process stopped right after it started) still triggers TILT.
        clock.previousTick = now
        trafficRates = TrafficRates(now: now)
        if let loaded = pendingConfig {
            pendingConfig = nil
            for m in loaded.masters {
                modifyInstance(masters[m.name]!) {
                    $0.master.state = RedisInstanceState(role: .master, now: now)
                    $0.lastPubTime = now
                }
                links[.master(m.name)] = InstanceLink(needsPubSub: true, now: now)
                for address in m.knownReplicas { _ = addReplica(address, to: m.name) }
                for known in m.knownSentinels { addPeer(known.runID, address: known.address, to: m.name) }
            }
        }
        output.append(.log(.notice, "Sentinel ID is \(myID)"))
        for id in masters.values {
            let master = instances[id].master
            emit(.warning, "+monitor", "\(describe(id)) quorum \(master.config.quorum)", master: master.name)
        }
        reconnectAll()
        return drain()
    }

    /// The configuration to write on the way out (SHUTDOWN, SIGTERM, a simulated crash) when a change
    /// has not been handed to the runtime yet (it waits for the write in flight); nil when every
    /// change went out in a `persistConfig`. Redis saves synchronously, so at its exits every
    /// change made so far is on disk.
    package var unsavedConfig: SentinelConfig? {
        persistence.changed ? config : nil
    }

    /// The live configuration, as it would be persisted right now (Redis's sentinelFlushConfig input).
    var config: SentinelConfig {
        var c = settings
        c.myID = myID
        c.masters = masters.values.map { id in
            let master = instances[id].master
            var m = master.config
            // Mid-failover (from RECONF_SLAVES on) the file already names the promoted replica as
            // the master, and lists the old master in its place among the replicas.
            // Addresses are written as printed: hostnames with announce-hostnames, else IPs.
            let current = currentAddress(of: id)
            m.address = announced(current)
            // A replica listed at the old master's own address (a master whose INFO names itself
            // among its replicas) would then be written twice, and Sentinel refuses such a file at
            // the next start ("Duplicate hostname and port for replica"): each address goes once.
            var written = Set<HostPort>()
            m.knownReplicas = replicaInstances(of: master).compactMap {
                let address = announced(sameAddress($0.address, current) ? master.address : $0.address)
                return written.insert(HostPort(address.host.lowercased(), address.port)).inserted ? address : nil
            }
            m.knownSentinels = peerInstances(of: master).map {
                KnownSentinel(address: announced($0.address), runID: $0.name)
            }
            return m
        }
        c.users = acl.persistedDefinitions(requirePass: settings.requirePass)
        return c
    }

    /// Handles one event and returns what to do about it, in order.
    /// `now` is the monotonic clock (ms); `wall` the wall clock (Unix ms), which the runtime gives
    /// with every event (the coordinated failover's record and TILT's clock-jump check use it).
    package mutating func handle(_ event: Event, now: Millis, wall: Int64? = nil) -> [Action] {
        self.now = now
        if let wall { noteWallClock(wall) }
        switch event {
        case .tick:
            sampleTrafficRates()
            closeIdleClients()
            timer()
        case .linkConnected(let id, let localAddress):
            linkConnected(id, localAddress: localAddress)
        case .linkClosed(let id, let reason):
            connectionLost(id, reason: reason)
        case .linkFrame(let id, let value):
            linkFrame(id, value)
        case .clientConnected(let id, let address, let localAddress, let unixSocket):
            // A unix socket client is local: protected mode never refuses it (Redis's connIsLocal).
            if refuseOverMaxClients(id) || (!unixSocket && refuseUnprotectedClient(id, address: address)) { break }
            counters.connectionsReceived += 1
            clients[id] = ClientSession(
                id: id, address: address, localAddress: localAddress, now: now,
                authenticated: acl.newConnectionsAuthenticated)
            clients[id]?.unixSocket = unixSocket
            let unrestricted = userAllowsEverything("default")
            clients[id]?.aclUnrestricted = unrestricted
        case .clientCommand(let id, let args, let facts):
            noteFacts(facts)
            // Read in place: `clients[id]?.…` copies the whole session.
            let wasSubscribed = clientIndex(id).map { clients.values[$0].subscriptionCount > 0 } ?? false
            clientCommand(id, args)
            noteOutputClass(id, wasSubscribed: wasSubscribed)
        case .clientDisconnected(let id):
            removeClientSession(id)
            postponedClients.removeAll { $0 == id }
        case .clientTraffic(let totals):
            traffic = totals
        case .configPersisted(let token, let error):
            configPersisted(token: token, error: error)
        case .processStats(let stats):
            processStats = stats
            recordClientBufferPeaks(stats)
            noteWallClock(stats.unixTimeMicros / 1000)
        case .scriptStarted(let id, let pid):
            scriptStarted(id, pid: pid)
        case .scriptFailedToStart(let id):
            scriptFailedToStart(id)
        case .scriptExited(let id, let exitCode, let signal):
            scriptExited(id, exitCode: exitCode, signal: signal)
        case .aclFileDone(let token, let text, let error):
            aclFileDone(token: token, text: text, error: error)
        case .hostResolved(let host, let ip, let error):
            hostResolved(host, ip: ip, error: error)
        case .tlsPrepared(let token, let error):
            tlsPrepared(token: token, error: error)
        }
        return drain()
    }

    /// Ends an event: issues at most one config flush and hands the collected actions over.
    private mutating func drain() -> [Action] {
        if let crash = output.firstIndex(where: { if case .crash = $0 { true } else { false } }) {
            // A simulated crash ends the process: nothing after it happens, not even a flush.
            defer { output = [] }
            return Array(output[...crash])
        }
        if let token = persistence.writeDue() {
            output.append(.persistConfig(config, token: token))
        }
        defer { output = [] }
        return output
    }

    /// Reply to a command after the config flush it caused: `success` if the write worked, else
    /// Redis's "Failed to save config file" error (or `failure` when given). `slot` is the reply
    /// slot of a command that reserved one earlier (it waited for the runtime); nil reserves one now.
    mutating func replyAfterFlush(_ client: ClientID, _ success: RESPValue, failure: RESPValue? = nil, slot: Int? = nil) {
        persistence.changed = true
        guard let slot = slot ?? reserveReplySlot(client) else { return }
        persistence.hold(ConfigFlush.HeldReply(client: client, slot: slot, success: success, failure: failure))
    }

    /// A flush finished. It covers `token` and every earlier token: each `persistConfig` carries
    /// the whole config, so the runtime may write only the latest of a burst and answer once.
    private mutating func configPersisted(token: Int, error: String?) {
        let released = persistence.persisted(token: token)
        if let error {
            output.append(.log(.warning, "WARNING: Sentinel was not able to save the new configuration on disk!!!: \(error)"))
        }
        for held in released {
            fillReplySlot(held.client, held.slot, error == nil ? held.success : (held.failure ?? .error(Wire.errFlushFailed)))
        }
    }

    // MARK: - Helpers shared by every concern

    /// `count` random lowercase hex digits from ``secrets``: Redis's getRandomHexChars, which
    /// makes a new myid (40 digits) and ACL GENPASS's password ((bits+3)/4 digits) from
    /// /dev/urandom through a SHA-256 counter. Every digit carries 4 random bits.
    mutating func randomHex(digits count: Int) -> String {
        Self.randomHex(digits: count, from: secrets, seeded: &rng)
    }

    /// ``randomHex(digits:)`` before the sentinel exists (its myid); `rng` is the seeded generator.
    static func randomHex(digits count: Int, from secrets: SecretSource, seeded rng: inout SplitMix64) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        switch secrets {
        case .system:
            // getrandom(2) on Linux, arc4random_buf on Darwin: 16 digits per draw.
            var generator = SystemRandomNumberGenerator()
            var word: UInt64 = 0
            for index in 0..<count {
                if index % 16 == 0 { word = generator.next() }
                bytes.append(digits[Int(word & 15)])
                word >>= 4
            }
        case .seeded:
            // One draw per digit, as before the secrets were split off: seeded runs keep their ids.
            for _ in 0..<count { bytes.append(digits[Int(rng.next() & 15)]) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Where a sentinel's secrets come from: a newly generated myid and ACL GENPASS passwords, which
/// must not be guessable (Redis draws them from /dev/urandom). The seeded generator
/// (``SplitMix64``) is for timing jitter.
package enum SecretSource: Hashable, Sendable {
    /// The operating system's cryptographic generator (`SystemRandomNumberGenerator`: getrandom(2)
    /// on Linux): what the runtime gives a real sentinel. Two sentinels with the same seed differ.
    case system
    /// The core's seeded generator, so that a simulation or a test replays the same ids from the
    /// same seed. Guessable: never for a real sentinel.
    case seeded
}

/// A small seedable generator (SplitMix64), so every random choice in the core is reproducible.
package struct SplitMix64: RandomNumberGenerator, Hashable, Sendable {
    private var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
