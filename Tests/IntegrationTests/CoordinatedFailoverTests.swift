import Foundation
import Testing

extension Integration {
    /// `SENTINEL FAILOVER <master> COORDINATED` with real processes: one redis-server 7.0.15
    /// master, two replicas and three swift-sentinel processes (quorum 2, down-after 1000 ms, so
    /// the pause is 1000 ms), a redis-py writer (`Sentinel.master_for`) running throughout.
    /// The timing targets (stall, errors over 20 runs) are measured by `bench/failover-bench`;
    /// these tests check the outcomes: no acknowledged write lost, the topology after, no client
    /// left blocked, and each failure mode of docs/coordinated-failover.md.
    @Suite(
        "Coordinated failover",
        .enabled(if: Binaries.sentinelUnderTestHasCoordinatedFailover, "redis-sentinel has no SENTINEL FAILOVER ... COORDINATED"))
    struct CoordinatedFailoverTests {
        static let masterName = Cluster.masterName
        static let failoverWait: Duration = .seconds(30)

        /// A settled fixture with a redis-py writer that has had 200 writes acknowledged by the
        /// master. The caller shuts both down (`defer`); on an error here they are stopped at once.
        /// `dataNodeArguments`: extra redis-server arguments (PauseSwitchTests renames FAILOVER away).
        static func startUnderLoad(dataNodeArguments: [String] = []) async throws -> (FailoverCluster, DemoWriter) {
            let fixture = try await FailoverCluster.start(dataNodeArguments: dataNodeArguments)
            var writer: DemoWriter?
            do {
                try await fixture.waitUntilSettled()
                writer = try DemoWriter.start(fixture)
                try await writer!.waitForAcks(200, on: try #require(fixture.cluster.master).port)
                return (fixture, writer!)
            } catch {
                writer?.kill()
                fixture.shutdown()
                throw error
            }
        }

        /// No sentinel published `+try-failover` or `+coordinated-failover` (so far).
        static func expectNoFailoverStarted(_ fixture: FailoverCluster, _ after: String) {
            for subscriber in fixture.subscribers {
                #expect(!subscriber.has("+try-failover") && !subscriber.has("+coordinated-failover"),
                        "\(subscriber.label) started a failover after \(after)\n\(subscriber.transcript())")
            }
        }

        /// `blocked_clients` of every running data node, as `port=n`, for the ones above 0.
        static func blockedClients(_ cluster: Cluster) throws -> [String] {
            try cluster.dataNodes.filter(\.isRunning).compactMap { node in
                let blocked = try node.info("clients")["blocked_clients"] ?? "?"
                return blocked == "0" ? nil : "\(node.port)=\(blocked)"
            }
        }

        /// Every acknowledged write is on `port`; once one was acknowledged by `port` no later one
        /// came from elsewhere.
        static func verifyWrites(_ writer: DemoWriter, on port: UInt16) throws {
            let all = writer.acks()
            if let firstOnNew = all.firstIndex(where: { $0.port == port }) {
                let strays = all[firstOnNew...].filter { $0.port != port }
                #expect(strays.isEmpty, "writes acknowledged elsewhere after the first one on \(port): \(strays.prefix(5))")
            }
            let missing = try writer.missing(on: port)
            #expect(missing.isEmpty, "\(missing.count) of \(all.count) acknowledged writes missing on \(port): \(missing.prefix(5))\n\(writer.report())")
        }

        // MARK: 1. The handover under load

        @Test("under a redis-py writer: every acknowledged write survives, the old master replicates from the new one, nobody stays blocked",
              .timeLimit(.minutes(3)))
        func handoverUnderLoad() async throws {
            let (fixture, writer) = try await Self.startUnderLoad()
            defer { fixture.shutdown() }
            defer { writer.kill() }
            let cluster = fixture.cluster
            let oldMaster = try #require(cluster.master)

            let leader = fixture.sentinels[0]
            let client = try leader.client()
            let requestedAt = ContinuousClock.now
            let accepted = try client.send("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(fixture.diagnostics())")
            let again = try client.send("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            #expect(again == .simpleError("INPROG Failover already in progress"), "a second COORDINATED right after the first: \(again)")

            let switched = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: Self.failoverWait)
            let newPort = switched.newPort
            #expect(cluster.replicas.contains { $0.port == newPort }, "promoted \(newPort), not a replica")
            let events = fixture.events(of: leader)
            try await events.waitFor("+coordinated-failover-released", timeout: .seconds(10), diagnostics: fixture.diagnostics)
            for channel in ["+new-epoch", "+elected-leader", "+selected-slave", "+coordinated-failover", "+promoted-slave", "+failover-end"] {
                #expect(events.has(channel), "the leader published no \(channel)\n\(events.transcript())")
            }
            for subscriber in fixture.subscribers {
                #expect(!subscriber.has("-failover-abort-coordinated"), "\(subscriber.label) aborted\n\(subscriber.transcript())")
            }
            // The timeline (issue 15): one summary with every phase, the write pause within the
            // pause budget (down-after, 1000 ms); the peers logged that they held their hellos.
            let summaryEvent = try await events.waitFor("+failover-summary", timeout: .seconds(10), diagnostics: fixture.diagnostics)
            let timeline = FailoverSummaryFields(summaryEvent.message)
            #expect(timeline["kind"] == "coordinated" && timeline["outcome"] == "ok", "\(summaryEvent.message)")
            #expect(
                timeline.phases == ["election", "hello-hold", "pause", "promotion", "peer-confirmation", "release", "reconfiguration"],
                "\(summaryEvent.message)")
            let writePause = timeline.millis("write-pause") ?? -1
            #expect(writePause >= 0 && writePause < 1000, "write pause: \(summaryEvent.message)")
            for peer in fixture.sentinels.dropFirst() {
                #expect(peer.log().contains("holding hellos to"), "\(peer.port) did not log its hello hold")
            }
            print("integration: coordinated failover summary: \(summaryEvent.message)")

            try await writer.waitForAcks(200, on: newPort)
            let summary = try await writer.stop()
            try Self.verifyWrites(writer, on: newPort)
            // FAILOVER made the old master a replica of the target itself; the other replica is
            // repointed (a partial resync).
            let followers = cluster.dataNodes.filter { $0.port != newPort }
            try await fixture.waitForReplication(master: newPort, replicas: followers, timeout: .seconds(40))
            let blocked = try Self.blockedClients(cluster)
            #expect(blocked.isEmpty, "clients left blocked: \(blocked)")
            let other = try #require(cluster.replicas.first { $0.port != newPort })
            let fullSyncs = try cluster.node(port: newPort).unwrap("new master").info("stats")["sync_full"] ?? "?"
            #expect(fullSyncs == "0", "the new master served \(fullSyncs) full resyncs (old master and \(other.address) should resync partially)")
            print("integration: coordinated failover under redis-py: \(summary); +switch-master everywhere \((switched.last - requestedAt).secondsText) after the command")
        }

        // MARK: 2. Refusals

        @Test("refused up front: unknown master, extra argument, no usable replica, master unreachable — and nothing starts",
              .timeLimit(.minutes(3)))
        func refusals() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let sentinel = fixture.sentinels[0]

            let unknown = try sentinel.command("SENTINEL", "FAILOVER", "nosuch", "COORDINATED")
            #expect(unknown == .simpleError("ERR No such master with that name"), "unknown master: \(unknown)")
            let bogus = try sentinel.command("SENTINEL", "FAILOVER", Self.masterName, "GENTLY")
            #expect(bogus == .simpleError("ERR Unknown failover option specified"), "unknown option (Valkey 9's text): \(bogus)")

            try await Integration.FailoverTests.setReplicaPriority(0, fixture: fixture, seenBy: [sentinel])
            let noGood = try sentinel.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            #expect(noGood == .simpleError("NOGOODSLAVE No suitable replica to promote"), "both replicas at priority 0: \(noGood)")
            // Logged too, with why each replica was excluded (redis/redis#7825).
            let refusal = sentinel.log().split(separator: "\n").last { $0.contains("SENTINEL FAILOVER \(Self.masterName) refused: NOGOODSLAVE") }
            #expect(refusal?.contains("replica-priority 0") == true, "refusal log line: \(refusal ?? "none")")
            try await Integration.FailoverTests.setReplicaPriority(100, fixture: fixture, seenBy: [sentinel])

            Self.expectNoFailoverStarted(fixture, "a refusal")

            // The master is stopped (SIGSTOP) until this sentinel calls it down. The other two
            // sentinels are stopped first, so that no ODOWN and automatic failover follows.
            let others = Array(fixture.sentinels.dropFirst())
            for other in others { try other.pause() }
            defer { for other in others { other.resume() } }
            let master = try #require(fixture.cluster.master)
            try master.pause()
            defer { master.resume() }
            let details = "master \(Self.masterName) 127.0.0.1 \(master.port)"
            try await fixture.events(of: sentinel).waitFor(
                "+sdown", timeout: .seconds(20), where: { $0.message == details }, diagnostics: fixture.diagnostics)
            let unreachable = try sentinel.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            #expect(
                unreachable == .simpleError("NOGOODPRIMARY Primary is not reachable or not healthy: a coordinated failover needs a working master"),
                "a stopped master: \(unreachable)")
            master.resume()
            for other in others { other.resume() }
            let events = fixture.events(of: sentinel)
            try await events.waitFor("-sdown", timeout: .seconds(20), where: { $0.message == details }, diagnostics: fixture.diagnostics)
            Self.expectNoFailoverStarted(fixture, "a refusal")
        }

        // The sentinel user with only the minimal documented rules (no +failover): the
        // pause-switch, PauseSwitchTests.aclWithoutFailover.

        // MARK: 3. Failure modes

        @Test("the replicas never catch up (SIGSTOP): FAILOVER times out, the master resumes, nothing lost, topology unchanged",
              .timeLimit(.minutes(3)))
        func replicaNeverCatchesUp() async throws {
            let (fixture, writer) = try await Self.startUnderLoad()
            defer { fixture.shutdown() }
            defer { writer.kill() }
            let cluster = fixture.cluster
            let master = try #require(cluster.master)

            for replica in cluster.replicas { try replica.pause() }
            defer { for replica in cluster.replicas { replica.resume() } }
            let leader = fixture.sentinels[0]
            let accepted = try leader.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(fixture.diagnostics())")
            let events = fixture.events(of: leader)
            let abort = try await events.waitFor("-failover-abort-coordinated", timeout: .seconds(15), diagnostics: fixture.diagnostics)
            for replica in cluster.replicas { replica.resume() }
            // Not silent while paused: the master's failover state was logged as it went, and the
            // summary says how it ended and how long writes were paused.
            let summaryEvent = try await events.waitFor("+failover-summary", timeout: .seconds(5), diagnostics: fixture.diagnostics)
            let timeline = FailoverSummaryFields(summaryEvent.message)
            #expect(timeline["outcome"]?.hasPrefix("aborted:") == true && timeline.millis("write-pause") != nil, "\(summaryEvent.message)")
            #expect(leader.log().contains("master_failover_state:waiting-for-sync"), "no progress logged during the pause")
            print("integration: aborted coordinated failover summary: \(summaryEvent.message)")

            #expect(try master.info("replication")["role"] == "master", "the master stays master")
            let acksBefore = writer.acks().count
            try await writer.waitForAcks(acksBefore + 100, on: master.port)  // it takes writes again
            let summary = try await writer.stop()
            try Self.verifyWrites(writer, on: master.port)
            for subscriber in fixture.subscribers {
                #expect(!subscriber.has("+switch-master"), "\(subscriber.label) switched\n\(subscriber.transcript())")
            }
            try await fixture.waitForMasterAddress(master.port, on: fixture.sentinels, timeout: .seconds(5))
            try await fixture.waitForReplication(master: master.port, replicas: cluster.replicas, timeout: .seconds(40))
            let blocked = try Self.blockedClients(cluster)
            #expect(blocked.isEmpty, "clients left blocked: \(blocked)")
            print("integration: coordinated failover to stopped replicas: \(abort.message); writer \(summary)")
        }

        /// Also with FAILOVER renamed away: the pause-switch, whose leader dies right after the
        /// switch (after the old master's demotion, before the hello).
        @Test("the leader crashes after the promotion: a peer holding the record finishes the handover, nothing lost",
              .timeLimit(.minutes(3)), arguments: [[], PauseSwitchTests.failoverRenamedAway])
        func leaderCrashAfterPromotion(dataNodeArguments: [String]) async throws {
            let (fixture, writer) = try await Self.startUnderLoad(dataNodeArguments: dataNodeArguments)
            defer { fixture.shutdown() }
            defer { writer.kill() }
            let cluster = fixture.cluster
            let oldMaster = try #require(cluster.master)

            let leader = fixture.sentinels[0]
            #expect(try leader.command("SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion") == .simpleString("OK"))
            let accepted = try leader.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(fixture.diagnostics())")
            try await eventually(timeout: .seconds(15), "\(leader.label) exits (crash-after-promotion)", diagnostics: fixture.diagnostics) {
                !leader.isRunning
            }
            #expect(leader.exitStatus == 99)
            let method = dataNodeArguments.isEmpty ? "(failover)" : "(pause-switch)"
            #expect(leader.log().contains("COORDINATED FAILOVER of '\(Self.masterName)' \(method)"), "the leader's method")
            let crashedAt = ContinuousClock.now

            // The survivors switch (waitForSwitchMaster watches running sentinels only).
            let switched = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: Self.failoverWait)
            let newPort = switched.newPort
            #expect(fixture.subscribers.contains { $0.has("+coordinated-failover-finish") },
                    "no surviving sentinel finished the orphaned handover\n\(fixture.diagnostics())")
            try await writer.waitForAcks(200, on: newPort)
            let summary = try await writer.stop()
            try Self.verifyWrites(writer, on: newPort)
            try await fixture.waitForReplication(master: newPort, replicas: [oldMaster], timeout: .seconds(40))
            let blocked = try Self.blockedClients(cluster)
            #expect(blocked.isEmpty, "clients left blocked: \(blocked)")
            let finishedAt = fixture.subscribers.compactMap { $0.first("+coordinated-failover-finish")?.time }.min()
            print("integration: coordinated failover, leader crashed after the promotion: handover finished by a peer \(finishedAt.map { ($0 - crashedAt).secondsText } ?? "?") after the crash was seen, +switch-master everywhere \((switched.last - crashedAt).secondsText) after it; writer \(summary)")
        }
    }
}
