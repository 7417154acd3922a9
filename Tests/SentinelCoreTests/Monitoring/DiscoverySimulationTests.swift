import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

@Suite("Discovery (simulated network)")
struct DiscoverySimulationTests {
    @Test("three sentinels discover both replicas and each other well under 2 s", arguments: [1, 2, 3, 7, 42] as [UInt64])
    func convergence(seed: UInt64) throws {
        var sim = standardSimulation(seed: seed)
        sim.startAll()
        let elapsed = sim.runUntil(timeout: 5_000) { sim in
            sim.nodes.allSatisfy { node in
                guard let m = node.sentinel.masterNamed("mymaster") else { return false }
                return m.replicas.count == 2 && m.sentinels.count == 2
            }
        }
        let took = try #require(elapsed)
        #expect(took < 500, "converged after \(took) ms of virtual time")
        // Every sentinel persisted what it learned.
        for node in sim.nodes {
            let last = try #require(node.persisted.last)
            #expect(last.masters[0].knownReplicas.count == 2)
            #expect(last.masters[0].knownSentinels.count == 2)
            #expect(node.logs.contains { $0.hasPrefix("+sentinel sentinel ") })
            #expect(node.logs.contains { $0.hasPrefix("+slave slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379") })
        }
    }

    @Test("links are named sentinel-<id8>-cmd|pubsub and subscribe to the hello channel")
    func handshake() {
        var sim = standardSimulation(sentinels: 1)
        sim.startAll()
        sim.run(for: 300)
        let id8 = String(sim.nodes[0].sentinel.myID.prefix(8))
        let received = sim.redis[0].received
        #expect(received.contains(["CLIENT", "SETNAME", "sentinel-\(id8)-cmd"]))
        #expect(received.contains(["CLIENT", "SETNAME", "sentinel-\(id8)-pubsub"]))
        #expect(received.contains(["SUBSCRIBE", "__sentinel__:hello"]))
        #expect(received.contains(["PING"]))
        #expect(received.contains(["INFO"]))
        #expect(received.contains { $0.first == "PUBLISH" && $0[1] == "__sentinel__:hello" })
    }

    @Test("rename-command applies to every command sent")
    func renameCommand() {
        var sim = Simulation()
        var m = FakeRedis("127.0.0.1", 6379, runID: String(repeating: "a", count: 40))
        m.replicas = []
        sim.addRedis(m)
        var config = SentinelConfig()
        var master = MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 1)
        master.renamedCommands = [RenamedCommand(command: "PING", renamed: "PONG2"), RenamedCommand(command: "info", renamed: "XINFO")]
        config.masters = [master]
        sim.addSentinel(config: config, port: 26379, seed: 5)
        sim.startAll()
        sim.run(for: 300)
        let names = Set(sim.redis[0].received.compactMap(\.first))
        #expect(names.contains("PONG2"))
        #expect(names.contains("XINFO"))
        #expect(!names.contains("PING"))
        #expect(!names.contains("INFO"))
    }

    @Test("pings go out every second and INFO every ten")
    func cadence() {
        var sim = standardSimulation(sentinels: 1)
        sim.startAll()
        sim.run(for: 500)
        sim.redis[0].received = []
        sim.run(for: 10_000)
        let pings = sim.redis[0].received.filter { $0 == ["PING"] }.count
        let infos = sim.redis[0].received.filter { $0 == ["INFO"] }.count
        #expect((9...11).contains(pings), "pings: \(pings)")
        #expect((1...2).contains(infos), "infos: \(infos)")
    }

    @Test("a restarted sentinel keeps its id, epoch and peers")
    func restart() throws {
        var sim = standardSimulation(seed: 9)
        sim.startAll()
        _ = sim.runUntil(timeout: 5_000) { sim in
            sim.nodes.allSatisfy { $0.sentinel.masterNamed("mymaster")?.sentinels.count == 2 }
        }
        let saved = try #require(sim.nodes[0].persisted.last)
        let id = sim.nodes[0].sentinel.myID
        let restarted = Sentinel(config: saved, seed: 999)
        #expect(restarted.myID == id)
        var copy = restarted
        _ = copy.start(now: sim.now)
        #expect(copy.masterNamed("mymaster")?.sentinels.count == 2)
        #expect(copy.masterNamed("mymaster")?.replicas.count == 2)
    }
}
