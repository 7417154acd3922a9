import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// What follows a coordinated failover's switch, simulated with fake nodes that close the
/// connections a `CLIENT KILL TYPE normal|pubsub` names (issue 12, defects 3 and 7).
@Suite("Coordinated failover: after the switch (simulated)")
struct CoordinatedAfterSwitchTests {
    /// Discovery, then a clock sample on every sentinel (the persisted record needs the wall clock).
    static func settle(_ sim: inout Simulation) {
        discover(&sim)
        for i in sim.nodes.indices {
            _ = sim.nodes[i].sentinel.handle(.processStats(ProcessStats(unixTimeMicros: 1_800_000_000_000_000)), now: sim.now)
        }
    }

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
        Self.settle(&sim)
        sim.jitter = jitter
        for round in 0..<5 {
            let requester = round % sim.nodes.count
            let old = sim.nodes[requester].sentinel.masters["mymaster"]!.address
            let downBefore = sim.nodes.indices.map { Self.downEvents(sim, $0).count }
            let released = sim.events(requester, "+coordinated-failover-released").count
            let answer = sim.ask(requester, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED")
            #expect(answer == .ok, "round \(round): SENTINEL FAILOVER COORDINATED on sentinel \(requester): \(String(describing: answer))")
            guard answer == .ok else { return }
            let switched = sim.runUntil(timeout: 5_000) { s in
                s.nodes.allSatisfy { $0.sentinel.masters["mymaster"]!.address != old }
                    && s.events(requester, "+coordinated-failover-released").count > released
            }
            #expect(switched != nil, "round \(round): no switch away from \(old)")
            guard switched != nil else { return }
            let new = sim.nodes[requester].sentinel.masters["mymaster"]!.address
            sim.run(for: 3_000)
            for node in sim.nodes.indices {
                let down = Self.downEvents(sim, node).dropFirst(downBefore[node])
                #expect(down.isEmpty, "round \(round): sentinel \(node) called an instance down after the switch to \(new): \(Array(down))")
            }
            #expect(sim.nodes.allSatisfy { $0.sentinel.masters["mymaster"]!.address == new })
            #expect(sim.nodes.allSatisfy { $0.sentinel.masters["mymaster"]!.failoverState == .none })
            #expect(sim.currentRedisMaster() == new)
        }
    }
}
