import RESP

/// Everything that can happen to a sentinel. The runtime turns socket activity, timers and
/// file-system results into these and feeds them to ``Sentinel/handle(_:now:)``.
package enum Event: Sendable {
    /// The periodic timer (Redis's sentinelTimer); the runtime fires it every 53–100 ms.
    case tick
    /// An outbound connection the core asked for with ``Action/connect(_:host:port:)`` is up.
    /// `localAddress` is the local IP of the socket (getsockname), used in hello messages.
    case linkConnected(LinkID, localAddress: String?)
    /// An outbound connection failed to connect, or was closed by either side.
    case linkClosed(LinkID, reason: String)
    /// One decoded frame arrived on an outbound connection (a reply or a pub/sub message).
    case linkFrame(LinkID, RESPValue)
    /// A client connected to the sentinel's port. `address` is `ip:port` of the peer, `localAddress`
    /// ours; on the `unixsocket` listener both are `<socket path>:0`, as Redis prints them.
    case clientConnected(ClientID, address: String, localAddress: String, unixSocket: Bool = false)
    /// A client sent one complete command (decoded RESP multibulk or inline), with what the
    /// runtime found out about the host for it (``CommandFacts``; the core does no I/O).
    case clientCommand(ClientID, [String], facts: CommandFacts = CommandFacts())
    /// The client's connection is gone (closed by it, by us, or after a protocol error).
    case clientDisconnected(ClientID)
    /// The runtime's running totals of client-connection I/O (absolute, since start). Delivered
    /// before the next event whenever they changed, so INFO sees them up to date.
    case clientTraffic(ClientTraffic)
    /// The result of an ``Action/persistConfig(_:token:)``: nil on success, else the error text.
    /// It answers every earlier token too (the write had the latest state, which contains theirs).
    case configPersisted(token: Int, error: String?)
    /// Process statistics sampled by the runtime (for `INFO cpu`/`server`); sent about once a second.
    case processStats(ProcessStats)
    /// A script asked for with ``Action/runScript(_:path:arguments:)`` is running as `pid`.
    case scriptStarted(ScriptJobID, pid: Int32)
    /// A script's process could not be created at all (a fork failure).
    case scriptFailedToStart(ScriptJobID)
    /// The result of an ``Action/aclFile(_:token:)``: the file's text for a read (nil after a
    /// failure), and the error (`strerror` text) or nil.
    case aclFileDone(token: Int, text: String?, error: String?)
    /// A script's process ended: its exit code, or the signal that killed it (0 if none).
    case scriptExited(ScriptJobID, exitCode: Int32, signal: Int32)
    /// A hostname was resolved (before a connect to it, or for ``Action/resolveHost(_:)``): its
    /// first IP, or nil and getaddrinfo's reason when it does not resolve.
    case hostResolved(host: String, ip: String?, error: String? = nil)
    /// The result of an ``Action/prepareTLS(_:token:)``: nil when the contexts were built (and
    /// wait for ``Action/activateTLS(token:)``), else the startup message of the problem.
    case tlsPrepared(token: Int, error: String?)
}

/// Process-level numbers the core cannot read itself.
package struct ProcessStats: Hashable, Sendable {
    package var pid: Int
    var usedCPUSys: Double
    var usedCPUUser: Double
    var usedCPUSysChildren: Double
    var usedCPUUserChildren: Double
    /// Wall-clock seconds since the Unix epoch (for `server_time_usec`-like fields).
    package var unixTimeMicros: Int64
    package var residentMemory: Int
    /// The timer frequency the runtime drew last, 0 if unknown. Redis's sentinel redraws `hz` in
    /// 10...19 after every timer run, and INFO shows the current one.
    package var hz: Int = 0
    /// The most input one client connection held at once since the previous sample (bytes read
    /// and not yet parsed), for `client_recent_max_input_buffer`.
    package var clientInputBufferPeak: Int = 0
    /// The most output one client connection had not sent yet at the sample, for
    /// `client_recent_max_output_buffer`.
    package var clientOutputBufferPeak: Int = 0

    package init(
        pid: Int = 0, usedCPUSys: Double = 0, usedCPUUser: Double = 0, usedCPUSysChildren: Double = 0,
        usedCPUUserChildren: Double = 0, unixTimeMicros: Int64 = 0, residentMemory: Int = 0
    ) {
        self.pid = pid
        self.usedCPUSys = usedCPUSys
        self.usedCPUUser = usedCPUUser
        self.usedCPUSysChildren = usedCPUSysChildren
        self.usedCPUUserChildren = usedCPUUserChildren
        self.unixTimeMicros = unixTimeMicros
        self.residentMemory = residentMemory
    }
}

/// Host facts a command depends on, checked by the runtime when the command arrives (the core
/// does no I/O): which of the paths ``Sentinel/executablesToCheck(_:)`` named are executable
/// files (Redis checks script paths with `access(X_OK)` as SENTINEL SET runs).
package struct CommandFacts: Hashable, Sendable {
    package var executable: [String: Bool]

    package init(executable: [String: Bool] = [:]) {
        self.executable = executable
    }
}
