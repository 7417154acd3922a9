import RESP
import Testing

@testable import SentinelCore

/// A pub/sub connection that the instance closes (the `CLIENT KILL TYPE pubsub` of every
/// reconfiguration transaction) must not make a healthy instance SDOWN. Redis counts an
/// instance link as disconnected only while a connection it needs has no context: the
/// throttled reconnect clears that in the same timer tick, before the SDOWN check, so the
/// check measures the pending PING (none), not the time since the last PONG.
@Suite("SDOWN across a killed pub/sub connection")
struct PubSubReconnectSDownTests {
    @Test("a replica whose pub/sub connection is killed within a second of the link's start is not SDOWN when it reconnects")
    func killedPubSubConnection() throws {
        var sim = failoverSimulation(sentinels: 1, quorum: 1)
        sim.startAll()
        let owner = LinkOwner.replica(master: "mymaster", name: "127.0.0.1:6380")
        let up = sim.runUntil(timeout: 1_000) { s in
            let link = s.nodes[0].sentinel.links[owner]
            return link?.cc.isUp == true && link?.pc.isUp == true
        }
        try #require(up != nil, "the replica's links did not come up")
        // The first PONG arrives; then a reconfiguration kills the pub/sub connection. Its
        // reconnect waits for the ping period since the link was opened.
        sim.run(for: 200)
        let pubsub = try #require(sim.nodes[0].sentinel.links[owner]?.pc.id)
        sim.resetLink(node: 0, link: pubsub)
        sim.run(for: 2_500)
        #expect(sim.events(0, "+sdown").isEmpty, "spurious SDOWN: \(sim.events(0, "+sdown"))")
        #expect(sim.nodes[0].sentinel.links[owner]?.pc.isUp == true, "the pub/sub connection is back")
    }

    @Test("an instance whose connection stays missing is still SDOWN after down-after since its last reply")
    func missingConnection() throws {
        var sim = failoverSimulation(sentinels: 1, quorum: 1)
        sim.startAll()
        discover(&sim)
        let replica = try #require(sim.redis.firstIndex { $0.address == HostPort("127.0.0.1", 6380) })
        sim.crashRedis(replica)
        sim.run(for: 2_500)
        #expect(sim.events(0, "+sdown").contains { $0.hasPrefix("slave 127.0.0.1:6380 ") }, "\(sim.events(0, "+sdown"))")
    }

    /// A slow connect: the link is made at the sentinel's start, its command connection comes up
    /// after `connect` ms, and every message takes 250 ms. Returns the master's SDOWN transitions.
    private func slowConnect(_ connect: Millis) -> [String] {
        var sim = failoverSimulation(sentinels: 1, quorum: 1)
        sim.latency = 250
        sim.connectLatency = connect
        sim.startAll()
        sim.run(for: 3_000)
        return sim.events(0, "+sdown").map { "+sdown \($0)" } + sim.events(0, "-sdown").map { "-sdown \($0)" }
    }

    @Test("the time a connect that succeeds took is not counted: a healthy master reached in 950 ms is not SDOWN")
    func slowConnectNotCounted() {
        // Connected at 950 ms, PONG ~500 ms later: Redis would count ~1,450 ms from the link's start
        // (SDOWN at down-after 1,000); the clock restarts with the connection's PING.
        let transitions = slowConnect(950)
        #expect(!transitions.contains { $0.hasPrefix("+sdown master") }, "\(transitions)")
    }

    @Test("a first connect slower than down-after is this sentinel's own delay: not judged until it completes")
    func slowFirstConnect() {
        // At a start with 1,000 masters the runtime opened the last connections more than
        // down-after after the core asked for them; the connect timeout (1 s) bounds the wait.
        let transitions = slowConnect(1_500)
        #expect(!transitions.contains { $0.hasPrefix("+sdown master") }, "\(transitions)")
    }

    @Test("a master unreachable at the start is SDOWN once its first connect times out")
    func unreachableAtStart() {
        var sim = failoverSimulation(sentinels: 1, quorum: 1)
        sim.isolated = [0]
        let start = sim.now
        sim.startAll()
        let down = sim.runUntil(timeout: 3_000) { s in s.events(0, "+sdown").contains { $0.hasPrefix("master mymaster") } }
        #expect(down != nil, "no +sdown: \(sim.events(0, "+sdown"))")
        // The connect fails after 1 s; the silence counts from the link's creation.
        #expect(sim.now - start <= 1_200, "SDOWN came \(sim.now - start) ms after the start")
    }

    @Test("a reconnect with no PING outstanding: its connect time is not counted either, within down-after")
    func slowReconnectNotCounted() throws {
        var sim = failoverSimulation(sentinels: 1, quorum: 1)
        sim.startAll()
        let owner = LinkOwner.master("mymaster")
        let answered = sim.runUntil(timeout: 3_000) { s in
            s.nodes[0].sentinel.links[owner].map { $0.cc.isUp && $0.actPingTime == 0 } ?? false
        }
        try #require(answered != nil, "the master never answered")
        // The master closes the command connection with no PING outstanding; it is reopened at
        // once (EarlyReopenTests), comes up after 950 ms, and its PONG takes 500 ms more.
        sim.latency = 250
        sim.connectLatency = 950
        let cc = try #require(sim.nodes[0].sentinel.links[owner]?.cc.id)
        sim.resetLink(node: 0, link: cc)
        sim.run(for: 3_000)
        #expect(sim.nodes[0].sentinel.links[owner]?.cc.isUp == true, "the connection is back")
        #expect(!sim.events(0, "+sdown").contains { $0.hasPrefix("master mymaster") }, "\(sim.events(0, "+sdown"))")
    }
}
