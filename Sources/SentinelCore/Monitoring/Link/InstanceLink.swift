/// Which instance a link belongs to. Peer sentinels share one link per runid across masters.
enum LinkOwner: Hashable, Sendable {
    case master(String)
    case replica(master: String, name: String)
    case peer(runID: String)
}

/// The link of one instance (Redis's `instanceLink`): a command connection, and for masters and
/// replicas a pub/sub connection, with the timing fields Sentinel keeps (sentinel-behaviour §5.1).
struct InstanceLink: Hashable, Sendable {
    var cc: ConnectionState = .closed
    var pc: ConnectionState = .closed
    let needsPubSub: Bool
    /// Last acceptable PING reply (PONG, LOADING, MASTERDOWN).
    var lastAvailTime: Millis
    /// When the oldest unanswered PING was sent; 0 when none is outstanding. Also started when the
    /// link is made and by a reconnect with no PING outstanding (Redis), see `clockStart`.
    var actPingTime: Millis
    /// What started the SDOWN clock (`actPingTime`).
    ///
    /// Redis keeps a clock started by a connect running from the connect, so the time this
    /// sentinel takes to open its connections counts against the instance: at a start with 1,000
    /// masters on a loaded host (2 cores, 2,000 `redis-server`s, three sentinels starting
    /// together; 2,000 connects in the first tick) every healthy master went `+sdown` ~1.2 s after
    /// the start (redis-sentinel is in TILT then and checks nothing). Here the clock restarts when
    /// the connection comes up and sends its PING (``commandConnectionUp(now:clockGrace:)``). A
    /// connect that does not complete still makes the instance SDOWN after down-after.
    enum ClockStart: Hashable, Sendable {
        /// The link was made and its first command connection has neither come up nor failed:
        /// the instance is not judged yet (``Sentinel/silence(of:now:)`` is 0), a wait the
        /// connect timeout (1 s) bounds. When it comes up the clock restarts; when it fails the
        /// clock counts from the link's creation (`reconnect`).
        case firstConnect
        /// A reconnect with no PING outstanding: when it comes up the clock restarts if it ran
        /// less than down-after (an instance already SDOWN stays so until it answers).
        case reconnect
        /// A PING, or the clock is not running.
        case ping
    }

    var clockStart = ClockStart.firstConnect

    /// Whether the SDOWN check may judge the instance now: not while the link's first command
    /// connection is being opened.
    var judged: Bool {
        if clockStart == .firstConnect, case .connecting = cc { return false }
        return true
    }

    var lastPingTime: Millis = 0
    /// Last PING reply of any kind.
    var lastPongTime: Millis
    /// How long the last answered PING took (its reply time minus the last PING sent); nil until
    /// one is answered. Not in Redis: `/metrics` reads it (MetricsSnapshot.swift).
    var lastRoundTrip: Millis? = nil
    var lastReconnTime: Millis = 0
    /// When a command (pub/sub) connection that the instance closed was last reopened at once,
    /// without waiting for the ping period since `lastReconnTime`; 0 if never. At most one such
    /// reopen per ping period and connection (``LinkTable/lost(_:now:pingPeriod:)``).
    var ccReopenedEarly: Millis = 0
    var pcReopenedEarly: Millis = 0
    /// When the command connection was closed because a hello PUBLISH stayed unanswered (the
    /// instance is probably write-paused by a FAILOVER); 0: never. Hellos to the instance wait
    /// until an INFO newer than that says whether it is in a server-side FAILOVER.
    var helloStalledAt: Millis = 0
    /// The server's error while AUTH (or, for `NOPERM`, SUBSCRIBE) is refused on this link; nil
    /// when it works. Kept across reconnects so the failure is logged once (LinkAuth.swift).
    var authFailure: String? = nil

    init(needsPubSub: Bool, now: Millis) {
        self.needsPubSub = needsPubSub
        self.lastAvailTime = now
        self.actPingTime = now
        self.lastPongTime = now
    }

    /// Either required connection missing or not yet up (what the `disconnected` flag shows and
    /// what holds back the periodic commands).
    var disconnected: Bool {
        !cc.isUp || (needsPubSub && !pc.isUp)
    }

    /// Redis's `link->disconnected` as the SDOWN check reads it: a required connection was closed
    /// and no reconnect has been started. Redis clears it when it starts the reconnect, in the
    /// same timer tick and before the SDOWN check, so a connection the instance killed (the
    /// `CLIENT KILL TYPE pubsub` of every reconfiguration) never makes a healthy instance look down
    /// while the reconnect is being opened.
    var awaitingReconnect: Bool {
        cc.isClosed || (needsPubSub && pc.isClosed)
    }

    var pendingCommands: Int { cc.up?.pending.count ?? 0 }

    /// sentinelSendPing's bookkeeping: starts the SDOWN clock if no PING is outstanding. False
    /// (nothing changed) unless the command connection is up.
    mutating func pingSent(now: Millis) -> Bool {
        guard cc.isUp else { return false }
        if actPingTime == 0 { actPingTime = now }
        lastPingTime = now
        return true
    }

    /// A reconnect is starting its command connection: with no PING outstanding the SDOWN clock
    /// starts now (Redis queues a PING with every reconnect).
    mutating func commandConnectionOpening(now: Millis) {
        guard actPingTime == 0 else { return }
        actPingTime = now
        clockStart = .reconnect
    }

    /// The command connection came up and sends its PING now: a clock its opening started
    /// restarts, for a reconnect only if it ran less than `clockGrace` (``ClockStart``).
    mutating func commandConnectionUp(now: Millis, clockGrace: Int64) {
        switch clockStart {
        case .firstConnect: actPingTime = now
        case .reconnect: if now - actPingTime < clockGrace { actPingTime = now }
        case .ping: return
        }
        clockStart = .ping
    }

    /// The command connection failed or closed: a first connect that failed counts from the
    /// link's creation, as a reconnect would.
    mutating func commandConnectionClosed() {
        if clockStart == .firstConnect { clockStart = .reconnect }
    }

    /// sentinelPingReplyCallback's bookkeeping: an acceptable reply (PONG, LOADING, MASTERDOWN)
    /// stops the SDOWN clock. Returns how long the instance had been silent (0 if no PING was
    /// outstanding).
    mutating func pingAnswered(acceptable: Bool, now: Millis) -> Millis {
        let silence = actPingTime == 0 ? 0 : now - actPingTime
        if lastPingTime != 0, now >= lastPingTime { lastRoundTrip = now - lastPingTime }
        if acceptable {
            lastAvailTime = now
            actPingTime = 0
            clockStart = .ping
        }
        lastPongTime = now
        return silence
    }

    /// Records an authentication (or permission) failure; true the first time (to be logged).
    mutating func authFailed(_ text: String) -> Bool {
        defer { authFailure = text }
        return authFailure == nil
    }

    /// The link answered as an authenticated one; true if it had failed before (to be logged). A
    /// `NOPERM` failure is cleared only with `permissionToo` (a confirmed SUBSCRIBE).
    mutating func authWorks(permissionToo: Bool) -> Bool {
        guard let failure = authFailure else { return false }
        if !permissionToo && failure.hasPrefix("NOPERM") { return false }
        authFailure = nil
        return true
    }

    /// A hello PUBLISH went out on the command connection: it is the oldest unanswered one
    /// unless another is already waiting.
    mutating func helloSent(now: Millis) {
        cc.modifyUp { if $0.helloSentAt == 0 { $0.helloSentAt = now } }
    }

    /// A hello PUBLISH on the command connection was answered.
    mutating func helloAnswered() {
        cc.modifyUp { $0.helloSentAt = 0 }
    }
}
