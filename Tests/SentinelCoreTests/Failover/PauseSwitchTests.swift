import RESP
import Testing

@testable import SentinelCore

/// The coordinated failover without FAILOVER (issue 17): the leader pauses the master, waits for
/// the target to have its offset, switches the roles itself, and releases once the peers confirm.
/// Simulated with fake nodes (down-after 1000 ms, so the pause is 1000 ms and the target must
/// catch up within 500 ms).
@Suite("Coordinated failover: the pause-switch (simulated)")
struct PauseSwitchTests {
    /// Indices in a node's received commands of the first command matching `words` from `from` on.
    static func index(_ received: [[String]], _ words: [String], from: Int = 0) -> Int? {
        received.indices.dropFirst(from).first { received[$0] == words }
    }

    /// A settled fleet whose master refuses FAILOVER to the sentinels (an ACL without it).
    static func withoutFailover(seed: UInt64 = 3) -> Simulation {
        var sim = failoverSimulation(seed: seed)
        sim.redis[0].deniedCommands = ["FAILOVER"]
        sim.startAll()
        settle(&sim)
        return sim
    }

    @Test("FAILOVER denied: pause and read the offset, promote the caught-up target, demote the old master, confirm, release")
    func happyPath() throws {
        var sim = Self.withoutFailover()
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let done = sim.runUntil(timeout: 10_000) { s in
            s.nodes.indices.allSatisfy { !s.events($0, "+switch-master").isEmpty }
                && !s.events(0, "+coordinated-failover-released").isEmpty
        }
        try #require(done != nil)
        #expect(sim.events(0, "+coordinated-failover").allSatisfy { $0.hasSuffix(" pause-switch") })
        let newMaster = sim.nodes[0].sentinel[master: "mymaster"].address
        let t = try #require(sim.redis.firstIndex { $0.address == newMaster })
        #expect(sim.redis[0].replicaOf == newMaster)
        #expect(sim.currentRedisMaster() == newMaster)
        #expect(sim.redis.allSatisfy { $0.pausedUntil == nil })
        #expect(sim.redis[0].publishesWhilePaused == 0)
        // The master: the pause with its INFO, the demotion with its INFO, the release; never FAILOVER.
        let m = sim.redis[0].received
        #expect(!m.contains { $0.first == "FAILOVER" && $0.count > 2 && $0[2] != "127.0.0.1" }, "only the permission probe")
        let pause = try #require(Self.index(m, ["CLIENT", "PAUSE", "1000", "WRITE"]))
        #expect(m[pause + 1] == ["INFO", "replication"] && m[pause + 2] == ["EXEC"])
        let demotion = try #require(Self.index(m, ["SLAVEOF", newMaster.host, "\(newMaster.port)"], from: pause))
        #expect(m[demotion - 1] == ["INFO", "replication"] && m[demotion + 1] == ["EXEC"])
        let unpause = try #require(Self.index(m, ["CLIENT", "UNPAUSE"], from: demotion))
        #expect(unpause > demotion)
        // The target: promoted in a transaction that reads its offset.
        let r = sim.redis[t].received
        let promotion = try #require(Self.index(r, ["SLAVEOF", "NO", "ONE"]))
        #expect(r[promotion - 1] == ["MULTI"] && r[promotion + 1] == ["INFO", "replication"] && r[promotion + 2] == ["EXEC"])
        // The peers hold the record with its method until the switch reaches them.
        let summary = try #require(sim.events(0, "+failover-summary").last)
        #expect(summary.contains("outcome=ok") && summary.contains("catch-up="))
        #expect(sim.nodes[0].persisted.last?.masters[0].coordinatedRecord == nil)
        for i in 1...2 { #expect(sim.nodes[i].sentinel.masterNamed("mymaster")?.address == newMaster) }
        let other = try #require(sim.redis.firstIndex { $0.address != newMaster && $0.address.port != 6379 })
        _ = sim.runUntil(timeout: 3_000) { s in s.redis[other].replicaOf == newMaster }
        #expect(sim.redis[other].replicaOf == newMaster)
    }

    @Test("the method: chosen when INFO has no master_failover_state or FAILOVER is refused, or asked for; refused without SLAVEOF")
    func methodChoice() throws {
        // Asked for although FAILOVER works: no FAILOVER TO is sent.
        var asked = settledFailoverSimulation()
        #expect(asked.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED", "pause-switch") == .ok)
        #expect(asked.runUntilSwitchedEverywhere(timeout: 10_000) != nil)
        #expect(!asked.redis[0].received.contains { $0.first == "FAILOVER" && $0.count == 6 })
        #expect(asked.events(0, "+coordinated-failover").allSatisfy { $0.hasSuffix(" pause-switch") })
        // A server without FAILOVER (Redis < 6.2, others): chosen, no longer refused.
        var old = failoverSimulation(seed: 3)
        old.redis[0].supportsFailover = false
        old.startAll()
        settle(&old)
        #expect(old.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        #expect(old.runUntilSwitchedEverywhere(timeout: 10_000) != nil)
        // Another second option, or a third, is an argument-count error (Valkey 9's for any).
        for words in [["COORDINATED", "NOW"], ["COORDINATED", "pause-switch", "x"], ["PAUSE-SWITCH", "COORDINATED"]] {
            #expect(
                old.ask(0, ["SENTINEL", "FAILOVER", "mymaster"] + words)
                    == .error("ERR wrong number of arguments for 'sentinel|failover' command"), "\(words)")
        }
        // Neither FAILOVER nor SLAVEOF: refused up front with the server's error, nothing paused.
        var neither = failoverSimulation(seed: 3)
        neither.redis[0].deniedCommands = ["FAILOVER", "SLAVEOF"]
        neither.startAll()
        settle(&neither)
        let refused = neither.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED")
        #expect(refused?.errorText.hasPrefix("NOPERM The primary refuses 'slaveof' to this sentinel's user (NOPERM") == true, "\(String(describing: refused))")
        #expect(neither.redis[0].pausedUntil == nil)
        // CLIENT PAUSE refused: refused whatever the method.
        var noPause = failoverSimulation(seed: 3)
        noPause.redis[0].deniedCommands = ["CLIENT"]
        noPause.startAll()
        settle(&noPause)
        for words in [["COORDINATED"], ["COORDINATED", "PAUSE-SWITCH"]] {
            let answer = noPause.ask(0, ["SENTINEL", "FAILOVER", "mymaster"] + words)
            #expect(answer?.errorText.contains("refuses 'client|pause'") == true, "\(String(describing: answer))")
        }
    }

    @Test("a target behind the master: the switch waits until the target has the master's offset, then goes at once")
    func waitsForCatchUp() throws {
        var sim = Self.withoutFailover()
        for r in 1...2 { sim.redis[r].offset = 900 }
        var caughtUpAt: Millis? = nil
        // The target applies the last 100 bytes 40 ms after the pause reached the master.
        sim.redisTimers.append((sim.now + 1, { s in
            func check(_ s: inout Simulation) {
                if s.redis[0].pausedUntil != nil && caughtUpAt == nil {
                    let at = s.now + 40
                    caughtUpAt = at
                    s.redisTimers.append((at, { s in for r in 1...2 { s.redis[r].offset = 1000 } }))
                } else if caughtUpAt == nil {
                    s.redisTimers.append((s.now + 1, { s in check(&s) }))
                }
            }
            check(&s)
        }))
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        #expect(sim.runUntilSwitchedEverywhere(timeout: 10_000) != nil)
        try #require(caughtUpAt != nil, "the pause never reached the master")
        let newMaster = sim.nodes[0].sentinel[master: "mymaster"].address
        let t = try #require(sim.redis.firstIndex { $0.address == newMaster })
        // Polled while behind, promoted only after the catch-up (one round trip later).
        let polls = sim.redis[t].received.filter { $0.first == "INFO" }.count
        #expect(polls > 5)
        #expect(sim.redis[0].replicaOf == newMaster)
        let summary = try #require(sim.events(0, "+failover-summary").last)
        let catchUp = try #require(summary.split(separator: " ").first { $0.hasPrefix("catch-up=") })
        #expect(Int(catchUp.dropFirst("catch-up=".count).dropLast(2))! >= 38, "\(summary)")
    }

    @Test("a target that never catches up (frozen): abort within half the pause, master unpaused, nothing switched")
    func neverCatchesUp() throws {
        var sim = Self.withoutFailover()
        let target = try #require(sim.nodes[0].sentinel.coordinatedTarget("mymaster")?.address)
        let t = try #require(sim.redis.firstIndex { $0.address == target })
        for r in 1...2 { sim.redis[r].offset = 900 }
        let start = sim.now
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let aborted = sim.runUntil(timeout: 5_000) { s in !s.events(0, "-failover-abort-coordinated").isEmpty }
        try #require(aborted != nil)
        #expect(sim.now - start <= 600)
        #expect(sim.events(0, "-failover-abort-coordinated").first?.contains("did not catch up within half the pause (500 ms)") == true)
        sim.run(for: 2_000)
        #expect(sim.currentRedisMaster() == HostPort("127.0.0.1", 6379))
        #expect(sim.redis[0].pausedUntil == nil)
        #expect(!sim.redis[t].received.contains(["SLAVEOF", "NO", "ONE"]))
        #expect(sim.nodes.indices.allSatisfy { sim.events($0, "+switch-master").isEmpty })
        #expect(sim.ask(0, "SENTINEL", "MASTER", "mymaster")?["flags"] == "master")
    }

    @Test("the old master refuses its demotion after the target was promoted: the target is made a replica again, the master unpaused")
    func demotionRefused() throws {
        var sim = Self.withoutFailover()
        // The ACL changed after the probe.
        sim.redis[0].deniedCommands = ["FAILOVER", "SLAVEOF"]
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let aborted = sim.runUntil(timeout: 5_000) { s in !s.events(0, "-failover-abort-coordinated").isEmpty }
        try #require(aborted != nil)
        #expect(sim.events(0, "-failover-abort-coordinated").first?.contains("the old master refused REPLICAOF") == true)
        sim.run(for: 2_000)
        #expect(sim.redis[0].isMaster && sim.redis[0].pausedUntil == nil)
        #expect(sim.redis[1...].allSatisfy { $0.replicaOf == sim.redis[0].address })
        #expect(sim.nodes.indices.allSatisfy { sim.events($0, "+switch-master").isEmpty })
    }

    @Test("the target refuses REPLICAOF NO ONE: abort, master unpaused, topology untouched")
    func promotionRefused() throws {
        var sim = Self.withoutFailover()
        for r in 1...2 { sim.redis[r].deniedCommands = ["SLAVEOF"] }
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let aborted = sim.runUntil(timeout: 5_000) { s in !s.events(0, "-failover-abort-coordinated").isEmpty }
        try #require(aborted != nil)
        #expect(sim.events(0, "-failover-abort-coordinated").first?.contains("the target refused REPLICAOF NO ONE") == true)
        #expect(sim.redis[0].isMaster && sim.redis[0].pausedUntil == nil)
        #expect(sim.currentRedisMaster() == sim.redis[0].address)
    }

    @Test("the leader dies between the promotion and the demotion: a peer holding the record demotes and releases the old master")
    func leaderDiesBeforeDemotion() throws {
        var sim = Self.withoutFailover()
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        var promoting = false
        for _ in 0..<5_000 where !promoting {
            sim.run(for: 1)
            if case .promoting? = sim.nodes[0].sentinel.masterNamed("mymaster")?.coordinated?.switchStep { promoting = true }
        }
        try #require(promoting, "the leader never sent the promotion")
        // The peers hold the record with the method.
        for i in 1...2 {
            #expect(sim.nodes[i].sentinel.masterNamed("mymaster")?.config.coordinatedRecord?.method == .pauseSwitch)
        }
        sim.crashSentinel(0)
        let finished = sim.runUntil(timeout: 5_000) { s in
            (1...2).contains { !s.events($0, "+coordinated-failover-finish").isEmpty }
        }
        try #require(finished != nil, "no peer finished the orphaned pause-switch")
        let finisher = try #require((1...2).first { !sim.events($0, "+coordinated-failover-finish").isEmpty })
        let newMaster = sim.nodes[finisher].sentinel[master: "mymaster"].address
        _ = sim.runUntil(timeout: 2_000) { s in s.redis[0].replicaOf == newMaster && s.redis[0].pausedUntil == nil }
        #expect(sim.redis[0].replicaOf == newMaster, "the old master was demoted")
        #expect(sim.redis[0].pausedUntil == nil, "and released")
        #expect(sim.currentRedisMaster() == newMaster)
        sim.run(for: 3_000)
        #expect((1...2).allSatisfy { sim.nodes[$0].sentinel[master: "mymaster"].address == newMaster })
        #expect(sim.redis.filter { $0.isMaster }.count == 1)
    }

    @Test("the leader dies before the promotion: nothing switches, the pause runs out, no peer demotes the master")
    func leaderDiesBeforePromotion() throws {
        var sim = Self.withoutFailover()
        for r in 1...2 { sim.redis[r].offset = 900 }  // never catches up
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let paused = sim.runUntil(timeout: 5_000) { s in s.redis[0].pausedUntil != nil }
        try #require(paused != nil)
        sim.crashSentinel(0)
        sim.run(for: 3_000)
        #expect(sim.currentRedisMaster() == sim.redis[0].address)
        #expect((1...2).allSatisfy { sim.events($0, "+coordinated-failover-finish").isEmpty })
        #expect(!sim.redis[0].received.contains { $0.first == "SLAVEOF" && $0[1] != "probe" })
    }
}
