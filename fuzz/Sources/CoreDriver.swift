//===----------------------------------------------------------------------===//
// swift-sentinel — shared pieces of the fuzz targets: invariant checks and a core driver
//===----------------------------------------------------------------------===//

import RESP
import SentinelCore

/// Stops the run as a crash (libFuzzer saves the input) when an invariant does not hold.
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("fuzz invariant violated: \(message())", file: file, line: line) }
}

extension UnsafeRawBufferPointer {
    /// The bytes as text (invalid UTF-8 becomes U+FFFD, as the runtime reads it).
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// The input split into lines (on `\n`), each without its `\r`.
func fuzzLines(_ data: UnsafeRawBufferPointer) -> [[UInt8]] {
    data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
        Array(line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...])
    }
}

/// Redis's inline-command words of `line`, or nil (unbalanced quotes).
func fuzzWords(_ line: [UInt8]) -> [String]? {
    ArgumentSplitter.split(line).map { $0.map { String(decoding: $0, as: UTF8.self) } }
}

/// One ``Sentinel`` on a virtual clock against fake servers, the way the runtime drives it:
/// every `.connect` succeeds at once, every command is answered at once (in order, per link) by a
/// small Redis 7-like server (or, at a peer's address, a sentinel), config writes and scripts
/// succeed. Any address is a reachable master unless it replicates from another one. A value
/// type: targets build one ready state once and copy it for every input.
struct CoreDriver {
    var sentinel: Sentinel
    var now: Millis = 1_000_000
    /// Where each link goes, and the links that subscribed (pub/sub connections).
    var target: [LinkID: HostPort] = [:]
    var pubsub: Set<LinkID> = []
    var closed: Set<LinkID> = []
    /// Sentinel peers (answer as sentinels) and who replicates from whom.
    var peers: Set<HostPort> = []
    var replicaOf: [HostPort: HostPort] = [:]
    /// Ports of nodes that are down: connections to them are refused, commands get no answer.
    var down: Set<Int> = []
    /// INFO text served instead of the built-in one.
    var infoOverride: [HostPort: String] = [:]
    /// Addresses whose next INFO reply is held (with every later reply on that link) until
    /// ``deliverHeld(_:info:)``; the link and its held replies (nil: the INFO itself).
    var holdInfo: Set<HostPort> = []
    var held: [LinkID: [RESPValue?]] = [:]
    /// Commands queued inside MULTI, per link.
    var transactions: [LinkID: Int] = [:]
    /// The fuzz client; replaced by a new one when the core closes it.
    var client = ClientID(1)
    var nextClient = 2
    /// Rewrite and reload the last config the core asked to persist (it must load again) when
    /// the input ends (``finish()``): once per input, as the check costs more than the rest.
    var checkPersistedConfig = false
    var lastPersisted: SentinelConfig? = nil
    /// Actions left for this input: a runaway exchange ends the input instead of hanging it.
    var budget = 50_000
    var stopped = false

    init(config: SentinelConfig) {
        sentinel = Sentinel(config: config, seed: 42)
    }

    mutating func start() {
        process(sentinel.start(now: now))
        connectClient()
    }

    mutating func handle(_ event: Event) {
        guard !stopped else { return }
        process(sentinel.handle(event, now: now))
    }

    /// Ends an input: the checks left for the end.
    mutating func finish() {
        if let config = lastPersisted {
            lastPersisted = nil
            ConfigTarget.checkReloads(config)
        }
    }

    mutating func connectClient() {
        handle(.clientConnected(client, address: "127.0.0.1:50000", localAddress: "127.0.0.1:26379"))
    }

    /// Runs the timer every `step` ms for `millis`.
    mutating func run(for millis: Millis, step: Millis = 100) {
        let end = now + max(0, min(millis, 600_000))
        while now < end && !stopped {
            now += step
            handle(.tick)
        }
    }

    mutating func command(_ words: [String]) {
        handle(.clientCommand(client, words))
    }

    /// Takes every node at `port` down (its open links are reset) or up again.
    mutating func setDown(_ port: Int, _ isDown: Bool) {
        guard isDown else {
            down.remove(port)
            return
        }
        down.insert(port)
        for (id, address) in target.sorted(by: { $0.key < $1.key }) where address.port == port && !closed.contains(id) {
            closed.insert(id)
            held.removeValue(forKey: id)
            handle(.linkClosed(id, reason: "Connection reset by peer"))
        }
    }

    /// The first link to `address` (pub/sub or not) that is still open.
    func link(to address: HostPort, pubsub wanted: Bool) -> LinkID? {
        target.filter { $0.value == address && pubsub.contains($0.key) == wanted && !closed.contains($0.key) }
            .keys.min()
    }

    /// A message on the hello channel of `address`'s pub/sub link.
    mutating func hello(_ payload: String, to address: HostPort) {
        guard let id = link(to: address, pubsub: true) else { return }
        handle(.linkFrame(id, .array([.bulkString("message"), .bulkString("__sentinel__:hello"), .bulkString(payload)])))
    }

    /// Answers the held INFO of `address` with `info`, then the replies held behind it.
    mutating func deliverHeld(_ address: HostPort, info: String) {
        guard let (id, frames) = held.first(where: { target[$0.key] == address }) else { return }
        held.removeValue(forKey: id)
        for frame in frames { handle(.linkFrame(id, frame ?? .bulkString(info))) }
    }

    private mutating func process(_ new: [Action]) {
        var queue = new[...]
        while let action = queue.popFirst() {
            budget -= 1
            if budget <= 0 { stopped = true }
            if stopped { return }
            var more: [Action] = []
            switch action {
            case .connect(let id, let host, let port):
                target[id] = HostPort(host, port)
                if down.contains(port) {
                    closed.insert(id)
                    more = sentinel.handle(.linkClosed(id, reason: "Connection refused"), now: now)
                } else {
                    more = sentinel.handle(.linkConnected(id, localAddress: "127.0.0.1"), now: now)
                }
            case .send(let id, let words):
                guard !closed.contains(id), let address = target[id], !words.isEmpty, !down.contains(address.port) else { break }
                if held[id] != nil {
                    if let reply = answer(id, address, words) { held[id]!.append(reply) }
                } else if words[0].uppercased() == "INFO", holdInfo.remove(address) != nil {
                    held[id] = [nil]
                } else if let reply = answer(id, address, words) {
                    more = sentinel.handle(.linkFrame(id, reply), now: now)
                }
            case .closeLink(let id):
                closed.insert(id)
                held.removeValue(forKey: id)
            case .reply(_, let value, let version):
                // Every reply goes through the encoder (its size and write passes must agree).
                _ = value.encoded(version: version)
            case .closeClient(let id):
                more = sentinel.handle(.clientDisconnected(id), now: now)
                if id == client {
                    client = ClientID(nextClient)
                    nextClient += 1
                    more += sentinel.handle(
                        .clientConnected(client, address: "127.0.0.1:50001", localAddress: "127.0.0.1:26379"), now: now)
                }
            case .persistConfig(let config, let token):
                if checkPersistedConfig { lastPersisted = config }
                more = sentinel.handle(.configPersisted(token: token, error: nil), now: now)
            case .runScript(let id, _, _):
                more = sentinel.handle(.scriptStarted(id, pid: 4242), now: now)
                more += sentinel.handle(.scriptExited(id, exitCode: 0, signal: 0), now: now)
            case .resolveHost(let host):
                more = sentinel.handle(.hostResolved(host: host, ip: nil, error: "Name or service not known"), now: now)
            case .aclFile(let operation, let token):
                switch operation {
                case .read: more = sentinel.handle(.aclFileDone(token: token, text: "user default on nopass ~* &* +@all\n", error: nil), now: now)
                case .write: more = sentinel.handle(.aclFileDone(token: token, text: nil, error: nil), now: now)
                }
            case .prepareTLS(_, let token):
                more = sentinel.handle(.tlsPrepared(token: token, error: nil), now: now)
            case .crash, .shutdown:
                stopped = true
                return
            case .log, .setLogLevel, .setLogFormat, .wakeUp, .killScript, .activateTLS, .setClientOutputClass, .observe:
                break
            }
            queue.append(contentsOf: more)
        }
    }

    // MARK: - The fake servers

    private mutating func answer(_ id: LinkID, _ address: HostPort, _ words: [String]) -> RESPValue? {
        let name = words[0].uppercased()
        if peers.contains(address) {
            switch name {
            case "PING": return .simpleString("PONG")
            case "INFO": return .bulkString("# Server\r\nredis_version:7.0.15\r\nredis_mode:sentinel\r\n")
            case "PUBLISH": return .integer(1)
            case "SENTINEL":
                // IS-MASTER-DOWN-BY-ADDR ip port epoch runid: agrees when that node is down, and
                // votes for the asker (a peer that has not voted in this epoch would).
                guard words.count == 6, let port = Int(words[3]), down.contains(port) else {
                    return .array([.integer(0), .bulkString("*"), .integer(0)])
                }
                let epoch = Int(words[4]) ?? 0
                return .array([.integer(1), .bulkString(words[5] == "*" ? "*" : words[5]), .integer(words[5] == "*" ? 0 : epoch)])
            default: return .ok
            }
        }
        if let queued = transactions[id], name != "EXEC" {
            transactions[id] = queued + 1
            _ = execute(address, words)
            return .simpleString("QUEUED")
        }
        switch name {
        case "MULTI":
            transactions[id] = 0
            return .ok
        case "EXEC":
            let count = transactions.removeValue(forKey: id) ?? 0
            return .array(Array(repeating: .ok, count: count))
        case "SUBSCRIBE":
            pubsub.insert(id)
            return .array([.bulkString("subscribe"), .bulkString(words.count > 1 ? words[1] : ""), .integer(1)])
        case "REPLCONF":
            return nil  // Redis 7 does not answer REPLCONF GETACK
        default:
            return execute(address, words)
        }
    }

    private mutating func execute(_ address: HostPort, _ words: [String]) -> RESPValue {
        switch words[0].uppercased() {
        case "PING": return .simpleString("PONG")
        case "INFO": return .bulkString(infoOverride[address] ?? info(address))
        case "PUBLISH": return .integer(1)
        case "ECHO": return .bulkString(words.count > 1 ? words[1] : "")
        case "SLAVEOF", "REPLICAOF":
            if words.count == 3 {
                if words[1].uppercased() == "NO" { replicaOf[address] = nil }
                else if let port = Int(words[2]) { replicaOf[address] = HostPort(words[1], port) }
            }
            return .ok
        case "FAILOVER":
            if words.count >= 4, words[1].uppercased() == "TO", let port = Int(words[3]) {
                let to = HostPort(words[2], port)
                replicaOf[to] = nil
                replicaOf[address] = to
            }
            return .ok
        default: return .ok
        }
    }

    /// INFO of a Redis 7.0 node as the fake topology has it.
    func info(_ address: HostPort) -> String {
        var lines = [
            "# Server", "redis_version:7.0.15", "redis_mode:standalone",
            "run_id:" + String(repeating: String(address.port % 10), count: 40), "tcp_port:\(address.port)", "",
            "# Replication",
        ]
        if let master = replicaOf[address] {
            lines += [
                "role:slave", "master_host:\(master.host)", "master_port:\(master.port)", "master_link_status:up",
                "master_last_io_seconds_ago:0", "master_sync_in_progress:0", "slave_read_repl_offset:1000",
                "slave_repl_offset:1000", "slave_priority:100", "slave_read_only:1", "replica_announced:1",
                "connected_slaves:0",
            ]
        } else {
            let replicas = replicaOf.filter { $0.value == address }.keys.sorted { $0.port < $1.port }
            lines += ["role:master", "connected_slaves:\(replicas.count)"]
            for (i, r) in replicas.enumerated() {
                lines.append("slave\(i):ip=\(r.host),port=\(r.port),state=online,offset=1000,lag=0")
            }
        }
        lines += ["master_failover_state:no-failover", "master_repl_offset:1000"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// The monitored topology every core-driving target starts from: `mymaster` at 127.0.0.1:6379
/// with a replica at :6380, one peer sentinel at :26380, down-after 1000 ms, failover-timeout 6 s.
enum Topology {
    static let master = HostPort("127.0.0.1", 6379)
    static let replica = HostPort("127.0.0.1", 6380)
    static let peer = HostPort("127.0.0.1", 26380)
    static let peerID = String(repeating: "b", count: 40)
    static let myID = String(repeating: "f", count: 40)

    static let configText = """
        port 26379
        sentinel myid \(myID)
        sentinel monitor mymaster 127.0.0.1 6379 2
        sentinel down-after-milliseconds mymaster 1000
        sentinel failover-timeout mymaster 6000
        sentinel current-epoch 1
        sentinel known-replica mymaster 127.0.0.1 6380
        sentinel known-sentinel mymaster 127.0.0.1 26380 \(peerID)

        """

    /// A driver for `config` (the topology's servers answering) after `start`.
    static func driver(config: SentinelConfig) -> CoreDriver {
        var driver = CoreDriver(config: config)
        driver.peers = [peer]
        driver.replicaOf = [replica: master]
        return driver
    }

    /// The topology running for 12 s: links up, the replica and the peer known, INFO answered.
    static let ready: CoreDriver = {
        let config: SentinelConfig
        do { config = try ConfigParser.parse(configText, fileName: "fuzz.conf") } catch {
            fatalError("the fuzz topology's config does not load: \(error)")
        }
        var ready = driver(config: config)
        ready.start()
        ready.run(for: 12_000)
        return ready
    }()
}
