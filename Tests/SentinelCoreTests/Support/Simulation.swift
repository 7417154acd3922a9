import OrderedCollections
import RESP
import Testing
@testable import SentinelCore

/// A monitored Redis instance, simulated: answers PING, INFO, CLIENT, AUTH, SUBSCRIBE and PUBLISH
/// like redis-server does, and fans published messages out to its subscribers.
struct FakeRedis {
    var address: HostPort
    var runID: String
    var isMaster: Bool
    var replicaOf: HostPort?
    /// Replicas listed in INFO when nothing else in the simulation replicates from this node
    /// (for topologies built by hand). Otherwise the list follows who replicates from it.
    var replicas: [HostPort] = []
    var up = true
    var replicaPriority = 100
    var offset: Int64 = 1000
    /// Every command received, for assertions.
    var received: [[String]] = []
    /// Commands queued inside MULTI, per connection.
    var transactions: [String: [[String]]] = [:]
    /// Answer PING with this error instead of PONG (e.g. `LOADING ...`).
    var pingError: String? = nil
    /// `CLIENT PAUSE ... WRITE` end time (virtual ms), nil when not paused.
    var pausedUntil: Millis? = nil
    /// PUBLISH commands that arrived while writes were paused (a real server would block them).
    var publishesWhilePaused = 0
    /// `master_failover_state`: `no-failover`, `waiting-for-sync`, `failover-in-progress`.
    var failoverState = "no-failover"
    /// Failure injection for FAILOVER: the target never catches up / never accepts the handover.
    var failoverNeverSyncs = false
    /// What `REPLCONF GETACK` answers: nothing (Redis 7), `+OK` (older), or an error (ACL).
    var replconfReply: RESPValue? = nil
    /// Whether INFO reports `master_failover_state` (Redis ≥ 6.2).
    var supportsFailover = true
    var failoverStuck = false
    /// Commands refused at queue time (an ACL without them), e.g. `["FAILOVER"]`.
    var deniedCommands: Set<String> = []
    /// Commands queued in a transaction that was refused (EXECABORT), per connection.
    var transactionDirty: Set<String> = []
    /// Lines appended to INFO (a later line overrides an earlier field), e.g. hostile values.
    var extraInfo: [String] = []
    /// SIGSTOPped: connections still open (the kernel accepts them) and commands are buffered,
    /// but nothing is answered until ``Simulation/thawRedis(_:)``.
    var frozen = false
    /// `master_replid`; nil: a replica follows its master's, a master derives one from its run id.
    var replID: String? = nil
    /// `master_replid2`; nil prints all zeros (not promoted since it started).
    var replID2: String? = nil

    init(_ host: String, _ port: Int, runID: String, replicaOf: HostPort? = nil) {
        self.address = HostPort(host, port)
        self.runID = runID
        self.isMaster = replicaOf == nil
        self.replicaOf = replicaOf
    }

    func infoText(replicas listed: [HostPort], masterUp: Bool = true, replID: String? = nil) -> String {
        var lines = ["# Server", "redis_version:7.0.15", "run_id:\(runID)", "tcp_port:\(address.port)", "", "# Replication"]
        if isMaster {
            lines.append("role:master")
            lines.append("connected_slaves:\(listed.count)")
            for (i, r) in listed.enumerated() {
                lines.append("slave\(i):ip=\(r.host),port=\(r.port),state=online,offset=\(offset),lag=0")
            }

        } else if let master = replicaOf {
            lines += [
                "role:slave", "master_host:\(master.host)", "master_port:\(master.port)",
                "master_link_status:\(masterUp ? "up" : "down")",
            ]
            if !masterUp { lines.append("master_link_down_since_seconds:1") }
            lines += ["slave_repl_offset:\(offset)", "slave_priority:\(replicaPriority)", "replica_announced:1"]
        }
        // Redis prints it whatever the role (a master handing over already reports role:slave).
        if supportsFailover { lines.append("master_failover_state:\(failoverState)") }
        if let replID {
            lines.append("master_replid:\(replID)")
            lines.append("master_replid2:\(replID2 ?? String(repeating: "0", count: 40))")
        }
        lines.append("master_repl_offset:\(offset)")
        lines += extraInfo
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
        /// What the node reported for its metrics, in order.
        var observations: [Observation] = []
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
        /// An extra tick requested with `.wakeUp` (does not schedule the next regular tick).
        var extra = false
    }

    var nodes: [Node] = []
    var redis: [FakeRedis] = []
    var now: Millis = 1_000_000
    var latency: Millis = 1
    /// How long a connect to a Redis node takes to be reported up; nil: `latency`.
    var connectLatency: Millis? = nil
    /// Extra random delay per message (0...jitter ms); messages on one connection stay in order.
    var jitter: Millis = 0
    /// Probability that a command breaks its connection instead of arriving (a reset).
    var resetRate: Double = 0
    var faultRNG = SplitMix64(seed: 99)
    /// Names the nodes resolve (lowercased name → IP); empty: hosts are used as they are. With
    /// entries, a connect to a name that is not an IP literal first reports `.hostResolved`, and
    /// a missing name fails the link, as the runtime does.
    var hostsFile: [String: String] = [:]
    /// Last delivery time per connection direction, to keep per-connection order under jitter.
    var lastDelivery: [String: Millis] = [:]

    /// When a message sent now on `channel` arrives: latency plus jitter, never before the previous one.
    mutating func arrival(_ channel: String) -> Millis {
        let extra = jitter > 0 ? Millis(faultRNG.next() % UInt64(jitter + 1)) : 0
        let at = max(now + latency + extra, lastDelivery[channel] ?? 0)
        lastDelivery[channel] = at
        return at
    }

    /// Breaks an outbound connection (both ends notice), as a network fault would.
    mutating func resetLink(node: Int, link: LinkID) {
        guard let target = linkTargets[node]?.removeValue(forKey: link) else { return }
        if case .sentinel(let t, let client) = target {
            clientSources[t]?.removeValue(forKey: client)
            schedule(node: t, at: now + latency, .clientDisconnected(client))
        }
        for r in subscribers.keys { subscribers[r]?.removeAll { $0.node == node && $0.link == link } }
        schedule(node: node, at: now + latency, .linkClosed(link, reason: "Connection reset by peer"))
    }
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
    /// Timed state changes of the fake Redis nodes (FAILOVER progress).
    var redisTimers: [(Millis, (inout Simulation) -> Void)] = []
    /// How long a simulated FAILOVER waits for the target to catch up.
    var failoverSyncDelay: Millis = 30

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

    mutating func schedule(node: Int, at: Millis, _ event: Event, extra: Bool = false) {
        seq += 1
        queue.append(Scheduled(at: at, seq: seq, node: node, event: event, extra: extra))
    }

    /// Runs the simulation until `until` (absolute virtual time).
    mutating func run(until: Millis) {
        while true {
            guard let index = queue.indices.min(by: { (queue[$0].at, queue[$0].seq) < (queue[$1].at, queue[$1].seq) })
            else { break }
            let item = queue[index]
            if let timer = redisTimers.indices.min(by: { redisTimers[$0].0 < redisTimers[$1].0 }),
                redisTimers[timer].0 <= min(item.at, until)
            {
                let (at, change) = redisTimers.remove(at: timer)
                now = max(now, at)
                change(&self)
                continue
            }
            if item.at > until { break }
            queue.remove(at: index)
            now = item.at
            guard nodes[item.node].up else { continue }
            if case .tick = item.event, !item.extra { schedule(node: item.node, at: now + tickInterval, .tick) }
            let actions = nodes[item.node].sentinel.handle(item.event, now: now)
            perform(actions, node: item.node)
        }
        now = until
    }

    mutating func run(for duration: Millis) { run(until: now + duration) }

    /// Runs until the condition holds, checking after every 10 ms of virtual time; returns the elapsed time.
    @discardableResult
    /// Runs until every sentinel published `+switch-master`; returns the time it took, or nil.
    mutating func runUntilSwitchedEverywhere(timeout: Millis) -> Millis? {
        runUntil(timeout: timeout) { s in s.nodes.indices.allSatisfy { !s.events($0, "+switch-master").isEmpty } }
    }

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
            case .connect(let link, let requestedHost, let port):
                var host = requestedHost
                if !hostsFile.isEmpty, !IPAddressLiteral.isValid(requestedHost) {
                    let ip = hostsFile[requestedHost.lowercased()]
                    schedule(node: node, at: now, .hostResolved(host: requestedHost, ip: ip))
                    guard let ip else {
                        schedule(node: node, at: now, .linkClosed(link, reason: "Failed to resolve hostname '\(requestedHost)'"))
                        continue
                    }
                    host = ip
                }
                if isolated.contains(node)
                    || nodes.firstIndex(where: { $0.address == HostPort(host, port) }).map({ isolated.contains($0) })
                        == true
                    || crossesCut(node, to: HostPort(host, port))
                {
                    schedule(node: node, at: now + 1000, .linkClosed(link, reason: "Connection timed out"))
                } else if let r = redis.firstIndex(where: { $0.address == HostPort(host, port) }), redis[r].up {
                    linkTargets[node, default: [:]][link] = .redis(r)
                    schedule(node: node, at: now + (connectLatency ?? latency), .linkConnected(link, localAddress: "127.0.0.1"))
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
                // A partition loses the traffic; TCP would stall, so no error comes back either.
                if blocked(node, target) { continue }
                if resetRate > 0, Double(faultRNG.next() % 1_000_000) / 1_000_000 < resetRate {
                    resetLink(node: node, link: link)
                    continue
                }
                switch target {
                case .redis(let r):
                    guard redis[r].up else { continue }
                    if redis[r].frozen {
                        heldCommands[r, default: []].append((node, link, words))
                        continue
                    }
                    // A FAILOVER pauses writes: a PUBLISH blocks, and everything behind it.
                    let blocked = blockedByFailover[r]?.contains { $0.node == node && $0.link == link } ?? false
                    if blocked || (redis[r].failoverState != "no-failover" && words.first?.uppercased() == "PUBLISH") {
                        blockedByFailover[r, default: []].append((node, link, words))
                        continue
                    }
                    // REPLCONF GETACK answers nothing (Redis 7).
                    if words.first?.uppercased() == "REPLCONF" {
                        redis[r].received.append(words)
                        if let answer = redis[r].replconfReply {
                            schedule(node: node, at: now + latency, .linkFrame(link, answer))
                        }
                        continue
                    }
                    let reply = redisCommand(r, words, from: (node, link))
                    schedule(node: node, at: arrival("\(node)/\(link)"), .linkFrame(link, reply))
                case .sentinel(let t, let client):
                    schedule(node: t, at: arrival("\(t)<\(client)"), .clientCommand(client, words))
                }
            case .closeLink(let link):
                if let target = linkTargets[node]?.removeValue(forKey: link), case .sentinel(let t, let client) = target {
                    schedule(node: t, at: now + latency, .clientDisconnected(client))
                    clientSources[t]?.removeValue(forKey: client)
                }
                for r in subscribers.keys { subscribers[r]?.removeAll { $0.node == node && $0.link == link } }
            case .reply(let client, let value, _):
                if let source = clientSources[node]?[client] {
                    if isolated.contains(node) || isolated.contains(source.node) { continue }
                    if cutOffSentinels.contains(node) != cutOffSentinels.contains(source.node) { continue }
                    schedule(node: source.node, at: arrival("\(source.node)/\(source.link)"), .linkFrame(source.link, value))
                } else {
                    clientReplies[node, default: [:]][client, default: []].append(value)
                }
            case .closeClient(let client):
                clientSources[node]?.removeValue(forKey: client)
                schedule(node: node, at: now, .clientDisconnected(client))
            case .persistConfig(let config, let token):
                nodes[node].persisted.append(config)
                schedule(node: node, at: now, .configPersisted(token: token, error: nil))
            case .log(_, let text, _):
                nodes[node].logs.append(text)
            case .observe(let observation):
                nodes[node].observations.append(observation)
            case .setLogLevel, .setLogFormat, .shutdown, .activateTLS, .aclFile, .setClientOutputClass:
                break
            case .prepareTLS(_, let token):
                // The files are taken as good; loading them takes no simulated time.
                schedule(node: node, at: now, .tlsPrepared(token: token, error: nil))
            case .crash:
                nodes[node].up = false
            case .wakeUp(let delay):
                schedule(node: node, at: now + delay, .tick, extra: true)
            case .runScript(let job, let path, let arguments):
                // Every script starts at once and succeeds one latency later.
                nodes[node].scripts.append([path] + arguments)
                schedule(node: node, at: now, .scriptStarted(job, pid: Int32(90_000 + job.raw)))
                schedule(node: node, at: now + latency, .scriptExited(job, exitCode: 0, signal: 0))
            case .killScript(let job):
                schedule(node: node, at: now, .scriptExited(job, exitCode: 0, signal: 9))
            case .resolveHost(let host):
                schedule(node: node, at: now, .hostResolved(host: host, ip: hostsFile[host.lowercased()]))
            }
        }
    }

    /// The replicas a node's INFO lists: the up nodes replicating from it, or its fixed list.
    func listedReplicas(of r: Int) -> [HostPort] {
        let following = redis.filter { $0.up && !$0.isMaster && $0.replicaOf == redis[r].address }.map(\.address)
        return following.isEmpty && !redis.contains(where: { $0.replicaOf == redis[r].address })
            ? redis[r].replicas : following
    }

    func infoText(of r: Int) -> String {
        let masterUp = redis[r].replicaOf.map { m in redis.contains { $0.address == m && $0.up && $0.isMaster } } ?? false
        let masterReachable = redis[r].replicaOf.map { m in
            redis.firstIndex { $0.address == m }.map { !redis[$0].frozen && cutOffRedis.contains($0) == cutOffRedis.contains(r) }
                ?? false
        } ?? false
        return redis[r].infoText(
            replicas: listedReplicas(of: r), masterUp: masterUp && masterReachable, replID: replicationID(of: r))
    }

    mutating func redisCommand(_ r: Int, _ words: [String], from source: (node: Int, link: LinkID)) -> RESPValue {
        redis[r].received.append(words)
        let connection = "\(source.node)/\(source.link)"
        let name = words.first?.uppercased() ?? ""
        if redis[r].deniedCommands.contains(name) {
            if redis[r].transactions[connection] != nil { redis[r].transactionDirty.insert(connection) }
            return .error("NOPERM User sentinel has no permissions to run the '\(name.lowercased())' command")
        }
        if var queued = redis[r].transactions[connection], name != "EXEC" {
            queued.append(words)
            redis[r].transactions[connection] = queued
            return .simpleString("QUEUED")
        }
        switch name {
        case "PING":
            if let error = redis[r].pingError { return .error(error) }
            return .simpleString("PONG")
        case "INFO": return .bulkString(infoText(of: r))
        case "CLIENT":
            switch words.count > 1 ? words[1].uppercased() : "" {
            case "PAUSE":
                guard words.count >= 3, let ms = Int64(words[2]) else {
                    return .error("ERR timeout is not an integer or out of range")
                }
                guard ms <= Int64.max - now else { return .error("ERR timeout is out of range") }
                redis[r].pausedUntil = max(redis[r].pausedUntil ?? 0, now + ms)
            case "UNPAUSE":
                redis[r].pausedUntil = nil
            case "KILL" where words.count == 4 && words[2].uppercased() == "TYPE":
                return .integer(killClients(r, pubsub: words[3].lowercased() == "pubsub", except: source))
            default:
                break
            }
            return .ok
        case "AUTH": return .ok
        case "ECHO": return words.count == 2 ? .bulkString(words[1]) : .error("ERR wrong number of arguments")
        case "CONFIG": return .ok
        case "MULTI":
            redis[r].transactions[connection] = []
            return .ok
        case "EXEC":
            let queued = redis[r].transactions.removeValue(forKey: connection) ?? []
            if redis[r].transactionDirty.remove(connection) != nil {
                return .error("EXECABORT Transaction discarded because of previous errors.")
            }
            return .array(queued.map { redisCommand(r, $0, from: source) })
        case "FAILOVER":
            return failoverCommand(r, words)
        case "SLAVEOF", "REPLICAOF":
            guard words.count == 3 else { return .error("ERR wrong number of arguments") }
            guard redis[r].failoverState == "no-failover" else { return .error("ERR REPLICAOF not allowed while failing over.") }
            if words[1].uppercased() == "NO" && words[2].uppercased() == "ONE" {
                if !redis[r].isMaster { promoteReplicationID(r) }
                redis[r].isMaster = true
                redis[r].replicaOf = nil
            } else if let port = Int(words[2]), (0...65535).contains(port) {
                redis[r].isMaster = false
                redis[r].replicaOf = HostPort(words[1], port)
                // Follows its new master's history (the resync is not simulated).
                redis[r].replID = nil
                redis[r].replID2 = nil
            } else {
                return .error("ERR Invalid master port")
            }
            return .ok
        case "SUBSCRIBE":
            subscribers[r, default: []].append(source)
            return .array([.bulkString("subscribe"), .bulkString(words[1]), .integer(1)])
        case "PUBLISH":
            if let until = redis[r].pausedUntil, now < until { redis[r].publishesWhilePaused += 1 }
            let targets = subscribers[r] ?? []
            for t in targets where !isolated.contains(t.node) && cutOffSentinels.contains(t.node) == cutOffRedis.contains(r) {
                schedule(
                    node: t.node, at: now + latency,
                    .linkFrame(t.link, .array([.bulkString("message"), .bulkString(words[1]), .bulkString(words[2])])))
            }
            return .integer(targets.count)
        default:
            return .error("ERR unknown command '\(words.first ?? "")'")
        }
    }

    /// `CLIENT KILL TYPE normal|pubsub` (SKIPME yes): the node closes every other connection of
    /// that type, a subscribed one being `pubsub`; each sentinel sees its link closed. Returns
    /// how many were closed, as Redis answers.
    mutating func killClients(_ r: Int, pubsub: Bool, except source: (node: Int, link: LinkID)) -> Int {
        var killed = 0
        for node in linkTargets.keys.sorted() {
            for (link, target) in linkTargets[node]!.sorted(by: { $0.key < $1.key }) where target == .redis(r) {
                if node == source.node && link == source.link { continue }
                let subscribed = subscribers[r]?.contains { $0.node == node && $0.link == link } ?? false
                guard subscribed == pubsub else { continue }
                linkTargets[node]!.removeValue(forKey: link)
                subscribers[r]?.removeAll { $0.node == node && $0.link == link }
                schedule(node: node, at: now + latency, .linkClosed(link, reason: "Server closed the connection"))
                killed += 1
            }
        }
        return killed
    }

    // MARK: - FAILOVER (Redis 6.2+), simulated

    /// `FAILOVER TO host port TIMEOUT t [FORCE]` / `FAILOVER ABORT` on a master: after
    /// `failoverSyncDelay` the target has caught up and takes over (unless a failure is injected,
    /// or the target is frozen: it neither acknowledges nor accepts the handover). With FORCE, a
    /// master still waiting at the timeout hands over anyway, as Redis does, and stays in
    /// `failover-in-progress` (a replica of the target) while the target does not answer.
    mutating func failoverCommand(_ r: Int, _ words: [String]) -> RESPValue {
        var words = words
        let force = words.count == 7 && words[6].uppercased() == "FORCE"
        if force { words.removeLast() }
        if words.count == 2 && words[1].uppercased() == "ABORT" {
            guard redis[r].failoverState != "no-failover" else { return .error("ERR No failover in progress.") }
            redis[r].isMaster = true
            redis[r].replicaOf = nil
            endFailover(r)
            return .ok
        }
        guard words.count == 6, let port = Int(words[3]), let timeout = Int64(words[5]) else {
            return .error("ERR syntax error")
        }
        guard redis[r].isMaster else { return .error("ERR FAILOVER is not valid when server is a replica.") }
        guard redis[r].failoverState == "no-failover" else { return .error("ERR FAILOVER already in progress.") }
        let target = HostPort(words[2], port)
        guard let t = redis.firstIndex(where: { $0.address == target && $0.replicaOf == redis[r].address && $0.up })
        else { return .error("ERR FAILOVER target HOST and PORT is not a replica.") }
        redis[r].failoverState = "waiting-for-sync"
        let startedAt = now
        /// The master demotes itself; the target takes over a moment later unless it is frozen.
        func handOver(_ sim: inout Simulation) {
            sim.redis[r].failoverState = "failover-in-progress"
            sim.redis[r].isMaster = false
            sim.redis[r].replicaOf = target
            if sim.redis[r].failoverStuck || sim.redis[t].frozen { return }
            sim.redisTimers.append((sim.now + sim.latency, { sim in
                guard sim.redis[r].failoverState == "failover-in-progress" else { return }
                sim.promoteReplicationID(t)
                sim.redis[t].isMaster = true
                sim.redis[t].replicaOf = nil
                sim.endFailover(r)
            }))
        }
        redisTimers.append((now + failoverSyncDelay, { sim in
            guard sim.redis[r].failoverState == "waiting-for-sync" else { return }
            if sim.redis[r].failoverNeverSyncs || sim.redis[t].frozen {
                return
            }
            handOver(&sim)
        }))
        // Without a catch-up by the timeout, the master gives up and serves writes again, or
        // (FORCE) hands over anyway.
        redisTimers.append((startedAt.saturatingAdding(timeout), { sim in
            guard sim.redis[r].failoverState == "waiting-for-sync" else { return }
            if force {
                handOver(&sim)
            } else {
                sim.endFailover(r)
            }
        }))
        return .ok
    }

    /// The FAILOVER ends (done, aborted or timed out): writes resume, and the connections a
    /// PUBLISH blocked get their replies, in order.
    mutating func endFailover(_ r: Int) {
        redis[r].failoverState = "no-failover"
        let held = blockedByFailover.removeValue(forKey: r) ?? []
        for (node, link, words) in held {
            guard linkTargets[node]?[link] == .redis(r) else { continue }
            let reply = redisCommand(r, words, from: (node, link))
            schedule(node: node, at: arrival("\(node)/\(link)"), .linkFrame(link, reply))
        }
    }

    // MARK: - Faults

    /// Kills a Redis node: its connections drop and it stops answering (connects are refused).
    mutating func crashRedis(_ r: Int) {
        redis[r].up = false
        for node in linkTargets.keys {
            for (link, target) in linkTargets[node]! where target == .redis(r) {
                linkTargets[node]!.removeValue(forKey: link)
                schedule(node: node, at: now + latency, .linkClosed(link, reason: "Connection reset by peer"))
            }
        }
        subscribers[r] = []
    }

    /// Restarts a Redis node as a master with a new run id (what a restarted old master does).
    mutating func restartRedis(_ r: Int, runID: String) {
        redis[r].up = true
        redis[r].runID = runID
        redis[r].isMaster = true
        redis[r].replicaOf = nil
        redis[r].replID = nil
        redis[r].replID2 = nil
        redis[r].transactions = [:]
    }

    /// Isolated sentinels: nothing they send arrives and nothing reaches them (a network partition).
    var isolated: Set<Int> = []
    /// A host cut off from the rest (RedisFaults.swift): these Redis nodes and these sentinels
    /// reach each other, and nothing on the other side.
    var cutOffRedis: Set<Int> = []
    var cutOffSentinels: Set<Int> = []
    /// Commands sent to a frozen Redis node, answered in order when it is thawed.
    var heldCommands: [Int: [(node: Int, link: LinkID, words: [String])]] = [:]
    /// Commands on connections blocked by a PUBLISH during a FAILOVER's write pause, in order;
    /// answered when the FAILOVER ends (``endFailover(_:)``).
    var blockedByFailover: [Int: [(node: Int, link: LinkID, words: [String])]] = [:]

    func blocked(_ node: Int, _ target: Endpoint) -> Bool {
        if isolated.contains(node) { return true }
        switch target {
        case .sentinel(let other, _):
            if isolated.contains(other) { return true }
            return cutOffSentinels.contains(node) != cutOffSentinels.contains(other)
        case .redis(let r):
            return cutOffSentinels.contains(node) != cutOffRedis.contains(r)
        }
    }

    /// Stops a sentinel process: it handles nothing more; connections into it are closed.
    mutating func crashSentinel(_ i: Int) {
        nodes[i].up = false
        for node in linkTargets.keys where node != i {
            for (link, target) in linkTargets[node]! {
                if case .sentinel(let t, _) = target, t == i {
                    linkTargets[node]!.removeValue(forKey: link)
                    schedule(node: node, at: now + latency, .linkClosed(link, reason: "Connection reset by peer"))
                }
            }
        }
        linkTargets[i] = [:]
        clientSources[i] = [:]
        for r in subscribers.keys { subscribers[r]?.removeAll { $0.node == i } }
    }

    /// Starts a crashed sentinel again from the last configuration it persisted.
    mutating func restartSentinel(_ i: Int, seed: UInt64) {
        guard let config = nodes[i].persisted.last else { return }
        nodes[i].sentinel = Sentinel(config: config, seed: seed)
        nodes[i].up = true
        queue.removeAll { $0.node == i }
        start(i)
    }

    /// Every event line a sentinel logged with this type (`+switch-master`, ...), message only.
    func events(_ node: Int, _ type: String) -> [String] {
        nodes[node].logs.compactMap { line in
            line.hasPrefix(type + " ") ? String(line.dropFirst(type.count + 1)) : nil
        }
    }

    /// The epochs in which a sentinel was elected leader: each `+elected-leader` belongs to the
    /// epoch of the `+new-epoch` logged right before its `+try-failover`.
    func electedEpochs(_ node: Int) -> [Epoch] {
        var lastNewEpoch: Epoch = 0
        var trying: Epoch = 0
        var result: [Epoch] = []
        for line in nodes[node].logs {
            if line.hasPrefix("+new-epoch "), let n = Epoch(line.dropFirst("+new-epoch ".count)) { lastNewEpoch = n }
            if line.hasPrefix("+try-failover ") { trying = lastNewEpoch }
            if line.hasPrefix("+elected-leader ") { result.append(trying) }
        }
        return result
    }

    /// Which Redis node is the master now, and whether every other up node replicates from it.
    func currentRedisMaster() -> HostPort? {
        let masters = redis.filter { $0.up && $0.isMaster }
        return masters.count == 1 ? masters[0].address : nil
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
        ask(node, words)
    }

    mutating func ask(_ node: Int, _ words: [String]) -> RESPValue? {
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

/// A standard topology with failover-friendly timings: down-after 1000 ms, failover-timeout 10 s.
func failoverSimulation(sentinels: Int = 3, quorum: Int = 2, seed: UInt64 = 1) -> Simulation {
    var sim = standardSimulation(sentinels: sentinels, quorum: quorum, seed: seed)
    for i in sim.nodes.indices {
        var config = sim.nodes[i].sentinel.config
        config.masters[0].downAfterMilliseconds = 1000
        config.masters[0].failoverTimeout = 10_000
        sim.nodes[i].sentinel = Sentinel(config: config, seed: seed &* 7919 &+ UInt64(i))
    }
    return sim
}

/// Runs discovery until every sentinel knows both replicas and every peer.
func discover(_ sim: inout Simulation) {
    let peers = sim.nodes.count - 1
    let converged = sim.runUntil(timeout: 5_000) { s in
        s.nodes.allSatisfy { node in
            node.sentinel.masterNamed("mymaster").map { $0.replicas.count == 2 && $0.sentinels.count == peers } ?? false
        }
    }
    #expect(converged != nil, "discovery did not converge")
    // Let every replica's INFO arrive at least once.
    sim.run(for: 1_500)
}

/// Discovery, then a wall-clock sample on every sentinel: a coordinated-failover record is
/// persisted only with a wall clock.
func settle(_ sim: inout Simulation) {
    discover(&sim)
    for i in sim.nodes.indices {
        _ = sim.nodes[i].sentinel.handle(.processStats(ProcessStats(unixTimeMicros: 1_800_000_000_000_000)), now: sim.now)
    }
}

/// ``failoverSimulation(sentinels:quorum:seed:)``, started and settled.
func settledFailoverSimulation(seed: UInt64 = 3) -> Simulation {
    var sim = failoverSimulation(seed: seed)
    sim.startAll()
    settle(&sim)
    return sim
}


/// Readers for the instance table, so assertions name a replica or peer by its master and key.
extension Sentinel {
    /// The replica `name` (`ip:port`) of the master `master`, as an instance (a copy).
    func replica(_ name: String, of master: String) -> Instance? {
        replicaID(name, of: master).map { instances[$0] }
    }

    /// The peer `runID` under the master `master`, as an instance (a copy).
    func peer(_ runID: String, of master: String) -> Instance? {
        peerID(runID, of: master).map { instances[$0] }
    }

    /// Every replica of the master `master`, in order (copies).
    func replicas(of master: String) -> [Instance] {
        masterNamed(master).map { replicaInstances(of: $0) } ?? []
    }

    /// Every peer under the master `master`, in order (copies).
    func peers(of master: String) -> [Instance] {
        masterNamed(master).map { peerInstances(of: $0) } ?? []
    }
}
