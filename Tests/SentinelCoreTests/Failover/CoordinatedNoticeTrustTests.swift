import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Issue 12: any client of the sentinel port can get our vote for an invented runid
/// (`SENTINEL IS-MASTER-DOWN-BY-ADDR`, as in Redis). The leader's notice
/// `SENTINEL COORDINATED-FAILOVER` is believed only from a known peer of the master, for a known
/// replica, and for at most twice our down-after (docs/security.md).
@Suite("Coordinated failover notice: whom to believe")
struct CoordinatedNoticeTrustTests {
    static let master = HostPort("127.0.0.1", 6379)
    static let invented = String(repeating: "d", count: 40)

    /// A vote on sentinel `node` for `leader` in `epoch`, as any client can get it.
    static func vote(_ sim: inout Simulation, _ node: Int, for leader: String, epoch: Epoch = 7) {
        #expect(
            sim.ask(node, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "\(epoch)", leader)
                == .array([.integer(0), .bulkString(leader), .integer(Int(epoch))]))
    }

    /// The failover topology, settled, with sentinel 1's vote for sentinel 0 (a real peer) in
    /// epoch 7, as any client can get it; returns the simulation and that leader's runid.
    static func votedForPeer() -> (Simulation, String) {
        var sim = failoverSimulation()
        sim.startAll()
        settle(&sim)
        let leader = sim.nodes[0].sentinel.myID
        vote(&sim, 1, for: leader)
        return (sim, leader)
    }

    /// The notice from a fresh client; its replies once our hello (if any) is through.
    static func notice(
        _ sim: inout Simulation, _ node: Int, leader: String, target: HostPort = HostPort("127.0.0.1", 6380),
        pause: String = "1000", epoch: Epoch = 7
    ) -> [RESPValue] {
        let client = sim.connectClient(to: node)
        _ = sim.command(
            node, client,
            ["SENTINEL", "COORDINATED-FAILOVER", "mymaster", "\(epoch)", leader, target.host, "\(target.port)", pause])
        sim.run(for: 50)
        return sim.clientReplies[node]?[client] ?? []
    }

    static func lines(_ sim: Simulation, _ node: Int, _ text: String) -> [String] {
        sim.nodes[node].logs.filter { $0.contains(text) }
    }

    /// Hellos sentinel `node` PUBLISHed on the master so far.
    static func hellosToMaster(_ sim: Simulation, from node: Int) -> Int {
        let id = sim.nodes[node].sentinel.myID
        return sim.redis[0].received.filter { $0.count == 3 && $0[0] == "PUBLISH" && $0[2].contains(id) }.count
    }

    @Test("a vote for an invented leader, then its notice from a plain client: refused and logged once; no hello hold, no record, no switch")
    func inventedLeader() throws {
        var sim = failoverSimulation()
        sim.startAll()
        settle(&sim)
        Self.vote(&sim, 1, for: Self.invented)
        for pause in [OverflowTests.maxText, "1000"] {
            #expect(
                Self.notice(&sim, 1, leader: Self.invented, pause: pause) == [.error(Wire.errNoticeUnknownLeader(Self.invented))])
        }
        #expect(
            Self.notice(&sim, 1, leader: Self.invented, target: Self.master)
                == [.error(Wire.errNoticeUnknownLeader(Self.invented))])
        let logged = Self.lines(sim, 1, "SENTINEL COORDINATED-FAILOVER")
        #expect(logged.count == 1, "\(logged)")
        #expect(logged.first?.hasPrefix("Refused SENTINEL COORDINATED-FAILOVER from 127.0.0.1:") == true)
        #expect(logged.first?.contains("naming leader \(Self.invented)") == true)
        let sentinel = sim.nodes[1].sentinel
        #expect(sentinel.handovers.helloHolds.isEmpty)
        #expect(!sentinel.helloHeld(Self.master, master: "mymaster"))
        #expect(try #require(sentinel.masterNamed("mymaster")).config.coordinatedRecord == nil)
        #expect(try #require(sim.nodes[1].persisted.last).masters[0].coordinatedRecord == nil)
        // Hellos keep going to the master, and nothing switches.
        let before = Self.hellosToMaster(sim, from: 1)
        sim.run(for: 15_000)
        #expect(Self.hellosToMaster(sim, from: 1) >= before + 5)
        for i in sim.nodes.indices {
            #expect(sim.events(i, "+coordinated-failover-finish").isEmpty)
            #expect(sim.events(i, "+switch-master").isEmpty)
            #expect(sim.nodes[i].sentinel.masterNamed("mymaster")?.address == Self.master)
        }
        #expect(sim.redis[0].publishesWhilePaused == 0)
    }

    @Test("a real peer as the leader, but a target that is the master, unknown, or reports role:master: refused")
    func targetNotAReplica() throws {
        var (sim, leader) = Self.votedForPeer()
        for target in [Self.master, HostPort("10.9.9.9", 6379), HostPort("127.0.0.1", 6390)] {
            #expect(
                Self.notice(&sim, 1, leader: leader, target: target)
                    == [.error(Wire.errNoticeUnknownTarget(host: target.host, port: target.port))])
        }
        // 6380 is made a master behind the sentinels' back; once sentinel 1 has seen it claim the
        // role, a handover to it cannot be what happens.
        sim.redis[1].isMaster = true
        sim.redis[1].replicaOf = nil
        let seen = sim.runUntil(timeout: 15_000) { s in
            s.nodes[1].sentinel.replicas(of: "mymaster").contains {
                $0.address.port == 6380 && $0.replica.state.roleReported == .master
            }
        }
        try #require(seen != nil)
        let target = HostPort("127.0.0.1", 6380)
        #expect(
            Self.notice(&sim, 1, leader: leader, target: target)
                == [.error(Wire.errNoticeUnknownTarget(host: target.host, port: target.port))])
        // One line for this client IP and leader.
        #expect(Self.lines(sim, 1, "SENTINEL COORDINATED-FAILOVER").count == 1)
        #expect(sim.nodes[1].sentinel.handovers.helloHolds.isEmpty)
        #expect(try #require(sim.nodes[1].sentinel.masterNamed("mymaster")).config.coordinatedRecord == nil)
    }

    @Test("a pause above twice our down-after from a real peer: clamped (hold and record), logged once; one within it is kept")
    func pauseClamped() throws {
        var (sim, leader) = Self.votedForPeer()
        for pause in ["1000000", OverflowTests.maxText] {
            let at = sim.now
            let sample = try #require(sim.nodes[1].sentinel.clock.lastSample)
            let wall = sample.wallMillis + (at - sample.monotonic)
            #expect(Self.notice(&sim, 1, leader: leader, pause: pause) == [.ok])
            // down-after is 1000 ms: held for 2000 ms + the 1 s margin.
            #expect(sim.nodes[1].sentinel.handovers.helloHolds[Self.master] == at + 2_000 + 1_000)
            #expect(sim.nodes[1].sentinel.masterNamed("mymaster")?.config.coordinatedRecord?.pauseEndsUnixMillis == wall + 2_000)
        }
        let logged = Self.lines(sim, 1, "SENTINEL COORDINATED-FAILOVER")
        #expect(logged.count == 1, "\(logged)")
        #expect(logged.first?.hasPrefix("Clamped SENTINEL COORDINATED-FAILOVER") == true)
        #expect(logged.first?.contains("pause 1000000 ms clamped to 2000 ms") == true)
        let at = sim.now
        #expect(Self.notice(&sim, 1, leader: leader, pause: "1500") == [.ok])
        #expect(sim.nodes[1].sentinel.handovers.helloHolds[Self.master] == at + 1_500 + 1_000)
        // The hold ends: hellos to the master resume, and nothing switched.
        let before = Self.hellosToMaster(sim, from: 1)
        sim.run(for: 6_000)
        #expect(Self.hellosToMaster(sim, from: 1) > before)
        #expect(sim.events(1, "+switch-master").isEmpty)
    }

    @Test("a leader whose down-after is 5 s, peers at 1 s: the coordinated failover completes, the peers clamp their hold")
    func leaderWithLongerDownAfter() {
        var sim = failoverSimulation()
        var config = sim.nodes[0].sentinel.config
        config.masters[0].downAfterMilliseconds = 5_000
        sim.nodes[0].sentinel = Sentinel(config: config, seed: 4242)
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let done = sim.runUntil(timeout: 10_000) { s in
            s.nodes.indices.allSatisfy { !s.events($0, "+switch-master").isEmpty }
                && !s.events(0, "+coordinated-failover-released").isEmpty
        }
        #expect(done != nil)
        #expect(sim.events(0, "+coordinated-failover").first?.contains("pause 5000") == true)
        for i in 1...2 {
            #expect(Self.lines(sim, i, "pause 5000 ms clamped to 2000 ms").count == 1)
            #expect(sim.events(i, "+coordinated-failover-finish").isEmpty)
        }
        #expect(sim.redis[0].publishesWhilePaused == 0)
        #expect(sim.redis.allSatisfy { $0.pausedUntil == nil })
    }

    @Test("finishing a record: not when the target is the master, nor while the old master, asked after the target claimed the role, still is master")
    func recordNotFinishedOnTwoMasters() throws {
        var sim = failoverSimulation()
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(1, "SENTINEL", "DEBUG", "info-period", "200") == .ok)
        // 6380 claims the master role behind the sentinels' back (a split brain, or the old master
        // of an earlier failover not yet converted): the master still is one.
        sim.redis[1].isMaster = true
        sim.redis[1].replicaOf = nil
        let seen = sim.runUntil(timeout: 5_000) { s in
            guard let m = s.nodes[1].sentinel.masterNamed("mymaster"),
                let r = s.nodes[1].sentinel.replicas(of: "mymaster").first(where: { $0.address.port == 6380 })
            else { return false }
            return r.replica.state.roleReported == .master && m.state.infoRefresh > r.replica.state.roleReportedTime
        }
        try #require(seen != nil)
        let leader = sim.nodes[0].sentinel.myID
        let wall = try #require(sim.nodes[1].sentinel.wallClockMillis())
        // Records as a config file could hold them (the notice path refuses both).
        for target in [HostPort("127.0.0.1", 6380), Self.master] {
            sim.nodes[1].sentinel[master: "mymaster"].config.coordinatedRecord = CoordinatedRecord(
                epoch: 7, leader: leader, old: Self.master, target: target, pauseEndsUnixMillis: wall + 1_000)
            sim.nodes[1].sentinel.handovers.recordSeenAt["mymaster"] = sim.now - 1_000
            sim.run(for: 1_000)
            #expect(sim.events(1, "+coordinated-failover-finish").isEmpty, "target \(target)")
            #expect(sim.events(1, "+switch-master").isEmpty, "target \(target)")
            #expect(sim.nodes[1].sentinel.masterNamed("mymaster")?.address == Self.master)
        }
    }
}
