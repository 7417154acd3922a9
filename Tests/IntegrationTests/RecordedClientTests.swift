import Foundation
import Testing

extension Integration {
    /// Raw-RESP replays of the clients that cannot be installed here (no Maven, npm or NuGet):
    /// Jedis, Lettuce, ioredis, node-redis v5 and StackExchange.Redis. Each test sends exactly
    /// what the library sends to a sentinel — handshake, casing, order, pipelining,
    /// subscriptions (clients-and-peers.md §1.5, §1.6, §2, checked against the libraries'
    /// sources) — to a real cluster (1 master, 2 replicas, 3 sentinels), and reads every reply
    /// with the parser in Support/RecordedClientParsers.swift, which rejects what the library
    /// would reject. Where the library follows a failover, one is triggered and the library's
    /// reaction (event parsing, re-query) is replayed.
    ///
    /// Also run against Debian's redis-sentinel 7.0.15 (`SENTINEL_BIN=/usr/bin/redis-sentinel`):
    /// there `CLIENT SETINFO` is an unknown subcommand, which every library ignores, and the
    /// Lettuce failover is the classic one instead of `COORDINATED`.
    @Suite("Recorded client replays (Jedis, Lettuce, ioredis, node-redis, StackExchange.Redis)")
    struct RecordedClientTests {
        static let masterName = Cluster.masterName
        static let failoverWait: Duration = .seconds(60)
        /// For events that follow a failover or a new sentinel (redis-sentinel: hello and INFO
        /// periods of 1–2 s).
        static let eventWait: Duration = .seconds(30)

        static func address(_ port: UInt16) -> ClientAddress {
            ClientAddress(host: "127.0.0.1", port: port)
        }

        /// A pipelined `CLIENT SETINFO`/`SETNAME` reply as the libraries read it: they ignore
        /// errors (7.0.15 has no SETINFO), but the reply must be one status or one error.
        static func expectIgnorableReply(_ reply: RESPReply, _ what: String) {
            #expect(reply == .simpleString("OK") || reply.isError, "\(what): \(reply)")
        }

        // MARK: Jedis

        /// The handshake of a Jedis connection: `HELLO 3` alone (RESP3, Jedis 8), then the
        /// fire-and-forget `CLIENT SETINFO` pair, pipelined and read with `getMany`.
        static func jedisHandshake(_ proto: WireProtocol) -> [[[String]]] {
            let setInfo = [["CLIENT", "SETINFO", "LIB-NAME", "jedis"], ["CLIENT", "SETINFO", "LIB-VER", proto == .resp3 ? "8.0.0" : "5.2.0"]]
            return proto == .resp3 ? [[["HELLO", "3"]], setInfo] : [setInfo]
        }

        static func checkJedisHandshake(_ replies: [RESPReply], _ proto: WireProtocol) {
            var rest = replies[...]
            if proto == .resp3 {
                // getOne(): any reply but an error (JedisDataException closes the connection).
                #expect(!(rest.first?.isError ?? true), "Jedis HELLO 3: \(String(describing: rest.first))")
                rest = rest.dropFirst()
            }
            for reply in rest.prefix(2) {
                expectIgnorableReply(reply, "Jedis CLIENT SETINFO")
            }
        }

        @Test("Jedis (RESP2 and RESP3): GET-MASTER-ADDR-BY-NAME, SENTINEL SLAVES, a SUBSCRIBE listener per sentinel that follows a failover",
              .timeLimit(.minutes(3)))
        func jedis() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let oldMaster = Self.address(try #require(cluster.master).port)
            let replicas = Set(cluster.replicas.map { Self.address($0.port) })
            var listeners: [(proto: WireProtocol, recorder: PubSubRecorder)] = []
            defer { listeners.forEach { $0.recorder.stop() } }

            for proto in WireProtocol.allCases {
                // initSentinels: the first sentinel that answers gives the master.
                let pool = try fixture.sentinels[0].client()
                var replies: [RESPReply] = []
                for batch in Self.jedisHandshake(proto) {
                    replies += try pool.pipeline(batch)
                }
                Self.checkJedisHandshake(replies, proto)
                // An unknown name must be "not monitored" (null), not an error: Jedis counts an
                // error as an unreachable sentinel and reports "All sentinels down".
                let unknown = try pool.send("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch")
                let unknownAddress = try JedisReplies.masterAddress(unknown, proto)
                #expect(!unknown.isError && unknownAddress == nil, "\(proto) unknown master: \(unknown)")
                let master = try JedisReplies.masterAddress(try pool.send("SENTINEL", "GET-MASTER-ADDR-BY-NAME", Self.masterName), proto)
                #expect(master == oldMaster, "Jedis \(proto) initSentinels: \(String(describing: master))")

                // One SentinelListener per sentinel: SENTINEL SLAVES, GET-MASTER-ADDR-BY-NAME,
                // then SUBSCRIBE on the same connection.
                for sentinel in fixture.sentinels {
                    let channels = ["+switch-master", "+sdown", "-sdown", "+slave"]
                    let listener = try PubSubRecorder(
                        port: sentinel.port, label: "Jedis \(proto) listener on \(sentinel.name)",
                        handshake: Self.jedisHandshake(proto) + [
                            [["SENTINEL", "SLAVES", Self.masterName]], [["SENTINEL", "GET-MASTER-ADDR-BY-NAME", Self.masterName]],
                        ],
                        subscribe: [["SUBSCRIBE"] + channels])
                    listeners.append((proto, listener))
                    let replies = listener.handshakeReplies
                    Self.checkJedisHandshake(Array(replies.dropLast(2)), proto)
                    let healthy = try JedisReplies.healthyReplicas(try JedisReplies.records(replies[replies.count - 2], proto))
                    #expect(Set(healthy) == replicas && healthy.count == 2, "\(listener.label): healthy replicas \(healthy)")
                    #expect(try JedisReplies.masterAddress(replies[replies.count - 1], proto) == oldMaster, "\(listener.label)")
                    let confirmations = try listener.confirmations.map { try JedisReplies.pubSub($0, proto) }
                    #expect(confirmations == channels.enumerated().map { .subscribed(channel: $1, count: Int64($0 + 1)) },
                            "\(listener.label) confirmations: \(listener.confirmations)")
                }
            }

            // SENTINEL FAILOVER: Jedis's sentinelFailover reads a status reply.
            let requestedAt = ContinuousClock.now
            let accepted = try fixture.sentinels[0].command("SENTINEL", "FAILOVER", Self.masterName)
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER: \(accepted)")
            let switched = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: Self.failoverWait)
            let newMaster = Self.address(switched.newPort)
            var lastSwitch = requestedAt

            for (proto, listener) in listeners {
                let diagnostics = { listener.transcript() + "\n" + fixture.diagnostics() }
                // onMessage: +switch-master moves the pool to fields 3/4; +slave adds the replica
                // and drops fields 6/7 from the replica pools.
                let switchFrame = try await listener.waitFor("+switch-master", timeout: Self.eventWait, diagnostics: diagnostics) {
                    if case .message(channel: "+switch-master", _)? = try? JedisReplies.pubSub($0, proto) { return true }
                    return false
                }
                lastSwitch = max(lastSwitch, switchFrame.time)
                guard case .message(_, let payload) = try JedisReplies.pubSub(switchFrame.reply, proto) else { continue }
                #expect(try JedisReplies.switchMaster(payload, masterName: Self.masterName) == newMaster, "\(listener.label): \(payload)")
                let slaveFrame = try await listener.waitFor("+slave", timeout: Self.eventWait, diagnostics: diagnostics) {
                    if case .message(channel: "+slave", _)? = try? JedisReplies.pubSub($0, proto) { return true }
                    return false
                }
                guard case .message(_, let slavePayload) = try JedisReplies.pubSub(slaveFrame.reply, proto) else { continue }
                let slave = try #require(try JedisReplies.slaveEvent(slavePayload, masterName: Self.masterName), "\(slavePayload)")
                #expect(slave.master == newMaster && slave.replica != newMaster, "\(listener.label) +slave \(slavePayload)")
                // +sdown removes a replica from Jedis's pools: a forced failover of a healthy
                // group must not report one (the CLIENT KILL TYPE pubsub of the reconfiguration
                // only drops connections the sentinel reopens).
                for frame in listener.frames {
                    if case .message(let channel, let payload) = try JedisReplies.pubSub(frame.reply, proto) {
                        #expect(channel != "+sdown", "\(listener.label): +sdown \(payload) during a forced failover of a healthy group")
                    }
                }
            }
            // The next pool (re)initialisation asks again and gets the promoted replica.
            for proto in WireProtocol.allCases {
                for sentinel in fixture.sentinels {
                    let client = try sentinel.client()
                    for batch in Self.jedisHandshake(proto) {
                        _ = try client.pipeline(batch)
                    }
                    let again = try JedisReplies.masterAddress(try client.send("SENTINEL", "GET-MASTER-ADDR-BY-NAME", Self.masterName), proto)
                    #expect(again == newMaster, "Jedis \(proto) on \(sentinel.label) after the failover: \(String(describing: again))")
                }
            }
            print("integration: Jedis replay: \(listeners.count) listeners (RESP2, RESP3) moved to \(newMaster) on +switch-master, the last \((lastSwitch - requestedAt).secondsText) after SENTINEL FAILOVER")
        }

        // MARK: Lettuce

        /// `HELLO 3 [AUTH <user or default> <password>] [SETNAME n]`, then the `CLIENT SETINFO`
        /// pair fire-and-forget (pipelined, errors ignored).
        static func lettuceHandshake(password: String? = nil, name: String? = nil) -> [[[String]]] {
            [
                [["HELLO", "3"] + (password.map { ["AUTH", "default", $0] } ?? []) + (name.map { ["SETNAME", $0] } ?? [])],
                [["CLIENT", "SETINFO", "lib-name", "Lettuce"], ["CLIENT", "SETINFO", "lib-ver", "6.5.0.RELEASE"]],
            ]
        }

        static func checkLettuceHandshake(_ replies: [RESPReply], _ what: String) throws {
            #expect(try LettuceReplies.hello(replies[0]) != .fallback, "\(what): HELLO 3 \(replies[0])")
            for reply in replies[1...2] {
                expectIgnorableReply(reply, "\(what) CLIENT SETINFO")
            }
        }

        /// MasterReplica's topology read: `SENTINEL master` zipped with `SENTINEL REPLICAS`
        /// (both in flight at once), the master taken as is, replicas filtered by flags.
        static func lettuceTopology(_ client: RESPClient) throws -> (master: ClientAddress, replicas: [ClientAddress]) {
            let replies = try client.pipeline([["SENTINEL", "master", masterName], ["SENTINEL", "REPLICAS", masterName]])
            let master = try LettuceReplies.record(replies[0], .resp3)
            let replicas = try LettuceReplies.records(replies[1], .resp3).filter(LettuceReplies.isAvailable)
            return (
                try RecordedReply.address(master, "the master record", LettuceReplies.name),
                try replicas.map { try RecordedReply.address($0, "a replica record", LettuceReplies.name) }
            )
        }

        @Test("Lettuce (RESP3): HELLO negotiation and fallback errors, get-master-addr-by-name, SENTINEL master/REPLICAS, PSUBSCRIBE * refresh triggers through a failover",
              .timeLimit(.minutes(3)))
        func lettuce() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let oldMaster = Self.address(try #require(cluster.master).port)
            let replicas = Set(cluster.replicas.map { Self.address($0.port) })

            // The errors Lettuce's handshake reads to fall back to RESP2: NOPROTO for a protocol
            // the server lacks, "ERR ... unknown ..." for a command it lacks. The connection
            // stays usable in RESP2 afterwards (Lettuce PINGs).
            let probe = try fixture.sentinels[0].client()
            let noProto = try probe.send("HELLO", "4")
            #expect(try LettuceReplies.hello(noProto) == .fallback, "HELLO 4: \(noProto)")
            #expect(try probe.send("PING") == .simpleString("PONG"), "PING after a refused HELLO")
            let select = try probe.send("SELECT", "1")
            #expect(select.errorText.map(LettuceReplies.isFallbackError) == true, "SELECT on a sentinel: \(select)")

            // The plain redis-sentinel:// URI and the MasterReplica topology, on RESP3.
            let topology = try fixture.sentinels[0].client()
            var handshake: [RESPReply] = []
            for batch in Self.lettuceHandshake() {
                handshake += try topology.pipeline(batch)
            }
            try Self.checkLettuceHandshake(handshake, "Lettuce")
            let resolved = try LettuceReplies.socketAddress(try topology.send("SENTINEL", "get-master-addr-by-name", Self.masterName), .resp3)
            #expect(resolved == oldMaster, "get-master-addr-by-name: \(String(describing: resolved))")
            let unknown = try LettuceReplies.socketAddress(try topology.send("SENTINEL", "get-master-addr-by-name", "nosuch"), .resp3)
            #expect(unknown == nil)
            let before = try Self.lettuceTopology(topology)
            #expect(before.master == oldMaster && Set(before.replicas) == replicas && before.replicas.count == 2, "topology: \(before)")

            // SentinelTopologyRefresh: a pub/sub connection per sentinel with PSUBSCRIBE *. These
            // carry credentials and a name; the sentinels have no password, so the default user
            // takes any (as in Redis).
            var refreshers: [PubSubRecorder] = []
            defer { refreshers.forEach { $0.stop() } }
            for sentinel in fixture.sentinels {
                let refresher = try PubSubRecorder(
                    port: sentinel.port, label: "Lettuce PSUBSCRIBE * on \(sentinel.name)",
                    handshake: Self.lettuceHandshake(password: "s3cret", name: "lettuce-refresh"), subscribe: [["PSUBSCRIBE", "*"]])
                refreshers.append(refresher)
                try Self.checkLettuceHandshake(refresher.handshakeReplies, refresher.label)
                let confirmation = try RecordedReply.pubSub(refresher.confirmations[0], .resp3, pushRequired: true, LettuceReplies.name)
                #expect(confirmation == [.bulkString("psubscribe"), .bulkString("*"), .integer(1)], "\(refresher.label): \(confirmation)")
            }

            // A coordinated failover where the sentinel has one (Valkey 9, swift-sentinel), else
            // the classic one.
            let coordinated = Binaries.sentinelUnderTestHasCoordinatedFailover
            let command = ["SENTINEL", "FAILOVER", Self.masterName] + (coordinated ? ["COORDINATED"] : [])
            let requestedAt = ContinuousClock.now
            let accepted = try fixture.sentinels[0].command(command)
            try #require(accepted == .simpleString("OK"), "\(command): \(accepted)")
            let switched = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: Self.failoverWait)
            let newMaster = Self.address(switched.newPort)

            func triggers(_ frame: RESPReply, _ channel: String) -> Bool {
                guard let message = try? LettuceReplies.pmessage(frame, .resp3), message.channel == channel else { return false }
                return LettuceReplies.triggersTopologyRefresh(channel: message.channel, message: message.message, masterName: Self.masterName)
            }
            var triggerCount = 0
            for (index, refresher) in refreshers.enumerated() {
                let diagnostics = { refresher.transcript() + "\n" + fixture.diagnostics() }
                var expected = ["+switch-master", "+slave"]
                if index == 0 {
                    expected.append("+elected-leader")  // the sentinel asked to fail over leads it
                }
                for channel in expected {
                    try await refresher.waitFor("\(channel) that triggers a topology refresh", timeout: Self.eventWait, diagnostics: diagnostics) {
                        triggers($0, channel)
                    }
                }
                for frame in refresher.frames {
                    let message = try #require(try LettuceReplies.pmessage(frame.reply, .resp3), "\(refresher.label): \(frame)")
                    #expect(message.pattern == "*", "\(refresher.label): \(frame)")
                    if LettuceReplies.triggersTopologyRefresh(channel: message.channel, message: message.message, masterName: Self.masterName) {
                        triggerCount += 1
                    }
                }
            }

            // The refresh re-reads the topology from a sentinel.
            let refreshed = try fixture.sentinels[1].client()
            for batch in Self.lettuceHandshake() {
                _ = try refreshed.pipeline(batch)
            }
            let after = try Self.lettuceTopology(refreshed)
            #expect(after.master == newMaster, "topology after the failover: \(after)")
            let others = Set(cluster.dataNodes.map { Self.address($0.port) }).subtracting([newMaster])
            #expect(Set(after.replicas).isSubset(of: others), "replicas after the failover: \(after.replicas)")
            let again = try LettuceReplies.socketAddress(try refreshed.send("SENTINEL", "get-master-addr-by-name", Self.masterName), .resp3)
            #expect(again == newMaster)
            let events = refreshers.map(\.frames.count).reduce(0, +)
            print("integration: Lettuce replay: \(command.joined(separator: " ")): \(events) events on 3 PSUBSCRIBE * connections, \(triggerCount) of them topology-refresh triggers; +switch-master everywhere \((switched.last - requestedAt).secondsText) after the command")
        }

        // MARK: ioredis

        /// ioredis writes its handshake without waiting: `hello 3` (6.0, RESP3 by default; 5.x
        /// sends none) and the `client setinfo` pair, all lowercase commands.
        static func ioredisHandshake(_ proto: WireProtocol) -> [[String]] {
            let setInfo = [["client", "setinfo", "LIB-VER", proto == .resp3 ? "6.0.0" : "5.4.1"], ["client", "setinfo", "LIB-NAME", "ioredis"]]
            return proto == .resp3 ? [["hello", "3"]] + setInfo : setInfo
        }

        @Test("ioredis (5.x RESP2, 6.0 RESP3): lowercase get-master-addr-by-name, sentinels and slaves read as flat records, the failover detector's SUBSCRIBE",
              .timeLimit(.minutes(2)))
        func ioredis() async throws {
            let cluster = try await Cluster.start()
            defer { cluster.shutdown() }
            try await cluster.waitForFullDiscovery()
            try await cluster.waitForHealthyLinks()
            let master = Self.address(try #require(cluster.master).port)
            let replicas = Set(cluster.replicas.map { Self.address($0.port) })
            var detectors: [PubSubRecorder] = []
            defer { detectors.forEach { $0.stop() } }

            for proto in WireProtocol.allCases {
                for sentinel in cluster.sentinels {
                    let what = "ioredis \(proto) on \(sentinel.name)"
                    let client = try sentinel.client()
                    let handshake = try client.pipeline(Self.ioredisHandshake(proto))
                    if proto == .resp3 {
                        try IORedisReplies.hello(handshake[0])
                    }
                    for reply in handshake.suffix(2) {
                        Self.expectIgnorableReply(reply, "\(what) client setinfo")
                    }
                    // resolveMaster; a null answer (or an error) sends it to the next sentinel.
                    let resolved = try IORedisReplies.masterAddress(try client.send("sentinel", "get-master-addr-by-name", Self.masterName), proto)
                    #expect(resolved == master, "\(what): \(String(describing: resolved))")
                    #expect(try IORedisReplies.masterAddress(try client.send("sentinel", "get-master-addr-by-name", "nosuch"), proto) == nil)
                    // updateSentinels (on by default): the other sentinels' ip/port.
                    let peers = try IORedisReplies.sentinels(try IORedisReplies.records(try client.send("sentinel", "sentinels", Self.masterName), proto))
                    let expectedPeers = Set(cluster.sentinels.filter { $0.port != sentinel.port }.map { Self.address($0.port) })
                    #expect(Set(peers) == expectedPeers && peers.count == 2, "\(what) sentinels: \(peers)")
                    // role: "slave" resolves through `sentinel slaves` (never REPLICAS).
                    let slaves = try IORedisReplies.replicas(try IORedisReplies.records(try client.send("sentinel", "slaves", Self.masterName), proto))
                    #expect(Set(slaves) == replicas && slaves.count == 2, "\(what) slaves: \(slaves)")

                    // failoverDetector (opt-in): SUBSCRIBE +switch-master on each sentinel.
                    let detector = try PubSubRecorder(
                        port: sentinel.port, label: "\(what) failover detector",
                        handshake: [Self.ioredisHandshake(proto)], subscribe: [["subscribe", "+switch-master"]])
                    detectors.append(detector)
                    let confirmation = try RecordedReply.pubSub(detector.confirmations[0], proto, pushRequired: true, IORedisReplies.name)
                    #expect(confirmation == [.bulkString("subscribe"), .bulkString("+switch-master"), .integer(1)], "\(detector.label): \(confirmation)")
                }
            }
        }

        // MARK: node-redis

        /// node-redis v5 queues its handshake at once: `HELLO 3`, then the `CLIENT SETINFO` pair
        /// (errors ignored).
        static let nodeRedisHandshake = [
            ["HELLO", "3"], ["CLIENT", "SETINFO", "LIB-VER", "5.8.2"], ["CLIENT", "SETINFO", "LIB-NAME", "node-redis"],
        ]
        /// Its control-connection patterns; the first lacks the `+` and never matches.
        static let nodeRedisPatterns = ["switch-master", "[-+]sdown", "+slave", "+sentinel", "[-+]odown", "+slave-reconf-done"]

        static func checkNodeRedisHandshake(_ replies: [RESPReply], _ what: String) throws {
            _ = try RecordedReply.pairs(replies[0], "\(what) HELLO 3", .resp3, flatAllowedOnRESP3: false, NodeRedisReplies.name)
            for reply in replies[1...2] {
                expectIgnorableReply(reply, "\(what) CLIENT SETINFO")
            }
        }

        /// One observe pass: SENTINELS, MASTER and REPLICAS in parallel on one connection.
        static func nodeRedisObserve(_ sentinel: SentinelProcess) throws -> (master: ClientAddress, replicas: [ClientAddress], sentinels: [ClientAddress]) {
            let client = try sentinel.client()
            try checkNodeRedisHandshake(try client.pipeline(nodeRedisHandshake), "node-redis on \(sentinel.name)")
            let replies = try client.pipeline([
                ["SENTINEL", "SENTINELS", masterName], ["SENTINEL", "MASTER", masterName], ["SENTINEL", "REPLICAS", masterName],
            ])
            let name = NodeRedisReplies.name
            let sentinels = try NodeRedisReplies.records(replies[0], "SENTINEL SENTINELS").map { try RecordedReply.address($0, "a sentinel", name) }
            let master = try NodeRedisReplies.record(replies[1], "SENTINEL MASTER")
            guard NodeRedisReplies.isUsable(master) else {
                throw ClientRejection(name, "the master is in a bad state: flags \(master["flags"] ?? "nil")")
            }
            let replicas = try NodeRedisReplies.records(replies[2], "SENTINEL REPLICAS").filter(NodeRedisReplies.isUsable)
            return (
                try RecordedReply.address(master, "the master", name),
                try replicas.map { try RecordedReply.address($0, "a replica", name) }, sentinels
            )
        }

        /// Whether `channel` is one a node-redis pattern can deliver.
        static func nodeRedisPattern(_ pattern: String, matches channel: String) -> Bool {
            switch pattern {
            case "[-+]sdown": ["+sdown", "-sdown"].contains(channel)
            case "[-+]odown": ["+odown", "-odown"].contains(channel)
            default: pattern == channel
            }
        }

        @Test("node-redis v5 (RESP3): SENTINELS/MASTER/REPLICAS as maps, PSUBSCRIBE patterns through a new sentinel and a crash failover, 'switch-master' never matches",
              .timeLimit(.minutes(3)))
        func nodeRedis() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let oldMaster = try #require(cluster.master)
            let replicas = Set(cluster.replicas.map { Self.address($0.port) })

            for sentinel in fixture.sentinels {
                let observed = try Self.nodeRedisObserve(sentinel)
                let peers = Set(fixture.sentinels.filter { $0.port != sentinel.port }.map { Self.address($0.port) })
                #expect(observed.master == Self.address(oldMaster.port) && Set(observed.replicas) == replicas
                    && Set(observed.sentinels) == peers, "node-redis observe on \(sentinel.name): \(observed)")
            }

            var controls: [PubSubRecorder] = []
            defer { controls.forEach { $0.stop() } }
            func subscribe(_ sentinel: SentinelProcess) throws {
                let control = try PubSubRecorder(
                    port: sentinel.port, label: "node-redis PSUBSCRIBE on \(sentinel.name)",
                    handshake: [Self.nodeRedisHandshake], subscribe: [["PSUBSCRIBE"] + Self.nodeRedisPatterns])
                controls.append(control)
                try Self.checkNodeRedisHandshake(control.handshakeReplies, control.label)
                let confirmations = try control.confirmations.map {
                    try RecordedReply.pubSub($0, .resp3, pushRequired: true, NodeRedisReplies.name)
                }
                #expect(confirmations == Self.nodeRedisPatterns.enumerated().map {
                    [.bulkString("psubscribe"), .bulkString($1), .integer(Int64($0 + 1))]
                }, "\(control.label) confirmations: \(confirmations)")
            }
            for sentinel in fixture.sentinels {
                try subscribe(sentinel)
            }
            // A fourth sentinel: +sentinel from the others (and it may lead the failover, so
            // node-redis listens to it too).
            let fourth = try await cluster.addSentinel(name: "sentinel4", binary: try Binaries.sentinelUnderTest())
            try subscribe(fourth)
            func received(_ pattern: String) -> Bool {
                controls.contains { control in
                    control.frames.contains { frame in
                        guard let message = try? NodeRedisReplies.pmessage(frame.reply) else { return false }
                        return message.pattern == pattern
                    }
                }
            }
            try await eventually(timeout: Self.eventWait, "node-redis receives +sentinel", diagnostics: fixture.diagnostics) {
                received("+sentinel")
            }

            let killedAt = ContinuousClock.now
            oldMaster.kill()
            let switched = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: Self.failoverWait)
            let newMaster = Self.address(switched.newPort)
            let expected = Self.nodeRedisPatterns.dropFirst()
            try await eventually(
                timeout: Self.eventWait, "node-redis receives a message on each of \(Array(expected))",
                diagnostics: { controls.map { $0.transcript() }.joined(separator: "\n") + "\n" + fixture.diagnostics() }
            ) {
                expected.allSatisfy(received)
            }
            // The sentinels did publish +switch-master (every PSUBSCRIBE * saw it), but the
            // pattern without its '+' delivered none of it.
            #expect(switched.events.count == 3)
            for control in controls {
                for frame in control.frames {
                    let message = try #require(try NodeRedisReplies.pmessage(frame.reply), "\(control.label): \(frame)")
                    #expect(message.pattern != "switch-master", "\(control.label): \(frame)")
                    #expect(Self.nodeRedisPattern(message.pattern, matches: message.channel), "\(control.label): \(frame)")
                }
            }

            // Any message triggers a re-observe, and a pass that finds the master in a bad state
            // (redis-sentinel flags the new master `disconnected` until its links are up) is
            // repeated on the next one: eventually a pass finds the promoted replica.
            let others = Set(cluster.dataNodes.map { Self.address($0.port) }).subtracting([newMaster])
            var observed: (master: ClientAddress, replicas: [ClientAddress], sentinels: [ClientAddress])?
            try await eventually(
                timeout: Self.eventWait, "a node-redis observe pass accepts \(newMaster) as the master", diagnostics: fixture.diagnostics
            ) {
                observed = try Self.nodeRedisObserve(fixture.sentinels[0])
                guard observed?.master == newMaster else {
                    throw HarnessError("the observe pass found \(String(describing: observed))")
                }
                return true
            }
            let replicasAfter = Set(observed?.replicas ?? [])
            #expect(replicasAfter.isSubset(of: others), "re-observe after the failover: \(String(describing: observed))")
            let counts = Self.nodeRedisPatterns.map { pattern in
                let count = controls.map { $0.frames.filter { (try? NodeRedisReplies.pmessage($0.reply))?.pattern == pattern }.count }.reduce(0, +)
                return "\(pattern)=\(count)"
            }
            print("integration: node-redis replay: messages per pattern on 4 sentinels: \(counts.joined(separator: " ")); kill -9 to +switch-master everywhere \((switched.last - killedAt).secondsText)")
        }

        // MARK: StackExchange.Redis

        /// One StackExchange.Redis server connection to a sentinel. On RESP2 it has an
        /// interactive connection and a subscription connection; on RESP3 (`protocol=resp3`,
        /// `HELLO 3`) one connection carries both. Its sentinel command map has no CLIENT, so
        /// there is no SETNAME/SETINFO; auto-configure sends `SENTINEL MASTERS`,
        /// `INFO replication` and `INFO server`; it subscribes to `+switch-master` and `+sentinel`.
        final class SERedisConnection {
            let proto: WireProtocol
            let sentinel: SentinelProcess
            let subscription: PubSubRecorder
            /// The autoconfigure replies: SENTINEL MASTERS, INFO replication, INFO server.
            let autoConfigure: [RESPReply]
            private let interactive: RESPClient?

            static let autoConfigureCommands = [["SENTINEL", "MASTERS"], ["INFO", "replication"], ["INFO", "server"]]
            static let subscriptions = [["SUBSCRIBE", "+switch-master"], ["SUBSCRIBE", "+sentinel"]]

            init(_ sentinel: SentinelProcess, _ proto: WireProtocol) throws {
                self.proto = proto
                self.sentinel = sentinel
                let label = "StackExchange.Redis \(proto) on \(sentinel.name)"
                if proto == .resp3 {
                    subscription = try PubSubRecorder(
                        port: sentinel.port, label: label, handshake: [[["HELLO", "3"]], Self.autoConfigureCommands],
                        subscribe: Self.subscriptions)
                    autoConfigure = Array(subscription.handshakeReplies.dropFirst())
                    interactive = nil
                    let hello = subscription.handshakeReplies[0]
                    _ = try RecordedReply.pairs(hello, "\(label) HELLO 3", .resp3, flatAllowedOnRESP3: false, SERedisReplies.name)
                } else {
                    let client = try sentinel.client()
                    autoConfigure = try client.pipeline(Self.autoConfigureCommands)
                    interactive = client
                    subscription = try PubSubRecorder(port: sentinel.port, label: label, handshake: [], subscribe: Self.subscriptions)
                }
            }

            var label: String { subscription.label }

            func command(_ arguments: String...) async throws -> RESPReply {
                if let interactive {
                    return try interactive.send(arguments)
                }
                return try await subscription.command(arguments)
            }

            func stop() {
                subscription.stop()
                interactive?.close()
            }
        }

        static func isMessage(_ reply: RESPReply, on channel: String, _ proto: WireProtocol) -> Bool {
            guard let message = try? SERedisReplies.message(reply, proto) else { return false }
            return message.channel == channel
        }

        @Test("StackExchange.Redis (RESP2 and RESP3): auto-configure, GET-MASTER-ADDR-BY-NAME + ROLE, +sentinel and its SENTINEL SENTINELS sentinel quirk, +switch-master through a failover",
              .timeLimit(.minutes(3)))
        func stackExchangeRedis() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let oldMaster = Self.address(try #require(cluster.master).port)
            let replicas = Set(cluster.replicas.map { Self.address($0.port) })
            let name = SERedisReplies.name
            var connections: [SERedisConnection] = []
            defer { connections.forEach { $0.stop() } }

            for proto in WireProtocol.allCases {
                for sentinel in fixture.sentinels {
                    let connection = try SERedisConnection(sentinel, proto)
                    connections.append(connection)
                    let what = connection.label
                    let masters = try SERedisReplies.records(connection.autoConfigure[0], "SENTINEL MASTERS", proto)
                    let entry = try #require(masters.first { $0["name"] == Self.masterName }, "\(what): SENTINEL MASTERS \(masters)")
                    #expect(try RecordedReply.address(entry, "the master entry", name) == oldMaster)
                    _ = try SERedisReplies.info(connection.autoConfigure[1], "INFO replication")
                    _ = try SERedisReplies.serverInfo(connection.autoConfigure[2])
                    let confirmations = try connection.subscription.confirmations.map {
                        try RecordedReply.pubSub($0, proto, pushRequired: true, name)
                    }
                    #expect(confirmations == [
                        [.bulkString("subscribe"), .bulkString("+switch-master"), .integer(1)],
                        [.bulkString("subscribe"), .bulkString("+sentinel"), .integer(2)],
                    ], "\(what) confirmations: \(confirmations)")

                    // GetSentinelMasterConnection: the address, then ROLE on that data node.
                    let resolved = try SERedisReplies.masterAddress(
                        try await connection.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", Self.masterName), proto)
                    #expect(resolved == oldMaster, "\(what): \(String(describing: resolved))")
                    let node = try #require(cluster.node(port: oldMaster.port))
                    #expect(try node.command("ROLE").elements?.first?.string == "master")
                    let peers = try SERedisReplies.records(
                        try await connection.command("SENTINEL", "SENTINELS", Self.masterName), "SENTINEL SENTINELS", proto)
                    let expectedPeers = Set(fixture.sentinels.filter { $0.port != sentinel.port }.map { Self.address($0.port) })
                    #expect(Set(try peers.map { try RecordedReply.address($0, "a sentinel", name) }) == expectedPeers, "\(what): \(peers)")
                    let replicaRecords = try SERedisReplies.records(
                        try await connection.command("SENTINEL", "REPLICAS", Self.masterName), "SENTINEL REPLICAS", proto)
                    #expect(Set(try replicaRecords.map { try RecordedReply.address($0, "a replica", name) }) == replicas, "\(what)")
                }
            }

            // A fourth sentinel: on +sentinel, StackExchange.Redis passes the payload's first
            // token ("sentinel") as a service name to SENTINEL SENTINELS. That must be an error
            // reply, and the connection must go on working.
            _ = try await cluster.addSentinel(name: "sentinel4", binary: try Binaries.sentinelUnderTest())
            for connection in connections {
                let frame = try await connection.subscription.waitFor("+sentinel", timeout: Self.eventWait, diagnostics: fixture.diagnostics) {
                    Self.isMessage($0, on: "+sentinel", connection.proto)
                }
                let message = try #require(try SERedisReplies.message(frame.reply, connection.proto))
                let token = String(message.payload.split(separator: " ").first ?? "")
                #expect(token == "sentinel", "\(connection.label): +sentinel \(message.payload)")
                let quirk = try await connection.command("SENTINEL", "SENTINELS", token)
                #expect(quirk.isError, "\(connection.label): SENTINEL SENTINELS \(token) answered \(quirk)")
                #expect(try await connection.command("PING") == .simpleString("PONG"), "\(connection.label) after the quirk")
            }

            let requestedAt = ContinuousClock.now
            let accepted = try fixture.sentinels[0].command("SENTINEL", "FAILOVER", Self.masterName)
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER: \(accepted)")
            let switched = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: Self.failoverWait)
            let newMaster = Self.address(switched.newPort)
            var lastSwitch = requestedAt
            let promoted = try #require(cluster.node(port: newMaster.port))
            for connection in connections {
                // +switch-master: fields 1/2 name the endpoint to blame, then it asks again and
                // checks the answer with ROLE.
                let frame = try await connection.subscription.waitFor("+switch-master", timeout: Self.eventWait, diagnostics: fixture.diagnostics) {
                    Self.isMessage($0, on: "+switch-master", connection.proto)
                }
                lastSwitch = max(lastSwitch, frame.time)
                let message = try #require(try SERedisReplies.message(frame.reply, connection.proto))
                let fields = message.payload.split(separator: " ").map(String.init)
                try #require(fields.count == 5, "\(connection.label): +switch-master \(message.payload)")
                let blamed = ClientAddress(host: fields[1], port: try RecordedReply.port(fields[2], "old port", name))
                #expect(fields[0] == Self.masterName && blamed == oldMaster, "\(connection.label): +switch-master \(message.payload)")
                let resolved = try SERedisReplies.masterAddress(
                    try await connection.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", Self.masterName), connection.proto)
                #expect(resolved == newMaster, "\(connection.label) after the failover: \(String(describing: resolved))")
                #expect(try promoted.command("ROLE").elements?.first?.string == "master")
                for frame in connection.subscription.frames {
                    _ = try #require(try SERedisReplies.message(frame.reply, connection.proto), "\(connection.label): \(frame)")
                }
            }
            print("integration: StackExchange.Redis replay: \(connections.count) connections (RESP2, RESP3) re-resolved \(newMaster) after +switch-master, the last \((lastSwitch - requestedAt).secondsText) after SENTINEL FAILOVER")
        }
    }
}
