import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// The failover topology (down-after 1000 ms, so the pause is 1000 ms; failover-timeout 10 s).
private func coordinatedSimulation(seed: UInt64 = 3) -> Simulation {
    failoverSimulation(seed: seed)
}

@Suite("Coordinated failover (simulated)")
struct CoordinatedFailoverTests {
    @Test("happy path: elected leader pauses, master hands over, peers confirm, then kill + unpause")
    func happyPath() {
        var sim = coordinatedSimulation()
        sim.startAll()
        settle(&sim)
        let start = sim.now
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let flags = sim.ask(0, "SENTINEL", "MASTER", "mymaster")?["flags"] ?? ""
        #expect(flags.contains("coordinated_failover"))
        let done = sim.runUntil(timeout: 10_000) { s in
            s.nodes.indices.allSatisfy { !s.events($0, "+switch-master").isEmpty }
                && !s.events(0, "+coordinated-failover-released").isEmpty
        }
        #expect(done != nil)
        #expect(sim.events(0, "+elected-leader").count == 1)
        #expect(sim.events(1, "+try-failover").isEmpty && sim.events(2, "+try-failover").isEmpty)
        #expect(!sim.events(0, "+coordinated-failover").isEmpty)
        let newMaster = sim.nodes[0].sentinel[master: "mymaster"].address
        // The old master handed over itself and follows the new one; nobody is paused any more.
        #expect(sim.redis[0].replicaOf == newMaster)
        #expect(sim.currentRedisMaster() == newMaster)
        #expect(sim.redis.allSatisfy { $0.pausedUntil == nil })
        // No sentinel PUBLISHed to the paused master.
        #expect(sim.redis[0].publishesWhilePaused == 0)
        // The release went out only after both peers answered the new address.
        let pauseSent = sim.redis[0].received.firstIndex { $0.first == "CLIENT" && $0.count > 1 && $0[1] == "PAUSE" }
        let unpause = sim.redis[0].received.lastIndex { $0 == ["CLIENT", "UNPAUSE"] }
        #expect(pauseSent != nil && unpause != nil)
        #expect(sim.nodes[0].persisted.last?.masters[0].coordinatedRecord == nil)
        for i in 1...2 {
            #expect(sim.nodes[i].sentinel.masterNamed("mymaster")?.address == newMaster)
        }
        let other = sim.redis.firstIndex { $0.address != newMaster && $0.address.port != 6379 }!
        _ = sim.runUntil(timeout: 3_000) { s in s.redis[other].replicaOf == newMaster }
        #expect(sim.redis[other].replicaOf == newMaster)
        print("simulation: coordinated failover released after \(sim.now - start) ms of virtual time")
    }

    @Test(
        "the GETACK prompt keeps the reply accounting right whatever GETACK answers",
        arguments: [nil, RESPValue.ok, RESPValue.error("NOPERM this user has no permissions to run the 'replconf' command")])
    func getAckFence(answer: RESPValue?) {
        var sim = coordinatedSimulation()
        for r in sim.redis.indices { sim.redis[r].replconfReply = answer }
        sim.failoverSyncDelay = 200  // several polls while the master waits for the ACK
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let done = sim.runUntilSwitchedEverywhere(timeout: 10_000)
        #expect(done != nil)
        let target = sim.nodes[0].sentinel[master: "mymaster"].address
        let prompts = sim.redis.first { $0.address == target }!.received.filter { $0.first == "REPLCONF" }.count
        #expect(prompts >= 1)
        // INFO replies still land where they belong: the replicas are tracked with fresh INFO.
        sim.run(for: 2_000)
        let master = sim.nodes[0].sentinel[master: "mymaster"]
        #expect(master.state.roleReported == .master)
        #expect(sim.nodes[0].sentinel.replicas(of: "mymaster").allSatisfy { $0.replica.state.infoRefresh != 0 })
    }

    @Test("refusals: unknown master, unreachable master, a failover in progress, bad argument (no FAILOVER support: PauseSwitchTests)")
    func refusals() {
        var sim = coordinatedSimulation()
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "nosuch", "COORDINATED") == .error("ERR No such master with that name"))
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "NOW") == .error("ERR Unknown failover option specified"), "Valkey 9's text")

        var sim2 = coordinatedSimulation()
        sim2.startAll()
        settle(&sim2)
        #expect(sim2.ask(1, "SENTINEL", "FAILOVER", "mymaster") == .ok)
        #expect(
            sim2.ask(1, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED")
                == .error("INPROG Failover already in progress"))

        var sim3 = coordinatedSimulation()
        sim3.startAll()
        settle(&sim3)
        sim3.crashRedis(0)
        sim3.run(for: 50)
        let refused = sim3.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED")
        #expect(refused?.errorText.hasPrefix("NOGOODPRIMARY Primary is not reachable") == true)
    }

    @Test("the replica never catches up: FAILOVER times out, the master resumes, topology unchanged")
    func neverSyncs() {
        var sim = coordinatedSimulation()
        sim.redis[0].failoverNeverSyncs = true
        sim.startAll()
        settle(&sim)
        let start = sim.now
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let aborted = sim.runUntil(timeout: 5_000) { s in !s.events(0, "-failover-abort-coordinated").isEmpty }
        #expect(aborted != nil)
        // Within the pause (1000 ms) plus a master poll or two.
        #expect(sim.now - start <= 1_200)
        sim.run(for: 2_000)
        #expect(sim.currentRedisMaster() == HostPort("127.0.0.1", 6379))
        #expect(sim.redis[0].pausedUntil == nil)
        #expect(sim.nodes.indices.allSatisfy { sim.events($0, "+switch-master").isEmpty })
        #expect(sim.ask(0, "SENTINEL", "MASTER", "mymaster")?["flags"] == "master")
    }

    @Test("stuck failover-in-progress: detected within the budget, FAILOVER ABORT, master restored")
    func stuck() {
        var sim = coordinatedSimulation()
        sim.redis[0].failoverStuck = true
        sim.startAll()
        settle(&sim)
        let start = sim.now
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let aborted = sim.runUntil(timeout: 5_000) { s in !s.events(0, "-failover-abort-coordinated").isEmpty }
        #expect(aborted != nil)
        #expect(sim.now - start <= 1_000)
        #expect(sim.redis[0].received.contains(["FAILOVER", "ABORT"]))
        #expect(sim.redis[0].isMaster && sim.redis[0].pausedUntil == nil)
        #expect(sim.events(0, "-failover-abort-coordinated").first?.contains("stuck") == true)
    }

    @Test("an ACL without CLIENT PAUSE, or without both FAILOVER and SLAVEOF, seen at the link handshake: refused up front, no election")
    func aclDeniedUpFront() {
        for (denied, command) in [(["CLIENT"], "client|pause"), (["FAILOVER", "SLAVEOF"], "slaveof")] {
            var sim = coordinatedSimulation()
            sim.redis[0].deniedCommands = Set(denied)
            sim.startAll()
            settle(&sim)
            let error = "NOPERM User sentinel has no permissions to run the '\(denied.last!.lowercased())' command"
            #expect(
                sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED")
                    == .error(Wire.errCoordinatedRefused(command: command, serverError: error)))
            sim.run(for: 2_000)
            #expect(sim.events(0, "+new-epoch").isEmpty && sim.events(0, "+try-failover").isEmpty)
            #expect(sim.redis[0].pausedUntil == nil)
            #expect(sim.currentRedisMaster() == HostPort("127.0.0.1", 6379))
        }
    }

    @Test("an ACL that loses FAILOVER after the handshake: the queued command is refused, the abort is immediate and nothing was paused")
    func aclDenied() {
        var sim = coordinatedSimulation()
        sim.startAll()
        settle(&sim)
        sim.redis[0].deniedCommands = ["FAILOVER"]
        let start = sim.now
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let aborted = sim.runUntil(timeout: 5_000) { s in !s.events(0, "-failover-abort-coordinated").isEmpty }
        #expect(aborted != nil)
        #expect(sim.now - start <= 200)
        #expect(sim.events(0, "-failover-abort-coordinated").first?.contains("NOPERM") == true)
        #expect(sim.redis[0].pausedUntil == nil)
        #expect(sim.currentRedisMaster() == HostPort("127.0.0.1", 6379))
    }

    @Test("the leader crashes after the promotion: a peer holding the record finishes kill + unpause")
    func leaderCrashAfterPromotion() {
        var sim = coordinatedSimulation()
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion") == .ok)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let crashed = sim.runUntil(timeout: 5_000) { s in !s.nodes[0].up }
        #expect(crashed != nil)
        let start = sim.now
        let finished = sim.runUntil(timeout: 5_000) { s in
            (1...2).allSatisfy { s.nodes[$0].sentinel.masterNamed("mymaster")?.address != HostPort("127.0.0.1", 6379) }
                && s.redis[0].pausedUntil == nil
        }
        #expect(finished != nil)
        #expect((1...2).contains { !sim.events($0, "+coordinated-failover-finish").isEmpty })
        #expect(sim.now - start < 1_000)  // before the 1000 ms pause would have run out
        #expect(sim.redis[0].publishesWhilePaused == 0)
    }

    @Test("the command link to the old master drops while it is paused: the release is retried on the new connection, before the pause ends")
    func oldMasterLinkDropsAtPromotion() {
        var sim = coordinatedSimulation()
        sim.failoverSyncDelay = 150
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let paused = sim.runUntil(timeout: 5_000) { s in
            s.nodes[0].sentinel.masterNamed("mymaster")?.coordinated?.stage == .paused
        }
        #expect(paused != nil)
        let pauseEnds = sim.redis[0].pausedUntil ?? 0
        // Every connection from the leader to the old master breaks.
        var reset = 0
        for (link, target) in sim.linkTargets[0] ?? [:] {
            if case .redis(0) = target {
                sim.resetLink(node: 0, link: link)
                reset += 1
            }
        }
        #expect(reset == 2, "the command and the pub/sub connection")
        let unpausedBefore = sim.redis[0].received.filter { $0 == ["CLIENT", "UNPAUSE"] }.count
        let done = sim.runUntil(timeout: 10_000) { s in
            s.nodes.indices.allSatisfy { !s.events($0, "+switch-master").isEmpty }
                && s.redis[0].received.filter { $0 == ["CLIENT", "UNPAUSE"] }.count > unpausedBefore
        }
        #expect(done != nil)
        #expect(sim.nodes[0].up, "the leader must not crash")
        #expect(sim.now < pauseEnds, "the release reached the old master before its pause ran out")
        #expect(sim.redis[0].pausedUntil == nil)
        #expect(sim.events(0, "-failover-abort-coordinated").isEmpty)
        #expect(sim.redis[0].publishesWhilePaused == 0)
    }
}
