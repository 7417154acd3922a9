import DequeModule
import RESP

/// What the link machine asks for; the ``Sentinel`` facade turns it into core ``Action``s
/// (applying the master's `rename-command` map to what is sent).
enum LinkAction: Hashable, Sendable {
    /// Open connection `id` to `address` (the pub/sub connection if `pubsub`).
    case connect(LinkID, HostPort, pubsub: Bool)
    /// Write one command on connection `id`.
    case send(LinkID, [String])
    /// Close connection `id`; no close is reported back for it.
    case close(LinkID)
}

/// A connection that closed while it was its link's current one.
struct ClosedConnection: Hashable, Sendable {
    var owner: LinkOwner
    var pubsub: Bool
    /// It was up (not a connect that failed).
    var wasUp: Bool
}

/// What a frame received on a link's connection is (hiredis's reply callback dispatch).
enum Inbound: Hashable, Sendable {
    /// On a connection that is no longer its link's current one (or not up): ignored.
    case stale
    /// The reply to `tag`, the oldest command still waiting on the connection.
    case reply(LinkOwner, ReplyTag, pubsub: Bool)
    /// A pub/sub message with no command waiting (a hello, if it is one).
    case message(LinkOwner)
    /// A reply with no command waiting on the command connection, not an error: ignored.
    case unsolicited(LinkOwner)
    /// An error with no command waiting (e.g. "max number of clients reached"): hiredis closes
    /// the connection.
    case drop(LinkOwner, LinkID)
}

/// Every link of the sentinel, the index from connection ids to links, and the id allocation:
/// the link state machine (Redis's `instanceLink`, sentinelReconnectInstance and the reply
/// callbacks' bookkeeping, sentinel-behaviour §5). What needs the masters (addresses, handshakes,
/// what a reply means) stays in the ``Sentinel`` extensions (Links.swift) that drive it.
///
/// Links are changed in place: a copy of one would make its pending queues shared, and the next
/// append or pop copy them. The timer reads every link every tick.
struct LinkTable: Sendable {
    private var links: [LinkOwner: InstanceLink] = [:]
    /// Which link, and which of its two connections, each connection id being opened or up belongs to.
    private var connections: [LinkID: (owner: LinkOwner, pubsub: Bool)] = [:]
    private var nextID = 1
    /// Links where the GETACK prompt got an unexpected answer; never prompted again.
    private var ackPromptRefused: Set<LinkOwner> = []

    init() {}

    subscript(owner: LinkOwner) -> InstanceLink? {
        get { links[owner] }
        set { links[owner] = newValue }
        _modify { yield &links[owner] }
    }

    /// Forgets a link; its connections must have been closed (``close(_:)``).
    @discardableResult
    mutating func removeValue(forKey owner: LinkOwner) -> InstanceLink? {
        links.removeValue(forKey: owner)
    }

    /// Runs `body` on an owner's link, modified in place; nil if it has no link.
    @inline(__always) @discardableResult
    mutating func modify<R>(_ owner: LinkOwner, _ body: (inout InstanceLink) -> R) -> R? {
        guard let index = links.index(forKey: owner) else { return nil }
        return body(&links.values[index])
    }

    /// The link and connection an id belongs to, while it is being opened or up.
    func owner(of id: LinkID) -> (owner: LinkOwner, pubsub: Bool)? {
        connections[id]
    }

    mutating func allocateID() -> LinkID {
        defer { nextID += 1 }
        return LinkID(nextID)
    }

    // MARK: - Transitions

    /// sentinelReconnectInstance: opens the closed connections of `owner`'s link to `address`, at
    /// most once per ping period unless `atOnce`. A peer's link is created on first use; a master's
    /// or replica's only with the instance. Every command connection opened restarts the SDOWN
    /// clock if no PING is outstanding (Redis queues a PING with every reconnect), so a reset
    /// (CLIENT KILL, a blip) never makes a healthy instance look down for the time the reconnect
    /// was throttled.
    mutating func reconnect(
        _ owner: LinkOwner, to address: HostPort, now: Millis, pingPeriod: Int64, atOnce: Bool
    ) -> [LinkAction] {
        if links[owner] == nil {
            guard case .peer = owner else { return [] }
            links[owner] = InstanceLink(needsPubSub: false, now: now)
        }
        guard let index = links.index(forKey: owner) else { return [] }
        let needCC = links.values[index].cc.isClosed
        let needPC = links.values[index].needsPubSub && links.values[index].pc.isClosed
        guard needCC || needPC else { return [] }
        let lastReconnTime = links.values[index].lastReconnTime
        if !atOnce && lastReconnTime != 0 && now - lastReconnTime < pingPeriod { return [] }
        links.values[index].lastReconnTime = now
        var actions: [LinkAction] = []
        if needCC {
            links.values[index].commandConnectionOpening(now: now)
            let id = allocateID()
            links.values[index].cc = .connecting(id)
            connections[id] = (owner, false)
            actions.append(.connect(id, address, pubsub: false))
        }
        if needPC {
            let id = allocateID()
            links.values[index].pc = .connecting(id)
            connections[id] = (owner, true)
            actions.append(.connect(id, address, pubsub: true))
        }
        return actions
    }

    /// The runtime reports connection `id` up: it becomes its link's established connection with
    /// an empty reply queue. Returns whose connection it is; nil if it is no longer being opened.
    /// A command connection whose opening started the SDOWN clock restarts it, as its PING goes
    /// out now, if the clock has run less than `clockGrace` (the instance's down-after: one that
    /// already counts as down stays so until it answers; ``InstanceLink/ClockStart``).
    mutating func connected(
        _ id: LinkID, localAddress: String?, now: Millis, clockGrace: Int64 = 0
    ) -> (owner: LinkOwner, pubsub: Bool)? {
        guard let (owner, pubsub) = connections[id], let index = links.index(forKey: owner) else { return nil }
        let up = ConnectionState.up(Connection(id: id, localAddress: localAddress, connectedAt: now))
        if pubsub {
            guard case .connecting(id) = links.values[index].pc else { return nil }
            links.values[index].pc = up
        } else {
            guard case .connecting(id) = links.values[index].cc else { return nil }
            links.values[index].cc = up
            links.values[index].commandConnectionUp(now: now, clockGrace: clockGrace)
        }
        return (owner, pubsub)
    }

    /// Connection `id` failed or closed (or this sentinel closes it). Timing fields are kept: the
    /// SDOWN clock keeps running. Returns the connection if it was its link's current one.
    mutating func closed(_ id: LinkID) -> ClosedConnection? {
        guard let (owner, pubsub) = connections.removeValue(forKey: id), let index = links.index(forKey: owner)
        else { return nil }
        let state = pubsub ? links.values[index].pc : links.values[index].cc
        guard state.id == id else { return nil }
        if pubsub { links.values[index].pc = .closed } else {
            links.values[index].cc = .closed
            links.values[index].commandConnectionClosed()
        }
        return ClosedConnection(owner: owner, pubsub: pubsub, wasUp: state.isUp)
    }

    /// The other end or the network closed connection `id` (or its connect failed): ``closed(_:)``,
    /// and whether to reopen the link at once. An established connection the instance closed (a
    /// `CLIENT KILL TYPE normal|pubsub`, as in every reconfiguration) is reopened at once, at most
    /// once per ping period and connection (``InstanceLink/ccReopenedEarly``); a failed connect
    /// waits for the regular, throttled reconnect.
    mutating func lost(_ id: LinkID, now: Millis, pingPeriod: Int64) -> (closed: ClosedConnection, reopen: Bool)? {
        guard let closed = closed(id) else { return nil }
        guard closed.wasUp, let index = links.index(forKey: closed.owner) else { return (closed, false) }
        let lastEarly = closed.pubsub ? links.values[index].pcReopenedEarly : links.values[index].ccReopenedEarly
        guard lastEarly == 0 || now - lastEarly >= pingPeriod else { return (closed, false) }
        if closed.pubsub { links.values[index].pcReopenedEarly = now } else { links.values[index].ccReopenedEarly = now }
        return (closed, true)
    }

    /// Closes both connections of a link (instance reset, address change, credentials change).
    mutating func close(_ owner: LinkOwner) -> [LinkAction] {
        guard let index = links.index(forKey: owner) else { return [] }
        var actions: [LinkAction] = []
        for id in [links.values[index].cc.id, links.values[index].pc.id].compactMap({ $0 }) {
            connections.removeValue(forKey: id)
            actions.append(.close(id))
        }
        links.values[index].cc = .closed
        links.values[index].pc = .closed
        return actions
    }

    /// Queues one command on a link's command (or pub/sub) connection, remembering what its reply
    /// answers; nil (nothing sent) unless that connection is up.
    mutating func send(_ words: [String], tag: ReplyTag, on owner: LinkOwner, pubsub: Bool = false) -> LinkAction? {
        guard let index = links.index(forKey: owner) else { return nil }
        let id: LinkID?
        if pubsub {
            id = links.values[index].pc.modifyUp { connection in
                connection.pending.append(tag)
                return connection.id
            }
        } else {
            id = links.values[index].cc.modifyUp { connection in
                connection.pending.append(tag)
                return connection.id
            }
        }
        return id.map { .send($0, words) }
    }

    /// sentinelSendPing: PING on the command connection, starting the SDOWN clock if no PING is
    /// outstanding; nil unless the command connection is up.
    mutating func ping(_ owner: LinkOwner, now: Millis) -> LinkAction? {
        guard modify(owner, { $0.pingSent(now: now) }) == true else { return nil }
        return send(["PING"], tag: .ping, on: owner)
    }

    /// A frame arrived on connection `id`: pops the reply tag it answers (hiredis's callback
    /// queue) and says what it is.
    mutating func receive(_ value: RESPValue, on id: LinkID, now: Millis) -> Inbound {
        guard let (owner, pubsub) = connections[id], let index = links.index(forKey: owner) else { return .stale }
        let popped: ReplyTag??
        if pubsub {
            popped = links.values[index].pc.modifyUp { connection in
                guard connection.id == id else { return nil }
                connection.lastActivity = now
                connection.answered = true
                return .some(connection.pending.popFirst())
            } ?? nil
        } else {
            popped = links.values[index].cc.modifyUp { connection in
                guard connection.id == id else { return nil }
                connection.lastActivity = now
                connection.answered = true
                return .some(connection.pending.popFirst())
            } ?? nil
        }
        guard let popped else { return .stale }
        if let tag = popped { return .reply(owner, tag, pubsub: pubsub) }
        if case .error = value { return .drop(owner, id) }
        return pubsub ? .message(owner) : .unsolicited(owner)
    }

    /// Puts `tag` back at the head of the command connection's queue (a reply that answers an
    /// untracked command before the tracked one).
    mutating func requeue(_ tag: ReplyTag, on owner: LinkOwner) {
        modify(owner) { link in
            link.cc.modifyUp { $0.pending.prepend(tag) }
        }
    }

    /// `REPLCONF GETACK *` fenced by `ECHO nonce` on a replica's command connection, unless a
    /// fence is already waiting there, the link refused one before, or it is not up.
    mutating func promptAck(_ owner: LinkOwner, nonce: String) -> [LinkAction] {
        guard !ackPromptRefused.contains(owner), let index = links.index(forKey: owner) else { return [] }
        let id: LinkID? = links.values[index].cc.modifyUp { connection in
            if connection.pending.contains(where: { if case .ackFence = $0 { true } else { false } }) { return nil }
            connection.pending.append(.ackFence(nonce, retried: false))
            return connection.id
        } ?? nil
        guard let id else { return [] }
        return [.send(id, ["REPLCONF", "GETACK", "*"]), .send(id, ["ECHO", nonce])]
    }

    /// The GETACK fence got an answer that was not its nonce: never prompt this link again.
    mutating func ackPromptWasRefused(_ owner: LinkOwner) {
        ackPromptRefused.insert(owner)
    }
}
