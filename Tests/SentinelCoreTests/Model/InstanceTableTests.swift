import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

@Suite("Instance table")
struct InstanceTableTests {
    @Test("ids are never reused: a removed id finds nothing, not its successor")
    func idsNotReused() {
        var table = InstanceTable()
        let master = MasterState(config: MasterConfig(name: "m", address: HostPort("127.0.0.1", 6379), quorum: 2), now: 0)
        let a = table.insert(Instance(.master(master), now: 0))
        let replica = table.insert(Instance(.replica(ReplicaState(address: HostPort("127.0.0.1", 6380), of: a, now: 0)), now: 0))
        table.remove(replica)
        let again = table.insert(Instance(.replica(ReplicaState(address: HostPort("127.0.0.1", 6380), of: a, now: 0)), now: 0))
        #expect(again != replica)
        #expect(table.lookup(replica) == nil)
        #expect(table.read(replica) { $0.name } == nil)
        #expect(table.lookup(again)?.name == "127.0.0.1:6380")
        #expect(table.count == 2)
    }

    @Test("the role's data is modified in place and the common fields are the instance's")
    func roleInPlace() {
        var table = InstanceTable()
        let config = MasterConfig(name: "m", address: HostPort("127.0.0.1", 6379), quorum: 2)
        let id = table.insert(Instance(.master(MasterState(config: config, now: 0)), now: 0))
        table[id].master.oDown = true
        table[id].master.replicas["127.0.0.1:6380"] = InstanceID(99)
        table[id].sDown = true
        let instance = table[id]
        #expect(instance.master.oDown && instance.sDown && instance.master.replicas.count == 1)
        #expect(instance.name == "m" && instance.address == HostPort("127.0.0.1", 6379) && instance.masterID == nil)
        #expect(instance.isMaster)
        let peer = table.insert(Instance(.sentinel(PeerState(address: HostPort("127.0.0.1", 26380), of: id, now: 0)), runID: "abc", now: 0))
        #expect(table[peer].name == "abc" && table[peer].masterID == id && table[peer].info == nil)
    }

    @Test("the table holds exactly the masters, their replicas and their peers: RESET, a switch and REMOVE leave nothing behind")
    func noOrphans() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        func expectExact(_ sim: Simulation, _ comment: Comment) {
            for node in sim.nodes {
                let s = node.sentinel
                let expected = s.masters.keys.reduce(0) { count, name in
                    count + 1 + s.replicas(of: name).count + s.peers(of: name).count
                }
                #expect(s.instances.count == expected, comment)
            }
        }
        expectExact(sim, "after discovery")
        #expect(sim.nodes[0].sentinel.instances.count == 5, "a master, two replicas, two peers")
        #expect(sim.ask(0, "SENTINEL", "RESET", "mymaster") == .integer(1))
        #expect(sim.nodes[0].sentinel.instances.count == 1, "RESET forgets replicas and peers")
        discover(&sim)
        expectExact(sim, "after rediscovery")
        sim.crashRedis(0)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 60_000)
        #expect(switched != nil)
        expectExact(sim, "after the switch")
        #expect(sim.ask(0, "SENTINEL", "REMOVE", "mymaster") == .ok)
        #expect(sim.nodes[0].sentinel.instances.count == 0, "REMOVE forgets the master, its replicas and peers")
    }
}
