import Foundation
import Testing

extension Integration {
    /// Coordinated failovers back to back, and a leader killed mid-handover, with real
    /// processes: three redis-server 7.0.15 and three swift-sentinel (quorum 2, down-after
    /// 1000 ms, failover-timeout 10 s), every sentinel's events recorded (issue 12, defects 3
    /// and 7).
    ///
    /// `COORDINATED_ROUNDS` sets how many failovers run in a row (5 by default, as in CI):
    /// `COORDINATED_ROUNDS=50 swift test --disable-xctest --skip-build --filter CoordinatedRepeatTests`.
    @Suite(
        "Coordinated failovers in a row",
        .enabled(if: Binaries.sentinelUnderTestHasCoordinatedFailover, "redis-sentinel has no SENTINEL FAILOVER ... COORDINATED"))
    struct CoordinatedRepeatTests {
        static let masterName = Cluster.masterName
        static let rounds = ProcessInfo.processInfo.environment["COORDINATED_ROUNDS"].flatMap(Int.init) ?? 5
        /// How long after its switch the new master must not be called down by anyone.
        static let watch: Duration = .seconds(3)

        /// Waits until every sentinel names the same master, that master has no failover running
        /// and no down flag anywhere, and the data node reports both replicas online (what a
        /// coordinated failover needs to pick a target); returns its port.
        static func settledMaster(_ fixture: FailoverCluster) async throws -> UInt16 {
            var port: UInt16 = 0
            try await eventually(
                timeout: .seconds(30), "every sentinel agrees on a healthy master with 2 online replicas",
                diagnostics: fixture.diagnostics
            ) {
                let ports = try Set(fixture.sentinels.map { try fixture.cluster.currentMasterPort(on: $0) })
                guard ports.count == 1, let only = ports.first, let node = fixture.cluster.node(port: only) else { return false }
                let info = try node.info("replication")
                let online = info.filter { $0.key.hasPrefix("slave") && $0.value.contains("state=online") }.count
                guard info["role"] == "master", online == 2, info["master_failover_state"] == "no-failover" else { return false }
                let clean = try fixture.sentinels.allSatisfy { sentinel in
                    let state = try sentinel.masterState()
                    let replicas = try sentinel.instances("REPLICAS")
                    return state["flags"] == "master" && state["failover-state"] == nil
                        && replicas.allSatisfy { $0["flags"] == "slave" }
                }
                port = only
                return clean
            }
            return port
        }

        /// Every `+sdown` / `+odown` (of a master, a replica or a peer) published after `since`,
        /// as `label: +t event`.
        static func downs(_ fixture: FailoverCluster, since: ContinuousClock.Instant) -> [String] {
            fixture.subscribers.flatMap { subscriber in
                subscriber.events.filter { $0.time >= since && ($0.channel == "+sdown" || $0.channel == "+odown") }
                    .map { "\(subscriber.label): +\(($0.time - since).secondsText) \($0)" }
            }
        }

        // MARK: Defect 3

        @Test("coordinated failovers in a row (COORDINATED_ROUNDS, 5 by default): each switches, and no sentinel calls the new master (or any instance) SDOWN or ODOWN within 3 s of its switch",
              .timeLimit(.minutes(Integration.CoordinatedRepeatTests.rounds <= 5 ? 4 : 4 + Integration.CoordinatedRepeatTests.rounds / 6)))
        func inARow() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            var leaderLags: [Double] = []
            var spans: [Double] = []
            var falseDowns = 0
            var falseReplicaDowns = 0
            for round in 0..<Self.rounds {
                let oldPort = try await Self.settledMaster(fixture)
                let requester = fixture.sentinels[round % fixture.sentinels.count]
                let requestedAt = ContinuousClock.now
                let reply = try requester.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
                try #require(reply == .simpleString("OK"), "round \(round): SENTINEL FAILOVER COORDINATED on \(requester.label): \(reply)")
                let switched = try await fixture.waitForSwitchMaster(from: oldPort, timeout: .seconds(20), since: requestedAt)
                let first = switched.events.map(\.time).min()!
                let last = switched.last
                let leaderSwitch = try #require(fixture.events(of: requester).first("+switch-master") {
                    $0.time >= requestedAt && $0.message.hasPrefix("\(Self.masterName) 127.0.0.1 \(oldPort) ")
                })
                leaderLags.append((leaderSwitch.time - first).milliseconds)
                spans.append((first - requestedAt).milliseconds)
                // The leader's steps, in ms after the first +switch-master (a peer's, on the hello).
                let steps = ["+promoted-slave", "+coordinated-failover-released", "+slave-reconf-sent", "+slave-reconf-inprog",
                             "+slave-reconf-done", "+failover-end", "+switch-master"]
                let leaderEvents = fixture.events(of: requester)
                let timeline = steps.map { channel in
                    let at = leaderEvents.first(channel) { $0.time >= requestedAt }.map { Int(($0.time - first).milliseconds) }
                    return "\(channel) \(at.map(String.init) ?? "-")"
                }
                print("integration: round \(round) (\(oldPort) → \(switched.newPort)), leader \(requester.name), ms after the first +switch-master: \(timeline.joined(separator: ", "))")
                // Watch the new master for 3 s after the last switch.
                try await Task.sleep(until: last.advanced(by: Self.watch), clock: .continuous)
                let downs = Self.downs(fixture, since: requestedAt)
                falseDowns += downs.contains { $0.contains(" master ") } ? 1 : 0
                falseReplicaDowns += downs.contains { !$0.contains(" master ") } ? 1 : 0
                #expect(downs.isEmpty, "round \(round) (\(oldPort) → \(switched.newPort)): called down after the command (times after it):\n\(downs.joined(separator: "\n"))\n\(fixture.diagnostics())")
            }
            let lags = leaderLags.sorted()
            print(
                "integration: \(Self.rounds) coordinated failovers in a row: \(falseDowns) with a +sdown/+odown of the new master within 3 s of the switch, \(falseReplicaDowns) with one of a replica or peer; first +switch-master \(Int(spans.sorted()[spans.count / 2])) ms after the command (median); the leader's own +switch-master after its peers' first by \(Int(lags[lags.count / 2])) ms median, \(Int(lags.last!)) ms max"
            )
        }
    
        // MARK: Defect 7

        @Test("kill -9 of the leader once the pause reached the master: the survivors switch, and the third replica follows the new master within 2 s (not after failover-timeout)",
              .timeLimit(.minutes(3)))
        func leaderKilledAfterPause() async throws {
            let fixture = try await FailoverCluster.start()
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let oldPort = try await Self.settledMaster(fixture)
            let leader = fixture.sentinels[0]
            let oldMaster = try #require(fixture.cluster.node(port: oldPort))
            let requestedAt = ContinuousClock.now
            let reply = try leader.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            try #require(reply == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(reply)")
            // Killed as soon as the pause reached the master (a few ms after the command): the
            // master reports its FAILOVER under way, or done. (`+coordinated-failover` is no sign:
            // a leader killed right after publishing it may not have flushed the transaction.)
            try await eventually(
                timeout: .seconds(10), interval: .milliseconds(1), "\(oldMaster.address) reports a FAILOVER under way",
                diagnostics: fixture.diagnostics
            ) {
                let info = try oldMaster.info("replication")
                return info["master_failover_state"] != "no-failover" || info["role"] == "slave"
            }
            leader.kill()
            let killedAt = ContinuousClock.now
            let switched = try await fixture.waitForSwitchMaster(from: oldPort, timeout: .seconds(15), since: requestedAt)
            let newPort = switched.newPort
            let third = try #require(fixture.cluster.dataNodes.first { $0.port != oldPort && $0.port != newPort })
            let finished = fixture.subscribers.contains { $0.has("+coordinated-failover-finish") { $0.time >= requestedAt } }
            try await eventually(
                timeout: .seconds(2), "\(third.address) replicates from the new master :\(newPort)", diagnostics: fixture.diagnostics
            ) {
                let info = try third.info("replication")
                return info["master_port"] == String(newPort) && info["master_link_status"] == "up"
            }
            let followedAt = ContinuousClock.now
            try await fixture.waitForReplication(master: newPort, replicas: [oldMaster, third], timeout: .seconds(5))
            let blocked = try Integration.CoordinatedFailoverTests.blockedClients(fixture.cluster)
            #expect(blocked.isEmpty, "clients left blocked: \(blocked)")
            let downs = Self.downs(fixture, since: requestedAt).filter { !$0.contains(leader.label) && !$0.contains(" sentinel ") }
            #expect(downs.isEmpty, "called down after the command (times after it):\n\(downs.joined(separator: "\n"))")
            print(
                "integration: leader killed once the pause reached the master (\((killedAt - requestedAt).secondsText) after the command): \(finished ? "a peer finished the handover (+coordinated-failover-finish)" : "the peers switched on the leader's hello"); +switch-master on the survivors \((switched.last - killedAt).secondsText) after the kill, the third replica replicating from the new master \((followedAt - killedAt).secondsText) after it"
            )
        }
    }
}
