import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Issue 12, defect 4: a forged hello (anyone who can PUBLISH on a data node) or a vote request
/// announcing an impossible epoch must not end automatic failover (docs/security.md).
@Suite("Hostile epochs")
struct HostileEpochTests {
    static let forgedA = String(repeating: "a1", count: 20)
    static let forgedB = String(repeating: "b2", count: 20)
    static let forgedC = String(repeating: "c3", count: 20)
    static let forgedD = String(repeating: "d4", count: 20)

    /// Log lines of a sentinel that mention `text`.
    static func lines(_ sim: Simulation, _ node: Int, _ text: String) -> [String] {
        sim.nodes[node].logs.filter { $0.contains(text) }
    }

    @Test("the bounds: any epoch up to 2^32 + 10^6, and 10^6 above ours past that")
    func bounds() {
        #expect(EpochBounds.limit(current: 0) == 4_295_967_296)
        #expect(EpochBounds.limit(current: 5_000_000_000) == 5_001_000_000)
        #expect(EpochBounds.limit(current: Epoch.max) == Epoch.max)
        #expect(EpochBounds.check("5000", current: 0) == .plausible(5000))
        #expect(EpochBounds.check("4295967296", current: 0) == .plausible(4_295_967_296))
        #expect(EpochBounds.check("4295967297", current: 0) == .tooFarAhead(4_295_967_297, limit: 4_295_967_296))
        #expect(EpochBounds.check("9223372036854775807", current: 0) == .tooFarAhead(Epoch.max, limit: 4_295_967_296))
        #expect(EpochBounds.check("18446744073709551615", current: 0) == .outOfRange)
        #expect(EpochBounds.check("-1", current: 0) == .outOfRange)
        #expect(EpochBounds.check("99999999999999999999999", current: 0) == .outOfRange)
        #expect(EpochBounds.check("x1", current: 0) == .malformed)
        #expect(EpochBounds.check("", current: 0) == .malformed)
        #expect(EpochBounds.check("-", current: 0) == .malformed)
    }

    @Test("forged hellos with epoch 2^64-1, far ahead, negative, or a far-ahead config epoch: refused, logged once per sender; the master dies and is failed over in epoch 1")
    func hostileHellosThenFailover() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        let forged = [
            // Out of range: what the issue sent.
            "10.9.9.1,26379,\(Self.forgedA),18446744073709551615,mymaster,127.0.0.1,6379,0",
            // In range, implausibly far ahead.
            "10.9.9.2,26379,\(Self.forgedB),9000000000000000000,mymaster,127.0.0.1,6379,0",
            // Negative (strtoull would make it 2^64-1).
            "10.9.9.3,26379,\(Self.forgedC),-1,mymaster,127.0.0.1,6379,0",
            // A sane current epoch, but a config epoch far ahead naming another master address:
            // believed, it would switch every sentinel to 10.9.9.9.
            "10.9.9.4,26379,\(Self.forgedD),0,mymaster,10.9.9.9,6379,\(Epoch.max)",
        ]
        // Each one several times, on the master and on a replica.
        for _ in 0..<3 {
            for payload in forged {
                OverflowTests.publish(&sim, on: 0, payload)
                OverflowTests.publish(&sim, on: 1, payload)
            }
        }
        sim.run(for: 2_000)
        for i in sim.nodes.indices {
            let master = sim.nodes[i].sentinel[master: "mymaster"]
            #expect(sim.nodes[i].sentinel.settings.currentEpoch == 0)
            #expect(master.config.configEpoch == 0)
            #expect(master.address == HostPort("127.0.0.1", 6379))
            #expect(master.sentinels.count == 2, "no forged peer was added")
            #expect(sim.events(i, "+new-epoch").isEmpty)
            for (runID, epoch) in [
                (Self.forgedA, "18446744073709551615"), (Self.forgedB, "9000000000000000000"), (Self.forgedC, "-1"),
                (Self.forgedD, "\(Epoch.max)"),
            ] {
                let logged = Self.lines(sim, i, "runid \(runID)")
                #expect(logged.count == 1, "sentinel \(i), sender \(runID): \(logged)")
                #expect(logged.first?.contains(epoch) == true)
                #expect(logged.first?.hasPrefix("Refused hello with") == true)
            }
        }
        #expect(Self.lines(sim, 0, "runid \(Self.forgedB)").first?.contains("sentinel 10.9.9.2:26379") == true)
        #expect(Self.lines(sim, 0, "runid \(Self.forgedB)").first?.contains("implausibly far ahead") == true)
        #expect(Self.lines(sim, 0, "runid \(Self.forgedA)").first?.contains("out of range") == true)
        for runID in [Self.forgedA, Self.forgedB] { print(Self.lines(sim, 0, "runid \(runID)")[0]) }

        sim.crashRedis(0)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 30_000)
        #expect(switched != nil)
        for i in sim.nodes.indices {
            #expect(sim.nodes[i].sentinel.settings.currentEpoch == 1)
            #expect(sim.nodes[i].sentinel.masterNamed("mymaster")?.config.configEpoch == 1)
        }
        #expect(sim.currentRedisMaster() == sim.nodes[0].sentinel.masterNamed("mymaster")?.address)
    }

    @Test("a new sentinel (epoch 0) adopts an old fleet's epoch; past the floor only 10^6 ahead")
    func legitimateEpochsAreAdopted() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        let peer = String(repeating: "5", count: 40)
        OverflowTests.publish(&sim, "127.0.0.1,26999,\(peer),5000,mymaster,127.0.0.1,6379,4990")
        #expect(sim.nodes.allSatisfy { $0.sentinel.settings.currentEpoch == 5000 })
        #expect(sim.nodes.allSatisfy { $0.sentinel.masterNamed("mymaster")?.sentinels[peer] != nil })
        #expect(sim.events(0, "+new-epoch") == ["5000"])
        OverflowTests.publish(&sim, "127.0.0.1,26999,\(peer),4295967296,mymaster,127.0.0.1,6379,4990")
        #expect(sim.nodes[0].sentinel.settings.currentEpoch == 4_295_967_296)
        OverflowTests.publish(&sim, "127.0.0.1,26999,\(peer),4296967296,mymaster,127.0.0.1,6379,4990")
        #expect(sim.nodes[0].sentinel.settings.currentEpoch == 4_296_967_296)
        OverflowTests.publish(&sim, "127.0.0.1,26999,\(peer),4297967297,mymaster,127.0.0.1,6379,4990")
        #expect(sim.nodes[0].sentinel.settings.currentEpoch == 4_296_967_296)
        #expect(Self.lines(sim, 0, "runid \(peer)").count == 1)
    }

    @Test("IS-MASTER-DOWN-BY-ADDR: no vote in a negative or implausible epoch (logged once); > Int64.max is Redis's error")
    func voteRequests() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        let candidate = String(repeating: "7", count: 40)
        let hostile = String(repeating: "6", count: 40)
        #expect(
            sim.ask(0, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "3", candidate)
                == .array([.integer(0), .bulkString(candidate), .integer(3)]))
        // Redis would vote in 2^64-1 (it casts -1 to unsigned) or in Int64.max; we answer the
        // standing vote instead.
        for epoch in ["-1", "\(Epoch.max)", "9000000000000000000"] {
            #expect(
                sim.ask(0, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", epoch, hostile)
                    == .array([.integer(0), .bulkString(candidate), .integer(3)]))
        }
        #expect(sim.nodes[0].sentinel.settings.currentEpoch == 3)
        #expect(Self.lines(sim, 0, "runid \(hostile)").count == 1)
        #expect(Self.lines(sim, 0, "runid \(hostile)").first?.contains("vote request in epoch -1") == true)
        print(Self.lines(sim, 0, "runid \(hostile)")[0])
        #expect(
            sim.ask(0, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "18446744073709551615", hostile)
                == .error(Wire.errNotInteger))
        // A plain state query ("*") carries no vote: any epoch is fine, as in Redis.
        #expect(
            sim.ask(0, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "-1", "*")
                == .array([.integer(0), .bulkString("*"), .integer(0)]))
        // And failover still works.
        sim.crashRedis(0)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 30_000)
        #expect(switched != nil)
        #expect(sim.nodes.allSatisfy { $0.sentinel.settings.currentEpoch < 10 })
    }

    @Test("refusals are logged for at most 1024 senders, then one line says so")
    func refusalLogIsBounded() {
        var config = SentinelConfig()
        config.myID = String(repeating: "f", count: 40)
        config.masters = [MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)]
        var s = Sentinel(config: config, seed: 1)
        _ = s.start(now: 1000)
        let client = ClientID(1)
        _ = s.handle(.clientConnected(client, address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: 2000)
        var logs: [String] = []
        for i in 0..<1100 {
            let runID = String(repeating: "0", count: 40 - "\(i)".count) + "\(i)"
            let payload = "10.9.9.9,26379,\(runID),-1,mymaster,127.0.0.1,6379,0"
            for action in s.handle(.clientCommand(client, ["PUBLISH", Wire.helloChannel, payload]), now: 2000) {
                if case .log(_, let text, _) = action { logs.append(text) }
            }
        }
        #expect(logs.filter { $0.hasPrefix("Refused hello") }.count == EpochBounds.maxLoggedSenders)
        #expect(logs.filter { $0.contains("refusals from further senders are not logged") }.count == 1)
        #expect(s.settings.currentEpoch == 0)
    }

    @Test("a config file with current-epoch 9223372036854775807: loads, refuses to start a failover, logs it once")
    func exhaustedEpochFromConfig() throws {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        for i in sim.nodes.indices {
            var config = try #require(sim.nodes[i].persisted.last)
            config.currentEpoch = Epoch.max
            let text = ConfigRewriter.rewrite(original: "", config: config)
            #expect(text.contains("sentinel current-epoch 9223372036854775807"))
            sim.nodes[i].persisted.append(try ConfigParser.parse(text, fileName: "sentinel.conf"))
            sim.crashSentinel(i)
            sim.restartSentinel(i, seed: 500 + UInt64(i))
        }
        discover(&sim)
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster") == .error(Wire.errEpochExhausted))
        #expect(sim.ask(0, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED") != .ok)
        sim.crashRedis(0)
        sim.run(for: 10_000)
        for i in sim.nodes.indices {
            #expect(!sim.events(i, "+odown").isEmpty)
            #expect(sim.events(i, "+try-failover").isEmpty)
            #expect(sim.nodes[i].logs.filter { $0 == Wire.epochExhausted }.count == 1)
        }
    }
}
