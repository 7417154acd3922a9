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
///
/// Events go through a FIFO queue: handlers may report while actions are being executed (closing a
/// channel fires `channelInactive` synchronously), and the queue turns that re-entry into ordinary
/// later events, so the core always sees events one at a time and in order. Writes made while
/// executing actions are flushed once, when the queue is empty.
final class RuntimeEngine {
    private enum Phase {
        case idle
        case starting
        case running
        case stopped
    }

    let loop: any EventLoop
    var logger: Logger
    private var core: any SentinelMachine
    private let config: SentinelConfig
    private let options: RuntimeOptions
    private let sink: LogSink
    private let stopped: EventLoopPromise<Void>
    private var phase: Phase = .idle

    private var listeners: [any Channel] = []
    /// The TLS contexts new connections use (TLS/TLSContextFactory.swift); replaced on `.activateTLS`.
    private var tls = TLSContexts.none
    /// Contexts built for `.prepareTLS`, by token, until the core activates them.
    private var preparedTLS: [Int: TLSContexts] = [:]
    /// Builds contexts for `.prepareTLS` (the files are read there, never on the loop); created on first use.
    /// One background thread for the small file work of commands (TLS context builds, the ACL
    /// file), started on first use, so the loop never blocks on it.
    private var backgroundPool: NIOThreadPool?
    private var clients: [ClientID: ClientConnectionHandler] = [:]
    private var nextClientID = 1
    private var links: [LinkID: LinkHandler] = [:]
    /// Links being dialled: a `.closeLink` removes the id, and the dial result is then dropped.
    private var dialing: Set<LinkID> = []
    /// Resolves hostnames before connects and for `SENTINEL MONITOR` (created on first use).
    private var resolver: HostResolver?

    private var queue: [Event] = []
    private var queueHead = 0
    private var draining = false
    private var clientsToFlush: [ClientID] = []
    /// The list `flushWrites` is going through (empty otherwise), kept for its capacity.
    private var clientsFlushing: [ClientID] = []
    /// Client I/O totals, counted by the client handlers; `reportedTraffic` is what the core has.
    private let traffic = ClientTrafficMeter()
    /// The next turns of clients with commands waiting, one round per loop iteration.
    private let clientTurns = ClientTurns()
    private var reportedTraffic = ClientTraffic()
    private var linksToFlush: [LinkID] = []

    /// Tick jitter; SentinelCore's seedable generator.
    private var random: SplitMix64
    /// The `hz` drawn for the tick now scheduled (INFO shows it).
    private var currentHz = 10
    private var tickTask: Scheduled<Void>?
    private var statsTask: Scheduled<Void>?
    private var watchdogTask: Scheduled<Void>?
    private var pidFile: String?
    /// The `unixsocket` file this process created, removed at shutdown.
    private var unixSocketPath: String?
    /// User script processes (left running at shutdown, as Redis does).
    private let scripts = ScriptRunner()
    /// Writes `.persistConfig` states on a background thread.
    private lazy var saver = ConfigSaver(loop: loop, path: options.configPath, seams: options.configSeams) {
        [weak self] token, error in self?.configSaved(token: token, error: error)
    }

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
    }

    /// The clock handed to the core: the loop's monotonic clock in milliseconds (virtual time on
    /// an `EmbeddedEventLoop`).
    func now() -> Millis {
        Millis(loop.now.uptimeNanoseconds / 1_000_000)
    }

    /// The wall clock handed to the core with every event: Unix milliseconds.
    static func wallClock() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
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

    /// The `bind` list (Binding.swift): no bind means `* -::*`; a leading `-` marks an address
    /// that is skipped when it is not available here.
    private func listenAddresses() -> [BindAddress] {
        BindAddress.list(config.bind)
    }

    /// Binds the addresses in order, as Redis's listenToPort: every failure is logged as a warning;
    /// a skipped one (``ListenerBinding/isSkipped(_:optional:)``) is passed over, any other fails
    /// startup. Binding nothing at all fails too ("Configured to not listen anywhere").
    private func bindListeners(
        _ remaining: ArraySlice<BindAddress>, bound: [SocketAddress],
        promise: EventLoopPromise<[SocketAddress]>, tlsPort: Int? = nil
    ) {
        guard let address = remaining.first else {
            if bound.isEmpty {
                logger.warning("\(ListenerBinding.nowhere)")
                promise.fail(RuntimeStartupError(ListenerBinding.nowhere))
            } else {
                promise.succeed(bound)
            }
            return
        }
        let port = tlsPort ?? config.port
        let failed = { (failure: BindFailure) in
            let message = ListenerBinding.failure(address, port: port, failure)
            self.logger.warning("Warning: \(message)")
            if ListenerBinding.isSkipped(failure, optional: address.optional) {
                self.bindListeners(remaining.dropFirst(), bound: bound, promise: promise, tlsPort: tlsPort)
            } else {
                promise.fail(RuntimeStartupError(message, listener: .init(port: port, tls: tlsPort != nil)))
            }
        }
        let target: SocketAddress
        switch ListenerBinding.resolve(address, port: port) {
        case .success(let resolved): target = resolved
        case .failure(let failure): return failed(failure)
        }
        makeServerBootstrap(tlsPort != nil ? .tls(ipv6: address.isIPv6) : .tcp(ipv6: address.isIPv6))
            .bind(to: target)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    CloseOnExec.mark(channel)
                    self.listeners.append(channel)
                    let local = channel.localAddress.map { [$0] } ?? []
                    self.bindListeners(remaining.dropFirst(), bound: bound + local, promise: promise, tlsPort: tlsPort)
                case .failure(let error):
                    failed(ListenerBinding.describe(error))
                }
            }
    }

    /// What a listener accepts: plain TCP, TLS over TCP (`tls-port`), or the `unixsocket`.
    private enum ListenerKind {
        case tcp(ipv6: Bool)
        case tls(ipv6: Bool)
        case unix
    }

    /// One listener's bootstrap. Every listener has `tcp-backlog` as its backlog (Redis passes
    /// it to `listen()` for TCP and unix sockets alike); accepted TCP clients get TCP_NODELAY and
    /// the `tcp-keepalive` timers (``KeepAliveTimers``), as Redis's createClient does.
    private func makeServerBootstrap(_ kind: ListenerKind) -> ServerBootstrap {
        let engine = NIOLoopBound(self, eventLoop: loop)
        let highWaterMark = options.clientOutputHighWaterMark
        var bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: Int32(clamping: config.tcpBacklog))
            // Above the high mark a client's commands wait until its output drains below the low one;
            // one read per readable event, so that holding reads takes effect at once
            // (ClientConnectionHandler).
            .childChannelOption(.writeBufferWaterMark, value: .init(low: highWaterMark / 2, high: highWaterMark))
            .childChannelOption(.maxMessagesPerRead, value: 1)
        let tls: Bool
        switch kind {
        case .unix:
            tls = false
        case .tcp(let ipv6), .tls(let ipv6):
            if case .tls = kind { tls = true } else { tls = false }
            bootstrap = bootstrap.serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            if ipv6 {
                // Like Redis: the IPv6 listener takes IPv6 only, so it can coexist with the IPv4 one.
                bootstrap = bootstrap.serverChannelOption(
                    ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1
                )
            }
            if let keepAlive = KeepAliveTimers(interval: config.tcpKeepAlive) {
                bootstrap = bootstrap.childChannelOption(.socketOption(.so_keepalive), value: 1)
                    .childChannelOption(Self.tcpOption(TCP_KEEPIDLE), value: keepAlive.idle)
                    .childChannelOption(Self.tcpOption(TCP_KEEPINTVL), value: keepAlive.probeInterval)
                    .childChannelOption(Self.tcpOption(TCP_KEEPCNT), value: keepAlive.probeCount)
            }
        }
        return bootstrap.childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                CloseOnExec.mark(channel)
                if tls {
                    try engine.value.acceptTLSClient(channel)
                } else {
                    try engine.value.acceptClient(channel)
                }
            }
        }
    }

    /// An `IPPROTO_TCP` socket option NIO has no name for.
    private static func tcpOption(_ name: Int32) -> ChannelOptions.Types.SocketOption {
        ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: name))
    }

    /// Redis's checkTcpBacklogSettings: a `tcp-backlog` above the kernel's somaxconn is silently
    /// cut by `listen()`, so it is said at startup.
    private func warnIfBacklogCut() {
        guard let bytes = try? ConfigFile.readBytes(path: "/proc/sys/net/core/somaxconn", limit: 64),
            let limit = Int(String(decoding: bytes.filter { $0 > 32 }, as: UTF8.self)), limit < config.tcpBacklog
        else { return }
        logger.warning(
            "WARNING: The TCP backlog setting of \(config.tcpBacklog) cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of \(limit)."
        )
    }

    /// The `unixsocket` listener, as Redis's initListeners opens it after the TCP ones: a stale
    /// socket file is replaced, the mode is set to `unixsocketperm` (and the group to Valkey's
    /// `unixsocketgroup`), and a failure stops startup with `Failed opening Unix socket: <reason>`.
    private func bindUnixSocket(bound: [SocketAddress], promise: EventLoopPromise<[SocketAddress]>) {
        // A relative path is taken from `dir`: the process has changed into it (SwiftSentinel).
        guard let path = config.unixSocket else { return promise.succeed(bound) }
        let failed = { (reason: String) in
            let message = ListenerBinding.unixFailure(reason)
            self.logger.warning("\(message)")
            promise.fail(RuntimeStartupError(message))
        }
        makeServerBootstrap(.unix)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    CloseOnExec.mark(channel)
                    self.listeners.append(channel)
                    self.unixSocketPath = path
                    if let problem = UnixSocketFile.apply(
                        path: path, permissions: self.config.unixSocketPermissions, group: self.config.unixSocketGroup)
                    {
                        return failed(problem)
                    }
                    promise.succeed(bound + (channel.localAddress.map { [$0] } ?? []))
                case .failure(let error):
                    failed(ListenerBinding.describe(error).reason)
                }
            }
    }

    private func startCore() {
        phase = .running
        // SwiftNIO's epoll descriptor and anything else opened so far (CloseOnExec.swift).
        CloseOnExec.markAll()
        writePidFile()
        let actions = core.start(now: now(), wall: Self.wallClock())
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

    /// Sends one message to systemd (``SystemdNotifier``), logging redis-sentinel's warning when
    /// it cannot be delivered.
    private func notifySystemd(_ message: String) {
        if let failure = SystemdNotifier.failure(options.notifier.send(message)) {
            logger.warning("\(failure)")
        }
    }

    /// Sends `WATCHDOG=1` now and every `interval` while running (systemd's `WatchdogSec=`; half
    /// of `WATCHDOG_USEC`). From the event loop, so a stuck loop stops feeding it. redis-sentinel
    /// 7.0.15 sends none.
    private func feedWatchdog(every interval: TimeAmount) {
        guard case .running = phase else { return }
        notifySystemd("WATCHDOG=1\n")
        watchdogTask = loop.assumeIsolated().scheduleTask(in: interval) {
            self.feedWatchdog(every: interval)
        }
    }

    /// Sends `.processStats` now and every `options.statsInterval` after.
    private func sampleStats() {
        guard case .running = phase else { return }
        var stats = ProcessStatsSampler.sample()
        stats.hz = currentHz
        for client in clients.values {
            let usage = client.takeBufferUsage()
            stats.clientInputBufferPeak = max(stats.clientInputBufferPeak, usage.input)
            stats.clientOutputBufferPeak = max(stats.clientOutputBufferPeak, usage.output)
        }
        deliver([.processStats(stats)])
        statsTask = loop.assumeIsolated().scheduleTask(in: options.statsInterval) {
            self.sampleStats()
        }
    }

    /// Fires `.tick` after `1000 / hz` ms, with `hz` redrawn from `options.hz` every time (Redis
    /// re-randomises `hz` after each sentinel timer run so that sentinels started together drift apart).
    private func scheduleTick() {
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
        links = [:]
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

    private func writePidFile() {
        // A relative path is taken from `dir`: the process has changed into it (SwiftSentinel).
        guard let path = config.pidFile, !path.isEmpty else { return }
        let text = "\(getpid())\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            logger.warning("Failed to write PID file: \(String(cString: strerror(errno)))")
            return
        }
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        pidFile = path
    }

    /// Redis's closeListeningSockets at shutdown: the socket file goes with the listener.
    private func removeUnixSocket() {
        guard let path = unixSocketPath else { return }
        logger.notice("Removing the unix socket file.")
        // NIO may have removed it already with the listener.
        if unlink(path) != 0, errno != ENOENT {
            logger.warning("Error removing the unix socket file: \(String(cString: strerror(errno)))")
        }
        unixSocketPath = nil
    }

    private func removePidFile() {
        guard let path = pidFile else { return }
        logger.notice("Removing the pid file.")
        unlink(path)
        pidFile = nil
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
    private func withHostFacts(_ event: Event) -> Event {
        guard case .clientCommand(let id, let words, _) = event else { return event }
        let paths = core.executablesToCheck(words)
        guard !paths.isEmpty else { return event }
        var facts = CommandFacts()
        for path in paths { facts.executable[path] = HostFacts.isExecutable(path) }
        return .clientCommand(id, words, facts: facts)
    }

    /// Hands queued events to the core one by one and executes its actions; flushes all written
    /// connections whenever the queue runs dry (flushing may close a connection and queue more).
    private func drain() {
        while true {
            while queueHead < queue.count, case .running = phase {
                let event = queue[queueHead]
                queueHead += 1
                let time = now()
                let wall = Self.wallClock()
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
            if queue.isEmpty || phase != .running { break }
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
        draining = false
    }

    private func flushWrites() {
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

    private func execute(_ actions: [Action]) {
        for action in actions {
            guard case .running = phase else { return }
            switch action {
            case .connect(let id, let host, let port):
                dial(id, host: host, port: port)
            case .send(let id, let words):
                guard let link = links[id] else { continue }
                link.queue(words)
                linksToFlush.append(id)
            case .closeLink(let id):
                dialing.remove(id)
                if let link = links.removeValue(forKey: id) {
                    link.silence()
                    link.close()
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
            case .log(let level, let text):
                logger.log(level: level.loggerLevel, "\(text)")
            case .setLogLevel(let level):
                sink.level = level
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
            }
        }
    }

    /// Hands the state to the background saver; the loop never waits for the file. The core hears
    /// `.configPersisted` once a write containing this state has finished (bursts coalesce: one
    /// answer, with the highest token, covers every earlier token).
    private func persist(_ state: SentinelConfig, token: Int) {
        if let id = state.myID {
            logger[metadataKey: "sentinel"] = "\(id)"
        }
        saver.save(state, token: token)
    }

    /// A background save finished (on the loop).
    private func configSaved(token: Int, error: ConfigWriteError?) {
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
    private func flushConfig() {
        if let error = saver.flushNow(latest: core.unsavedConfig) {
            logger.warning("WARNING: Sentinel was not able to save the new configuration on disk!!!: \(error.reason)")
            finalSaveError = error
        }
        saver.stop()
    }

    private func noteSentinelID(in actions: [Action]) {
        for case .persistConfig(let state, _) in actions {
            if let id = state.myID { logger[metadataKey: "sentinel"] = "\(id)" }
        }
    }

    // MARK: - Clients

    /// Called by the listener's child initializer for every accepted connection.
    private func acceptClient(_ channel: any Channel) throws {
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
    private lazy var clientLimits = ClientConnectionHandler.Limits(config)

    private func clientEvents(_ id: ClientID, _ events: [Event]) {
        if case .clientDisconnected = events.last {
            clients[id] = nil
        }
        deliver(events)
    }

    // MARK: - Links

    private func dial(_ id: LinkID, host: String, port: Int) {
        guard links[id] == nil, !dialing.contains(id) else { return }
        dialing.insert(id)
        if let address = try? SocketAddress(ipAddress: host, port: port) {
            return connect(id, to: address)
        }
        // A hostname is resolved again on every connect (Redis re-resolves in
        // sentinelReconnectInstance); the core hears the outcome first. A name that does not
        // resolve fails only this link, which the core retries on its reconnect schedule.
        resolve(host) { engine, ip, reason in
            engine.deliver([.hostResolved(host: host, ip: ip, error: reason)])
            guard engine.dialing.contains(id) else { return }
            if let ip, let address = try? SocketAddress(ipAddress: ip, port: port) {
                engine.connect(id, to: address)
            } else {
                engine.dialing.remove(id)
                engine.deliver([.linkClosed(id, reason: "Failed to resolve hostname '\(host)': \(reason ?? "bad address")")])
            }
        }
    }

    /// Resolves `host` off the loop and calls `done` on the loop with the first IP, or nil and the
    /// reason; not called once the runtime stopped.
    private func resolve(_ host: String, _ done: @escaping (RuntimeEngine, String?, String?) -> Void) {
        let resolver = self.resolver ?? HostResolver()
        self.resolver = resolver
        whileRunning(resolver.resolve(host, on: loop)) { engine, outcome in
            switch outcome {
            case .success(.success(let ip)): done(engine, ip, nil)
            case .success(.failure(let error)): done(engine, nil, error.description)
            case .failure(let error): done(engine, nil, "\(error)")
            }
        }
    }

    private func connect(_ id: LinkID, to address: SocketAddress) {
        let engine = NIOLoopBound(self, eventLoop: loop)
        // tls-replication: every outgoing link speaks TLS, with the context current at the dial.
        let tlsClient = tls.client
        var bootstrap = ClientBootstrap(group: loop)
        if let source = outgoingSource {
            switch source.address(for: address) {
            case .success(let local):
                bootstrap = bootstrap.bind(to: local)
            case .failure(let failure):
                dialing.remove(id)
                deliver([.linkClosed(id, reason: failure.reason)])
                return
            }
        }
        bootstrap =
            bootstrap
            .connectTimeout(options.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    CloseOnExec.mark(channel)
                    if let tlsClient {
                        // No SNI and no host name check, as Redis (the chain is still verified).
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tlsClient, serverHostname: nil))
                    }
                    let handler = LinkHandler(
                        id: id,
                        onActive: { [weak engine = engine.value] handler in engine?.linkActive(handler) },
                        onEvents: { [weak engine = engine.value] events in engine?.linkEvents(id, events) }
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        bootstrap.connect(to: address).assumeIsolated().whenFailure { error in
            // Still wanted and never came up: report the failed attempt.
            if self.dialing.remove(id) != nil {
                let reason = OutgoingSource.bindFailure(error) ?? LinkHandler.describe(error)
                self.deliver([.linkClosed(id, reason: reason)])
            }
        }
    }

    /// `bind-source-addr`: the local address outbound links connect from (any port; Binding.swift).
    private lazy var outgoingSource = OutgoingSource(config)

    // MARK: - TLS

    /// Builds the TLS contexts, then binds the plain listeners (on `port`, unless `port 0` with
    /// a `tls-port`, which is TLS only, as in Redis) and the TLS listeners on `tls-port`.
    private func bindAllListeners(promise: EventLoopPromise<[SocketAddress]>) {
        warnIfBacklogCut()
        let tcp = loop.makePromise(of: [SocketAddress].self)
        bindTCPListeners(promise: tcp)
        tcp.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let bound): self.bindUnixSocket(bound: bound, promise: promise)
            case .failure(let error): promise.fail(error)
            }
        }
    }

    /// The `bind` addresses on `port`, then on `tls-port`.
    private func bindTCPListeners(promise: EventLoopPromise<[SocketAddress]>) {
        let settings = config.tls
        do {
            tls = try TLSContextFactory.make(settings)
        } catch {
            logger.warning("\(error.message)")
            logger.warning("\(TLSSetupError.summary)")
            promise.fail(RuntimeStartupError(error.message))
            return
        }
        guard settings.port != 0 else {
            bindListeners(listenAddresses()[...], bound: [], promise: promise)
            return
        }
        let plain = loop.makePromise(of: [SocketAddress].self)
        if config.port != 0 {
            bindListeners(listenAddresses()[...], bound: [], promise: plain)
        } else {
            plain.succeed([])
        }
        plain.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let bound):
                self.bindListeners(self.listenAddresses()[...], bound: bound, promise: promise, tlsPort: settings.port)
            case .failure(let error):
                promise.fail(error)
            }
        }
    }

    /// A connection on `tls-port`: TLS first; the client handler is installed once the handshake
    /// is done (TLSAcceptHandler), so a failed handshake never reaches the core.
    private func acceptTLSClient(_ channel: any Channel) throws {
        guard let context = tls.server else { throw ChannelError.ioOnClosedChannel }
        let engine = NIOLoopBound(self, eventLoop: loop)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLServerHandler(context: context))
        try sync.addHandler(
            TLSAcceptHandler(logger: logger) { channel in
                try engine.value.acceptClient(channel)
            })
    }

    /// `.prepareTLS`: builds the contexts on the TLS pool (file reads, key checks), keeps them
    /// for `.activateTLS` and reports `.tlsPrepared`; the contexts in use stay until then.
    private func prepareTLS(_ settings: TLSSettings, token: Int) {
        offload { () -> Result<TLSContexts, TLSSetupError> in
            do throws(TLSSetupError) {
                return .success(try TLSContextFactory.make(settings))
            } catch {
                return .failure(error)
            }
        } then: { engine, outcome in
            switch outcome {
            case .success(.success(let contexts)):
                engine.preparedTLS[token] = contexts
                engine.deliver([.tlsPrepared(token: token, error: nil)])
            case .success(.failure(let error)):
                engine.deliver([.tlsPrepared(token: token, error: error.message)])
            case .failure(let error):
                engine.deliver([.tlsPrepared(token: token, error: "\(error)")])
            }
        }
    }

    /// Runs `work` on the background pool, then `done` with its outcome back on the loop, unless
    /// the runtime stopped meanwhile.
    private func offload<T: Sendable>(
        _ work: @escaping @Sendable () -> T, then done: @escaping (RuntimeEngine, Result<T, any Error>) -> Void
    ) {
        whileRunning(startedBackgroundPool().runIfActive(eventLoop: loop, work), done)
    }

    /// Calls `done` on the loop with the outcome of `future` (work done off the loop), unless the
    /// runtime stopped meanwhile: the one way the engine comes back from background work.
    private func whileRunning<T>(
        _ future: EventLoopFuture<T>, _ done: @escaping (RuntimeEngine, Result<T, any Error>) -> Void
    ) {
        let engine = NIOLoopBound(self, eventLoop: loop)
        future.assumeIsolated().whenComplete { outcome in
            let engine = engine.value
            guard case .running = engine.phase else { return }
            done(engine, outcome)
        }
    }

    /// The background pool, started on first use.
    private func startedBackgroundPool() -> NIOThreadPool {
        if let pool = backgroundPool { return pool }
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        backgroundPool = pool
        return pool
    }

    /// `.aclFile`: reads or replaces the ACL file on the background thread (one thread, so
    /// operations happen in the order the core asked for them) and reports `.aclFileDone`.
    private func aclFile(_ operation: AclFile.Operation, token: Int) {
        offload { AclFileIO.perform(operation, token: token) } then: { engine, outcome in
            switch outcome {
            case .success(let event): engine.deliver([event])
            case .failure(let error):
                engine.deliver([.aclFileDone(token: token, text: nil, error: "\(error)")])
            }
        }
    }

    /// `.activateTLS`: new connections use the prepared contexts; open ones keep theirs.
    private func activateTLS(token: Int) {
        guard let contexts = preparedTLS.removeValue(forKey: token) else { return }
        tls = contexts
        logger.notice("TLS configuration reloaded")
    }

    private func linkActive(_ handler: LinkHandler) {
        let id = handler.id
        guard case .running = phase, dialing.remove(id) != nil else {
            // Closed by the core while dialling, or a duplicate: drop it without a word.
            handler.silence()
            handler.close()
            return
        }
        links[id] = handler
        deliver([.linkConnected(id, localAddress: handler.localIP)])
    }

    private func linkEvents(_ id: LinkID, _ events: [Event]) {
        if case .linkClosed = events.last {
            links[id] = nil
        }
        deliver(events)
    }
}

@available(*, unavailable)
extension RuntimeEngine: Sendable {}
