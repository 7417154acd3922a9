import DequeModule
import OrderedCollections
import RESP

/// A connection to the sentinel's own port: protocol version, name, subscriptions, auth.
struct ClientSession: Hashable, Sendable {
    var id: ClientID
    var address: String
    var localAddress: String
    var name: String = ""
    var proto: RESPVersion = .resp2
    var channels: OrderedSet<String> = []
    var patterns: OrderedSet<String> = []
    var authenticated: Bool
    var user: String = "default"
    /// Whether the user allows every command and channel (the ACL check is skipped); kept up
    /// to date by AUTH/HELLO and every change to the users (``Sentinel/aclChanged()``).
    var aclUnrestricted = true
    var createdAt: Millis
    var lastInteraction: Millis
    /// The last command's lowercased name, and its lowercased subcommand for a container
    /// command; `lastCommand` joins them only when CLIENT LIST/INFO asks.
    var lastCommandName: String = "NULL"
    var lastSubcommand: String? = nil
    var libName: String = ""
    var libVersion: String = ""
    var noEvict: Bool = false
    /// CLIENT REPLY OFF: this client gets no replies until CLIENT REPLY ON.
    var replyOff = false
    /// The reply of the command being processed is dropped (the previous one was CLIENT REPLY SKIP).
    var replySkip = false
    /// Set by CLIENT REPLY SKIP; turns into `replySkip` when that command is done.
    var replySkipNext = false
    /// What waits behind a reply whose value is not known yet (ClientReplies.swift).
    var heldReplies: Deque<HeldReply> = []
    /// Commands held back by CLIENT PAUSE, oldest first (ClientPause.swift).
    var postponed: Deque<[String]> = []
    /// CLIENT TRACKING state; nil while tracking is off (ClientTracking.swift).
    var tracking: ClientTracking? = nil

    /// Connected through the `unixsocket` listener (`CLIENT LIST` flag `U`).
    var unixSocket = false

    init(id: ClientID, address: String, localAddress: String, now: Millis, authenticated: Bool) {
        self.id = id
        self.address = address
        self.localAddress = localAddress
        self.createdAt = now
        self.lastInteraction = now
        self.authenticated = authenticated
    }

    /// AUTH or HELLO AUTH accepted `user`; `unrestricted` is whether that user allows everything.
    mutating func logIn(as user: String, unrestricted: Bool) {
        authenticated = true
        self.user = user
        aclUnrestricted = unrestricted
    }

    /// The `cmd=` of CLIENT LIST: `name`, or `name|sub` for a container command.
    var lastCommand: String {
        lastSubcommand.map { "\(lastCommandName)|\($0)" } ?? lastCommandName
    }

    /// Records a command as it is looked up (Redis: `c->lastcmd`), and the interaction time.
    mutating func noteCommand(_ name: String, sub: String?, now: Millis) {
        lastInteraction = now
        lastCommandName = name
        lastSubcommand = sub
    }

    /// Redis's resetClient: CLIENT REPLY SKIP covers exactly the next command, and CLIENT CACHING
    /// only until the next command that is not CLIENT.
    mutating func commandFinished(isClientCommand: Bool) {
        replySkip = false
        if replySkipNext {
            replySkip = true
            replySkipNext = false
        }
        if !isClientCommand, tracking?.caching == true {
            tracking?.caching = false
        }
    }

    /// Number of channels plus patterns (the count in subscribe replies).
    var subscriptionCount: Int { channels.count + patterns.count }

    /// A pub/sub frame: a RESP3 push after `HELLO 3`, else a plain array.
    func pushFrame(_ elements: [RESPValue]) -> RESPValue {
        proto == .resp3 ? .push(elements) : .array(elements)
    }

    /// Whole seconds since the last command (`CLIENT LIST`'s `idle`, what `timeout` compares).
    func idleSeconds(now: Millis) -> Millis {
        (now - lastInteraction) / 1000
    }

    /// One `CLIENT LIST` / `CLIENT INFO` line (Redis 7.2 field set).
    func infoLine(now: Millis) -> String {
        let age = (now - createdAt) / 1000
        let idle = idleSeconds(now: now)
        // Redis's order: P (pub/sub), b (blocked: postponed by CLIENT PAUSE), t (tracking),
        // B (broadcast tracking), U (unix socket), e (no-evict); N when none.
        var flags = subscriptionCount > 0 ? "P" : ""
        if !postponed.isEmpty { flags += "b" }
        if let tracking {
            flags += "t"
            if tracking.bcast { flags += "B" }
        }
        if unixSocket { flags += "U" }
        if noEvict { flags += "e" }
        if flags.isEmpty { flags = "N" }
        let redirect = tracking?.redirect ?? -1
        return "id=\(id.raw) addr=\(address) laddr=\(localAddress) fd=\(id.raw + 7) name=\(name) age=\(age) idle=\(idle) "
            + "flags=\(flags) db=0 sub=\(channels.count) psub=\(patterns.count) ssub=0 multi=-1 qbuf=0 qbuf-free=0 "
            + "argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=\(lastCommand) "
            + "user=\(user) redir=\(redirect) resp=\(proto.rawValue) lib-name=\(libName) lib-ver=\(libVersion)"
    }
}
