import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Reply shapes of every SENTINEL subcommand (sentinel-behaviour §9), against a converged
/// three-sentinel simulation.
@Suite("SENTINEL command replies")
struct SentinelCommandTests {
    static let masterFields = [
        "name", "ip", "port", "runid", "flags", "link-pending-commands", "link-refcount", "last-ping-sent",
        "last-ok-ping-reply", "last-ping-reply", "down-after-milliseconds", "info-refresh", "role-reported",
        "role-reported-time", "config-epoch", "num-slaves", "num-other-sentinels", "quorum", "failover-timeout",
        "parallel-syncs",
    ]
    static let replicaFields = [
        "name", "ip", "port", "runid", "flags", "link-pending-commands", "link-refcount", "last-ping-sent",
        "last-ok-ping-reply", "last-ping-reply", "down-after-milliseconds", "info-refresh", "role-reported",
        "role-reported-time", "master-link-down-time", "master-link-status", "master-host", "master-port",
        "slave-priority", "slave-repl-offset", "replica-announced",
    ]
    static let sentinelFields = [
        "name", "ip", "port", "runid", "flags", "link-pending-commands", "link-refcount", "last-ping-sent",
        "last-ok-ping-reply", "last-ping-reply", "down-after-milliseconds", "last-hello-message", "voted-leader",
        "voted-leader-epoch",
    ]

    func converged() -> Simulation {
        var sim = standardSimulation()
        sim.startAll()
        _ = sim.runUntil(timeout: 5_000) { sim in
            sim.nodes.allSatisfy {
                $0.sentinel.masterNamed("mymaster")?.sentinels.count == 2 && $0.sentinel.masterNamed("mymaster")?.replicas.count == 2
            }
        }
        sim.run(for: 1_500)
        return sim
    }

    @Test("MASTER, MASTERS and the PRIMARY aliases")
    func master() throws {
        var sim = converged()
        let replyReply = sim.ask(0, "SENTINEL", "master", "mymaster")
        let reply = try #require(replyReply)
        #expect(reply.mapKeys == Self.masterFields)
        #expect(reply["flags"] == "master")
        #expect(reply["num-slaves"] == "2")
        #expect(reply["num-other-sentinels"] == "2")
        #expect(reply["runid"] == String(repeating: "a", count: 40))
        #expect(reply["role-reported"] == "master")
        // RESP2 renders the map as a flat array; index 33 is num-other-sentinels' value (test 11-port-0).
        guard case .map(let flat) = reply else { Issue.record("not a map"); return }
        #expect(flat[33] == .bulkString("2"))
        #expect(sim.ask(0, "SENTINEL", "PRIMARY", "mymaster") == reply)
        #expect(sim.ask(0, "sentinel", "masters") == .array([reply]))
        #expect(sim.ask(0, "SENTINEL", "PRIMARIES") == .array([reply]))
        #expect(sim.ask(0, "SENTINEL", "MASTER", "nope") == .error("ERR No such master with that name"))
        #expect(sim.ask(0, "SENTINEL", "MASTER", "MyMaster") == .error("ERR No such master with that name"))
    }

    @Test("REPLICAS/SLAVES and SENTINELS")
    func replicasAndSentinels() throws {
        var sim = converged()
        let replicasReply = sim.ask(0, "SENTINEL", "REPLICAS", "mymaster")
        let replicas = try #require(replicasReply)
        guard case .array(let list) = replicas else { Issue.record("not an array"); return }
        #expect(list.count == 2)
        #expect(list[0].mapKeys == Self.replicaFields)
        #expect(list[0]["flags"] == "slave")
        #expect(list[0]["master-link-status"] == "ok")
        #expect(list[0]["master-host"] == "127.0.0.1")
        #expect(list[0]["master-port"] == "6379")
        #expect(sim.ask(0, "SENTINEL", "slaves", "mymaster") == replicas)
        let sentinelsReply = sim.ask(0, "SENTINEL", "SENTINELS", "mymaster")
        let sentinels = try #require(sentinelsReply)
        guard case .array(let peers) = sentinels else { Issue.record("not an array"); return }
        #expect(peers.count == 2)
        #expect(peers[0].mapKeys == Self.sentinelFields)
        #expect(peers[0]["flags"] == "sentinel")
        #expect(peers[0]["voted-leader"] == "?")
        #expect(peers[0]["name"] == peers[0]["runid"])
    }

    @Test("GET-MASTER-ADDR-BY-NAME answers ip and a bulk port, or a null array")
    func getMasterAddr() {
        var sim = converged()
        let expected = RESPValue.array([.bulkString("127.0.0.1"), .bulkString("6379")])
        #expect(sim.ask(0, "SENTINEL", "get-master-addr-by-name", "mymaster") == expected)
        #expect(sim.ask(0, "SENTINEL", "GET-PRIMARY-ADDR-BY-NAME", "mymaster") == expected)
        #expect(sim.ask(0, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "unknown") == .nullArray)
    }

    @Test("MYID, CKQUORUM, FLUSHCONFIG, INFO-CACHE, PENDING-SCRIPTS")
    func misc() throws {
        var sim = converged()
        let myID = sim.nodes[0].sentinel.myID
        #expect(sim.ask(0, "SENTINEL", "MYID") == .bulkString(myID))
        #expect(
            sim.ask(0, "SENTINEL", "CKQUORUM", "mymaster")
                == .simpleString("OK 3 usable Sentinels. Quorum and failover authorization can be reached"))
        #expect(sim.ask(0, "SENTINEL", "FLUSHCONFIG") == .ok)
        #expect(sim.ask(0, "SENTINEL", "PENDING-SCRIPTS") == .array([]))
        let cacheReply = sim.ask(0, "SENTINEL", "INFO-CACHE", "mymaster", "other")
        let cache = try #require(cacheReply)
        guard case .array(let e) = cache, e.count == 2, case .array(let entries) = e[1] else {
            Issue.record("shape: \(cache)")
            return
        }
        #expect(e[0] == .bulkString("mymaster"))
        #expect(entries.count == 3)
        guard case .array(let first) = entries[0], case .integer = first[0], case .bulkString(let text) = first[1] else {
            Issue.record("entry shape")
            return
        }
        #expect(text.contains("role:master"))
    }

    @Test("CKQUORUM reports NOQUORUM when the quorum cannot be reached")
    func noQuorum() {
        var config = SentinelConfig()
        config.masters = [MasterConfig(name: "m", address: HostPort("127.0.0.1", 6379), quorum: 3)]
        var s = Sentinel(config: config, seed: 1)
        _ = s.start(now: 0)
        var sim = Simulation()
        sim.nodes = [Simulation.Node(sentinel: s, address: HostPort("127.0.0.1", 26379))]
        #expect(
            sim.ask(0, "SENTINEL", "CKQUORUM", "m")
                == .error(
                    "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master"
                ))
    }

    @Test("arity and unknown subcommand errors")
    func errors() {
        var sim = converged()
        #expect(sim.ask(0, "SENTINEL", "MASTER") == .error("ERR wrong number of arguments for 'sentinel|master' command"))
        #expect(sim.ask(0, "SENTINEL", "nosuch") == .error("ERR unknown subcommand 'nosuch'. Try SENTINEL HELP."))
        #expect(sim.ask(0, "SENTINEL", "MYID", "x") == .error("ERR wrong number of arguments for 'sentinel|myid' command"))
    }

    @Test("MONITOR validates in Redis's order, then REMOVE forgets the master")
    func monitorAndRemove() {
        var sim = converged()
        #expect(sim.ask(0, "SENTINEL", "MONITOR", "b", "127.0.0.1", "7000", "x") == .error("ERR Invalid quorum"))
        #expect(sim.ask(0, "SENTINEL", "MONITOR", "b", "127.0.0.1", "x", "2") == .error("ERR Invalid port"))
        #expect(sim.ask(0, "SENTINEL", "MONITOR", "b", "127.0.0.1", "7000", "0") == .error("ERR Quorum must be 1 or greater."))
        #expect(
            sim.ask(0, "SENTINEL", "MONITOR", "b", "example.com", "7000", "2")
                == .error("ERR Invalid IP address or hostname specified"))
        #expect(sim.ask(0, "SENTINEL", "MONITOR", "mymaster", "127.0.0.1", "7000", "2") == .error("ERR Duplicate master name."))
        #expect(sim.ask(0, "SENTINEL", "MONITOR", "b", "127.0.0.1", "70000", "2") == .error("ERR Invalid port number."))
        #expect(sim.ask(0, "SENTINEL", "MONITOR", "b", "127.0.0.1", "7000", "2") == .ok)
        #expect(sim.nodes[0].logs.contains("+monitor master b 127.0.0.1 7000 quorum 2"))
        #expect(sim.nodes[0].persisted.last?.masters.map(\.name) == ["mymaster", "b"])
        #expect(sim.ask(0, "SENTINEL", "REMOVE", "b") == .ok)
        #expect(sim.nodes[0].logs.contains("-monitor master b 127.0.0.1 7000"))
        #expect(sim.nodes[0].persisted.last?.masters.map(\.name) == ["mymaster"])
        #expect(sim.ask(0, "SENTINEL", "REMOVE", "b") == .error("ERR No such master with that name"))
    }

    @Test("SET applies options left to right, redacts auth-pass, persists")
    func set() {
        var sim = converged()
        #expect(sim.ask(0, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "5000", "QUORUM", "3") == .ok)
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.config.downAfterMilliseconds == 5000)
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.config.quorum == 3)
        #expect(sim.nodes[0].persisted.last?.masters[0].quorum == 3)
        // As typed: redis-sentinel 7.0.15 logs `SENTINEL SET m QUORUM 1` as `+set master m ... QUORUM 1`.
        #expect(sim.nodes[0].logs.contains("+set master mymaster 127.0.0.1 6379 QUORUM 3"))
        #expect(sim.ask(0, "SENTINEL", "SET", "mymaster", "auth-pass", "secret") == .ok)
        #expect(sim.nodes[0].logs.contains("+set master mymaster 127.0.0.1 6379 auth-pass ******"))
        #expect(
            sim.ask(0, "SENTINEL", "SET", "mymaster", "parallel-syncs", "2", "failover-timeout", "-1")
                == .error("ERR Invalid argument '-1' for SENTINEL SET 'failover-timeout'"))
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.config.parallelSyncs == 2, "earlier options stay applied")
        #expect(
            sim.ask(0, "SENTINEL", "SET", "mymaster", "bogus", "1")
                == .error("ERR Unknown option or number of arguments for SENTINEL SET 'bogus'"))
        #expect(
            sim.ask(0, "SENTINEL", "SET", "mymaster", "notification-script", "/bin/true")
                == .error(
                    "ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"
                ))
        #expect(sim.ask(0, "SENTINEL", "SET", "mymaster", "rename-command", "CONFIG", "GUESSME") == .ok)
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.config.renamedCommands == [RenamedCommand(command: "config", renamed: "GUESSME")])
        #expect(sim.ask(0, "SENTINEL", "SET", "mymaster", "rename-command", "CONFIG", "config") == .ok)
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.config.renamedCommands == [])
    }

    @Test("CONFIG GET in fixed order with globs; CONFIG SET validates every pair first")
    func config() {
        var sim = converged()
        let all = sim.ask(0, "SENTINEL", "CONFIG", "GET", "*")
        #expect(
            all?.mapKeys == [
                "resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port", "sentinel-user",
                "sentinel-pass", "loglevel", "log-format",
            ])
        #expect(sim.ask(0, "SENTINEL", "CONFIG", "SET", "announce-port", "1234", "loglevel", "warning") == .ok)
        #expect(
            sim.ask(0, "SENTINEL", "CONFIG", "GET", "ANNOUNCE-PORT", "loglevel")
                == .map([.bulkString("announce-port"), .bulkString("1234"), .bulkString("loglevel"), .bulkString("warning")]))
        #expect(
            sim.ask(0, "SENTINEL", "CONFIG", "SET", "announce-port", "1", "resolve-hostnames", "maybe")
                == .error("ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'"))
        #expect(sim.nodes[0].sentinel.settings.announcePort == 1234, "nothing applied when one pair is bad")
        #expect(
            sim.ask(0, "SENTINEL", "CONFIG", "SET", "bogus", "1") == .error("ERR Invalid argument 'bogus' to SENTINEL CONFIG SET"))
        #expect(
            sim.ask(0, "SENTINEL", "CONFIG", "SET", "loglevel", "debug", "LOGLEVEL", "notice")
                == .error("ERR Duplicate argument 'LOGLEVEL' to SENTINEL CONFIG SET"))
        #expect(sim.ask(0, "SENTINEL", "CONFIG", "FROB", "x") == .error(Wire.errConfigUsage))
    }

    @Test("DEBUG shows and sets the timing parameters")
    func debug() {
        var sim = converged()
        let shown = sim.ask(0, "SENTINEL", "DEBUG")
        #expect(shown?.mapKeys.first == "INFO-PERIOD")
        #expect(shown?["PING-PERIOD"] == "1000")
        #expect(sim.ask(0, "SENTINEL", "DEBUG", "ping-period", "500") == .ok)
        #expect(sim.nodes[0].sentinel.timing.pingPeriod == 500)
        #expect(
            sim.ask(0, "SENTINEL", "DEBUG", "ping-period", "0") == .error("ERR Invalid argument '0' for SENTINEL DEBUG 'ping-period'"))
        #expect(
            sim.ask(0, "SENTINEL", "DEBUG", "nope", "1")
                == .error("ERR Unknown option or number of arguments for SENTINEL DEBUG 'nope'"))
    }

    @Test("RESET drops replicas and peers, counts matches, emits +reset-master; rediscovery follows")
    func reset() {
        var sim = converged()
        #expect(sim.ask(0, "SENTINEL", "RESET", "my*") == .integer(1))
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.replicas.isEmpty == true)
        #expect(sim.nodes[0].logs.contains("+reset-master master mymaster 127.0.0.1 6379"))
        #expect(sim.ask(0, "SENTINEL", "RESET", "nomatch") == .integer(0))
        let back = sim.runUntil(timeout: 5_000) {
            $0.nodes[0].sentinel.masterNamed("mymaster")?.replicas.count == 2
                && $0.nodes[0].sentinel.masterNamed("mymaster")?.sentinels.count == 2
        }
        #expect(back != nil)
    }

    @Test("IS-MASTER-DOWN-BY-ADDR answers [int, bulk, int] and votes once per epoch")
    func isMasterDown() {
        var sim = converged()
        #expect(
            sim.ask(0, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0", "*")
                == .array([.integer(0), .bulkString("*"), .integer(0)]))
        let candidate = String(repeating: "9", count: 40)
        #expect(
            sim.ask(0, "SENTINEL", "IS-PRIMARY-DOWN-BY-ADDR", "127.0.0.1", "6379", "5", candidate)
                == .array([.integer(0), .bulkString(candidate), .integer(5)]))
        #expect(sim.nodes[0].persisted.last?.masters[0].leaderEpoch == 5)
        #expect(sim.nodes[0].persisted.last?.currentEpoch == 5)
        // A second candidate in the same epoch gets the earlier vote back.
        let other = String(repeating: "8", count: 40)
        #expect(
            sim.ask(0, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "5", other)
                == .array([.integer(0), .bulkString(candidate), .integer(5)]))
        #expect(
            sim.ask(0, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "x", "5", other)
                == .error("ERR value is not an integer or out of range"))
        // The epoch is read as a signed 64-bit integer (Redis's getLongLongFromObject), not as
        // unsigned: -1 is accepted; a leading + or an overflow is not.
        #expect(
            sim.ask(0, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "-1", "*")
                == .array([.integer(0), .bulkString("*"), .integer(0)]))
        for bad in ["+5", "18446744073709551615", "05"] {
            #expect(
                sim.ask(0, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", bad, "*")
                    == .error("ERR value is not an integer or out of range"), "\(bad)")
        }
    }

    @Test("Redis's strict integer parsing (string2ll)")
    func redisNumbers() {
        #expect(RedisNumbers.int64("0") == 0)
        #expect(RedisNumbers.int64("-1") == -1)
        #expect(RedisNumbers.int64("9223372036854775807") == Int64.max)
        #expect(RedisNumbers.int64("-9223372036854775808") == Int64.min)
        for bad in ["", "-", "+1", "01", "-0", " 1", "1 ", "9223372036854775808", "1e3", "x"] {
            #expect(RedisNumbers.int64(bad) == nil, "\(bad)")
        }
    }
}
