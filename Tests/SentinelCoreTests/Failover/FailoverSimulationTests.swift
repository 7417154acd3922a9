import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

private func addressReply(_ sim: inout Simulation, _ node: Int) -> String? {
    guard case .array(let e)? = sim.ask(node, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), e.count == 2 else {
        return nil
    }
    return "\(e[0].string ?? ""):\(e[1].string ?? "")"
}

@Suite("Failover (simulated network)")
struct FailoverSimulationTests {
    @Test("a crashed master is failed over by exactly one leader and everybody switches")
    func crashFailover() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        sim.crashRedis(0)
        let crashedAt = sim.now
        let switched = sim.runUntilSwitchedEverywhere(timeout: 30_000)
        #expect(switched != nil)
        let leaders = sim.nodes.indices.filter { !sim.events($0, "+elected-leader").isEmpty }
        #expect(leaders.count == 1)
        let switchLines = Set(sim.nodes.indices.flatMap { sim.events($0, "+switch-master") })
        #expect(switchLines.count == 1)
        let line = switchLines.first ?? ""
        #expect(line.hasPrefix("mymaster 127.0.0.1 6379 127.0.0.1 638"))
        let newPort = Int(line.split(separator: " ").last ?? "") ?? 0
        // Redis agrees: the promoted node is the only master, the other replica follows it.
        #expect(sim.currentRedisMaster() == HostPort("127.0.0.1", newPort))
        let other = sim.redis.first { $0.address.port != newPort && $0.address.port != 6379 }
        _ = sim.runUntil(timeout: 5_000) { s in
            s.redis.first { $0.address == other?.address }?.replicaOf == HostPort("127.0.0.1", newPort)
        }
        #expect(sim.redis.first { $0.address == other?.address }?.replicaOf == HostPort("127.0.0.1", newPort))
        for i in sim.nodes.indices {
            #expect(addressReply(&sim, i) == "127.0.0.1:\(newPort)")
            #expect(sim.nodes[i].sentinel.masterNamed("mymaster")?.config.configEpoch == 1)
            #expect(sim.nodes[i].sentinel.settings.currentEpoch == 1)
        }
        print("simulation: crash failover \(Double(sim.now - crashedAt) / 1000) s of virtual time (down-after 1 s)")
        // The event sequence of the leader, in order.
        let leader = leaders[0]
        let sequence = [
            "+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
            "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
            "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
            "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done", "+failover-end", "+switch-master",
        ]
        let logged = sim.nodes[leader].logs.compactMap { $0.split(separator: " ").first.map(String.init) }
        var position = 0
        for type in sequence {
            guard let found = logged[position...].firstIndex(of: type) else {
                Issue.record("leader did not emit \(type) after \(sequence.prefix { $0 != type }.last ?? "start")")
                return
            }
            position = found + 1
        }
    }

    @Test(
        "election safety over many seeds: at most one leader per epoch, and the group converges",
        arguments: [3, 5], 1...16)
    func electionSafety(sentinels: Int, seed: UInt64) {
        var sim = failoverSimulation(sentinels: sentinels, quorum: sentinels / 2 + 1, seed: seed)
        sim.startAll()
        discover(&sim)
        sim.crashRedis(0)
        let converged = sim.runUntil(timeout: 60_000) { s in
            let addresses = s.nodes.map { $0.sentinel.masterNamed("mymaster").map { $0.address } }
            return s.nodes.indices.allSatisfy { !s.events($0, "+switch-master").isEmpty }
                && Set(addresses.map { $0?.port ?? 0 }).count == 1
        }
        #expect(converged != nil, "seed \(seed): no agreement on the new master")
        #expect((converged ?? .max) < 5_000, "seed \(seed): took \(converged ?? -1) ms (a split vote costs 2 × failover-timeout)")
        var leadersByEpoch: [Epoch: Set<Int>] = [:]
        for i in sim.nodes.indices {
            for epoch in sim.electedEpochs(i) { leadersByEpoch[epoch, default: []].insert(i) }
        }
        for (epoch, leaders) in leadersByEpoch {
            #expect(leaders.count <= 1, "seed \(seed): epoch \(epoch) has leaders \(leaders)")
        }
    }

    @Test("an isolated sentinel sees the master down but can neither reach ODOWN nor fail over")
    func minorityCannotFailOver() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        sim.isolated = [0]
        sim.run(for: 15_000)
        #expect(!sim.events(0, "+sdown").isEmpty)
        #expect(sim.events(0, "+odown").isEmpty)
        #expect(sim.events(0, "+try-failover").isEmpty)
        for i in 1...2 { #expect(sim.events(i, "+sdown").filter { $0.hasPrefix("master") }.isEmpty) }
        #expect(sim.currentRedisMaster() == HostPort("127.0.0.1", 6379))
        sim.isolated = []
        _ = sim.runUntil(timeout: 10_000) { s in s.events(0, "-sdown").contains("master mymaster 127.0.0.1 6379") }
        #expect(sim.events(0, "-sdown").contains("master mymaster 127.0.0.1 6379"), "\(sim.nodes[0].logs.suffix(20))")
    }

    @Test("without a majority of voters the failover is not authorized")
    func noMajorityNoLeader() {
        // 5 sentinels, quorum 2: ODOWN needs 2, the election needs 3.
        var sim = failoverSimulation(sentinels: 5, quorum: 2)
        sim.startAll()
        discover(&sim)
        for i in 2...4 { sim.crashSentinel(i) }
        sim.crashRedis(0)
        sim.run(for: 15_000)
        let odown = (0...1).filter { !sim.events($0, "+odown").isEmpty }
        #expect(!odown.isEmpty)
        #expect((0...1).allSatisfy { sim.events($0, "+elected-leader").isEmpty })
        #expect((0...1).contains { !sim.events($0, "-failover-abort-not-elected").isEmpty })
        #expect(sim.currentRedisMaster() == nil)  // the master is dead and nobody was promoted
    }

    @Test("the old master comes back and is converted into a replica of the new one")
    func convertToSlave() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        sim.crashRedis(0)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 30_000)
        #expect(switched != nil)
        let newMaster = sim.nodes[0].sentinel[master: "mymaster"].address
        sim.restartRedis(0, runID: String(repeating: "d", count: 40))
        let converted = sim.runUntil(timeout: 30_000) { s in s.redis[0].replicaOf == newMaster }
        #expect(converted != nil)
        #expect(sim.nodes.indices.contains { !sim.events($0, "+convert-to-slave").isEmpty })
        // Not before the 8 s wait since the role change was seen.
        #expect((converted ?? 0) >= 8_000)
    }

    @Test("SENTINEL FAILOVER needs no agreement; -INPROG while running; unknown master; -NOGOODSLAVE")
    func forcedFailover() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        #expect(sim.ask(1, "SENTINEL", "FAILOVER", "nosuch") == .error("ERR No such master with that name"))
        let client = sim.connectClient(to: 1)
        #expect(sim.command(1, client, ["SENTINEL", "FAILOVER", "mymaster"]) == [.ok])
        #expect(
            sim.command(1, client, ["SENTINEL", "FAILOVER", "mymaster"])
                == [.error("INPROG Failover already in progress")])
        let master = sim.ask(1, "SENTINEL", "MASTER", "mymaster")
        #expect(master?["flags"]?.contains("failover_in_progress") == true)
        #expect(master?["flags"]?.contains("force_failover") == true)
        #expect(master?["failover-state"] != nil)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 20_000)
        #expect(switched != nil)
        #expect(sim.events(1, "+elected-leader").count == 1)
        #expect(sim.events(0, "+try-failover").isEmpty && sim.events(2, "+try-failover").isEmpty)

        // No usable replica: every replica has priority 0.
        var sim2 = failoverSimulation()
        for r in sim2.redis.indices { sim2.redis[r].replicaPriority = 0 }
        sim2.startAll()
        discover(&sim2)
        #expect(sim2.ask(0, "SENTINEL", "FAILOVER", "mymaster") == .error("NOGOODSLAVE No suitable replica to promote"))
    }

    @Test("TILT: a stalled timer stops failure detection for the TILT period, and INFO says why")
    func tiltOnStall() {
        var sentinel = Sentinel(
            config: {
                var c = SentinelConfig()
                c.masters = [MasterConfig(name: "m", address: HostPort("127.0.0.1", 6379), quorum: 1)]
                c.masters[0].downAfterMilliseconds = 1000
                return c
            }(), seed: 1)
        var opened = sentinel.start(now: 1_000)
        opened += sentinel.handle(.tick, now: 1_100)
        // The master accepts the connections and never answers.
        for case .connect(let id, _, _) in opened {
            _ = sentinel.handle(.linkConnected(id, localAddress: "127.0.0.1"), now: 1_101)
        }
        let actions = sentinel.handle(.tick, now: 5_000)
        #expect(actions.contains(.log(.warning, "+tilt #tilt mode entered")))
        #expect(sentinel.tilt)
        // The master never answered: outside TILT it would be SDOWN by now.
        var t: Millis = 5_000
        while t < 30_000 {
            t += 100
            _ = sentinel.handle(.tick, now: t)
        }
        #expect(sentinel.masterInstance("m")?.sDown == false)
        let info = sentinel.sentinelInfoSection()
        #expect(info.contains("sentinel_tilt:1\r\n"))
        #expect(info.contains("sentinel_tilt_last_delta_ms:3900\r\n"))
        #expect(info.contains("sentinel_tilt_last_cause:event_loop_stall\r\n"))
        var exited = false
        while t < 36_000 {
            t += 100
            let out = sentinel.handle(.tick, now: t)
            if out.contains(.log(.warning, "-tilt #tilt mode exited")) { exited = true }
        }
        #expect(exited)
        #expect(sentinel.masterInstance("m")?.sDown == true)
    }

    @Test("TILT: a stall before the very first timer run counts too (previous_time is set at startup)")
    func tiltBeforeFirstTick() {
        var config = SentinelConfig()
        config.masters = [MasterConfig(name: "m", address: HostPort("127.0.0.1", 6379), quorum: 1)]
        var sentinel = Sentinel(config: config, seed: 1)
        _ = sentinel.start(now: 1_000)
        let actions = sentinel.handle(.tick, now: 4_100)
        #expect(actions.contains(.log(.warning, "+tilt #tilt mode entered")))
        #expect(sentinel.sentinelInfoSection().contains("sentinel_tilt_last_delta_ms:3100\r\n"))
        var quiet = Sentinel(config: config, seed: 1)
        _ = quiet.start(now: 1_000)
        #expect(!quiet.handle(.tick, now: 1_100).contains(.log(.warning, "+tilt #tilt mode entered")))
    }

    @Test("TILT: a wall clock jump between two samples enters TILT; IS-MASTER-DOWN answers down=0 in TILT")
    func tiltOnClockJump() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        var stats = ProcessStats(unixTimeMicros: 1_700_000_000_000_000)
        _ = sim.nodes[0].sentinel.handle(.processStats(stats), now: sim.now)
        stats.unixTimeMicros += 60_000_000  // one minute of wall clock in one second
        let actions = sim.nodes[0].sentinel.handle(.processStats(stats), now: sim.now + 1000)
        #expect(actions.contains(.log(.warning, "+tilt #tilt mode entered")))
        #expect(sim.nodes[0].sentinel.sentinelInfoSection().contains("sentinel_tilt_last_cause:clock_jump"))
        sim.crashRedis(0)
        sim.run(for: 3_000)
        #expect(sim.events(0, "+sdown").filter { $0.hasPrefix("master") }.isEmpty)
        let answer = sim.ask(0, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "0", "*")
        #expect(answer == .array([.integer(0), .bulkString("*"), .integer(0)]))
    }

    @Test("SIMULATE-FAILURE crash-after-election makes the leader crash right after it is elected")
    func simulateCrashAfterElection() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        #expect(
            sim.ask(0, "SENTINEL", "SIMULATE-FAILURE", "help")
                == .array([.bulkString("crash-after-election"), .bulkString("crash-after-promotion")]))
        #expect(sim.ask(0, "SENTINEL", "SIMULATE-FAILURE", "bogus") == .error("ERR Unknown failure simulation specified"))
        #expect(sim.ask(0, "SENTINEL", "SIMULATE-FAILURE", "crash-after-election") == .ok)
        #expect(sim.nodes[0].sentinel.sentinelInfoSection().contains("sentinel_simulate_failure_flags:1"))
        _ = sim.ask(0, "SENTINEL", "FAILOVER", "mymaster")
        let stillUp = sim.nodes[0].up
        #expect(!stillUp)
        #expect(sim.events(0, "+selected-slave").isEmpty)
        #expect(sim.currentRedisMaster() == HostPort("127.0.0.1", 6379))
    }
}

@Suite("Failure detection details")
struct FailureDetectionTests {
    @Test("-LOADING counts as alive; a rebooted master answering -LOADING past master-reboot-down-after-period is SDOWN")
    func masterReboot() {
        var sim = failoverSimulation()
        for i in sim.nodes.indices {
            var config = sim.nodes[i].sentinel.config
            config.masters[0].masterRebootDownAfterPeriod = 3000
            config.masters[0].quorum = 4  // detection only: ODOWN is unreachable
            sim.nodes[i].sentinel = Sentinel(config: config, seed: UInt64(i) + 50)
        }
        sim.startAll()
        discover(&sim)
        // LOADING without a reboot: still alive.
        sim.redis[0].pingError = "LOADING Redis is loading the dataset in memory"
        sim.run(for: 2_500)
        #expect(sim.events(0, "+sdown").filter { $0.hasPrefix("master") }.isEmpty)
        // Now a reboot (new run id) while it keeps answering LOADING.
        sim.redis[0].runID = String(repeating: "e", count: 40)
        let down = sim.runUntil(timeout: 20_000) { s in s.events(0, "+sdown").contains { $0.hasPrefix("master") } }
        #expect(down != nil)
        #expect(!sim.events(0, "+reboot").isEmpty)
        #expect(sim.ask(0, "SENTINEL", "MASTER", "mymaster")?["flags"]?.contains("master_reboot") == true)
        // The first real PONG clears it.
        sim.redis[0].pingError = nil
        let up = sim.runUntil(timeout: 5_000) { s in s.events(0, "-sdown").contains { $0.hasPrefix("master") } }
        #expect(up != nil)
    }

    @Test("a configured master that reports role:slave for down-after + 2 × info-period is SDOWN")
    func masterReportsReplica() {
        var sim = failoverSimulation()
        for i in sim.nodes.indices {
            var config = sim.nodes[i].sentinel.config
            config.masters[0].quorum = 4
            sim.nodes[i].sentinel = Sentinel(config: config, seed: UInt64(i) + 60)
        }
        sim.startAll()
        discover(&sim)
        sim.redis[0].isMaster = false
        sim.redis[0].replicaOf = HostPort("127.0.0.1", 6380)
        sim.redis[1].isMaster = true
        sim.redis[1].replicaOf = nil
        let start = sim.now
        let down = sim.runUntil(timeout: 40_000) { s in s.events(0, "+sdown").contains { $0.hasPrefix("master") } }
        #expect(down != nil)
        // Seen as a replica at the next INFO (≤ 10 s), then down-after (1 s) + 2 × 10 s.
        #expect(sim.now - start >= 21_000)
    }

    @Test("a replica replicating from the wrong master is repointed after failover-timeout (+fix-slave-config)")
    func fixSlaveConfig() {
        var sim = failoverSimulation()
        sim.addRedis(FakeRedis("127.0.0.1", 7777, runID: String(repeating: "f", count: 40)))
        sim.startAll()
        discover(&sim)
        sim.redis[2].replicaOf = HostPort("127.0.0.1", 7777)
        let fixed = sim.runUntil(timeout: 40_000) { s in s.redis[2].replicaOf == HostPort("127.0.0.1", 6379) }
        #expect(fixed != nil)
        #expect(sim.nodes.indices.contains { !sim.events($0, "+fix-slave-config").isEmpty })
        // Not before failover-timeout (10 s) has passed since the change was seen.
        #expect((fixed ?? 0) >= 10_000)
    }

    @Test("replica selection: priority, then offset, then run id; priority 0 and disconnected excluded")
    func replicaOrder() {
        func replica(_ port: Int, priority: Int, offset: Int64, runID: String?) -> Instance {
            var r = ReplicaState(address: HostPort("127.0.0.1", port), of: InstanceID(1), now: 0)
            r.slavePriority = priority
            r.slaveReplOffset = offset
            return Instance(.replica(r), runID: runID, now: 0)
        }
        let a = replica(1, priority: 100, offset: 10, runID: "b")
        let b = replica(2, priority: 50, offset: 1, runID: "c")
        let c = replica(3, priority: 100, offset: 20, runID: "z")
        let d = replica(4, priority: 100, offset: 20, runID: "A")
        let e = replica(5, priority: 100, offset: 20, runID: nil)
        let sorted = [a, b, c, d, e].sorted(by: Sentinel.betterCandidate).map(\.address.port)
        #expect(sorted == [2, 4, 3, 5, 1])

        var sim = failoverSimulation()
        sim.redis[1].replicaPriority = 0
        sim.startAll()
        discover(&sim)
        let master = sim.nodes[0].sentinel.masters["mymaster"]!
        #expect(sim.nodes[0].sentinel.promotionCandidates(master).map(\.address.port) == [6381])
        sim.crashRedis(2)
        sim.run(for: 6_000)
        let later = sim.nodes[0].sentinel.masters["mymaster"]!
        #expect(sim.nodes[0].sentinel.promotionCandidates(later).isEmpty)
    }

    @Test("our own vote and new epoch are persisted in the same batch as the vote requests")
    func votePersistedWithRequests() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        let client = sim.connectClient(to: 0)
        let actions = sim.nodes[0].sentinel.handle(.clientCommand(client, ["SENTINEL", "FAILOVER", "mymaster"]), now: sim.now)
        guard let persist = actions.lastIndex(where: { if case .persistConfig = $0 { true } else { false } }),
            case .persistConfig(let saved, _) = actions[persist]
        else {
            Issue.record("no persistConfig in \(actions)")
            return
        }
        #expect(saved.currentEpoch == 1)
        #expect(saved.masters[0].leaderEpoch == 1)
    }
}

@Suite("Failover persistence")
struct FailoverPersistenceTests {
    @Test("from RECONF_SLAVES on, the persisted monitor line names the promoted replica and lists the old master")
    func persistedMidFailover() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        _ = sim.ask(0, "SENTINEL", "FAILOVER", "mymaster")
        var steps = 0
        while sim.nodes[0].sentinel.masterNamed("mymaster")?.failoverState != .reconfSlaves && steps < 5_000 {
            sim.run(for: 1)
            steps += 1
        }
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.failoverState == .reconfSlaves)
        let config = sim.nodes[0].sentinel.config.masters[0]
        let chosen = sim.nodes[0].sentinel[master: "mymaster"].promotedReplica!
        #expect(config.address.description == chosen)
        #expect(config.knownReplicas.contains(HostPort("127.0.0.1", 6379)))
        #expect(!config.knownReplicas.contains { $0.description == chosen })
        #expect(config.configEpoch == 1)
        // After the switch the same holds, from the master's new address.
        _ = sim.runUntil(timeout: 20_000) { s in !s.events(0, "+switch-master").isEmpty }
        let after = sim.nodes[0].persisted.last!.masters[0]
        #expect(after.address.description == chosen)
        #expect(Set(after.knownReplicas.map(\.port)) == Set([6379, 6380, 6381].filter { "127.0.0.1:\($0)" != chosen }))
    }
}

extension FailoverPersistenceTests {
    @Test("a replica at the old master's own address is written once mid-failover, so the file loads again")
    func persistedMidFailoverNoDuplicate() throws {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        // As if the master's INFO had listed itself among its replicas (found by fuzzing INFO).
        sim.nodes[0].sentinel.addReplica(HostPort("127.0.0.1", 6379), to: "mymaster")
        _ = sim.ask(0, "SENTINEL", "FAILOVER", "mymaster")
        var steps = 0
        while sim.nodes[0].sentinel.masterNamed("mymaster")?.failoverState != .reconfSlaves && steps < 5_000 {
            sim.run(for: 1)
            steps += 1
        }
        #expect(sim.nodes[0].sentinel.masterNamed("mymaster")?.failoverState == .reconfSlaves)
        let config = sim.nodes[0].sentinel.config
        #expect(config.masters[0].knownReplicas.filter { $0 == HostPort("127.0.0.1", 6379) }.count == 1)
        let text = ConfigRewriter.rewrite(original: "", config: config)
        _ = try ConfigParser.parse(text, fileName: "persisted.conf")
    }
}

@Suite("Failover scripts")
struct FailoverScriptTests {
    @Test("client-reconfig-script: the leader runs it at promotion, observers when they switch")
    func clientReconfigScript() {
        var sim = failoverSimulation()
        for i in sim.nodes.indices {
            var config = sim.nodes[i].sentinel.config
            config.masters[0].clientReconfigScript = "/usr/local/bin/reconfig.sh"
            sim.nodes[i].sentinel = Sentinel(config: config, seed: UInt64(i) + 70)
        }
        sim.startAll()
        discover(&sim)
        sim.crashRedis(0)
        let switched = sim.runUntilSwitchedEverywhere(timeout: 30_000)
        #expect(switched != nil)
        sim.run(for: 500)  // queued scripts start on the next tick
        let newPort = sim.nodes[0].sentinel[master: "mymaster"].address.port
        for i in sim.nodes.indices {
            let role = sim.events(i, "+elected-leader").isEmpty ? "observer" : "leader"
            let runs = sim.nodes[i].scripts.filter { $0.first == "/usr/local/bin/reconfig.sh" }
            #expect(
                runs == [
                    [
                        "/usr/local/bin/reconfig.sh", "mymaster", role, "start", "127.0.0.1", "6379", "127.0.0.1",
                        "\(newPort)",
                    ]
                ], "node \(i)")
        }
    }
}

@Suite("Failover under faults (simulated)")
struct FailoverFaultTests {
    @Test(
        "message delays and connection resets only slow things down: one leader per epoch, one final master and epoch",
        arguments: [3, 5], 1...8)
    func faults(sentinels: Int, seed: UInt64) {
        var sim = failoverSimulation(sentinels: sentinels, quorum: sentinels / 2 + 1, seed: seed)
        sim.faultRNG = SplitMix64(seed: seed &+ 1000)
        sim.startAll()
        discover(&sim)
        sim.jitter = 40
        sim.resetRate = 0.01
        sim.crashRedis(0)
        let converged = sim.runUntil(timeout: 120_000) { s in
            let masters = s.nodes.map { $0.sentinel[master: "mymaster"] }
            return Set(masters.map(\.address)).count == 1 && masters[0].address.port != 6379
                && Set(masters.map(\.config.configEpoch)).count == 1 && masters.allSatisfy { !$0.failoverInProgress }
        }
        #expect(converged != nil, "seed \(seed), \(sentinels) sentinels: no agreement")
        // The Redis side agrees: one master, and it is the one the sentinels name.
        #expect(sim.currentRedisMaster() == sim.nodes[0].sentinel[master: "mymaster"].address)
        var leaders: [Epoch: Set<Int>] = [:]
        for i in sim.nodes.indices {
            for epoch in sim.electedEpochs(i) { leaders[epoch, default: []].insert(i) }
        }
        for (epoch, set) in leaders { #expect(set.count <= 1, "seed \(seed): epoch \(epoch) has leaders \(set)") }
    }

    @Test("a sentinel never votes twice in one epoch, also after a restart from its config file")
    func noDoubleVoteAcrossRestart() {
        var sim = failoverSimulation()
        sim.startAll()
        discover(&sim)
        let a = String(repeating: "a", count: 40)
        let b = String(repeating: "b", count: 40)
        let first = sim.ask(1, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "5", a)
        #expect(first == .array([.integer(0), .bulkString(a), .integer(5)]))
        // The vote is on disk before the answer.
        #expect(sim.nodes[1].persisted.last?.masters[0].leaderEpoch == 5)
        sim.crashSentinel(1)
        sim.restartSentinel(1, seed: 4242)
        sim.run(for: 500)
        let second = sim.ask(1, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "5", b)
        // No new vote in epoch 5: the reply names no leader (the runid voted for is not persisted).
        if case .array(let e)? = second {
            #expect(e.count == 3 && e[1] != .bulkString(b) && e[2] == .integer(5))
        } else {
            Issue.record("unexpected reply \(String(describing: second))")
        }
        #expect(sim.events(1, "+vote-for-leader").filter { $0.hasPrefix(b) }.isEmpty)
        // A higher epoch gets a vote.
        let third = sim.ask(1, "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "6", b)
        #expect(third == .array([.integer(0), .bulkString(b), .integer(6)]))
    }
}
