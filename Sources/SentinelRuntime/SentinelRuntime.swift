//===----------------------------------------------------------------------===//
// swift-sentinel — the event loop runtime
//===----------------------------------------------------------------------===//

import Dispatch
import Logging
import NIOCore
import NIOPosix
import RESP
import SentinelCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the runtime drives: the pure ``Sentinel`` in production, a scripted stand-in in tests.
package protocol SentinelMachine: Sendable {
    /// `now`: the monotonic clock (ms); `wall`: the wall clock (Unix ms).
    mutating func start(now: Millis, wall: Int64?) -> [Action]
    mutating func handle(_ event: Event, now: Millis, wall: Int64?) -> [Action]
    /// A state newer than the last `.persistConfig` that must still be written at exit, if any.
    var unsavedConfig: SentinelConfig? { get }
    /// The paths whose executability a client command needs (``CommandFacts``).
    func executablesToCheck(_ words: [String]) -> [String]
    /// The gauges of `/metrics` now (MetricsSnapshot.swift).
    func metricsSnapshot() -> MetricsSnapshot
}

// No default implementations: a requirement the core does not offer to this module must fail to
// compile, never fall back silently to a stand-in's answer (an unsaved config dropped at exit,
// script paths never checked).
extension Sentinel: SentinelMachine {}

/// Knobs of the runtime that are not in the config file.
package struct RuntimeOptions: Sendable {
    /// Absolute path of the config file that `.persistConfig` rewrites.
    package var configPath: String
    /// Seeds the tick-jitter generator (the core gets its own seed).
    package var seed: UInt64
    /// How long an outbound connect may take before it fails with `Connection timed out`.
    package var connectTimeout: TimeAmount = .milliseconds(1000)
    /// Unsent output above which a client's commands wait (and nothing more is read from it) until
    /// the output drains below half of it. `client-output-buffer-limit` is separate (config).
    package var clientOutputHighWaterMark: Int = 256 * 1024
    /// `hz` is redrawn uniformly from this range after every tick (Redis: `10 + rand() % 10`).
    package var hz: ClosedRange<Int> = 10...19
    /// How often `.processStats` is sent.
    package var statsInterval: TimeAmount = .seconds(1)
    /// The wall clock (Unix µs) read for every event handed to the core and for `.processStats`
    /// (`server_time_usec`): the host's. The core checks it against the loop's monotonic clock
    /// (TILT on a clock jump) and derives its wall-clock times from it, so tests on an
    /// `EmbeddedEventLoop` pass one that follows virtual time.
    package var wallClockMicros: @Sendable () -> Int64 = { ProcessStatsSampler.wallClockMicros() }
    /// Install SIGTERM/SIGINT handlers in ``SentinelRuntime/run()`` that shut down gracefully.
    package var handleSignals: Bool = true
    /// System-call seams of the config writes (tests slow or fail them).
    package var configSeams = ConfigFile.Seams()
    /// The `supervised` handshake made at startup (`INFO`'s `process_supervised`; whether
    /// readiness, `STOPPING=1` and the watchdog are sent to systemd).
    package var supervision: Supervision = .none
    /// The commit the binary was built from, for `INFO server`.
    package var commit: BuildCommit = .unknown
    /// Where systemd notifications go (`$NOTIFY_SOCKET`).
    package var notifier = SystemdNotifier.fromEnvironment()
    /// `WATCHDOG=1` is sent this often (microseconds) while systemd supervises; nil for never.
    package var watchdogInterval: Int64? = SystemdNotifier.watchdogInterval(
        usec: getenv("WATCHDOG_USEC").map { String(cString: $0) },
        pid: getenv("WATCHDOG_PID").map { String(cString: $0) }, ownPid: getpid())

    package init(configPath: String, seed: UInt64) {
        self.configPath = configPath
        self.seed = seed
    }
}

/// A failure at exit that makes the process exit non-zero.
package enum RuntimeExitError: Error, CustomStringConvertible, Sendable {
    /// The config could not be saved on the way out (SHUTDOWN, SIGTERM): the last changes are lost.
    case finalSaveFailed(ConfigWriteError)

    package var description: String {
        switch self {
        case .finalSaveFailed(let error):
            "The configuration could not be saved at shutdown (\(error.reason)): the last changes are not on disk. Exiting with status 1."
        }
    }
}

/// A startup failure the executable reports before exiting 1.
package struct RuntimeStartupError: Error, CustomStringConvertible, Sendable {
    /// A listener that could not be bound: its port, and whether it is the `tls-port` one.
    package struct Listener: Equatable, Sendable {
        package var port: Int
        package var tls: Bool
    }

    package var description: String
    /// The listener whose bind failed, when that is why startup stopped (Redis then logs
    /// ``ListenerBinding/aborting(port:tls:)``); nil for "not listen anywhere" and other causes.
    package var listener: Listener?

    package init(_ description: String, listener: Listener? = nil) {
        self.description = description
        self.listener = listener
    }
}

/// The process around the pure sentinel: one event loop that owns the ``Sentinel`` value, the client
/// listener, the outbound links, the timer and the config file. (Redis: `main`, `aeMain`, the
/// networking layer and `serverCron` calling `sentinelTimer`.)
///
/// Everything that touches the core runs on the single loop of a one-thread
/// `MultiThreadedEventLoopGroup`, as Redis is single-threaded: handlers call it synchronously, with no
/// hops. The runtime contains no sentinel logic: it decodes, turns I/O into ``Event``s, hands them to
/// the core, and executes the ``Action``s it gets back.
package final class SentinelRuntime: Sendable {
    /// The loop everything runs on.
    package let eventLoop: any EventLoop
    /// The shared log destination (its level follows `.setLogLevel`).
    package let logSink: LogSink
    private let options: RuntimeOptions
    private let group: MultiThreadedEventLoopGroup
    private let engine: NIOLoopBoundBox<RuntimeEngine>
    private let stopped: EventLoopPromise<Void>
    /// Set once the event loop group has been shut down (it must happen exactly once).
    private let released = Mutex(false)

    /// - Parameters:
    ///   - config: The loaded configuration (port, bind, log settings, pidfile are read from it).
    ///   - options: Runtime knobs; `configPath` is where state is persisted.
    ///   - core: The machine to drive; `nil` means `Sentinel(config:seed:secrets:)` seeded from
    ///     `options.seed`, with its secrets from the system's generator.
    package init(config: SentinelConfig, options: RuntimeOptions, core: (any SentinelMachine)? = nil) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let sink = LogSink(config: config)
        let stopped = loop.makePromise(of: Void.self)
        let machine: any SentinelMachine
        if let core {
            machine = core
        } else {
            // The seed drives timing jitter only; a new myid and ACL GENPASS come from getrandom.
            var sentinel = Sentinel(config: config, seed: options.seed, secrets: .system)
            sentinel.serverInfoBase = HostFacts.serverInfo(
                configPath: options.configPath, supervision: options.supervision, commit: options.commit)
            machine = sentinel
        }
        self.options = options
        self.group = group
        self.eventLoop = loop
        self.logSink = sink
        self.stopped = stopped
        self.engine = NIOLoopBoundBox.makeBoxSendingValue(
            RuntimeEngine(
                loop: loop, core: machine, config: config, options: options, sink: sink, stopped: stopped
            ),
            eventLoop: loop
        )
    }

    /// Binds the listeners, starts the core and the timers, then runs until shutdown (SHUTDOWN,
    /// SIGTERM or SIGINT), and releases the event loop.
    ///
    /// - Throws: ``RuntimeStartupError`` naming the address when a listener cannot be bound.
    package func run() async throws {
        var signalSources: [any DispatchSourceSignal] = []
        if options.handleSignals {
            for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [self] in
                    self.requestShutdown(reason: "Received \(name) scheduling shutdown...")
                }
                source.resume()
                signalSources.append(source)
            }
            // redis-sentinel ignores SIGHUP. Logs are opened for every line (LogSink), so a
            // rotated log file needs no signal; say so rather than die (the default action).
            signal(SIGHUP, SIG_IGN)
            let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
            hangUp.setEventHandler { [self] in
                self.eventLoop.execute { [engine] in
                    engine.value.logger.notice(
                        "Received SIGHUP: ignored (the log file is opened for every line, so a rotated log needs no signal)")
                }
            }
            hangUp.resume()
            signalSources.append(hangUp)
        }
        defer {
            for source in signalSources { source.cancel() }
        }
        do {
            _ = try await start()
        } catch {
            try? await releaseLoop()
            throw error
        }
        await waitUntilStopped()
        let saveError = try? await eventLoop.submit { [engine] in engine.value.finalSaveError }.get()
        try await releaseLoop()
        if let saveError = saveError ?? nil {
            throw RuntimeExitError.finalSaveFailed(saveError)
        }
    }

    /// Binds the listeners and starts the core. Returns the bound addresses (tests bind port 0).
    @discardableResult
    package func start() async throws -> [SocketAddress] {
        try await eventLoop.flatSubmit { [engine] in
            engine.value.start()
        }.get()
    }

    /// Asks the runtime to shut down as SHUTDOWN would (safe from any thread).
    package func requestShutdown(reason: String? = nil) {
        guard !released.withLock({ $0 }) else { return }
        eventLoop.execute { [engine] in
            if let reason {
                engine.value.logger.warning("\(reason)")
            }
            engine.value.shutdown()
        }
    }

    /// Returns once the runtime has shut down (all connections closed, pidfile removed).
    package func waitUntilStopped() async {
        try? await stopped.futureResult.get()
    }

    /// Shuts down (if not already) and releases the event loop thread. For tests and embedders that
    /// use ``start()`` rather than ``run()``. Safe to call more than once.
    package func stop() async throws {
        requestShutdown()
        await waitUntilStopped()
        try await releaseLoop()
    }

    private func releaseLoop() async throws {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        if first {
            try await group.shutdownGracefully()
        }
    }
}
