import Foundation
import Testing

extension Integration {
    /// `SENTINEL FAILOVER <master> COORDINATED` where the master's FAILOVER cannot be used (issue
    /// 17): renamed away in redis-server's config, or denied to the sentinels' ACL user. Real
    /// redis-server 7.0.15 master + two replicas, three swift-sentinel processes (down-after
    /// 1000 ms: the pause is 1000 ms and the target must catch up within 500 ms), a redis-py
    /// writer throughout. The stall over 20 runs is `bench/failover-bench`'s; these check the
    /// outcomes.
    @Suite(
        "Coordinated failover: pause-switch",
        .enabled(if: Binaries.sentinelUnderTestHasCoordinatedFailover, "redis-sentinel has no SENTINEL FAILOVER ... COORDINATED"))
    struct PauseSwitchTests {
        typealias Coordinated = CoordinatedFailoverTests
        static let masterName = Cluster.masterName
        /// redis-server's `rename-command FAILOVER ""`: the command is gone, INFO still has
        /// `master_failover_state`.
        static let failoverRenamedAway = ["--rename-command", "FAILOVER", ""]

        /// A settled fixture with FAILOVER renamed away and a redis-py writer that has had 200
        /// writes acknowledged.
        static func startRenamedUnderLoad() async throws -> (FailoverCluster, DemoWriter) {
            try await Coordinated.startUnderLoad(dataNodeArguments: failoverRenamedAway)
        }

        /// Checks a finished pause-switch seen by `leader`: its events, the summary's phases, the
        /// old master replicating from the new one with a partial resync, and the writer's acks.
        static func expectSwitched(
            _ fixture: FailoverCluster, leader: SentinelProcess, writer: DemoWriter, from oldMaster: RedisNode, to newPort: UInt16
        ) async throws {
            let events = fixture.events(of: leader)
            try await events.waitFor("+coordinated-failover-released", timeout: .seconds(10), diagnostics: fixture.diagnostics)
            let started = try #require(events.first("+coordinated-failover"))
            #expect(started.message.hasSuffix(" pause-switch"), "\(started.message)")
            for subscriber in fixture.subscribers {
                #expect(!subscriber.has("-failover-abort-coordinated"), "\(subscriber.label) aborted\n\(subscriber.transcript())")
            }
            let summaryEvent = try await events.waitFor("+failover-summary", timeout: .seconds(10), diagnostics: fixture.diagnostics)
            let timeline = FailoverSummaryFields(summaryEvent.message)
            #expect(timeline["kind"] == "coordinated" && timeline["outcome"] == "ok", "\(summaryEvent.message)")
            #expect(
                timeline.phases
                    == ["election", "hello-hold", "pause", "catch-up", "promotion", "peer-confirmation", "release", "reconfiguration"],
                "\(summaryEvent.message)")
            let writePause = timeline.millis("write-pause") ?? -1
            #expect(writePause >= 0 && writePause < 500, "write pause: \(summaryEvent.message)")
            print("integration: pause-switch summary: \(summaryEvent.message)")

            try await writer.waitForAcks(200, on: newPort)
            let summary = try await writer.stop()
            try Coordinated.verifyWrites(writer, on: newPort)
            let followers = fixture.cluster.dataNodes.filter { $0.port != newPort }
            try await fixture.waitForReplication(master: newPort, replicas: followers, timeout: .seconds(40))
            #expect(try oldMaster.info("replication")["master_port"] == "\(newPort)")
            let blocked = try Coordinated.blockedClients(fixture.cluster)
            #expect(blocked.isEmpty, "clients left blocked: \(blocked)")
            let newMaster = try fixture.cluster.node(port: newPort).unwrap("new master")
            let fullSyncs = try newMaster.info("stats")["sync_full"] ?? "?"
            #expect(fullSyncs == "0", "the new master served \(fullSyncs) full resyncs (the old master and the other replica resync partially)")
            print("integration: pause-switch under redis-py: \(summary)")
        }

        @Test("FAILOVER renamed away: the pause-switch under a redis-py writer loses no acknowledged write; the old master follows the new one",
              .timeLimit(.minutes(3)))
        func renamedUnderLoad() async throws {
            let (fixture, writer) = try await Self.startRenamedUnderLoad()
            defer { fixture.shutdown() }
            defer { writer.kill() }
            let oldMaster = try #require(fixture.cluster.master)
            let leader = fixture.sentinels[0]
            #expect(leader.log().contains("refuses 'failover' to this sentinel: ERR unknown command"), "the probe's finding is logged")
            let accepted = try leader.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(fixture.diagnostics())")
            let switched = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: .seconds(30))
            #expect(fixture.cluster.replicas.contains { $0.port == switched.newPort })
            try await Self.expectSwitched(fixture, leader: leader, writer: writer, from: oldMaster, to: switched.newPort)
        }

        /// The minimal rules the Redis documentation gives a sentinel user have `+client` and
        /// `+slaveof` but no `+failover`: that is enough for the pause-switch. Without `+slaveof`
        /// as well, it is refused up front, with the server's error, and nothing is paused.
        @Test("an ACL user without +failover (the documented minimal rules): refused without +slaveof too, then the pause-switch under a redis-py writer, nothing lost",
              .timeLimit(.minutes(3)))
        func aclWithoutFailover() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let cluster = fixture.cluster
            let master = try #require(cluster.master)
            let withoutSlaveof = Integration.AuthTests.minimalSentinelRules.filter { $0 != "+slaveof" }
            /// Waits until every sentinel's command link to the master is up as sentinel-user (the
            /// permission probes run then).
            func linksAsSentinelUser() async throws {
                try await eventually(timeout: .seconds(20), "the master lists the sentinels' links as sentinel-user", diagnostics: fixture.diagnostics) {
                    let list = try master.command("CLIENT", "LIST").string ?? ""
                    return list.split(separator: "\n").filter { $0.contains("name=sentinel-") && $0.contains("-cmd ") && $0.contains("user=sentinel-user") }.count == 3
                }
                try await fixture.cluster.waitForHealthyLinks(timeout: .seconds(20))
            }
            for node in cluster.dataNodes {
                let reply = try node.command(["ACL", "SETUSER", "sentinel-user", "on", ">s3cret"] + withoutSlaveof)
                try #require(reply == .simpleString("OK"), "ACL SETUSER on \(node.address): \(reply)")
            }
            for sentinel in fixture.sentinels {
                let reply = try sentinel.command(
                    "SENTINEL", "SET", Self.masterName, "auth-user", "sentinel-user", "auth-pass", "s3cret")
                try #require(reply == .simpleString("OK"), "SENTINEL SET auth-user on \(sentinel.label): \(reply)")
            }
            try await linksAsSentinelUser()
            let leader = fixture.sentinels[0]
            for words in [["COORDINATED"], ["COORDINATED", "PAUSE-SWITCH"]] {
                let refused = try leader.command(["SENTINEL", "FAILOVER", Self.masterName] + words)
                #expect(
                    refused == .simpleError(
                        "NOPERM The primary refuses 'slaveof' to this sentinel's user (NOPERM this user has no permissions to run the 'slaveof' command): a coordinated failover needs +client|pause, and +failover or (pause-switch) +slaveof"),
                    "\(words) as a user without +failover and +slaveof: \(refused)")
            }
            Coordinated.expectNoFailoverStarted(fixture, "the refusal")
            #expect(try master.info("replication")["role"] == "master")
            #expect(try master.command("SET", "after-refusal", "1") == .simpleString("OK"), "the master takes writes")

            for node in cluster.dataNodes {
                let reply = try node.command("ACL", "SETUSER", "sentinel-user", "+slaveof")
                try #require(reply == .simpleString("OK"), "ACL SETUSER on \(node.address): \(reply)")
                _ = try node.command("CLIENT", "KILL", "USER", "sentinel-user")
            }
            try await linksAsSentinelUser()
            let writer = try DemoWriter.start(fixture)
            defer { writer.kill() }
            try await writer.waitForAcks(200, on: master.port)
            let accepted = try leader.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(fixture.diagnostics())")
            let switched = try await fixture.waitForSwitchMaster(from: master.port, timeout: .seconds(30))
            try await Self.expectSwitched(fixture, leader: leader, writer: writer, from: master, to: switched.newPort)
            // Only the probes were refused (one of each per command link to a master).
            let denials = try Integration.AuthTests.aclDenials(cluster)
            #expect(
                denials.allSatisfy { $0.contains(":command:failover:sentinel-user") || $0.contains(":command:slaveof:sentinel-user") },
                "refused to the sentinel user: \(denials)")
            // A classic failover needs nothing beyond the minimal rules either.
            let classic = try leader.command("SENTINEL", "FAILOVER", Self.masterName)
            try #require(classic == .simpleString("OK"), "classic SENTINEL FAILOVER as sentinel-user: \(classic)")
            let back = try await fixture.waitForSwitchMaster(from: switched.newPort, timeout: .seconds(30))
            let followers = cluster.dataNodes.filter { $0.port != back.newPort }
            try await fixture.waitForReplication(master: back.newPort, replicas: followers, timeout: .seconds(40))
        }

        @Test("the replicas never catch up (SIGSTOP): aborted within half the pause, the master takes writes again, nothing lost, topology unchanged",
              .timeLimit(.minutes(3)))
        func replicaNeverCatchesUp() async throws {
            let (fixture, writer) = try await Self.startRenamedUnderLoad()
            defer { fixture.shutdown() }
            defer { writer.kill() }
            let cluster = fixture.cluster
            let master = try #require(cluster.master)
            for replica in cluster.replicas { try replica.pause() }
            defer { for replica in cluster.replicas { replica.resume() } }
            // Writes the stopped replicas never get: the target cannot have the master's offset.
            try await writer.waitForAcks(writer.acks().count + 50, on: master.port)
            let leader = fixture.sentinels[0]
            let accepted = try leader.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(fixture.diagnostics())")
            let events = fixture.events(of: leader)
            let abort = try await events.waitFor("-failover-abort-coordinated", timeout: .seconds(15), diagnostics: fixture.diagnostics)
            #expect(abort.message.contains("did not catch up within half the pause (500 ms)"), "\(abort.message)")
            let summaryEvent = try await events.waitFor("+failover-summary", timeout: .seconds(5), diagnostics: fixture.diagnostics)
            let timeline = FailoverSummaryFields(summaryEvent.message)
            #expect(timeline["outcome"] == "aborted:not-caught-up", "\(summaryEvent.message)")
            let writePause = timeline.millis("write-pause") ?? -1
            #expect(writePause >= 450 && writePause < 700, "unpaused at the abort: \(summaryEvent.message)")
            for replica in cluster.replicas { replica.resume() }
            #expect(try master.info("replication")["role"] == "master", "the master stays master")
            try await writer.waitForAcks(writer.acks().count + 100, on: master.port)
            let summary = try await writer.stop()
            try Coordinated.verifyWrites(writer, on: master.port)
            for subscriber in fixture.subscribers {
                #expect(!subscriber.has("+switch-master"), "\(subscriber.label) switched\n\(subscriber.transcript())")
            }
            for replica in cluster.replicas {
                #expect(try replica.info("replication")["role"] == "slave", "\(replica.address) was not promoted")
            }
            try await fixture.waitForReplication(master: master.port, replicas: cluster.replicas, timeout: .seconds(40))
            let blocked = try Coordinated.blockedClients(cluster)
            #expect(blocked.isEmpty, "clients left blocked: \(blocked)")
            print("integration: pause-switch to stopped replicas: \(abort.message); writer \(summary)")
        }
    }
}
