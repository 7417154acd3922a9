import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Three simulated sentinels monitoring the master by a name (`Node-A.test`, resolved by the
/// simulation's hosts table to the master's IP) while the replicas report that master by IP and
/// are listed by IP: the resolved-address equality and the printed form during a failover.
@Suite("Hostnames (simulated network)")
struct HostnameSimulationTests {
    func simulation(announce: Bool) -> Simulation {
        var sim = failoverSimulation()
        sim.hostsFile = ["node-a.test": "127.0.0.1"]
        for i in sim.nodes.indices {
            var config = sim.nodes[i].sentinel.config
            config.resolveHostnames = true
            config.announceHostnames = announce
            config.masters[0].address = HostPort("Node-A.test", 6379)
            sim.nodes[i].sentinel = Sentinel(config: config, seed: 4242 &+ UInt64(i))
        }
        return sim
    }

    @Test("a replica reporting the master's IP is not repointed; the failover prints the configured form",
          arguments: [false, true])
    func failoverWithNamedMaster(announce: Bool) throws {
        var sim = simulation(announce: announce)
        sim.startAll()
        discover(&sim)
        // Past failover-timeout (10 s): a replica whose master_host is 127.0.0.1 while the master
        // is monitored as Node-A.test would get +fix-slave-config if equality ignored the IP.
        sim.run(for: 12_000)
        for i in sim.nodes.indices {
            #expect(sim.events(i, "+fix-slave-config").isEmpty, "node \(i): \(sim.events(i, "+fix-slave-config"))")
            let reply = sim.ask(i, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
            #expect(reply == .array([.bulkString(announce ? "Node-A.test" : "127.0.0.1"), .bulkString("6379")]))
            #expect(sim.nodes[i].persisted.last?.masters[0].address == HostPort(announce ? "Node-A.test" : "127.0.0.1", 6379))
        }
        sim.crashRedis(0)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 30_000)
        #expect(switched != nil)
        let lines = Set(sim.nodes.indices.flatMap { sim.events($0, "+switch-master") })
        #expect(lines.count == 1)
        let old = announce ? "Node-A.test" : "127.0.0.1"
        #expect(lines.first?.hasPrefix("mymaster \(old) 6379 127.0.0.1 638") == true, "\(lines)")
        // The old master is kept as a replica, written in the printed form.
        for node in sim.nodes {
            let known = node.persisted.last?.masters[0].knownReplicas ?? []
            #expect(known.contains(HostPort(old, 6379)), "\(known)")
        }
    }
}
