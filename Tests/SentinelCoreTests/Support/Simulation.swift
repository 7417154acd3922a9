import OrderedCollections
import RESP
@testable import SentinelCore

/// A monitored Redis instance, simulated: answers PING, INFO, CLIENT, AUTH, SUBSCRIBE and PUBLISH
/// like redis-server does, and fans published messages out to its subscribers.
struct FakeRedis {
    var address: HostPort
    var runID: String
    var isMaster: Bool
    var replicaOf: HostPort?
    var replicas: [HostPort] = []
    var up = true
    var replicaPriority = 100
    var offset: Int64 = 1000
    /// Every command received, for assertions.
    var received: [[String]] = []

    init(_ host: String, _ port: Int, runID: String, replicaOf: HostPort? = nil) {
        self.address = HostPort(host, port)
        self.runID = runID
        self.isMaster = replicaOf == nil
        self.replicaOf = replicaOf
    }

    func infoText() -> String {
        var lines = ["# Server", "redis_version:7.0.15", "run_id:\(runID)", "tcp_port:\(address.port)", "", "# Replication"]
        if isMaster {
            lines.append("role:master")
            lines.append("connected_slaves:\(replicas.count)")
            for (i, r) in replicas.enumerated() {
                lines.append("slave\(i):ip=\(r.host),port=\(r.port),state=online,offset=\(offset),lag=0")
            }
            lines.append("master_failover_state:no-failover")
        } else if let master = replicaOf {
            lines += [
                "role:slave", "master_host:\(master.host)", "master_port:\(master.port)", "master_link_status:up",
                "slave_repl_offset:\(offset)", "slave_priority:\(replicaPriority)", "replica_announced:1",
            ]
        }
        lines.append("master_repl_offset:\(offset)")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// Runs several ``Sentinel`` values against fake Redis nodes on a virtual clock, delivering every
/// action as the runtime would (with a fixed latency), all in-process and deterministic.
struct Simulation {
    struct Node {
        var sentinel: Sentinel
        var address: HostPort
        var up = true
        var persisted: [SentinelConfig] = []
        var logs: [String] = []
        /// Every script started, as argv (the path first).
        var scripts: [[String]] = []
    }

    enum Endpoint: Hashable {
        case redis(Int)
        /// A connection into sentinel `node`, seen there as client `client`.
        case sentinel(node: Int, client: ClientID)
    }

    struct Scheduled {
        var at: Millis
        var seq: Int
        var node: Int
        var event: Event
    }

    var nodes: [Node] = []
    var redis: [FakeRedis] = []
    var now: Millis = 1_000_000
    var latency: Millis = 1
    var queue: [Scheduled] = []
    var seq = 0
    /// Outbound link (node, link) -> where it goes.
    var linkTargets: [Int: [LinkID: Endpoint]] = [:]
    /// Inbound client (node, client) -> the link it came from, for routing replies back.
    var clientSources: [Int: [ClientID: (node: Int, link: LinkID)]] = [:]
    /// Redis subscribers: redis index -> [(node, link)].
    var subscribers: [Int: [(node: Int, link: LinkID)]] = [:]
    /// Replies to test-driven clients: (node, client) -> frames.
    var clientReplies: [Int: [ClientID: [RESPValue]]] = [:]
    var nextClientID = 10_000
    var tickInterval: Millis = 100

    mutating func addRedis(_ r: FakeRedis) { redis.append(r) }

    mutating func addSentinel(config: SentinelConfig, port: Int, seed: UInt64) {
        var c = config
        c.port = port
        let s = Sentinel(config: c, seed: seed)
        nodes.append(Node(sentinel: s, address: HostPort("127.0.0.1", port)))
    }

    mutating func start(_ index: Int) {
        let actions = nodes[index].sentinel.start(now: now)
        perform(actions, node: index)
        schedule(node: index, at: now + tickInterval, .tick)
    }

    mutating func startAll() { for i in nodes.indices { start(i) } }

    mutating func schedule(node: Int, at: Millis, _ event: Event) {
        seq += 1
        queue.append(Scheduled(at: at, seq: seq, node: node, event: event))
    }

    /// Runs the simulation until `until` (absolute virtual time).
    mutating func run(until: Millis) {
        while true {
            guard let index = queue.indices.min(by: { (queue[$0].at, queue[$0].seq) < (queue[$1].at, queue[$1].seq) })
            else { break }
            let item = queue[index]
            if item.at > until { break }
            queue.remove(at: index)
            now = item.at
            guard nodes[item.node].up else { continue }
            if case .tick = item.event { schedule(node: item.node, at: now + tickInterval, .tick) }
            let actions = nodes[item.node].sentinel.handle(item.event, now: now)
            perform(actions, node: item.node)
        }
        now = until
    }

    mutating func run(for duration: Millis) { run(until: now + duration) }

    /// Runs until the condition holds, checking after every 10 ms of virtual time; returns the elapsed time.
    @discardableResult
    mutating func runUntil(timeout: Millis, _ condition: (Simulation) -> Bool) -> Millis? {
        let start = now
        while now - start <= timeout {
            if condition(self) { return now - start }
            run(for: 10)
        }
        return condition(self) ? now - start : nil
    }

    func endpoint(for address: (String, Int)) -> Int? {
        redis.firstIndex { $0.address.host == address.0 && $0.address.port == address.1 && $0.up }
    }

    mutating func perform(_ actions: [Action], node: Int) {
        for action in actions {
            switch action {
            case .connect(let link, let host, let port):
                if let r = redis.firstIndex(where: { $0.address == HostPort(host, port) }), redis[r].up {
                    linkTargets[node, default: [:]][link] = .redis(r)
                    schedule(node: node, at: now + latency, .linkConnected(link, localAddress: "127.0.0.1"))
                } else if let target = nodes.firstIndex(where: { $0.address == HostPort(host, port) }),
                    nodes[target].up
                {
                    nextClientID += 1
                    let client = ClientID(nextClientID)
                    linkTargets[node, default: [:]][link] = .sentinel(node: target, client: client)
                    clientSources[target, default: [:]][client] = (node, link)
                    schedule(
                        node: target, at: now + latency,
                        .clientConnected(client, address: "127.0.0.1:\(50000 + nextClientID)", localAddress: "\(host):\(port)"))
                    schedule(node: node, at: now + latency, .linkConnected(link, localAddress: "127.0.0.1"))
                } else {
                    schedule(node: node, at: now + latency, .linkClosed(link, reason: "Connection refused"))
                }
            case .send(let link, let words):
                guard let target = linkTargets[node]?[link] else { continue }
                switch target {
                case .redis(let r):
                    guard redis[r].up else { continue }
                    let reply = redisCommand(r, words, from: (node, link))
                    schedule(node: node, at: now + latency, .linkFrame(link, reply))
                case .sentinel(let t, let client):
                    schedule(node: t, at: now + latency, .clientCommand(client, words))
                }
            case .closeLink(let link):
                if let target = linkTargets[node]?.removeValue(forKey: link), case .sentinel(let t, let client) = target {
                    schedule(node: t, at: now + latency, .clientDisconnected(client))
                    clientSources[t]?.removeValue(forKey: client)
                }
                for r in subscribers.keys { subscribers[r]?.removeAll { $0.node == node && $0.link == link } }
            case .reply(let client, let value, _):
                if let source = clientSources[node]?[client] {
                    schedule(node: source.node, at: now + latency, .linkFrame(source.link, value))
                } else {
                    clientReplies[node, default: [:]][client, default: []].append(value)
                }
            case .closeClient(let client):
                clientSources[node]?.removeValue(forKey: client)
                schedule(node: node, at: now, .clientDisconnected(client))
            case .persistConfig(let config, let token):
                nodes[node].persisted.append(config)
                schedule(node: node, at: now, .configPersisted(token: token, error: nil))
            case .log(_, let text):
                nodes[node].logs.append(text)
            case .setLogLevel, .shutdown:
                break
            case .crash:
                nodes[node].up = false
            case .runScript(let job, let path, let arguments):
                // Every script starts at once and succeeds one latency later.
                nodes[node].scripts.append([path] + arguments)
                schedule(node: node, at: now, .scriptStarted(job, pid: Int32(90_000 + job.raw)))
                schedule(node: node, at: now + latency, .scriptExited(job, exitCode: 0, signal: 0))
            case .killScript(let job):
                schedule(node: node, at: now, .scriptExited(job, exitCode: 0, signal: 9))
            }
        }
    }

    mutating func redisCommand(_ r: Int, _ words: [String], from source: (node: Int, link: LinkID)) -> RESPValue {
        redis[r].received.append(words)
        switch words.first?.uppercased() ?? "" {
        case "PING": return .simpleString("PONG")
        case "INFO": return .bulkString(redis[r].infoText())
        case "AUTH", "CLIENT": return .ok
        case "SUBSCRIBE":
            subscribers[r, default: []].append(source)
            return .array([.bulkString("subscribe"), .bulkString(words[1]), .integer(1)])
        case "PUBLISH":
            let targets = subscribers[r] ?? []
            for t in targets {
                schedule(
                    node: t.node, at: now + latency,
                    .linkFrame(t.link, .array([.bulkString("message"), .bulkString(words[1]), .bulkString(words[2])])))
            }
            return .integer(targets.count)
        default:
            return .error("ERR unknown command '\(words.first ?? "")'")
        }
    }

    // MARK: - Test clients

    /// Connects a test client to a sentinel and returns its id.
    mutating func connectClient(to node: Int) -> ClientID {
        nextClientID += 1
        let id = ClientID(nextClientID)
        let actions = nodes[node].sentinel.handle(
            .clientConnected(id, address: "127.0.0.1:\(40000 + nextClientID)", localAddress: "127.0.0.1:26379"),
            now: now)
        perform(actions, node: node)
        return id
    }

    /// Sends a command as a client and returns the replies it produced (including after a config flush).
    mutating func command(_ node: Int, _ client: ClientID, _ words: [String]) -> [RESPValue] {
        clientReplies[node, default: [:]][client] = []
        let actions = nodes[node].sentinel.handle(.clientCommand(client, words), now: now)
        perform(actions, node: node)
        // Deliver the immediate config-flush confirmations.
        var guardCount = 0
        while let i = queue.firstIndex(where: { $0.node == node && $0.at == now && isConfigPersisted($0.event) }),
            guardCount < 10
        {
            let item = queue.remove(at: i)
            perform(nodes[node].sentinel.handle(item.event, now: now), node: node)
            guardCount += 1
        }
        return clientReplies[node]?[client] ?? []
    }

    mutating func ask(_ node: Int, _ words: String...) -> RESPValue? {
        let client = connectClient(to: node)
        return command(node, client, words).first
    }

    private func isConfigPersisted(_ e: Event) -> Bool {
        if case .configPersisted = e { return true }
        return false
    }
}

extension RESPValue {
    /// Field lookup in a map reply (flat key/value list).
    subscript(field: String) -> String? {
        guard case .map(let e) = self else { return nil }
        var i = 0
        while i + 1 < e.count {
            if e[i].string == field { return e[i + 1].string }
            i += 2
        }
        return nil
    }

    /// The keys of a map reply, in order.
    var mapKeys: [String] {
        guard case .map(let e) = self else { return [] }
        return stride(from: 0, to: e.count, by: 2).compactMap { e[$0].string }
    }
}

/// A three-node topology: a master on 6379 with replicas on 6380 and 6381, and `count` sentinels.
func standardSimulation(sentinels count: Int = 3, quorum: Int = 2, seed: UInt64 = 1) -> Simulation {
    var sim = Simulation()
    let master = HostPort("127.0.0.1", 6379)
    var m = FakeRedis("127.0.0.1", 6379, runID: String(repeating: "a", count: 40))
    m.replicas = [HostPort("127.0.0.1", 6380), HostPort("127.0.0.1", 6381)]
    sim.addRedis(m)
    sim.addRedis(FakeRedis("127.0.0.1", 6380, runID: String(repeating: "b", count: 40), replicaOf: master))
    sim.addRedis(FakeRedis("127.0.0.1", 6381, runID: String(repeating: "c", count: 40), replicaOf: master))
    for i in 0..<count {
        var config = SentinelConfig()
        config.masters = [MasterConfig(name: "mymaster", address: master, quorum: quorum)]
        sim.addSentinel(config: config, port: 26379 + i, seed: seed &* 1000 &+ UInt64(i))
    }
    return sim
}
