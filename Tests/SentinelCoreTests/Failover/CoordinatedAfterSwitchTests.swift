import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// What follows a coordinated failover's switch, simulated with fake nodes that close the
/// connections a `CLIENT KILL TYPE normal|pubsub` names (issue 12, defects 3 and 7).
@Suite("Coordinated failover: after the switch (simulated)")
struct CoordinatedAfterSwitchTests {
    /// Every `+sdown` / `+odown` event (master, replica or peer) a sentinel logged so far.
    static func downEvents(_ sim: Simulation, _ node: Int) -> [String] {
        (sim.events(node, "+sdown") + sim.events(node, "+odown"))
    }

    /// Defect 3: the release's `CLIENT KILL` on the new master closed the links the peers had
    /// just opened to it at `+switch-master`, before their first PONG; the reconnect waited for
    /// the ping period (1000 ms = down-after) while the unanswered PING's clock ran, and the
    /// peers flagged the healthy new master `+sdown` (and `+odown`) about 1.0 s after the switch.
    @Test(
        "five coordinated failovers in a row: no sentinel calls the new master (or any instance) SDOWN or ODOWN within 3 s of the switch",
        arguments: (UInt64(1)...12).map { (seed: $0, jitter: Millis($0 % 4)) })  // 3 of the 12 failed before the fix
    func noFalseDownAfterSwitch(seed: UInt64, jitter: Millis) {
        var sim = failoverSimulation(seed: seed)
        sim.startAll()
        settle(&sim)
        sim.jitter = jitter
        for round in 0..<5 {
            let requester = round % sim.nodes.count
            let old = sim.nodes[requester].sentinel[master: "mymaster"].address
            let downBefore = sim.nodes.indices.map { Self.downEvents(sim, $0).count }
            let released = sim.events(requester, "+coordinated-failover-released").count
            let reconfsBefore = sim.nodes.indices.map { sim.events($0, "+slave-reconf-sent").count }
            let answer = sim.ask(requester, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED")
            #expect(answer == .ok, "round \(round): SENTINEL FAILOVER COORDINATED on sentinel \(requester): \(String(describing: answer))")
            guard answer == .ok else { return }
            let switched = sim.runUntil(timeout: 5_000) { s in
                s.nodes.allSatisfy { $0.sentinel[master: "mymaster"].address != old }
                    && s.events(requester, "+coordinated-failover-released").count > released
            }
            #expect(switched != nil, "round \(round): no switch away from \(old)")
            guard switched != nil else { return }
            let new = sim.nodes[requester].sentinel[master: "mymaster"].address
            sim.run(for: 3_000)
            for node in sim.nodes.indices {
                let down = Self.downEvents(sim, node).dropFirst(downBefore[node])
                #expect(down.isEmpty, "round \(round): sentinel \(node) called an instance down after the switch to \(new): \(Array(down))")
            }
            // Only the leader repointed the third replica: the peers saw it done and stayed out.
            let reconfs = sim.nodes.indices.map { sim.events($0, "+slave-reconf-sent").count - reconfsBefore[$0] }
            #expect(reconfs == sim.nodes.indices.map { $0 == requester ? 1 : 0 }, "round \(round): +slave-reconf-sent per sentinel: \(reconfs)")
            #expect(sim.nodes.allSatisfy { $0.sentinel[master: "mymaster"].address == new })
            #expect(sim.nodes.allSatisfy { $0.sentinel[master: "mymaster"].failoverState == .none })
            #expect(sim.currentRedisMaster() == new)
        }
    }

    /// Defect 7: the leader dies once the pause is out (5–10 ms after `COORDINATED`); the master
    /// hands over by itself and a peer holding the record finishes the handover. The third
    /// replica still replicates from the old master (chained behind the new one): the finishing
    /// peer repoints it, as RECONF_SLAVES does, instead of leaving it to `+fix-slave-config`
    /// after failover-timeout (10 s here).
    @Test("the leader dies after the pause: the peer that finishes the handover also repoints the third replica at once")
    func orphanFinishRepointsThirdReplica() throws {
        var sim = failoverSimulation(seed: 3)
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let paused = sim.runUntil(timeout: 5_000) { s in
            s.nodes[0].sentinel.masterNamed("mymaster")?.coordinated?.stage == .paused
        }
        try #require(paused != nil, "the leader never paused the master")
        sim.crashSentinel(0)
        let finished = sim.runUntil(timeout: 5_000) { s in
            (1...2).contains { !s.events($0, "+coordinated-failover-finish").isEmpty }
        }
        try #require(finished != nil, "no peer finished the orphaned handover")
        let finisher = try #require((1...2).first { !sim.events($0, "+coordinated-failover-finish").isEmpty })
        let newMaster = sim.nodes[finisher].sentinel[master: "mymaster"].address
        let third = try #require(sim.redis.firstIndex { $0.address != newMaster && $0.address.port != 6379 })
        let finishedAt = sim.now
        let repointed = sim.runUntil(timeout: 3_000) { s in s.redis[third].replicaOf == newMaster }
        #expect(repointed != nil, "\(sim.redis[third].address) still replicates from \(String(describing: sim.redis[third].replicaOf))")
        #expect(sim.now - finishedAt < 1_000)
        #expect(sim.events(finisher, "+slave-reconf-sent").contains { $0.hasPrefix("slave \(sim.redis[third].address) ") })
        // The old master got the release (kill + unpause) and follows the new master (FAILOVER).
        #expect(sim.redis[0].pausedUntil == nil)
        #expect(sim.redis[0].replicaOf == newMaster)
        // Nothing else reconfigured the old master or the new one.
        let slaveofs = sim.redis.filter { $0.address != sim.redis[third].address }.flatMap(\.received).filter { $0.first == "SLAVEOF" && $0 != ["SLAVEOF", "probe", "probe"] }
        #expect(slaveofs.isEmpty, "\(slaveofs)")
        sim.run(for: 3_000)
        #expect(sim.redis[third].replicaOf == newMaster)
        #expect((1...2).allSatisfy { sim.nodes[$0].sentinel[master: "mymaster"].address == newMaster })
    }

    /// Defect 7, the other timing: the leader dies after its hello announced the switch but
    /// before it repointed the third replica. The peers switched on the hello (no orphan to
    /// finish); one holding the record checks the replica after a grace and repoints it.
    @Test("the leader dies right after announcing the switch: a peer holding the record repoints the third replica it left chained")
    func leaderDiesAfterAnnouncing() throws {
        var sim = failoverSimulation(seed: 3)
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        var confirming = false
        for _ in 0..<5_000 where !confirming {
            sim.run(for: 1)
            confirming = sim.nodes[0].sentinel.masterNamed("mymaster")?.coordinated?.stage == .confirming
        }
        try #require(confirming, "the leader never reached the confirmation step")
        // Its hellos and questions are on their way; it dies before the release and the SLAVEOF.
        sim.crashSentinel(0)
        let crashedAt = sim.now
        let newMaster = try #require(sim.nodes[0].sentinel.masterNamed("mymaster")?.promotedReplica.flatMap {
            sim.nodes[0].sentinel.replica($0, of: "mymaster")?.address
        })
        let third = try #require(sim.redis.firstIndex { $0.address != newMaster && $0.address.port != 6379 })
        let repointed = sim.runUntil(timeout: 5_000) { s in s.redis[third].replicaOf == newMaster }
        #expect(repointed != nil, "\(sim.redis[third].address) still replicates from \(String(describing: sim.redis[third].replicaOf))")
        #expect(sim.now - crashedAt < 1_000)
        #expect((1...2).allSatisfy { sim.nodes[$0].sentinel[master: "mymaster"].address == newMaster })
        #expect((1...2).allSatisfy { sim.events($0, "+coordinated-failover-finish").isEmpty }, "switched by the hello, not finished")
        #expect((1...2).contains { sim.events($0, "+slave-reconf-sent").contains { $0.hasPrefix("slave \(sim.redis[third].address) ") } })
        sim.run(for: 3_000)
        #expect(sim.redis[third].replicaOf == newMaster)
        #expect(sim.redis[0].replicaOf == newMaster)
    }
}
