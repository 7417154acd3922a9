import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// The failover timeline (issue 15): every failover its leader ran ends with one
/// `+failover-summary` event and one `.failoverEnded` observation naming each phase and its length.
@Suite("Failover timeline and summary")
struct FailoverTimelineTests {
    /// The `.failoverEnded` summaries a node reported.
    private func summaries(_ sim: Simulation, _ node: Int) -> [FailoverSummary] {
        sim.nodes[node].observations.compactMap { if case .failoverEnded(let s) = $0 { s } else { nil } }
    }

    /// Node 0 runs `SENTINEL FAILOVER mymaster COORDINATED`; its first summary, within `timeout`.
    private func coordinatedSummary(_ sim: inout Simulation, within timeout: Millis) -> FailoverSummary? {
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        _ = sim.runUntil(timeout: timeout) { s in !s.events(0, "+failover-summary").isEmpty }
        let summary = summaries(sim, 0).first
        if summary == nil { Issue.record("no +failover-summary within \(timeout) ms") }
        return summary
    }

    @Test("a crash failover: the leader summarizes election, promotion and reconfiguration; the others summarize nothing")
    func crashFailover() {
        var sim = failoverSimulation()
        sim.startAll()
        settle(&sim)
        sim.crashRedis(0)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 30_000)
        #expect(switched != nil)
        let leader = sim.nodes.indices.first { !sim.events($0, "+elected-leader").isEmpty }!
        let all = summaries(sim, leader)
        #expect(all.count == 1)
        guard let summary = all.first else { return }
        #expect(summary.kind == .automatic && summary.outcome == .succeeded && summary.master == "mymaster")
        #expect(summary.phases.map(\.name) == ["election", "promotion", "reconfiguration"])
        #expect(summary.phases.map(\.millis).reduce(0, +) == summary.totalMillis)
        #expect(summary.writePauseMillis == nil)
        #expect(summary.leader == sim.nodes[leader].sentinel.myID)
        let newMaster = sim.nodes[leader].sentinel[master: "mymaster"].address
        #expect(summary.target == "\(newMaster.host):\(newMaster.port)")
        // The event carries the same fields, once, on the leader only.
        #expect(sim.events(leader, "+failover-summary").count == 1)
        #expect(sim.events(leader, "+failover-summary").first?.hasSuffix(summary.fields) == true)
        #expect(sim.events(leader, "+failover-summary").first?.contains("kind=automatic") == true)
        // Another sentinel may have tried in the same epoch: its attempt ends, overtaken by the switch.
        for other in sim.nodes.indices where other != leader {
            for attempt in summaries(sim, other) {
                #expect(attempt.outcome == .aborted(reason: "superseded") || attempt.outcome == .aborted(reason: "not-elected"), "\(attempt)")
                #expect(attempt.phases.map(\.name) == ["election"])
                #expect(attempt.leader == nil)
            }
        }
        // The other observations: started, elected, ODOWN, and the voters' votes.
        let observed = sim.nodes[leader].observations
        #expect(observed.contains(.failoverStarted(master: "mymaster", kind: .automatic)))
        #expect(observed.contains(.election(master: "mymaster", kind: .automatic, won: true)))
        #expect(observed.contains(.objectivelyDown(master: "mymaster", down: true)))
        #expect(observed.contains(.subjectivelyDown(master: "mymaster", kind: .master, down: true)))
        #expect(
            sim.nodes.indices.filter { i in
                sim.nodes[i].observations.contains { if case .voteCast = $0 { true } else { false } }
            }.count >= 2)
    }

    @Test("a coordinated failover: every phase in order, and the write pause inside the total")
    func coordinated() {
        var sim = failoverSimulation(seed: 3)
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let done = sim.runUntilSwitchedEverywhere(timeout: 10_000)
        #expect(done != nil)
        let all = summaries(sim, 0)
        #expect(all.count == 1)
        guard let summary = all.first else { return }
        #expect(summary.kind == .coordinated && summary.outcome == .succeeded)
        #expect(
            summary.phases.map(\.name)
                == ["election", "hello-hold", "pause", "promotion", "peer-confirmation", "release", "reconfiguration"])
        #expect(summary.phases.map(\.millis).reduce(0, +) == summary.totalMillis)
        let pause = summary.writePauseMillis ?? -1
        #expect(pause > 0 && pause <= summary.totalMillis)
        // The pause covers the pause, promotion, confirmation and release phases at most.
        let paused = summary.phases.filter { ["pause", "promotion", "peer-confirmation", "release"].contains($0.name) }
        #expect(pause <= paused.map(\.millis).reduce(0, +))
        let line = sim.events(0, "+failover-summary").first ?? ""
        #expect(line.contains("kind=coordinated") && line.contains("outcome=ok") && line.contains("write-pause=\(pause)ms"))
        // The peers said they held their hellos.
        for peer in 1...2 {
            #expect(sim.nodes[peer].logs.contains { $0.contains("holding hellos to") })
        }
    }

    @Test("a coordinated failover whose replica never catches up: aborted:not-caught-up, the pause counted until the unpause")
    func coordinatedAbort() {
        var sim = failoverSimulation(seed: 3)
        sim.redis[0].failoverNeverSyncs = true
        sim.startAll()
        settle(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") == .ok)
        let aborted = sim.runUntil(timeout: 5_000) { s in !s.events(0, "+failover-summary").isEmpty }
        #expect(aborted != nil)
        guard let summary = summaries(sim, 0).first else { return }
        #expect(summary.outcome == .aborted(reason: "pause-expired") || summary.outcome == .aborted(reason: "not-caught-up"))
        #expect(summary.phases.map(\.name).prefix(3) == ["election", "hello-hold", "pause"])
        #expect((summary.writePauseMillis ?? 0) > 0)
        // Said while it happened, not only at the end.
        #expect(sim.nodes[0].logs.contains { $0.contains("master_failover_state:waiting-for-sync") })
        #expect(sim.events(0, "+failover-summary").first?.contains("outcome=aborted:") == true)
    }

    @Test("a pause transaction refused before CLIENT PAUSE ran: aborted:pause-refused, no write pause")
    func pauseRefused() {
        var sim = failoverSimulation(seed: 3)
        sim.startAll()
        settle(&sim)
        sim.redis[0].deniedCommands = ["FAILOVER"]
        guard let summary = coordinatedSummary(&sim, within: 5_000) else { return }
        #expect(summary.outcome == .aborted(reason: "pause-refused"))
        #expect(summary.writePauseMillis == nil)
        #expect(!(sim.events(0, "+failover-summary").first ?? "").contains("write-pause"))
    }

    @Test("a failover that loses its election: aborted:not-elected, election lost")
    func notElected() {
        var sim = failoverSimulation()
        sim.startAll()
        settle(&sim)
        // Alone, node 0 cannot win: the others never answer.
        sim.isolated = [1, 2]
        guard let summary = coordinatedSummary(&sim, within: 20_000) else { return }
        #expect(summary.outcome == .aborted(reason: "not-elected"))
        #expect(summary.phases.map(\.name) == ["election"])
        #expect(sim.nodes[0].observations.contains(.election(master: "mymaster", kind: .coordinated, won: false)))
    }

    @Test("refusals are logged with their reason, and NOGOODSLAVE names why each replica is excluded")
    func refusalsLogged() {
        var sim = failoverSimulation()
        sim.startAll()
        settle(&sim)
        for r in 1..<sim.redis.count { sim.redis[r].up = false }
        sim.run(for: 3_000)
        let reply = sim.ask(0, "SENTINEL", "FAILOVER", "mymaster")
        #expect(reply == .error(Wire.errNoGoodSlave))
        let line = sim.nodes[0].logs.first { $0.hasPrefix("SENTINEL FAILOVER mymaster refused: NOGOODSLAVE") } ?? ""
        #expect(line.contains("replica 127.0.0.1:6380: "), "\(line)")
        #expect(line.contains("s_down") || line.contains("disconnected") || line.contains("no ping reply"), "\(line)")
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED")?.errorText.isEmpty == false)
        #expect(sim.nodes[0].logs.filter { $0.hasPrefix("SENTINEL FAILOVER mymaster refused:") }.count == 2)
    }
}
