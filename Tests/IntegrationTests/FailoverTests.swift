import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Integration {
    /// Failure detection (SDOWN/ODOWN), leader election and failover with real processes: one
    /// master, two replicas and three sentinels (quorum 2, down-after-milliseconds 1000,
    /// failover-timeout 10000), each sentinel's events recorded from a `PSUBSCRIBE *`.
    ///
    /// Every expectation was checked against Debian's redis-sentinel 7.0.15
    /// (`SENTINEL_BIN=/usr/bin/redis-sentinel`). That one desynchronises elections by up to 1 s
    /// and promotes only after an INFO round, so a crash failover takes a few seconds there; the
    /// waits below are generous for a loaded 2-core machine.
    @Suite("Failover")
    struct FailoverTests {
        /// From a crash (or a SENTINEL FAILOVER) to +switch-master on every sentinel.
        static let failoverWait: Duration = .seconds(60)
        /// From the crash to +sdown on every sentinel (down-after is 1 s).
        static let detectionWait: Duration = .seconds(20)
        /// For replicas to follow a new master (INFO every 10 s, a full sync each).
        static let replicationWait: Duration = .seconds(40)

        static let masterName = Cluster.masterName

        // MARK: 0. scripts during a crash failover

        @Test("scripts get the right arguments: client-reconfig (leader and observers) and notification events",
              .timeLimit(.minutes(3)))
        func scriptsDuringFailover() async throws {
            let scripts = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-scripts-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scripts) }
            func script(_ name: String) throws -> String {
                let path = scripts.appendingPathComponent(name).path
                let log = scripts.appendingPathComponent("\(name).log").path
                try "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '\(log)'\n".write(toFile: path, atomically: true, encoding: .utf8)
                chmod(path, 0o755)
                return path
            }
            let reconfig = try script("reconfig.sh")
            let notify = try script("notify.sh")
            let fixture = try await FailoverCluster.start(sentinelLines: [
                "sentinel client-reconfig-script \(Self.masterName) \(reconfig)",
                "sentinel notification-script \(Self.masterName) \(notify)",
            ])
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let oldPort = try #require(fixture.cluster.master).port
            let crash = try await Self.crashMaster(fixture)
            let newPort = crash.switched.newPort
            let reconfigLog = scripts.appendingPathComponent("reconfig.sh.log").path
            func lines(_ path: String) -> [String] {
                ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            }
            try await eventually(timeout: .seconds(15), interval: .milliseconds(20), "3 client-reconfig-script runs",
                                 diagnostics: fixture.diagnostics) { lines(reconfigLog).count >= 3 }
            let runs = lines(reconfigLog).sorted()
            let tail = "start 127.0.0.1 \(oldPort) 127.0.0.1 \(newPort)"
            #expect(runs == [
                "\(Self.masterName) leader \(tail)", "\(Self.masterName) observer \(tail)",
                "\(Self.masterName) observer \(tail)",
            ], "client-reconfig-script runs: \(runs)")
            let notifyLog = scripts.appendingPathComponent("notify.sh.log").path
            try await eventually(timeout: .seconds(15), interval: .milliseconds(20), "+switch-master reaches the notification script",
                                 diagnostics: fixture.diagnostics) {
                lines(notifyLog).filter { $0.hasPrefix("+switch-master ") }.count >= 3
            }
            let notified = lines(notifyLog)
            #expect(notified.contains("+sdown master \(Self.masterName) 127.0.0.1 \(oldPort)"), "notifications: \(notified)")
            #expect(notified.contains("+switch-master \(Self.masterName) 127.0.0.1 \(oldPort) 127.0.0.1 \(newPort)"))
            #expect(notified.contains { $0.hasPrefix("+elected-leader master \(Self.masterName) ") })
        }

        // MARK: 1. crash failover

        @Test("kill -9 of the master: one elected leader promotes a replica, every sentinel switches",
              .timeLimit(.minutes(3)))
        func crashFailover() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let sentinels = fixture.sentinels
            let ids = try sentinels.map { try $0.myID() }
            let oldMaster = try #require(cluster.master)
            let oldPort = oldMaster.port

            let crash = try await Self.crashMaster(fixture)
            let newPort = crash.switched.newPort
            let promoted = try #require(cluster.node(port: newPort), "switched to \(newPort), not a replica")
            let otherReplica = try #require(cluster.replicas.first { $0.port != newPort })
            #expect(cluster.replicas.contains { $0 === promoted }, "the promoted node must be one of the replicas")
            let diagnostics = fixture.diagnostics

            // Every sentinel saw the master go down subjectively, or learned the new master from
            // the leader's hello first (see crashMaster; crashMaster checks that a quorum did).
            let masterDetails = "master \(Self.masterName) 127.0.0.1 \(oldPort)"
            for subscriber in fixture.subscribers {
                let switchedFirst = subscriber.events.first {
                    $0.channel == "+switch-master" || ($0.channel == "+sdown" && $0.message == masterDetails)
                }?.channel == "+switch-master"
                #expect(subscriber.has("+sdown") { $0.message == masterDetails } || switchedFirst,
                        "\(subscriber.label) did not publish +sdown \(masterDetails)\n\(diagnostics())")
                #expect(subscriber.has("+switch-master") {
                    $0.message == "\(Self.masterName) 127.0.0.1 \(oldPort) 127.0.0.1 \(newPort)"
                }, "\(subscriber.label): +switch-master")
            }

            // Exactly one leader, which went through the whole state machine in order.
            let leaders = fixture.subscribers.filter { $0.has("+elected-leader") }
            try #require(leaders.count == 1,
                         "exactly one sentinel must publish +elected-leader, got \(leaders.map(\.label))\n\(diagnostics())")
            let leader = leaders[0]
            let leaderIndex = try #require(fixture.subscribers.firstIndex { $0 === leader })
            let replicaDetails = "slave 127.0.0.1:\(newPort) 127.0.0.1 \(newPort) @ \(Self.masterName) 127.0.0.1 \(oldPort)"
            let expectedSequence: [(String, (EventSubscriber.Event) -> Bool)] = [
                ("+sdown", { $0.message == masterDetails }),
                ("+odown", { $0.message.hasPrefix(masterDetails + " #quorum ") }),
                ("+try-failover", { $0.message == masterDetails }),
                ("+elected-leader", { $0.message == masterDetails }),
                ("+selected-slave", { $0.message == replicaDetails }),
                ("+promoted-slave", { $0.message == replicaDetails }),
                ("+failover-end", { $0.message == masterDetails }),
                ("+switch-master", { $0.message.hasPrefix("\(Self.masterName) 127.0.0.1 \(oldPort) ") }),
            ]
            let leaderEvents = leader.events
            var cursor = leaderEvents.startIndex
            for (channel, matches) in expectedSequence {
                guard let index = leaderEvents[cursor...].firstIndex(where: { $0.channel == channel && matches($0) }) else {
                    Issue.record("the leader \(leader.label) published no \(channel) (with the expected message) after the events before it in: \(expectedSequence.map(\.0))\n\(leader.transcript())")
                    break
                }
                cursor = index
            }
            for other in fixture.subscribers where other !== leader {
                for channel in ["+selected-slave", "+promoted-slave", "+failover-end"] {
                    #expect(!other.has(channel), "\(other.label) is not the leader but published \(channel)")
                }
            }

            // swift-sentinel's timeline: the leader ends with one +failover-summary (issue 15).
            if !Binaries.sentinelOverridden {
                let summary = try await leader.waitFor(
                    "+failover-summary", timeout: .seconds(5), where: { $0.message.contains("outcome=ok") },
                    diagnostics: fixture.diagnostics)
                let fields = FailoverSummaryFields(summary.message)
                #expect(fields["kind"] == "automatic" && fields["target"] == "127.0.0.1:\(newPort)", "\(summary.message)")
                #expect(fields.phases == ["election", "promotion", "reconfiguration"], "\(summary.message)")
                #expect(fields.millis("total") == fields.phaseMillis.reduce(0, +), "\(summary.message)")
                #expect(fields["write-pause"] == nil, "no pause in a crash failover: \(summary.message)")
                print("integration: crash failover summary: \(summary.message)")
            }

            // The failover epoch: the +new-epoch right before the leader's (last) +try-failover.
            let tryIndex = try #require(leaderEvents.lastIndex { $0.channel == "+try-failover" })
            let epochEvent = try #require(leaderEvents[..<tryIndex].last { $0.channel == "+new-epoch" },
                                          "the leader published no +new-epoch before +try-failover\n\(leader.transcript())")
            let epoch = try #require(Int(epochEvent.message), "+new-epoch \(epochEvent.message)")
            #expect(epoch >= 1)
            // A leader needs a majority (2 of 3) of votes for itself in its epoch.
            let leaderID = ids[leaderIndex]
            let voters = fixture.subscribers.filter { $0.has("+vote-for-leader") { $0.message == "\(leaderID) \(epoch)" } }
            #expect(voters.count >= 2,
                    "+vote-for-leader \(leaderID) \(epoch) was published by \(voters.map(\.label)) only; the leader needs 2 of 3 votes\n\(diagnostics())")
            let candidates = fixture.subscribers.filter { $0.has("+try-failover") }
            if candidates.count > 1 {
                // Allowed by the protocol (two sentinels may reach ODOWN in the same epoch); only one can win.
                print("integration: note: \(candidates.count) sentinels published +try-failover: \(candidates.map(\.label))")
            }

            // Clients asking any sentinel get the promoted replica.
            try await fixture.waitForMasterAddress(newPort, on: sentinels, timeout: .seconds(10))
            // The data nodes follow.
            try await fixture.waitForReplication(master: newPort, replicas: [otherReplica], timeout: Self.replicationWait)

            // Epochs: every sentinel stores the failover epoch as the master's config-epoch, and
            // they agree on current-epoch (persisted in each config file).
            try await eventually(
                timeout: .seconds(15), "every sentinel reports config-epoch \(epoch) for \(Self.masterName) at port \(newPort)",
                diagnostics: diagnostics
            ) {
                try sentinels.allSatisfy { sentinel in
                    let state = try sentinel.masterState()
                    return state["config-epoch"] == String(epoch) && state["port"] == String(newPort)
                }
            }
            var persisted: [Int?] = []
            try await eventually(
                timeout: .seconds(15), "every sentinel's config file has the same sentinel current-epoch (>= \(epoch))",
                diagnostics: { "current-epoch lines: \(persisted)\n\(diagnostics())" }
            ) {
                persisted = try sentinels.map { try fixture.persistedCurrentEpoch($0) }
                return Set(persisted).count == 1 && (persisted[0] ?? 0) >= epoch
            }
            // The old master is kept as a (down) replica of the new one.
            try await eventually(
                timeout: .seconds(15), "every sentinel lists \(oldMaster.address) and \(otherReplica.address) as replicas",
                diagnostics: diagnostics
            ) {
                try sentinels.allSatisfy { sentinel in
                    let listed = Set(try sentinel.instances("REPLICAS").map { "\($0["ip"] ?? "?"):\($0["port"] ?? "?")" })
                    return listed == [oldMaster.address, otherReplica.address]
                }
            }

            Self.printTimeline("crash failover", crash: crash, fixture: fixture, leader: leader)
        }

        // MARK: 2. the old master comes back

        @Test("the killed master restarted on its port is turned into a replica of the new master",
              .timeLimit(.minutes(3)))
        func oldMasterRejoinsAsReplica() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let oldMaster = try #require(cluster.master)
            let oldPort = oldMaster.port

            let crash = try await Self.crashMaster(fixture)
            let newPort = crash.switched.newPort
            try await fixture.waitForReplication(
                master: newPort, replicas: cluster.replicas.filter { $0.port != newPort }, timeout: Self.replicationWait)

            // After the switch every sentinel lists the old master as a replica of the new one,
            // and it is down.
            let details = "slave 127.0.0.1:\(oldPort) 127.0.0.1 \(oldPort) @ \(Self.masterName) 127.0.0.1 \(newPort)"
            for subscriber in fixture.subscribers {
                try await subscriber.waitFor("+sdown", timeout: Self.detectionWait, where: { $0.message == details },
                                             "+sdown \(details)", diagnostics: fixture.diagnostics)
            }

            // Back on its old port, started as a master (no --replicaof), with an empty dataset.
            let restartedAt = ContinuousClock.now
            try await oldMaster.restart()
            #expect(try oldMaster.info("replication")["role"] == "master")

            // One sentinel (whichever gets there first) reconfigures it, after 8 s of it
            // reporting role:master.
            try await eventually(
                timeout: .seconds(60), interval: .milliseconds(10), "some sentinel publishes +convert-to-slave \(details)",
                diagnostics: fixture.diagnostics
            ) {
                fixture.subscribers.contains { $0.has("+convert-to-slave") { $0.message == details } }
            }
            let converted = fixture.subscribers.compactMap { $0.first("+convert-to-slave") { $0.message == details } }
            for subscriber in fixture.subscribers {
                try await subscriber.waitFor("-sdown", timeout: Self.detectionWait, where: { $0.message == details },
                                             "-sdown \(details) once the old master is back", diagnostics: fixture.diagnostics)
            }
            try await fixture.waitForReplication(master: newPort, replicas: [oldMaster], timeout: Self.replicationWait)

            // Every sentinel lists it as a healthy replica of the new master.
            try await eventually(
                timeout: .seconds(40),
                "every sentinel lists \(oldMaster.address) in SENTINEL REPLICAS with flags slave and master-port \(newPort)",
                diagnostics: fixture.diagnostics
            ) {
                try fixture.sentinels.allSatisfy { sentinel in
                    try sentinel.instances("REPLICAS").contains { replica in
                        replica["port"] == String(oldPort) && replica["flags"] == "slave"
                            && replica["master-port"] == String(newPort) && replica["master-link-status"] == "ok"
                    }
                }
            }
            let convertedAfter = (converted.map(\.time).min() ?? restartedAt) - restartedAt
            print("integration: old master back (\(Self.binaryName(fixture))): +convert-to-slave \(convertedAfter.secondsText) after its restart, by \(fixture.subscribers.filter { $0.has("+convert-to-slave") }.map(\.label))")
        }

        // MARK: 3. SENTINEL FAILOVER

        @Test("SENTINEL FAILOVER: errors for an unknown master, no usable replica and a failover in progress; a forced failover completes",
              .timeLimit(.minutes(3)))
        func forcedFailover() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let sentinel = fixture.sentinels[0]
            let oldMaster = try #require(cluster.master)

            let unknown = try sentinel.command("SENTINEL", "FAILOVER", "nosuch")
            #expect(unknown == .simpleError("ERR No such master with that name"), "SENTINEL FAILOVER nosuch: \(unknown)")

            // No usable replica: both have replica-priority 0, and the sentinel knows it (INFO).
            try await Self.setReplicaPriority(0, fixture: fixture, seenBy: [sentinel])
            let noGood = try sentinel.command("SENTINEL", "FAILOVER", Self.masterName)
            #expect(noGood == .simpleError("NOGOODSLAVE No suitable replica to promote"),
                    "SENTINEL FAILOVER with both replicas at replica-priority 0: \(noGood)")
            #expect(!fixture.subscribers.contains { $0.has("+try-failover") }, "a refused SENTINEL FAILOVER must not start a failover")
            try await Self.setReplicaPriority(100, fixture: fixture, seenBy: [sentinel])

            // The forced failover: no agreement needed, the master is healthy.
            let client = try sentinel.client()
            let requestedAt = ContinuousClock.now
            let accepted = try client.send("SENTINEL", "FAILOVER", Self.masterName)
            let again = try client.send("SENTINEL", "FAILOVER", Self.masterName)
            #expect(again == .simpleError("INPROG Failover already in progress"), "a second SENTINEL FAILOVER right after the first: \(again)")
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER \(Self.masterName): \(accepted)\n\(fixture.diagnostics())")

            let switched = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: Self.failoverWait)
            let newPort = switched.newPort
            #expect(cluster.replicas.contains { $0.port == newPort }, "promoted \(newPort), not a replica")
            let leader = fixture.events(of: sentinel)
            for channel in ["+new-epoch", "+try-failover", "+elected-leader", "+selected-slave", "+promoted-slave", "+failover-end"] {
                #expect(leader.has(channel), "\(leader.label) ran SENTINEL FAILOVER but published no \(channel)\n\(leader.transcript())")
            }
            for other in fixture.subscribers where other !== leader {
                for channel in ["+try-failover", "+elected-leader", "+promoted-slave"] {
                    #expect(!other.has(channel), "\(other.label) published \(channel) during another sentinel's forced failover")
                }
            }
            try await fixture.waitForMasterAddress(newPort, on: fixture.sentinels, timeout: .seconds(10))
            // The old master was alive all along: it and the other replica end up replicating
            // from the promoted one.
            let followers = cluster.dataNodes.filter { $0.port != newPort }
            try await fixture.waitForReplication(master: newPort, replicas: followers, timeout: .seconds(60))
            print("integration: SENTINEL FAILOVER (\(Self.binaryName(fixture))): last +switch-master \((switched.last - requestedAt).secondsText) after the command; old master a replica of the new one after \((ContinuousClock.now - requestedAt).secondsText)")
        }

        // MARK: 4. redis-py follows a failover

        @Test("a redis-py writer (Sentinel.master_for) keeps writing across a crash failover and lands on the promoted replica",
              .timeLimit(.minutes(3)))
        func redisPyFollowsFailover() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let oldPort = cluster.master.port

            let writer = try DemoWriter.start(fixture, interval: 0.01)
            defer { writer.kill() }
            try await writer.waitForAcks(50, on: oldPort)

            let crash = try await Self.crashMaster(fixture)
            let newPort = crash.switched.newPort
            try await writer.waitForAcks(50, on: newPort)
            let summary = try await writer.stop()

            let all = writer.acks()
            let unexpected = all.filter { $0.port != oldPort && $0.port != newPort }
            #expect(unexpected.isEmpty, "writes acknowledged by neither the old nor the new master: \(unexpected.prefix(5))")
            // Once a write has been acknowledged by the new master, every later one is too.
            let firstOnNew = try #require(all.firstIndex { $0.port == newPort })
            let strays = all[firstOnNew...].filter { $0.port != newPort }
            #expect(strays.isEmpty, "writes acknowledged by \(oldPort) after the first one on \(newPort): \(strays.prefix(5))")
            // Those writes really are on the promoted node.
            let promoted = try #require(cluster.node(port: newPort))
            let missing = try writer.missing(on: newPort, among: Array(all[firstOnNew...]))
            #expect(missing.isEmpty, "\(missing.count) acknowledged writes missing on \(promoted.address): \(missing.prefix(5))")
            #expect(try promoted.info("replication")["role"] == "master")
            print("integration: redis-py across a crash failover (\(Self.binaryName(fixture))): \(summary); \(all.count - firstOnNew) acknowledged by the new master \(newPort); last +switch-master \((crash.switched.last - crash.killedAt).secondsText) after the kill")
        }

        // MARK: 5. SDOWN without ODOWN, and ODOWN without a usable replica

        @Test("a paused master with an unreachable quorum: +sdown and -sdown, never +odown, no failover",
              .timeLimit(.minutes(2)))
        func sdownWithoutQuorum() async throws {
            let fixture = try await FailoverCluster.start(failoverTimeoutMilliseconds: 60000)
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let master = try #require(cluster.master)
            defer { master.resume() }
            let sentinels = fixture.sentinels
            for sentinel in sentinels {
                let reply = try sentinel.command("SENTINEL", "SET", Self.masterName, "quorum", "4")
                #expect(reply == .simpleString("OK"), "\(sentinel.label): SENTINEL SET quorum 4: \(reply)")
            }
            try await eventually(timeout: .seconds(5), "every sentinel reports quorum 4", diagnostics: fixture.diagnostics) {
                try sentinels.allSatisfy { try $0.masterState()["quorum"] == "4" }
            }

            let details = "master \(Self.masterName) 127.0.0.1 \(master.port)"
            let pausedAt = ContinuousClock.now
            try master.pause()
            for subscriber in fixture.subscribers {
                try await subscriber.waitFor("+sdown", timeout: Self.detectionWait, where: { $0.message == details },
                                             "+sdown \(details)", diagnostics: fixture.diagnostics)
            }
            let sdownAfter = fixture.subscribers.compactMap { $0.first("+sdown") { $0.message == details }?.time }.max()! - pausedAt
            // Three sentinels can never make a quorum of 4. Give ODOWN every chance to appear
            // (asks go out every second) before resuming.
            try await Task.sleep(for: .seconds(4))
            for sentinel in sentinels {
                let flags = try sentinel.masterState()["flags"] ?? ""
                #expect(flags.split(separator: ",").contains("s_down") && !flags.contains("o_down"),
                        "\(sentinel.label) flags while the master is paused: \(flags)")
            }
            master.resume()
            for subscriber in fixture.subscribers {
                try await subscriber.waitFor("-sdown", timeout: Self.detectionWait, where: { $0.message == details },
                                             "-sdown \(details)", diagnostics: fixture.diagnostics)
            }
            for subscriber in fixture.subscribers {
                for channel in ["+odown", "+try-failover", "+elected-leader", "+switch-master"] {
                    #expect(!subscriber.has(channel), "\(subscriber.label) published \(channel) with quorum 4 of 3 sentinels\n\(subscriber.transcript())")
                }
            }
            try await eventually(timeout: .seconds(10), "every sentinel reports flags master again", diagnostics: fixture.diagnostics) {
                try sentinels.allSatisfy { try $0.masterState()["flags"] == "master" }
            }
            for sentinel in sentinels {
                #expect(try cluster.currentMasterPort(on: sentinel) == master.port)
            }
            print("integration: paused master (\(Self.binaryName(fixture))): +sdown on every sentinel \(sdownAfter.secondsText) after SIGSTOP (down-after 1 s)")
        }

        @Test("a paused master with no promotable replica: +odown, the failover aborts with no good replica, -odown after resuming",
              .timeLimit(.minutes(2)))
        func odownWithoutGoodReplica() async throws {
            let fixture = try await FailoverCluster.start(failoverTimeoutMilliseconds: 60000)
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let master = try #require(cluster.master)
            defer { master.resume() }
            try await Self.setReplicaPriority(0, fixture: fixture, seenBy: fixture.sentinels)

            let details = "master \(Self.masterName) 127.0.0.1 \(master.port)"
            try master.pause()
            for subscriber in fixture.subscribers {
                try await subscriber.waitFor("+sdown", timeout: Self.detectionWait, where: { $0.message == details },
                                             "+sdown \(details)", diagnostics: fixture.diagnostics)
            }
            var aborted: EventSubscriber?
            try await eventually(
                timeout: Self.failoverWait, interval: .milliseconds(10),
                "some sentinel publishes -failover-abort-no-good-slave \(details)", diagnostics: fixture.diagnostics
            ) {
                aborted = fixture.subscribers.first { $0.has("-failover-abort-no-good-slave") { $0.message == details } }
                return aborted != nil
            }
            let leader = try #require(aborted)
            for channel in ["+sdown", "+odown", "+try-failover", "+elected-leader", "+failover-state-select-slave"] {
                #expect(leader.has(channel) { $0.message.hasPrefix(details) }, "\(leader.label) aborted but published no \(channel)\n\(leader.transcript())")
            }
            let odown = try #require(leader.first("+odown"))
            #expect(odown.message.hasPrefix("\(details) #quorum ") && odown.message.hasSuffix("/2"), "+odown \(odown.message)")
            if !Binaries.sentinelOverridden {
                // swift-sentinel says why no replica qualified, replica by replica (redis/redis#7825).
                let index = try #require(fixture.subscribers.firstIndex { $0 === leader })
                let why = fixture.sentinels[index].log().split(separator: "\n").last { $0.contains("No replica to promote for '\(Self.masterName)'") }
                #expect(why?.contains("replica-priority 0") == true, "exclusions logged: \(why ?? "none")")
                print("integration: no good replica: \(why ?? "none")")
            }
            master.resume()
            for subscriber in fixture.subscribers {
                try await subscriber.waitFor("-sdown", timeout: Self.detectionWait, where: { $0.message == details },
                                             "-sdown \(details)", diagnostics: fixture.diagnostics)
            }
            try await leader.waitFor("-odown", timeout: Self.detectionWait, where: { $0.message == details },
                                     "-odown \(details)", diagnostics: fixture.diagnostics)
            for subscriber in fixture.subscribers {
                for channel in ["+selected-slave", "+promoted-slave", "+switch-master"] {
                    #expect(!subscriber.has(channel), "\(subscriber.label) published \(channel) with no promotable replica")
                }
                // Every sentinel that said +odown takes it back.
                if subscriber.has("+odown") {
                    try await subscriber.waitFor("-odown", timeout: Self.detectionWait, where: { $0.message == details },
                                                 "-odown \(details)", diagnostics: fixture.diagnostics)
                }
            }
            for sentinel in fixture.sentinels {
                #expect(try cluster.currentMasterPort(on: sentinel) == master.port)
            }
            try await fixture.waitForReplication(master: master.port, replicas: cluster.replicas, timeout: .seconds(20))
        }

        // MARK: 6. SENTINEL SIMULATE-FAILURE

        @Test("SENTINEL SIMULATE-FAILURE: help, bad flags, and crash-after-election / crash-after-promotion exit with 99",
              .timeLimit(.minutes(2)))
        func simulateFailure() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let oldMaster = try #require(cluster.master)
            let first = fixture.sentinels[0]
            let second = fixture.sentinels[1]

            let help = try first.command("SENTINEL", "SIMULATE-FAILURE", "help")
            #expect(help == .array([.bulkString("crash-after-election"), .bulkString("crash-after-promotion")]),
                    "SENTINEL SIMULATE-FAILURE help: \(help)")
            let lowerHelp = try first.command("sentinel", "simulate-failure", "HELP")
            #expect(lowerHelp == help, "sentinel simulate-failure HELP: \(lowerHelp)")
            let bad = try first.command("SENTINEL", "SIMULATE-FAILURE", "no-such-failure")
            #expect(bad == .simpleError("ERR Unknown failure simulation specified"), "unknown flag: \(bad)")
            let none = try first.command("SENTINEL", "SIMULATE-FAILURE")
            #expect(none == .simpleError("ERR wrong number of arguments for 'sentinel|simulate-failure' command"), "no flag: \(none)")

            // crash-after-election: the forced failover elects this sentinel, which then exits
            // with 99 before promoting anything.
            let flagSet = try first.command("SENTINEL", "SIMULATE-FAILURE", "crash-after-election")
            try #require(flagSet == .simpleString("OK"), "SENTINEL SIMULATE-FAILURE crash-after-election: \(flagSet)")
            Self.forceFailoverExpectingCrash(first)
            try await Self.waitForExit(first, fixture: fixture)
            #expect(first.exitStatus == 99, "\(first.label) exit status after crash-after-election: \(first.exitStatus ?? -1)")
            for replica in cluster.replicas {
                let info = try replica.info("replication")
                #expect(info["role"] == "slave" && info["master_port"] == String(oldMaster.port),
                        "\(replica.address) must still replicate from the old master: \(replica.replicationSummary())")
            }

            // crash-after-promotion: this one exits with 99 once its replica reports role:master.
            let secondFlagSet = try second.command("SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion")
            try #require(secondFlagSet == .simpleString("OK"), "SENTINEL SIMULATE-FAILURE crash-after-promotion: \(secondFlagSet)")
            Self.forceFailoverExpectingCrash(second)
            try await Self.waitForExit(second, fixture: fixture)
            #expect(second.exitStatus == 99, "\(second.label) exit status after crash-after-promotion: \(second.exitStatus ?? -1)")
            let promoted = try cluster.replicas.filter { try $0.info("replication")["role"] == "master" }
            #expect(promoted.count == 1, "exactly one replica must have been promoted before the crash: \(cluster.replicationSummary())")
        }

        // MARK: 7. TILT

        @Test("a sentinel paused for longer than the TILT trigger enters TILT and leaves it after the TILT period",
              .timeLimit(.minutes(2)))
        func tilt() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let sentinel = fixture.sentinels[0]
            defer { sentinel.resume() }
            let events = fixture.events(of: sentinel)
            let shortened = try sentinel.command("SENTINEL", "DEBUG", "tilt-period", "5000")
            #expect(shortened == .simpleString("OK"), "SENTINEL DEBUG tilt-period 5000: \(shortened)")

            try sentinel.pause()
            let pausedAt = ContinuousClock.now
            try await Task.sleep(for: .seconds(3))
            sentinel.resume()
            let resumedAt = ContinuousClock.now
            let entered = try await events.waitFor("+tilt", timeout: .seconds(10), "+tilt", diagnostics: {
                let info = (try? sentinel.command("INFO", "sentinel").string) ?? "?"
                return "paused for \((resumedAt - pausedAt).secondsText)\n\(sentinel.label) INFO sentinel:\n\(info)\n" + fixture.diagnostics()
            })
            #expect(entered.message == "#tilt mode entered")
            let tiltInfo = INFOText.fields(try sentinel.command("INFO", "sentinel").string ?? "")
            #expect(tiltInfo["sentinel_tilt"] == "1", "INFO sentinel in TILT: \(tiltInfo)")
            let exited = try await events.waitFor("-tilt", timeout: .seconds(30), "-tilt", diagnostics: fixture.diagnostics)
            #expect(exited.message == "#tilt mode exited")
            #expect(INFOText.fields(try sentinel.command("INFO", "sentinel").string ?? "")["sentinel_tilt"] == "0")
            // The other sentinels were never paused.
            for other in fixture.subscribers where other !== events {
                #expect(!other.has("+tilt"), "\(other.label) entered TILT without being paused")
            }
            print("integration: TILT (\(Self.binaryName(fixture))): +tilt \((entered.time - events.subscribedAt).secondsText), -tilt \((exited.time - entered.time).secondsText) later (tilt-period 5 s)")
        }
    }
}

// MARK: - helpers

extension Integration.FailoverTests {
    struct Crash {
        let killedAt: ContinuousClock.Instant
        let switched: FailoverCluster.Switch
    }

    /// kill -9 of the node started as the master, then waits for +switch-master on every
    /// sentinel. The wait goes in stages (+sdown on a quorum of sentinels, +odown somewhere, an
    /// +elected-leader, then +switch-master everywhere, `failoverWait` in all from the kill), so
    /// that a failure names the first step that did not happen.
    ///
    /// A sentinel whose down-after window started late (its last PING was answered just before
    /// the kill) may learn the new master from the leader's hello before its own SDOWN: it
    /// switches without ever publishing +sdown for the old master, as redis-sentinel does. So
    /// each sentinel must publish +sdown *or* +switch-master, and at least a quorum +sdown.
    static func crashMaster(_ fixture: FailoverCluster) async throws -> Crash {
        let master = fixture.cluster.master!
        let details = "master \(masterName) 127.0.0.1 \(master.port)"
        // Sentinel reopens a dropped connection at most once per ping period (1 s) after the
        // previous attempt, and the reopen's PING restarts the SDOWN clock (as in Redis). Links
        // opened less than 1 s ago would add up to a second to detection, so let them age first:
        // the figures printed below are then those of a settled deployment.
        try await Task.sleep(for: .milliseconds(1100))
        let killedAt = ContinuousClock.now
        master.kill()
        let switchPrefix = "\(masterName) 127.0.0.1 \(master.port) "
        for subscriber in fixture.subscribers {
            try await eventually(
                timeout: detectionWait, interval: .milliseconds(10),
                "\(subscriber.label) publishes +sdown \(details) (or +switch-master) after the kill",
                diagnostics: { "\(subscriber.transcript())\n\(fixture.diagnostics())" }
            ) {
                subscriber.has("+sdown") { $0.message == details }
                    || subscriber.has("+switch-master") { $0.message.hasPrefix(switchPrefix) }
            }
        }
        let sdowns = fixture.subscribers.filter { $0.has("+sdown") { $0.message == details } }.count
        #expect(sdowns >= 2, "+sdown \(details) published by \(sdowns) sentinels, fewer than the quorum of 2")
        func remaining() -> Duration {
            max(.seconds(1), failoverWait - (ContinuousClock.now - killedAt))
        }
        for (channel, message) in [("+odown", "\(details) #quorum <n>/2"), ("+elected-leader", details)] {
            try await eventually(
                timeout: remaining(), interval: .milliseconds(10), "some sentinel publishes \(channel) \(message) after the kill",
                diagnostics: fixture.diagnostics
            ) {
                fixture.subscribers.contains { $0.has(channel) { $0.message.hasPrefix(details) } }
            }
        }
        let switched = try await fixture.waitForSwitchMaster(from: master.port, timeout: remaining())
        return Crash(killedAt: killedAt, switched: switched)
    }

    /// Sets replica-priority on both replicas and waits until every sentinel in `seenBy` reports
    /// that priority for both (from INFO, refreshed every 10 s).
    static func setReplicaPriority(_ priority: Int, fixture: FailoverCluster, seenBy sentinels: [SentinelProcess]) async throws {
        for replica in fixture.cluster.replicas {
            let reply = try replica.command("CONFIG", "SET", "replica-priority", String(priority))
            guard reply == .simpleString("OK") else {
                throw HarnessError("CONFIG SET replica-priority \(priority) on \(replica.address): \(reply)")
            }
        }
        let ports = Set(fixture.cluster.replicas.map { String($0.port) })
        try await eventually(
            timeout: .seconds(40), "the sentinels report slave-priority \(priority) for both replicas",
            diagnostics: fixture.diagnostics
        ) {
            try sentinels.allSatisfy { sentinel in
                let replicas = try sentinel.instances("REPLICAS").filter { ports.contains($0["port"] ?? "") }
                return replicas.count == ports.count && replicas.allSatisfy { $0["slave-priority"] == String(priority) }
            }
        }
    }

    /// SENTINEL FAILOVER on a sentinel that is set to crash: the reply is +OK, or nothing at all
    /// when the crash comes before the reply is written.
    static func forceFailoverExpectingCrash(_ sentinel: SentinelProcess) {
        do {
            let reply = try sentinel.command("SENTINEL", "FAILOVER", masterName)
            #expect(reply == .simpleString("OK"), "\(sentinel.label): SENTINEL FAILOVER \(masterName): \(reply)")
        } catch {
            // The process exited before it wrote the reply; waitForExit checks the exit status.
        }
    }

    static func waitForExit(_ sentinel: SentinelProcess, fixture: FailoverCluster) async throws {
        try await eventually(timeout: .seconds(30), "\(sentinel.label) exits", diagnostics: fixture.diagnostics) {
            !sentinel.isRunning
        }
    }

    static func binaryName(_ fixture: FailoverCluster) -> String {
        URL(fileURLWithPath: fixture.sentinels[0].binary).lastPathComponent
    }

    /// Prints when each step of a crash failover happened, measured from the kill.
    static func printTimeline(_ what: String, crash: Crash, fixture: FailoverCluster, leader: EventSubscriber) {
        func first(_ channel: String, in subscribers: [EventSubscriber]) -> String {
            let times = subscribers.compactMap { $0.first(channel)?.time }.filter { $0 >= crash.killedAt }
            guard let time = times.min() else { return "-" }
            return (time - crash.killedAt).secondsText
        }
        let all = fixture.subscribers
        let perSentinel = zip(fixture.subscribers, crash.switched.events)
            .map { "\($0.label) \(($1.time - crash.killedAt).secondsText)" }.joined(separator: ", ")
        print("""
            integration: \(what) (\(binaryName(fixture))): kill -9 -> last +switch-master \((crash.switched.last - crash.killedAt).secondsText) \
            (first +sdown \(first("+sdown", in: all)), first +odown \(first("+odown", in: all)), \
            +elected-leader \(first("+elected-leader", in: [leader])) on \(leader.label), +promoted-slave \(first("+promoted-slave", in: [leader])), \
            +failover-end \(first("+failover-end", in: [leader])); +switch-master: \(perSentinel)); 127.0.0.1:\(crash.switched.oldPort) -> 127.0.0.1:\(crash.switched.newPort)
            """)
    }
}
