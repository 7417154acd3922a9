import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// A master stuck in a server-side FAILOVER someone else started (StuckServerFailover.swift):
/// down-after 1000 ms, failover-timeout 10 s (``failoverSimulation(sentinels:quorum:seed:)``).
@Suite("Stuck server-side FAILOVER (simulated)")
struct StuckServerFailoverTests {
    static let master = HostPort("127.0.0.1", 6379)

    @Test("an operator's FAILOVER TO a frozen replica TIMEOUT 3000 FORCE: aborted once stuck for down-after, no failover, everyone follows the master")
    func operatorForceToFrozenReplica() throws {
        var sim = settledFailoverSimulation()
        sim.freezeRedis(1)
        let start = sim.now
        #expect(sim.failoverCommand(0, ["FAILOVER", "TO", "127.0.0.1", "6380", "TIMEOUT", "3000", "FORCE"]) == .ok)
        // The server hands over at the timeout and stays stuck: the target never answers.
        let handedOver = sim.runUntil(timeout: 4_000) { s in s.redis[0].failoverState == "failover-in-progress" }
        try #require(handedOver != nil)
        #expect(!sim.redis[0].isMaster)
        let stuckAt = sim.now
        let recovered = sim.runUntil(timeout: 10_000) { s in s.redis[0].failoverState == "no-failover" && s.redis[0].isMaster }
        try #require(recovered != nil, "the master was left in \(sim.redis[0].failoverState)")
        // Stuck for down-after (1000 ms), seen through INFO polled every second: at most ~2 s.
        let recovery = sim.now - stuckAt
        #expect(recovery > 1_000 && recovery <= 2_500, "recovered \(recovery) ms after the handover")
        let aborts = sim.nodes.indices.flatMap { sim.events($0, "+stuck-failover-abort") }
        #expect(!aborts.isEmpty)
        #expect(aborts.allSatisfy { $0.hasPrefix("master mymaster 127.0.0.1 6379 #failover-in-progress for ") }, "\(aborts)")
        // Nothing was aborted while the FAILOVER waited for the sync within its own TIMEOUT.
        #expect(!sim.redis[0].received.contains(["FAILOVER", "ABORT"]) || sim.now - start > 3_000)
        // No failover: the configured master is still the master everywhere, and no sentinel
        // called it down although it reported role:slave for a while.
        sim.run(for: 3_000)
        for i in sim.nodes.indices {
            #expect(sim.nodes[i].sentinel[master: "mymaster"].address == Self.master)
            #expect(sim.events(i, "+try-failover").isEmpty && sim.events(i, "+sdown").filter { $0.hasPrefix("master") }.isEmpty)
        }
        #expect(sim.redis[2].replicaOf == Self.master)
        // The frozen target comes back as a replica of the master, as it was.
        sim.thawRedis(1)
        sim.run(for: 2_000)
        #expect(sim.currentRedisMaster() == Self.master)
        #expect(sim.redis[1].replicaOf == Self.master && sim.redis[2].replicaOf == Self.master)
        print("simulation: stuck FAILOVER aborted \(recovery) ms after the master handed over (\(sim.nodes.indices.map { sim.events($0, "+stuck-failover-abort").count }) aborts per sentinel)")
    }

    @Test("FAILOVER with a TIMEOUT far beyond failover-timeout, to a frozen replica: waiting-for-sync is aborted after failover-timeout")
    func waitingForSyncForever() throws {
        var sim = settledFailoverSimulation()
        sim.freezeRedis(1)
        #expect(sim.failoverCommand(0, ["FAILOVER", "TO", "127.0.0.1", "6380", "TIMEOUT", "100000000"]) == .ok)
        let start = sim.now
        sim.run(for: 9_500)
        #expect(sim.redis[0].failoverState == "waiting-for-sync", "aborted before failover-timeout")
        let recovered = sim.runUntil(timeout: 5_000) { s in s.redis[0].failoverState == "no-failover" }
        try #require(recovered != nil)
        #expect(sim.now - start > 10_000 && sim.now - start <= 13_000, "aborted \(sim.now - start) ms after FAILOVER")
        let aborts = sim.nodes.indices.flatMap { sim.events($0, "+stuck-failover-abort") }
        #expect(aborts.allSatisfy { $0.contains("#waiting-for-sync for ") } && !aborts.isEmpty)
    }

    @Test("a hello blocked by a write pause the sentinels do not know of yet: the connection is reopened, nothing is called down, no hello before the next INFO")
    func blockedHelloReopensConnection() throws {
        var sim = settledFailoverSimulation()
        // Someone's FAILOVER that never syncs: writes paused (a PUBLISH blocks its connection),
        // INFO still answered, and no sentinel has seen it in an INFO yet.
        sim.redis[0].failoverNeverSyncs = true
        #expect(sim.failoverCommand(0, ["FAILOVER", "TO", "127.0.0.1", "6380", "TIMEOUT", "100000000"]) == .ok)
        sim.run(for: 5_000)
        for i in sim.nodes.indices {
            let stalls = sim.nodes[i].logs.filter { $0.contains("hello PUBLISH unanswered for") }
            #expect(!stalls.isEmpty, "sentinel \(i) never noticed its blocked hello")
            #expect(sim.events(i, "+sdown").filter { $0.hasPrefix("master") }.isEmpty, "\(sim.nodes[i].logs)")
            // The next INFO told it: hellos to the master are held while it reports the FAILOVER.
            #expect(sim.nodes[i].sentinel[master: "mymaster"].state.serverFailoverState == "waiting-for-sync")
        }
        // One blocked hello per sentinel at most, then none: each learned of the FAILOVER first.
        let blockedHellos = (sim.blockedByFailover[0] ?? []).filter { $0.words.first == "PUBLISH" }
        #expect(blockedHellos.count <= sim.nodes.count, "\(blockedHellos.count) hellos blocked")
    }

    @Test("a connection that has answered nothing yet is slow, not write-paused: a sentinel starting beside a stalled master does not reopen it over its first hello")
    func unansweredNewConnectionIsNotAStall() throws {
        var sim = settledFailoverSimulation()
        sim.crashSentinel(0)
        sim.run(for: 500)
        // The master stops answering (SIGSTOP) before sentinel 0 is back: nothing comes back on
        // any of its new connections until the master is thawed, down-after (1 s) later.
        sim.freezeRedis(0)
        sim.restartSentinel(0, seed: 11)
        sim.run(for: 950)
        sim.thawRedis(0)
        sim.run(for: 3_000)
        let stalls = sim.nodes[0].logs.filter { $0.contains("hello PUBLISH unanswered for") }
        #expect(stalls.isEmpty, "\(stalls)")
    }

    @Test("an instance that reports a server-side FAILOVER gets FAILOVER ABORT before SLAVEOF in the same transaction; others do not")
    func slaveOfAbortsFirst() {
        var s = settledFailoverSimulation().nodes[0].sentinel
        let owner = LinkOwner.master("mymaster")
        /// The first word of each command sendSlaveOf queues.
        func slaveOfWords(_ s: inout Sentinel) -> [String] {
            let before = s.output.count
            let queued = s.sendSlaveOf(owner, to: HostPort("127.0.0.1", 6381))
            #expect(queued)
            return s.output[before...].compactMap { action -> String? in
                if case .send(_, let w) = action { return w.first }
                return nil
            }
        }
        s[master: "mymaster"].state.serverFailoverState = "failover-in-progress"
        #expect(slaveOfWords(&s) == ["MULTI", "FAILOVER", "SLAVEOF", "CONFIG", "CLIENT", "CLIENT", "EXEC"])
        s[master: "mymaster"].state.serverFailoverState = "no-failover"
        #expect(slaveOfWords(&s) == ["MULTI", "SLAVEOF", "CONFIG", "CLIENT", "CLIENT", "EXEC"])
        s[master: "mymaster"].state.serverFailoverState = nil
        #expect(slaveOfWords(&s) == ["MULTI", "SLAVEOF", "CONFIG", "CLIENT", "CLIENT", "EXEC"])
    }

    @Test("our own coordinated failover is never aborted: a peer holding the record waits out the pause, then recovers a master left stuck")
    func neverFightsCoordinated() throws {
        var sim = settledFailoverSimulation()
        sim.redis[0].failoverStuck = true
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let paused = sim.runUntil(timeout: 5_000) { s in
            s.nodes[0].sentinel.masterNamed("mymaster")?.coordinated?.stage == .paused
        }
        try #require(paused != nil)
        // The leader dies right after the pause went out: nobody leads the stuck handover.
        sim.crashSentinel(0)
        let pauseSentAt = sim.now
        let stuck = sim.runUntil(timeout: 2_000) { s in s.redis[0].failoverState == "failover-in-progress" }
        try #require(stuck != nil)
        let recovered = sim.runUntil(timeout: 10_000) { s in s.redis[0].failoverState == "no-failover" }
        try #require(recovered != nil, "the peers left the master stuck")
        // Not before the record's pause (1000 ms) and its hold margin (1000 ms) ran out.
        let waited = sim.now - pauseSentAt
        #expect(waited > 2_000, "aborted \(waited) ms after the pause was sent, inside the leader's pause")
        #expect((1...2).contains { !sim.events($0, "+stuck-failover-abort").isEmpty })
        #expect(sim.redis[0].isMaster)
    }

    @Test("a coordinated-failover record (a notice, or a restarted leader's file) protects the FAILOVER until its pause + 1 s, not longer")
    func recordProtectsUntilPauseEnds() throws {
        var s = settledFailoverSimulation().nodes[1].sentinel
        let wall = try #require(s.wallClockMillis())
        #expect(!s.serverFailoverIsKnown(s[master: "mymaster"]))
        s[master: "mymaster"].config.coordinatedRecord = CoordinatedRecord(
            epoch: 1, leader: String(repeating: "f", count: 40), old: Self.master, target: HostPort("127.0.0.1", 6380),
            pauseEndsUnixMillis: wall + 500)
        #expect(s.serverFailoverIsKnown(s[master: "mymaster"]))
        // Past the pause and the hold margin: a master still in FAILOVER is as stuck as any other.
        s[master: "mymaster"].config.coordinatedRecord!.pauseEndsUnixMillis = wall - 1_001
        #expect(!s.serverFailoverIsKnown(s[master: "mymaster"]))
    }

    @Test("a leader's own coordinated failover that got stuck is aborted by the leader, never by +stuck-failover-abort")
    func leaderHandlesItsOwn() throws {
        var sim = settledFailoverSimulation()
        sim.redis[0].failoverStuck = true
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let aborted = sim.runUntil(timeout: 5_000) { s in !s.events(0, "-failover-abort-coordinated").isEmpty }
        try #require(aborted != nil)
        sim.run(for: 5_000)
        #expect(
            sim.nodes.indices.allSatisfy { sim.events($0, "+stuck-failover-abort").isEmpty },
            "\(sim.nodes.indices.map { sim.nodes[$0].logs.filter { $0.contains("failover") } })")
        #expect(sim.redis[0].isMaster && sim.redis[0].failoverState == "no-failover")
    }
}
