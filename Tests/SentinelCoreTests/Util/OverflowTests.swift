import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Issue 12, defect 1: values from clients, peers, hellos, INFO replies and the config file that
/// used to end the process with "arithmetic overflow". Each test traps without the fix.
@Suite("Overflow traps")
struct OverflowTests {
    static let maxText = "9223372036854775807"

    /// A forged hello PUBLISHed on a data node by any client (not a sentinel's own link).
    static func publish(_ sim: inout Simulation, on r: Int = 0, _ payload: String) {
        _ = sim.redisCommand(r, ["PUBLISH", Wire.helloChannel, payload], from: (node: 99, link: LinkID(1)))
        sim.run(for: 50)
    }

    /// The sentinel's persisted state written out as a config file and read back, as a restart does.
    static func restartThroughConfigFile(_ sim: inout Simulation, _ i: Int) throws {
        let text = ConfigRewriter.rewrite(original: "", config: try #require(sim.nodes[i].persisted.last))
        sim.nodes[i].persisted.append(try ConfigParser.parse(text, fileName: "sentinel.conf"))
        sim.crashSentinel(i)
        sim.restartSentinel(i, seed: 77)
        sim.run(for: 2_000)
    }

    @Test("a hello with epoch 2^64-1, then SENTINEL FAILOVER: refused hello, failover in epoch 1")
    func helloWithMaxEpochThenFailover() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        let forged = String(repeating: "e", count: 40)
        Self.publish(&sim, "10.9.9.9,26379,\(forged),18446744073709551615,mymaster,127.0.0.1,6379,0")
        #expect(sim.nodes.allSatisfy { $0.sentinel.settings.currentEpoch == 0 })
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster") == .ok)
        #expect(sim.nodes[0].sentinel.settings.currentEpoch == 1)
        let switched = sim.runUntil(timeout: 10_000) { s in !s.events(0, "+switch-master").isEmpty }
        #expect(switched != nil)
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.config.configEpoch == 1)
    }

    @Test(
        "down-after-milliseconds near Int64.max, then SENTINEL FAILOVER [COORDINATED], also after a restart",
        arguments: ["1000000000000000000", maxText], [false, true])
    func hugeDownAfterThenFailover(downAfter: String, coordinated: Bool) throws {
        var sim = failoverSimulation()
        sim.startAll()
        settle(&sim)
        for i in sim.nodes.indices {
            #expect(sim.ask(i, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", downAfter) == .ok)
        }
        // The value is saved; a restart reads it back from the file.
        try Self.restartThroughConfigFile(&sim, 0)
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.config.downAfterMilliseconds == Int64(downAfter))
        settle(&sim)
        var words = ["SENTINEL", "FAILOVER", "mymaster"]
        if coordinated { words.append("COORDINATED") }
        let client = sim.connectClient(to: 0)
        // redis-sentinel answers -NOGOODSLAVE here only because `down_after_period * 10` wraps
        // negative in C; saturated, every replica's link-down time is within bounds.
        #expect(sim.command(0, client, words) == [.ok])
        let ended = sim.runUntil(timeout: 10_000) { s in
            !s.events(0, "+switch-master").isEmpty || !s.events(0, "-failover-abort-coordinated").isEmpty
        }
        #expect(ended != nil)
        if downAfter != Self.maxText || !coordinated {
            #expect(!sim.events(0, "+switch-master").isEmpty)
        } else {
            // The pause is down-after-milliseconds: Redis refuses CLIENT PAUSE that long ("timeout
            // is out of range") and the handover is aborted cleanly.
            #expect(!sim.events(0, "-failover-abort-coordinated").isEmpty)
        }
    }

    @Test("failover-timeout 9223372036854775807: the first ODOWN fails over, also after a restart")
    func hugeFailoverTimeoutAtODown() throws {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        for i in sim.nodes.indices {
            #expect(sim.ask(i, "SENTINEL", "SET", "mymaster", "failover-timeout", Self.maxText) == .ok)
        }
        try Self.restartThroughConfigFile(&sim, 1)
        #expect(sim.nodes[1].sentinel.masterNamed("mymaster")?.config.failoverTimeout == Int64.max)
        sim.crashRedis(0)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 20_000)
        #expect(switched != nil)
    }

    @Test("a vote, then SENTINEL COORDINATED-FAILOVER with a pause of 9223372036854775807 ms; a record ending then, from the config file")
    func coordinatedNoticeWithHugePause() throws {
        // A real peer as the leader: the notice of an invented one is refused (CoordinatedNoticeTrustTests).
        var (sim, leader) = CoordinatedNoticeTrustTests.votedForPeer()
        let client = sim.connectClient(to: 1)
        let wall = try #require(sim.nodes[1].sentinel.wallClockMillis())
        _ = sim.command(
            1, client, ["SENTINEL", "COORDINATED-FAILOVER", "mymaster", "7", leader, "127.0.0.1", "6380", Self.maxText])
        sim.run(for: 100)
        #expect(sim.clientReplies[1]?[client] == [.ok])
        // Clamped to twice our down-after (1000 ms).
        let record = try #require(sim.nodes[1].sentinel.masterNamed("mymaster")?.config.coordinatedRecord)
        #expect(record.pauseEndsUnixMillis == wall + 2_000)
        // A config file may still hold a record ending at Int64.max: it is checked on every tick,
        // and survives a restart.
        var config = try #require(sim.nodes[1].persisted.last)
        config.masters[0].coordinatedRecord?.pauseEndsUnixMillis = Int64.max
        sim.nodes[1].persisted.append(config)
        try Self.restartThroughConfigFile(&sim, 1)
        sim.run(for: 2_000)
        #expect(sim.nodes[1].sentinel.masterNamed("mymaster")?.config.coordinatedRecord?.pauseEndsUnixMillis == Int64.max)
    }

    @Test("SENTINEL DEBUG periods of Int64.max and a CLIENT PAUSE near Int64.max do not trap")
    func hugeDebugPeriodsAndPause() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        var words = ["SENTINEL", "DEBUG"]
        for (name, _) in Sentinel.debugParameters { words += [name, Self.maxText] }
        let client = sim.connectClient(to: 0)
        #expect(sim.command(0, client, words) == [.ok])
        sim.run(for: 3_000)
        // Ends ~9.2e18 ms from now: the extra tick asked for is capped (the runtime turns it
        // into nanoseconds, and the simulation adds it to its clock).
        let pause = sim.nodes[0].sentinel.handle(
            .clientCommand(client, ["CLIENT", "PAUSE", "9223372036000000000", "WRITE"]), now: sim.now)
        #expect(pause.contains(.reply(client, .ok, .resp2)))
        #expect(pause.contains { if case .wakeUp = $0 { true } else { false } })
        for case .wakeUp(let delay) in pause { #expect(delay <= Timing.maxWakeUpDelay) }
        sim.perform(pause, node: 0)
        _ = sim.command(0, client, ["CLIENT", "UNPAUSE"])
        #expect(sim.command(0, client, ["SENTINEL", "FAILOVER", "mymaster"]) == [.ok])
        sim.crashRedis(0)
        sim.run(for: 5_000)
    }

    @Test("master INFO with master_repl_offset Int64.min, then a coordinated failover ranks the replicas")
    func extremeReplicationOffset() {
        var sim = failoverSimulation()
        sim.redis[0].extraInfo = ["master_repl_offset:-9223372036854775808"]
        sim.startAll()
        settle(&sim)
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.masterReplOffset == Int64.min)
        // The target is chosen by master_repl_offset - the replica's offset, now saturated.
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let switched = sim.runUntil(timeout: 10_000) { s in !s.events(0, "+switch-master").isEmpty }
        #expect(switched != nil)
    }

    @Test("replica INFO with master_link_down_since_seconds 9223372036854775807 (× 1000 saturates)")
    func extremeMasterLinkDownTime() {
        var sim = failoverSimulation()
        sim.redis[1].extraInfo = ["master_link_down_since_seconds:\(Self.maxText)"]
        sim.startAll()
        discover(&sim)
        let name = sim.redis[1].address.description
        #expect(sim.nodes[0].sentinel.replica(name, of: "mymaster")?.replica.masterLinkDownTime == Int64.max)
        // That replica is never promoted; the other one is.
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster") == .ok)
        let switched = sim.runUntil(timeout: 10_000) { s in !s.events(0, "+switch-master").isEmpty }
        #expect(switched != nil)
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.address == sim.redis[2].address)
    }
}
