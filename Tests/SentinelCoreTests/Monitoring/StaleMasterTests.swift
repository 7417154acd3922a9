import OrderedCollections
import Testing

@testable import SentinelCore

/// A returning old master (issue 12, defect 6): after its host was cut off, or its process frozen,
/// past down-after and the others failed over, it is made a replica of the new master within one
/// INFO round trip of being reachable again, instead of after Redis's 8 s `+convert-to-slave` wait
/// (StaleMaster.swift); an instance that may legitimately be a master still gets Redis's wait.
@Suite("Returning old master")
struct StaleMasterTests {
    /// Runs a standard failover simulation through discovery.
    static func discovered(seed: UInt64 = 1) -> Simulation {
        var sim = failoverSimulation(seed: seed)
        sim.startAll()
        discover(&sim)
        return sim
    }

    /// Runs until every sentinel published `+switch-master` (within `timeout`) and returns the
    /// new master's address (node 0's view); nil if they did not all switch.
    static func waitForSwitch(_ sim: inout Simulation, timeout: Millis = 10_000) -> HostPort? {
        let switched = sim.runUntilSwitchedEverywhere(timeout: timeout)
        return switched == nil ? nil : sim.nodes[0].sentinel[master: "mymaster"].address
    }

    /// The SLAVEOF transactions node `r` received that point it at `target`.
    static func slaveOfs(_ sim: Simulation, _ r: Int, to target: HostPort) -> Int {
        sim.redis[r].received.filter { $0 == ["SLAVEOF", target.host, "\(target.port)"] }.count
    }

    /// `offset` moves the heal against the sentinels' reconnect attempts (one per second).
    @Test(
        "master's host cut off for 10 s with its sentinel: SLAVEOF within one reconnect and one INFO round trip of the heal",
        arguments: [0, 130, 370, 550, 740, 910] as [Millis])
    func partitionHeals(offset: Millis) {
        // Seed 1 splits the first votes of the two sentinels left (retried after 2 × failover-timeout).
        var sim = Self.discovered(seed: 3)
        let cutAt = sim.now
        sim.cutOff(redis: [0], sentinels: [2])
        // (A split vote can delay the failover by 2 × failover-timeout, as in Redis.)
        let switched = sim.runUntil(timeout: 40_000) { s in (0...1).allSatisfy { !s.events($0, "+switch-master").isEmpty } }
        #expect(switched != nil, "the majority failed over: \(sim.nodes[0].logs.suffix(20))")
        let newMaster = sim.nodes[0].sentinel[master: "mymaster"].address
        #expect(newMaster != sim.redis[0].address)
        // Cut off with its own sentinel, the old master is still a master and demoted by nobody.
        sim.run(until: max(cutAt + 10_000, sim.now + 2_000) + offset)
        #expect(sim.redis[0].isMaster && Self.slaveOfs(sim, 0, to: newMaster) == 0)
        sim.healCut()
        let demoted = sim.runUntil(timeout: 20_000) { $0.redis[0].replicaOf == newMaster }
        // A connect across the cut times out after 1 s and is retried once per ping period, so
        // the first connect that gets through starts at most ~1.1 s after the heal; INFO and the
        // SLAVEOF transaction follow on that connection.
        #expect(demoted != nil && demoted! <= 1_200, "demoted \(demoted.map(String.init) ?? "never") ms after the heal")
        #expect(sim.nodes.indices.contains { !sim.events($0, "+convert-to-slave").isEmpty })
        // Everyone ends up on the new configuration, with no second failover.
        _ = sim.runUntil(timeout: 10_000) { s in s.nodes.allSatisfy { $0.sentinel[master: "mymaster"].address == newMaster } }
        #expect(sim.nodes.allSatisfy { $0.sentinel[master: "mymaster"].address == newMaster })
        sim.run(for: 5_000)
        #expect(sim.nodes.indices.allSatisfy { sim.events($0, "+switch-master").count <= 1 })
        #expect(sim.currentRedisMaster() == newMaster)
    }

    @Test(
        "master frozen (SIGSTOP) past down-after, failed over, then resumed: SLAVEOF one round trip after SIGCONT",
        arguments: [5_000, 25_000] as [Millis])
    func frozenMasterResumes(frozenFor: Millis) throws {
        var sim = Self.discovered()
        let frozenAt = sim.now
        sim.freezeRedis(0)
        let newMaster = try #require(Self.waitForSwitch(&sim))
        sim.run(until: frozenAt + frozenFor)
        sim.thawRedis(0)
        // The INFO queued on the open connection (or asked when it answers a PING again) is
        // answered at once; the SLAVEOF goes out in the same step.
        let demoted = sim.runUntil(timeout: 20_000) { $0.redis[0].replicaOf == newMaster }
        #expect(demoted != nil && demoted! <= 50, "demoted \(demoted.map(String.init) ?? "never") ms after SIGCONT")
        #expect(sim.nodes.indices.contains { !sim.events($0, "+convert-to-slave").isEmpty })
        sim.run(for: 5_000)
        #expect(sim.currentRedisMaster() == newMaster)
        #expect(sim.nodes.indices.allSatisfy { sim.events($0, "+switch-master").count == 1 })
    }

    @Test("a replica that was promoted (new replication id) is not converted before Redis's 8 s wait")
    func promotedReplicaKeepsTheWait() {
        var sim = Self.discovered()
        let master = sim.redis[0].address
        // Promoted behind the sentinels' backs (an operator, or peers whose hello has not arrived):
        // nothing proves it stale, so it may be a master a newer configuration chose.
        sim.promoteReplicationID(1)
        sim.redis[1].isMaster = true
        sim.redis[1].replicaOf = nil
        let claimSeen = sim.runUntil(timeout: 12_000) { s in
            s.nodes.contains { $0.sentinel.replica("127.0.0.1:6380", of: "mymaster")!.replica.state.roleReported == .master }
        }
        #expect(claimSeen != nil)
        sim.run(for: 7_500)
        #expect(Self.slaveOfs(sim, 1, to: master) == 0, "converted before 8 s: \(sim.nodes[0].logs.suffix(10))")
        let converted = sim.runUntil(timeout: 5_000) { $0.redis[1].replicaOf == master }
        #expect(converted != nil, "Redis's rule still converts it after 8 s")
    }

    @Test("a restarted old master (new replication id, empty dataset) keeps Redis's 8 s wait")
    func restartedMasterKeepsTheWait() throws {
        var sim = Self.discovered()
        sim.crashRedis(0)
        let newMaster = try #require(Self.waitForSwitch(&sim, timeout: 30_000))
        sim.restartRedis(0, runID: String(repeating: "d", count: 40))
        let converted = sim.runUntil(timeout: 30_000) { $0.redis[0].replicaOf == newMaster }
        #expect(converted != nil && converted! >= 8_000)
    }

    @Test("in TILT the resumed old master is left alone; it is converted once TILT ends")
    func noConversionInTilt() throws {
        var sim = Self.discovered()
        sim.freezeRedis(0)
        let newMaster = try #require(Self.waitForSwitch(&sim))
        sim.run(for: 2_000)
        for i in sim.nodes.indices {
            sim.nodes[i].sentinel.enterTilt(delta: 0, cause: "test", "test")
        }
        sim.thawRedis(0)
        sim.run(for: 20_000)
        #expect(sim.redis[0].isMaster && Self.slaveOfs(sim, 0, to: newMaster) == 0)
        let converted = sim.runUntil(timeout: 30_000) { $0.redis[0].replicaOf == newMaster }
        #expect(converted != nil)
        #expect(sim.nodes.indices.contains { !sim.events($0, "-tilt").isEmpty })
    }

    @Test("the old master's INFO before the new master's: converted when the new master's INFO arrives")
    func oldMasterInfoFirst() throws {
        // A sentinel that restarts with the post-failover configuration connects to both at once;
        // here the old master answers first, while the new master's INFO is still missing.
        var sim = Self.discovered()
        sim.freezeRedis(0)
        let newMaster = try #require(Self.waitForSwitch(&sim))
        let n = sim.redis.firstIndex { $0.address == newMaster }!
        sim.run(for: 2_000)
        sim.freezeRedis(n)
        for i in sim.nodes.indices { sim.nodes[i].sentinel[master: "mymaster"].state.infoRefresh = 0 }
        sim.thawRedis(0)
        sim.run(for: 500)
        #expect(sim.redis[0].isMaster, "not sane without the new master's INFO")
        sim.thawRedis(n)
        let demoted = sim.runUntil(timeout: 5_000) { $0.redis[0].replicaOf == newMaster }
        #expect(demoted != nil && demoted! <= 50, "demoted \(demoted.map(String.init) ?? "never") ms after the new master answered")
    }
}
