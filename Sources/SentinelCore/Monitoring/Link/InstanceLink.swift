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
    /// link is made and by a reconnect with no PING outstanding (Redis), see `clockAwaitsConnection`.
    var actPingTime: Millis
    /// The SDOWN clock (`actPingTime`) was started by opening the command connection (the link's
    /// creation, or a reconnect with no PING outstanding), not by a PING. When that connection comes
    /// up and sends its PING the clock restarts: always for the link's first connection (it was not
    /// judged while it opened, `firstConnectPending`), for a reconnect if the clock ran less than
    /// down-after (``LinkTable/connected(_:localAddress:now:clockGrace:)``; an instance already
    /// SDOWN stays so until it answers). Redis keeps it running from the connect, where the time
    /// this sentinel takes to open its connections counts against the instance: at a start with
    /// 1,000 masters on a loaded host (2 cores, 2,000 `redis-server`s, three sentinels starting
    /// together) every healthy master went `+sdown` ~1.2 s after the start (redis-sentinel is in
    /// TILT then and checks nothing). A connect that does not complete still makes the instance
    /// SDOWN after down-after.
    var clockAwaitsConnection = true
    /// The link's first command connection has not come up or failed yet. Until then the instance
    /// is not judged (``Sentinel/silence(of:now:)`` is 0): the time from the core's connect to the
    /// runtime's is this sentinel's own, and at a start with 1,000 masters it exceeded down-after
    /// for the masters connected last (2,000 connects in one tick on a loaded host). The connect
    /// timeout (1 s) bounds the wait; a failed first connect counts from the link's creation.
    var firstConnectPending = true
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

    /// sentinelPingReplyCallback's bookkeeping: an acceptable reply (PONG, LOADING, MASTERDOWN)
    /// stops the SDOWN clock. Returns how long the instance had been silent (0 if no PING was
    /// outstanding).
    mutating func pingAnswered(acceptable: Bool, now: Millis) -> Millis {
        let silence = actPingTime == 0 ? 0 : now - actPingTime
        if lastPingTime != 0, now >= lastPingTime { lastRoundTrip = now - lastPingTime }
        if acceptable {
            lastAvailTime = now
            actPingTime = 0
            clockAwaitsConnection = false
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
