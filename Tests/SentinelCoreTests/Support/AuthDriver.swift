import RESP

@testable import SentinelCore

/// One sentinel core driven by hand against fake servers that check passwords, for the
/// authentication tests: every `.connect` is answered at once, every command on a link is
/// answered by a small Redis-like server with `requirepass` (or a sentinel peer), and config
/// writes succeed. Everything the core did is kept in `actions`.
struct AuthDriver {
    /// A fake server: the password it requires (nil: none) and the commands it refuses with
    /// `-NOPERM` after a successful AUTH.
    struct Server {
        var password: String?
        var user: String? = nil
        var denied: Set<String> = []
        var isSentinel = false
    }

    var sentinel: Sentinel
    var now: Millis = 1_000_000
    var servers: [HostPort: Server] = [:]
    var actions: [Action] = []
    /// Every command sent on each link, in order, and whether that connection is authenticated.
    var sent: [LinkID: [[String]]] = [:]
    var target: [LinkID: HostPort] = [:]
    var authenticated: [LinkID: Bool] = [:]
    var closed: Set<LinkID> = []
    var replies: [ClientID: [RESPValue]] = [:]
    var nextClient = 1
    /// AUTH arguments for `ask`'s client connections (a sentinel with requirepass).
    var clientAuth: [String]? = nil
    /// While set, the servers' replies are kept in `held` (a slow network) until `release()`.
    var holdReplies = false
    var held: [(LinkID, RESPValue)] = []

    init(config: SentinelConfig) {
        sentinel = Sentinel(config: config, seed: 7)
    }

    /// A config monitoring `mymaster` at 127.0.0.1:6379 with down-after 1000 ms.
    static func config(authPass: String? = nil, authUser: String? = nil, replicas: [HostPort] = [], peers: [KnownSentinel] = [])
        -> SentinelConfig
    {
        var config = SentinelConfig()
        var master = MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)
        master.downAfterMilliseconds = 1000
        master.authPass = authPass
        master.authUser = authUser
        master.knownReplicas = replicas
        master.knownSentinels = peers
        config.masters = [master]
        config.myID = String(repeating: "f", count: 40)
        return config
    }

    mutating func start() {
        process(sentinel.start(now: now))
    }

    mutating func handle(_ event: Event) {
        process(sentinel.handle(event, now: now))
    }

    /// Ticks every `step` ms (100 by default) for `millis`.
    mutating func run(for millis: Millis, step: Millis = 100) {
        let end = now + millis
        while now < end {
            now += step
            handle(.tick)
        }
    }

    /// Runs a client command and returns the replies it got (after the config write, if any).
    mutating func ask(_ words: String...) -> [RESPValue] {
        let id = ClientID(nextClient)
        nextClient += 1
        handle(.clientConnected(id, address: "127.0.0.1:50000", localAddress: "127.0.0.1:26379"))
        if let clientAuth {
            handle(.clientCommand(id, ["AUTH"] + clientAuth))
            replies[id] = nil
        }
        handle(.clientCommand(id, words))
        return replies[id] ?? []
    }

    /// Log lines at `level` or above whose text contains `text`.
    func logs(containing text: String, level: LogLevel = .warning) -> [String] {
        actions.compactMap { action in
            if case .log(let l, let line, _) = action, l >= level, line.contains(text) { return line }
            return nil
        }
    }

    /// The IDs of the links to `address` that the core closed itself.
    func closedLinks(to address: HostPort) -> [LinkID] {
        actions.compactMap { action in
            if case .closeLink(let id) = action, target[id] == address { return id }
            return nil
        }
    }

    /// Every AUTH sent to `address`.
    func auths(to address: HostPort) -> [[String]] {
        target.filter { $0.value == address }.keys.sorted()
            .flatMap { sent[$0] ?? [] }.filter { $0.first == "AUTH" }
    }

    /// Delivers the held replies now, in order, and stops holding.
    mutating func release() {
        holdReplies = false
        let frames = held
        held = []
        for (id, reply) in frames where !closed.contains(id) { handle(.linkFrame(id, reply)) }
    }

    private mutating func process(_ new: [Action]) {
        var queue = new[...]
        while let action = queue.popFirst() {
            actions.append(action)
            var more: [Action] = []
            switch action {
            case .connect(let id, let host, let port):
                let address = HostPort(host, port)
                target[id] = address
                authenticated[id] = servers[address]?.password == nil
                more = sentinel.handle(.linkConnected(id, localAddress: "127.0.0.1"), now: now)
            case .send(let id, let words):
                guard !closed.contains(id), let address = target[id] else { break }
                sent[id, default: []].append(words)
                let reply = answer(id, address, words)
                if let reply {
                    if holdReplies { held.append((id, reply)) } else { more = sentinel.handle(.linkFrame(id, reply), now: now) }
                }
            case .closeLink(let id):
                closed.insert(id)
            case .reply(let client, let value, _):
                replies[client, default: []].append(value)
            case .persistConfig(_, let token):
                more = sentinel.handle(.configPersisted(token: token, error: nil), now: now)
            default:
                break
            }
            queue.append(contentsOf: more)
        }
    }

    /// What a Redis 7 server (or a sentinel) with the given password answers.
    private mutating func answer(_ id: LinkID, _ address: HostPort, _ words: [String]) -> RESPValue? {
        let server = servers[address] ?? Server(password: nil)
        let name = words[0].uppercased()
        if name == "AUTH" {
            guard let password = server.password else {
                return .error(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
                )
            }
            let user = words.count == 3 ? words[1] : "default"
            if words.last == password && user == (server.user ?? "default") {
                authenticated[id] = true
                return .simpleString("OK")
            }
            return .error("WRONGPASS invalid username-password pair or user is disabled.")
        }
        guard authenticated[id] == true else { return .error("NOAUTH Authentication required.") }
        if server.denied.contains(name) {
            return .error("NOPERM User \(server.user ?? "default") has no permissions to run the '\(name.lowercased())' command")
        }
        switch name {
        case "PING": return .simpleString("PONG")
        case "CLIENT": return .simpleString("OK")
        case "SUBSCRIBE": return .array([.bulkString("subscribe"), .bulkString(words[1]), .integer(1)])
        case "PUBLISH": return .integer(0)
        case "INFO":
            if server.isSentinel { return .bulkString("# Server\r\nredis_mode:sentinel\r\n") }
            return .bulkString(
                "# Server\r\nrun_id:\(String(repeating: "a", count: 40))\r\ntcp_port:\(address.port)\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
            )
        case "SENTINEL": return .array([.integer(0), .bulkString("*"), .integer(0)])
        default: return .error("ERR unknown command")
        }
    }
}
