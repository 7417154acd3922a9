import Testing

/// The replayed clients' parsers (Support/RecordedClientParsers.swift) must reject what the
/// libraries reject and accept what they accept, or RecordedClientTests proves nothing. These
/// run without processes.
@Suite("Recorded client parsers", .timeLimit(.minutes(1)))
struct RecordedClientParserTests {
    static let address = RESPReply.array([.bulkString("127.0.0.1"), .bulkString("6379")])
    static let integerPort = RESPReply.array([.bulkString("127.0.0.1"), .integer(6379)])
    static let expected = ClientAddress(host: "127.0.0.1", port: 6379)

    @Test("GET-MASTER-ADDR-BY-NAME: an integer port breaks Jedis and Lettuce, not ioredis or StackExchange.Redis")
    func integerPort() throws {
        #expect(throws: ClientRejection.self) { try JedisReplies.masterAddress(Self.integerPort, .resp2) }
        #expect(throws: ClientRejection.self) { try LettuceReplies.socketAddress(Self.integerPort, .resp3) }
        #expect(try IORedisReplies.masterAddress(Self.integerPort, .resp2) == Self.expected)
        #expect(try SERedisReplies.masterAddress(Self.integerPort, .resp2) == Self.expected)
        #expect(try JedisReplies.masterAddress(Self.address, .resp3) == Self.expected)
        let text = RESPReply.array([.bulkString("127.0.0.1"), .bulkString("63a9")])
        #expect(throws: ClientRejection.self) { try IORedisReplies.masterAddress(text, .resp3) }
    }

    @Test("unknown master: null is 'not monitored' everywhere; StackExchange.Redis also takes an empty array, Jedis anything but 2 elements")
    func unknownMaster() throws {
        for null in [RESPReply.nullArray, .null] {
            #expect(try JedisReplies.masterAddress(null, .resp3) == nil)
            #expect(try LettuceReplies.socketAddress(null, .resp3) == nil)
            #expect(try SERedisReplies.masterAddress(null, .resp3) == nil)
        }
        #expect(try SERedisReplies.masterAddress(.array([]), .resp2) == nil)
        #expect(try JedisReplies.masterAddress(.array([.bulkString("127.0.0.1")]), .resp2) == nil)
        #expect(throws: ClientRejection.self) { try LettuceReplies.socketAddress(.array([.bulkString("127.0.0.1")]), .resp2) }
    }

    @Test("a RESP2 connection rejects every RESP3 type, at any depth")
    func resp2Types() {
        let map = RESPReply.map([.init(key: .bulkString("ip"), value: .bulkString("127.0.0.1"))])
        #expect(throws: ClientRejection.self) { try JedisReplies.records(.array([map]), .resp2) }
        #expect(throws: ClientRejection.self) { _ = try JedisReplies.masterAddress(.null, .resp2) }
        #expect(throws: ClientRejection.self) { try IORedisReplies.records(.array([.array([.bulkString("flags"), .boolean(true)])]), .resp2) }
    }

    @Test("records on RESP3: node-redis needs maps; Jedis, Lettuce, ioredis and StackExchange.Redis take flat arrays too")
    func recordShapes() throws {
        let flat = RESPReply.array([.bulkString("ip"), .bulkString("127.0.0.1"), .bulkString("port"), .bulkString("6379"), .bulkString("flags"), .bulkString("slave")])
        let map = RESPReply.map([
            .init(key: .bulkString("ip"), value: .bulkString("127.0.0.1")), .init(key: .bulkString("port"), value: .bulkString("6379")),
            .init(key: .bulkString("flags"), value: .bulkString("slave")),
        ])
        #expect(throws: ClientRejection.self) { try NodeRedisReplies.record(flat, "SENTINEL MASTER") }
        #expect(try NodeRedisReplies.record(map, "SENTINEL MASTER")["port"] == "6379")
        #expect(try JedisReplies.records(.array([flat, map]), .resp3).count == 2)
        #expect(try LettuceReplies.records(.array([flat, map]), .resp3).count == 2)
        #expect(try IORedisReplies.replicas(try IORedisReplies.records(.array([flat, map]), .resp3)) == [Self.expected, Self.expected])
        #expect(try SERedisReplies.records(.array([flat, map]), "SENTINEL REPLICAS", .resp3).count == 2)
        // Jedis's and Lettuce's maps of strings fail on an integer value; StackExchange.Redis
        // fails on an aggregate one.
        let integerValue = RESPReply.array([.bulkString("port"), .integer(6379)])
        #expect(throws: ClientRejection.self) { try JedisReplies.records(.array([integerValue]), .resp2) }
        #expect(throws: ClientRejection.self) { try LettuceReplies.record(integerValue, .resp2) }
        let aggregate = RESPReply.array([.bulkString("ip"), .array([])])
        #expect(throws: ClientRejection.self) { try SERedisReplies.records(.array([aggregate]), "SENTINEL SENTINELS", .resp2) }
    }

    @Test("replica filters: Jedis splits flags, Lettuce tests substrings, ioredis a regex, node-redis ignores o_down")
    func replicaFilters() throws {
        func record(_ flags: String) -> [String: String] { ["ip": "127.0.0.1", "port": "6379", "flags": flags] }
        #expect(try JedisReplies.healthyReplicas([record("slave"), record("s_down,slave"), record("slave,disconnected")]) == [Self.expected])
        #expect(!LettuceReplies.isAvailable(record("slave,o_down")))
        #expect(try IORedisReplies.replicas([record("slave"), record("slave,o_down")]) == [Self.expected])
        #expect(NodeRedisReplies.isUsable(record("slave,o_down")))
        #expect(!NodeRedisReplies.isUsable(record("master,failover_in_progress")))
    }

    @Test("pub/sub frames: Lettuce, node-redis and StackExchange.Redis need RESP3 pushes; Jedis takes arrays too")
    func pubSubFrames() throws {
        let items: [RESPReply] = [.bulkString("message"), .bulkString("+switch-master"), .bulkString("mymaster 127.0.0.1 1 127.0.0.1 2")]
        #expect(try JedisReplies.pubSub(.array(items), .resp3) == .message(channel: "+switch-master", payload: "mymaster 127.0.0.1 1 127.0.0.1 2"))
        #expect(try JedisReplies.pubSub(.push(items), .resp3) == .message(channel: "+switch-master", payload: "mymaster 127.0.0.1 1 127.0.0.1 2"))
        #expect(throws: ClientRejection.self) { try SERedisReplies.message(.array(items), .resp3) }
        #expect(try SERedisReplies.message(.push(items), .resp3)?.channel == "+switch-master")
        let pmessage: [RESPReply] = [.bulkString("pmessage"), .bulkString("*"), .bulkString("+sdown"), .bulkString("x")]
        #expect(throws: ClientRejection.self) { try LettuceReplies.pmessage(.array(pmessage), .resp3) }
        #expect(throws: ClientRejection.self) { try NodeRedisReplies.pmessage(.array(pmessage)) }
        #expect(try LettuceReplies.pmessage(.array(pmessage), .resp2)?.channel == "+sdown")
        #expect(throws: ClientRejection.self) { try JedisReplies.pubSub(.push([.bulkString("subscribe"), .bulkString("c"), .bulkString("1")]), .resp3) }
    }

    @Test("event payloads: Jedis's +switch-master and +slave field positions")
    func eventPayloads() throws {
        #expect(try JedisReplies.switchMaster("mymaster 127.0.0.1 1 127.0.0.1 2", masterName: "mymaster") == ClientAddress(host: "127.0.0.1", port: 2))
        #expect(try JedisReplies.switchMaster("other 127.0.0.1 1 127.0.0.1 2", masterName: "mymaster") == nil)
        #expect(throws: ClientRejection.self) { try JedisReplies.switchMaster("mymaster 127.0.0.1 1", masterName: "mymaster") }
        let slave = try #require(try JedisReplies.slaveEvent("slave 127.0.0.1:3 127.0.0.1 3 @ mymaster 127.0.0.1 2", masterName: "mymaster"))
        #expect(slave.replica == ClientAddress(host: "127.0.0.1", port: 3) && slave.master == ClientAddress(host: "127.0.0.1", port: 2))
        #expect(throws: ClientRejection.self) { try JedisReplies.slaveEvent("slave 127.0.0.1:3 127.0.0.1 3", masterName: "mymaster") }
    }

    @Test("Lettuce: HELLO fallback errors and topology-refresh triggers")
    func lettuceRules() throws {
        #expect(try LettuceReplies.hello(.simpleError("NOPROTO unsupported protocol version")) == .fallback)
        #expect(try LettuceReplies.hello(.simpleError("ERR unknown command 'HELLO'")) == .fallback)
        #expect(throws: ClientRejection.self) { try LettuceReplies.hello(.simpleError("WRONGPASS invalid username-password pair")) }
        #expect(throws: ClientRejection.self) { try LettuceReplies.hello(.map([.init(key: .bulkString("proto"), value: .bulkString("3"))])) }
        #expect(LettuceReplies.triggersTopologyRefresh(channel: "+switch-master", message: "mymaster 127.0.0.1 1 127.0.0.1 2", masterName: "mymaster"))
        #expect(!LettuceReplies.triggersTopologyRefresh(channel: "+switch-master", message: "mymaster2 127.0.0.1 1 127.0.0.1 2", masterName: "mymaster"))
        #expect(LettuceReplies.triggersTopologyRefresh(channel: "+slave", message: "slave 127.0.0.1:3 127.0.0.1 3 @ mymaster 127.0.0.1 2", masterName: "mymaster"))
        #expect(!LettuceReplies.triggersTopologyRefresh(channel: "+failover-end", message: "master mymaster 127.0.0.1 2", masterName: "mymaster"))
    }

    @Test("StackExchange.Redis: INFO server must say redis_mode:sentinel and a dotted version")
    func serverInfo() throws {
        #expect(try SERedisReplies.serverInfo(.bulkString("# Server\r\nredis_version:7.2.4\r\nredis_mode:sentinel\r\n")) == "7.2.4")
        #expect(throws: ClientRejection.self) { try SERedisReplies.serverInfo(.bulkString("# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n")) }
        #expect(throws: ClientRejection.self) { try SERedisReplies.serverInfo(.bulkString("redis_version:seven\r\nredis_mode:sentinel\r\n")) }
        #expect(throws: ClientRejection.self) { try SERedisReplies.info(.simpleError("ERR"), "INFO replication") }
    }
}
