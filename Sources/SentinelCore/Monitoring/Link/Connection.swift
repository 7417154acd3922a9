import DequeModule

/// An established connection of a link (the command or the pub/sub connection): what exists
/// only once the runtime reported it up (sentinel-behaviour §5.1, hiredis's `redisAsyncContext`).
struct Connection: Hashable, Sendable {
    let id: LinkID
    /// The local IP of the socket (getsockname), announced in hellos.
    let localAddress: String?
    let connectedAt: Millis
    /// Replies still expected, oldest first (hiredis's callback queue).
    var pending: Deque<ReplyTag> = []
    /// When the oldest hello PUBLISH still unanswered on this connection was sent; 0: none.
    var helloSentAt: Millis = 0
    /// When a frame last arrived, or the connection came up (the pub/sub silence check).
    var lastActivity: Millis
    /// Whether any frame arrived on it yet (only such a connection can be stalled by a write
    /// pause: ``Sentinel/closeStalledHelloConnection(_:downAfter:)``).
    var answered = false

    init(id: LinkID, localAddress: String?, connectedAt: Millis) {
        self.id = id
        self.localAddress = localAddress
        self.connectedAt = connectedAt
        self.lastActivity = connectedAt
    }
}

/// One connection of a link through its life. Replies can only be pending, and a local address
/// known, on a connection that is up.
///
///     closed ──open(id)──▶ connecting(id) ──connected──▶ up(Connection)
///       ▲                        │                           │
///       └────── failed ──────────┘◀──── lost / dropped ──────┘
enum ConnectionState: Hashable, Sendable {
    /// No connection; the link's reconnect opens one (at most once per ping period).
    case closed
    /// Dialled; waiting for the runtime to report it up or closed.
    case connecting(LinkID)
    /// Established.
    case up(Connection)

    /// The id of the connection being opened or up; nil when closed.
    var id: LinkID? {
        switch self {
        case .closed: nil
        case .connecting(let id): id
        case .up(let connection): connection.id
        }
    }

    var isClosed: Bool {
        if case .closed = self { true } else { false }
    }

    var isUp: Bool {
        if case .up = self { true } else { false }
    }

    /// The established connection, if up.
    var up: Connection? {
        if case .up(let connection) = self { connection } else { nil }
    }

    /// Whether a reply to `tag` is still expected on it (false unless up).
    func isAwaiting(_ tag: ReplyTag) -> Bool {
        if case .up(let connection) = self { connection.pending.contains(tag) } else { false }
    }

    /// Runs `body` on the established connection, modified in place; nil if it is not up.
    ///
    /// The state is set to `.closed` while `body` runs, so the connection's pending queue is
    /// referenced once and an append or pop does not copy it.
    @inline(__always) @discardableResult
    mutating func modifyUp<R>(_ body: (inout Connection) -> R) -> R? {
        guard case .up(var connection) = self else { return nil }
        self = .closed
        defer { self = .up(connection) }
        return body(&connection)
    }
}
