//===----------------------------------------------------------------------===//
// swift-sentinel — the loop-confined part of the runtime
//===----------------------------------------------------------------------===//

import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RESP
import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything the runtime mutates, confined to its one event loop: the core, the connections, the
/// event queue and the timers. Only ``SentinelRuntime`` creates it, inside a `NIOLoopBoundBox`.
/// By job: this file holds the state, startup and shutdown, the event pump and the action
/// executor; `RuntimeEngine+Listeners` the listeners, `+Links` the outbound links,
/// `+Background` the work done off the loop, `+Host` systemd, stats and the pidfile.
///
/// Events go through a FIFO queue: handlers may report while actions are being executed (closing a
/// channel fires `channelInactive` synchronously), and the queue turns that re-entry into ordinary
/// later events, so the core always sees events one at a time and in order. Writes made while
/// executing actions are flushed once, when the queue is empty.
final class RuntimeEngine {
    enum Phase {
        case idle
        case starting
        case running
        case stopped
    }

    let loop: any EventLoop
    var logger: Logger
    var core: any SentinelMachine
    let config: SentinelConfig
    let options: RuntimeOptions
    let sink: LogSink
    let stopped: EventLoopPromise<Void>
    var phase: Phase = .idle

    var listeners: [any Channel] = []
    /// The TLS contexts new connections use (TLS/TLSContextFactory.swift); replaced on `.activateTLS`.
    var tls = TLSContexts.none
    /// Contexts built for `.prepareTLS`, by token, until the core activates them.
    var preparedTLS: [Int: TLSContexts] = [:]
    /// Builds contexts for `.prepareTLS` (the files are read there, never on the loop); created on first use.
    /// One background thread for the small file work of commands (TLS context builds, the ACL
    /// file), started on first use, so the loop never blocks on it.
    var backgroundPool: NIOThreadPool?
    var clients: [ClientID: ClientConnectionHandler] = [:]
    var nextClientID = 1
    var links: [LinkID: LinkHandler] = [:]
    /// Links being dialled: a `.closeLink` removes the id, and the dial result is then dropped.
    var dialing: Set<LinkID> = []
    /// Resolves hostnames before connects and for `SENTINEL MONITOR` (created on first use).
    var resolver: HostResolver?

    var queue: [Event] = []
    var queueHead = 0
    var draining = false
    var clientsToFlush: [ClientID] = []
    /// The list `flushWrites` is going through (empty otherwise), kept for its capacity.
    var clientsFlushing: [ClientID] = []
    /// Client I/O totals, counted by the client handlers; `reportedTraffic` is what the core has.
    let traffic = ClientTrafficMeter()
    /// The next turns of clients with commands waiting, one round per loop iteration.
    let clientTurns = ClientTurns()
    var reportedTraffic = ClientTraffic()
    var linksToFlush: [LinkID] = []
    /// Links the core asked to open in this batch, dialled once its writes are out
    /// (``settleLinks()``).
    var dialsPending: [(id: LinkID, host: String, port: Int)] = []
    /// Links the core closed in this batch, closed once its writes are out (``settleLinks()``).
    var linksToClose: [LinkHandler] = []

    /// Tick jitter; SentinelCore's seedable generator.
    var random: SplitMix64
    /// The `hz` drawn for the tick now scheduled (INFO shows it).
    var currentHz = 10
    var tickTask: Scheduled<Void>?
    var statsTask: Scheduled<Void>?
    var watchdogTask: Scheduled<Void>?
    var pidFile: String?
    /// The `unixsocket` file this process created, removed at shutdown.
    var unixSocketPath: String?
    /// User script processes (left running at shutdown, as Redis does).
    let scripts = ScriptRunner()
    /// Writes `.persistConfig` states on a background thread (and times them for `/metrics`).
    lazy var saver: ConfigSaver = {
        let saver = ConfigSaver(loop: loop, path: options.configPath, seams: options.configSeams) {
            [weak self] token, error in self?.configSaved(token: token, error: error)
        }
        if let metrics {
            saver.onWrite = { [weak metrics] elapsed, failed in metrics?.configWritten(elapsed: elapsed, failed: failed) }
        }
        return saver
    }()
    /// The `/metrics` series (RuntimeEngine+Metrics.swift); nil with `metrics-port 0`, so that
    /// observations then cost nothing.
    let metrics: SentinelMetrics?
    /// Where the `/metrics` listeners are bound.
    var metricsAddresses: [SocketAddress] = []

    init(
        loop: any EventLoop, core: any SentinelMachine, config: SentinelConfig, options: RuntimeOptions,
        sink: LogSink, stopped: EventLoopPromise<Void>
    ) {
        self.loop = loop
        self.core = core
        self.config = config
        self.options = options
        self.sink = sink
        self.stopped = stopped
        self.random = SplitMix64(seed: options.seed)
        self.logger = Logger.sentinel(sink)
        self.metrics = config.metricsPort != 0 ? SentinelMetrics() : nil
    }

    /// The clock handed to the core: the loop's monotonic clock in milliseconds (virtual time on
    /// an `EmbeddedEventLoop`).
    func now() -> Millis {
        Millis(loop.now.uptimeNanoseconds / 1_000_000)
    }

    /// The wall clock handed to the core with every event: Unix milliseconds, from
    /// ``RuntimeOptions/wallClockMicros`` (the host's clock unless a test follows virtual time).
    func wallClock() -> Int64 {
        options.wallClockMicros() / 1000
    }

    // MARK: - Startup and shutdown

    /// Binds every listener, then writes the pidfile, starts the core and the timers.
    func start() -> EventLoopFuture<[SocketAddress]> {
        guard case .idle = phase else {
            return loop.makeFailedFuture(RuntimeStartupError("The runtime was already started"))
        }
        phase = .starting
        // A stack overflow on the loop thread is reported too (CrashReport.swift).
        CrashReport.prepareThread()
        let promise = loop.makePromise(of: [SocketAddress].self)
        bindAllListeners(promise: promise)
        promise.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success where self.phase == .starting:
                self.startCore()
            case .success, .failure:
                // Failed, or shut down while binding.
                self.phase = .stopped
                for listener in self.listeners { listener.close(promise: nil) }
                self.listeners = []
                self.removeUnixSocket()
                self.stopped.succeed()
            }
        }
        return promise.futureResult
    }

    /// Once the listeners are bound: writes the pidfile, starts the core, the tick and the stats
    /// timers (redis-sentinel's order: listen, then monitor). Needs no socket, so tests start an
    /// engine on an `EmbeddedEventLoop` with it alone and drive its timers in virtual time
    /// (RuntimeEngineVirtualTimeTests).
    func startCore() {
        phase = .running
        // SwiftNIO's epoll descriptor and anything else opened so far (CloseOnExec.swift).
        CloseOnExec.markAll()
        writePidFile()
        let actions = core.start(now: now(), wall: wallClock())
        noteSentinelID(in: actions)
        draining = true
        execute(actions)
        drain()
        scheduleTick()
        sampleStats()
        if options.supervision.notifiesSystemd {
            // redis-sentinel's order: once listening and once the masters are monitored.
            notifySystemd("STATUS=Ready to accept connections\n")
            notifySystemd("READY=1\n")
            if options.supervision.isSupervised, let interval = options.watchdogInterval {
                feedWatchdog(every: .microseconds(interval))
            }
        }
    }

    /// Fires `.tick` after `1000 / hz` ms, with `hz` redrawn from `options.hz` every time (Redis
    /// re-randomises `hz` after each sentinel timer run so that sentinels started together drift apart).
    func scheduleTick() {
        let hz = Int.random(in: options.hz, using: &random)
        currentHz = hz
        tickTask = loop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(1000 / hz))) {
            guard case .running = self.phase else { return }
            // Finished scripts are reaped first, so the tick sees their slots free.
            self.deliver(self.scripts.reap() + [.tick])
            if case .running = self.phase {
                self.scheduleTick()
            }
        }
    }

    /// Stops everything: timers, listeners, links (silently), clients; removes the pidfile; completes
    /// ``SentinelRuntime/waitUntilStopped()``. Idempotent.
    func shutdown() {
        switch phase {
        case .stopped: return
        case .idle:
            phase = .stopped
            stopped.succeed()
            return
        case .starting:
            // The bind completion sees this, closes the listeners and completes `stopped`.
            phase = .stopped
            return
        case .running: break
        }
        phase = .stopped
        logger.warning("User requested shutdown...")
        if options.supervision.notifiesSystemd {
            notifySystemd("STOPPING=1\n")
        }
        flushConfig()
        tickTask?.cancel()
        statsTask?.cancel()
        watchdogTask?.cancel()
        for listener in listeners { listener.close(promise: nil) }
        listeners = []
        removeUnixSocket()
        for link in links.values {
            link.silence()
            link.close()
        }
        for link in linksToClose { link.close() }
        links = [:]
        linksToClose = []
        dialsPending = []
        dialing = []
        resolver?.shutdown()
        resolver = nil
        backgroundPool?.shutdownGracefully { _ in }
        backgroundPool = nil
        preparedTLS = [:]
        for client in clients.values { client.closeNow() }
        clients = [:]
        removePidFile()
        logger.warning("Sentinel is now ready to exit, bye bye...")
        stopped.succeed()
    }

    // MARK: - Events in
    /// Queues events for the core and, unless already draining, runs the queue to empty.
    func deliver(_ events: [Event]) {
        switch phase {
        case .idle, .stopped:
            return
        case .starting:
            // A client accepted before the core started: its events wait for `startCore`.
            queue.append(contentsOf: events)
            return
        case .running:
            queue.append(contentsOf: events)
        }
        guard !draining else { return }
        draining = true
        drain()
    }

    /// A client command with the host facts it needs (``CommandFacts``), checked now, as Redis
    /// checks them when the command runs: the core does no I/O.
    func withHostFacts(_ event: Event) -> Event {
        guard case .clientCommand(let id, let words, _) = event else { return event }
        let paths = core.executablesToCheck(words)
        guard !paths.isEmpty else { return event }
        var facts = CommandFacts()
        for path in paths { facts.executable[path] = HostFacts.isExecutable(path) }
        return .clientCommand(id, words, facts: facts)
    }

    /// Hands queued events to the core one by one and executes its actions; flushes all written
    /// connections whenever the queue runs dry (flushing may close a connection and queue more).
    func drain() {
        while true {
            while queueHead < queue.count, case .running = phase {
                let event = queue[queueHead]
                queueHead += 1
                let time = now()
                let wall = wallClock()
                if traffic.totals != reportedTraffic {
                    // The reads behind this event and the writes of earlier batches, first.
                    reportedTraffic = traffic.totals
                    execute(core.handle(.clientTraffic(reportedTraffic), now: time, wall: wall))
                }
                execute(core.handle(withHostFacts(event), now: time, wall: wall))
            }
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
            flushWrites()
            settleLinks()
            if queue.isEmpty || phase != .running { break }
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
        draining = false
    }

    /// Closes and opens the links this batch asked to, after its replies and commands went out:
    /// on loopback `connect()` does the TCP handshake inside the call (0.1–0.5 ms each on a busy
    /// host), and a channel's close runs its pipeline's teardown. A peer switching to a new
    /// master closes and reopens a link per instance, and the leader's `GET-MASTER-ADDR-BY-NAME`,
    /// answered in the same batch, waited behind them, in the middle of a coordinated failover's
    /// write pause (docs/coordinated-failover.md).
    func settleLinks() {
        if !linksToClose.isEmpty {
            let closing = linksToClose
            linksToClose.removeAll(keepingCapacity: true)
            for link in closing { link.close() }
        }
        guard !dialsPending.isEmpty else { return }
        let dials = dialsPending
        dialsPending.removeAll(keepingCapacity: true)
        for dial in dials where phase == .running { self.dial(dial.id, host: dial.host, port: dial.port) }
    }

    func flushWrites() {
        // Swapped with a spare list rather than copied: `removeAll(keepingCapacity:)` on a list
        // still referenced by the copy allocated a new one on every batch.
        swap(&clientsToFlush, &clientsFlushing)
        let linkIDs = linksToFlush
        linksToFlush.removeAll(keepingCapacity: true)
        for id in clientsFlushing { clients[id]?.flush() }
        clientsFlushing.removeAll(keepingCapacity: true)
        for id in linkIDs { links[id]?.flush() }
    }

    // MARK: - Actions out

    func execute(_ actions: [Action]) {
        for action in actions {
            guard case .running = phase else { return }
            switch action {
            case .connect(let id, let host, let port):
                dialsPending.append((id, host, port))
            case .send(let id, let words):
                guard let link = links[id] else { continue }
                link.queue(words)
                linksToFlush.append(id)
            case .closeLink(let id):
                dialing.remove(id)
                dialsPending.removeAll { $0.id == id }
                if let link = links.removeValue(forKey: id) {
                    // Silenced now (nothing more is sent on it or reported from it), closed once
                    // the batch's writes are out, like the dials.
                    link.silence()
                    linksToClose.append(link)
                }
            case .reply(let id, let value, let version):
                guard let client = clients[id] else { continue }
                client.queue(value, version: version)
                clientsToFlush.append(id)
            case .closeClient(let id):
                clients[id]?.closeAfterFlush()
            case .setClientOutputClass(let id, let kind):
                clients[id]?.setOutputClass(kind)
            case .persistConfig(let state, let token):
                persist(state, token: token)
            case .log(let level, let text, let fields):
                // The core attaches fields only when the format prints them.
                logger.log(level: level.loggerLevel, "\(text)", metadata: fields?.metadata)
            case .setLogLevel(let level):
                sink.level = level
            case .setLogFormat(let format):
                sink.format = format
            case .shutdown:
                shutdown()
            case .wakeUp(let delay):
                loop.assumeIsolated().scheduleTask(in: .milliseconds(max(0, delay))) {
                    guard case .running = self.phase else { return }
                    self.deliver([.tick])
                }
            case .crash(let code):
                logger.warning("Simulated failure: exiting with code \(code)")
                // What earlier events persisted is on disk, as with Redis's synchronous saves.
                flushConfig()
                exit(code)
            case .runScript(let job, let path, let arguments):
                // Answered through the queue, so it reaches the core after this batch.
                queue.append(scripts.run(job, path: path, arguments: arguments))
            case .killScript(let job):
                scripts.kill(job)
            case .aclFile(let operation, let token):
                aclFile(operation, token: token)
            case .prepareTLS(let settings, let token):
                prepareTLS(settings, token: token)
            case .activateTLS(let token):
                activateTLS(token: token)
            case .resolveHost(let host):
                resolve(host) { engine, ip, error in engine.deliver([.hostResolved(host: host, ip: ip, error: error)]) }
            case .observe(let observation):
                metrics?.observe(observation, now: loop.now)
            }
        }
    }

    /// Hands the state to the background saver; the loop never waits for the file. The core hears
    /// `.configPersisted` once a write containing this state has finished (bursts coalesce: one
    /// answer, with the highest token, covers every earlier token).
    func persist(_ state: SentinelConfig, token: Int) {
        if let id = state.myID {
            logger[metadataKey: "sentinel"] = "\(id)"
        }
        saver.save(state, token: token)
    }

    /// A background save finished (on the loop).
    func configSaved(token: Int, error: ConfigWriteError?) {
        guard case .running = phase else { return }
        if let error {
            logger.warning("WARNING: Sentinel was not able to save the new configuration on disk!!!: \(error.reason)")
        }
        deliver([.configPersisted(token: token, error: error?.description)])
    }

    /// Why the save on the way out failed, if it did: the process then exits non-zero.
    private(set) var finalSaveError: ConfigWriteError?

    /// On the way out (SHUTDOWN, SIGTERM, a simulated crash): waits for the save in flight and
    /// writes the latest state synchronously, as Redis saves its config at shutdown.
    func flushConfig() {
        if let error = saver.flushNow(latest: core.unsavedConfig) {
            logger.warning("WARNING: Sentinel was not able to save the new configuration on disk!!!: \(error.reason)")
            finalSaveError = error
        }
        saver.stop()
    }

    func noteSentinelID(in actions: [Action]) {
        for case .persistConfig(let state, _) in actions {
            if let id = state.myID { logger[metadataKey: "sentinel"] = "\(id)" }
        }
    }

    // MARK: - Clients

    /// Called by the listener's child initializer for every accepted connection.
    func acceptClient(_ channel: any Channel) throws {
        switch phase {
        case .starting, .running: break
        case .idle, .stopped: throw ChannelError.ioOnClosedChannel
        }
        let id = ClientID(nextClientID)
        nextClientID += 1
        let handler = ClientConnectionHandler(
            id: id, limits: clientLimits,
            onEvents: { [weak self] events in self?.clientEvents(id, events) },
            onLimit: { [weak self] client, reason in
                switch reason {
                case .outputBuffer:
                    self?.logger.warning("Client \(client) scheduled to be closed ASAP for overcoming of output buffer limits.")
                case .queryBuffer(let initialBytes):
                    self?.logger.warning(
                        "Closing client that reached max query buffer length: \(client) (qbuf initial bytes: \(initialBytes))")
                }
            },
            meter: traffic, turns: clientTurns
        )
        clients[id] = handler
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    /// `proto-max-bulk-len`, `client-query-buffer-limit`, `client-output-buffer-limit` (fixed at
    /// startup: a sentinel has no CONFIG SET for them).
    lazy var clientLimits = ClientConnectionHandler.Limits(config)

    func clientEvents(_ id: ClientID, _ events: [Event]) {
        if case .clientDisconnected = events.last {
            clients[id] = nil
        }
        deliver(events)
    }

    // MARK: - Links (the rest in RuntimeEngine+Links.swift)

    /// `bind-source-addr`: the local address outbound links connect from (any port; Binding.swift).
    lazy var outgoingSource = OutgoingSource(config)
}

@available(*, unavailable)
extension RuntimeEngine: Sendable {}
