import Foundation
import Testing

extension Integration {
    /// Authentication with real processes (redis-server 7.0.15, three swift-sentinels): to
    /// password-protected data nodes (`requirepass` + `masterauth`, `sentinel auth-pass`), to data
    /// nodes through an ACL user with the documented minimal permissions (`sentinel auth-user`),
    /// a wrong auth-pass and its repair at run time, and between sentinels (`requirepass` +
    /// `sentinel sentinel-pass`). What is documented in docs/auth.md is what these tests prove.
    @Suite("Authentication")
    struct AuthTests {
        static let masterName = Cluster.masterName
        /// The data nodes' `requirepass` (the default user, also used for replication).
        static let dataPassword = "data-pw"
        static let sentinelUserPassword = "sentinel-user-pw"
        static let sentinelPassword = "sentinel-pw"

        /// The ACL rules the Redis documentation gives for the sentinel user on the data nodes
        /// (sentinel.conf example, sentinel-behaviour §10.3), with the hello channel.
        static let minimalSentinelRules = [
            "&__sentinel__:hello", "+client", "+subscribe", "+publish", "+ping", "+info", "+multi", "+slaveof",
            "+config", "+exec",
        ]
        /// What `SENTINEL FAILOVER <m> COORDINATED` adds (docs/coordinated-failover.md;
        /// `+client|pause +client|unpause` are inside `+client` already): FAILOVER itself, and
        /// REPLCONF GETACK fenced by ECHO to prompt the target's acknowledgement.
        static let coordinatedRules = ["+failover", "+client|pause", "+client|unpause", "+replconf", "+echo"]

        /// redis-server arguments: `requirepass`/`masterauth` for the default user, plus a
        /// `sentinel-user` with `rules` when given.
        static func dataNodeArguments(sentinelUserRules rules: [String]? = nil) -> [String] {
            var arguments = ["--requirepass", dataPassword, "--masterauth", dataPassword]
            if let rules {
                arguments += ["--user", "sentinel-user", "on", ">\(sentinelUserPassword)"] + rules
            }
            return arguments
        }

        /// `ACL LOG` entries of every running data node as `port:reason:object` (what was refused).
        static func aclDenials(_ cluster: Cluster) throws -> [String] {
            try cluster.dataNodes.filter(\.isRunning).flatMap { node -> [String] in
                let entries = try node.command("ACL", "LOG").elements ?? []
                return entries.compactMap { entry in
                    guard let record = entry.record else { return "\(node.port):?" }
                    return "\(node.port):\(record["reason"] ?? "?"):\(record["object"] ?? "?"):\(record["username"] ?? "?")"
                }
            }
        }

        /// A swift-sentinel and a redis-sentinel 7.0.15 with `cluster`'s sentinel config, to compare
        /// the two side by side.
        static func addSideBySide(to cluster: Cluster) async throws -> (swift: SentinelProcess, redis: SentinelProcess) {
            let swift = try await cluster.addSentinel(name: "swift", binary: try Binaries.sentinelUnderTest())
            let redis = try await cluster.addSentinel(name: "redis", binary: try Binaries.referenceSentinel())
            return (swift, redis)
        }

        /// Polls `SENTINEL MASTER` on `sentinel` (up to 15 s) until `done(every flags value seen so
        /// far, the current state)`; a timeout lists the flags seen.
        static func watchFlags(
            of sentinel: SentinelProcess, in cluster: Cluster, _ what: String,
            until done: (_ seen: Set<String>, _ state: [String: String]) -> Bool
        ) async throws {
            var seen = Set<String>()
            try await eventually(timeout: .seconds(15), what, diagnostics: { "flags seen: \(seen)\n\(cluster.diagnostics())" }) {
                let state = try sentinel.masterState()
                seen.insert(state["flags"] ?? "")
                return done(seen, state)
            }
        }

        /// Retries `SENTINEL FAILOVER <m> COORDINATED` while the sentinel is still settling after
        /// an earlier failover (INPROG, NOGOODSLAVE, NOGOODPRIMARY), up to `timeout`; returns the
        /// first other answer.
        static func requestCoordinated(_ sentinel: SentinelProcess, timeout: Duration, diagnostics: @escaping () -> String)
            async throws -> RESPReply
        {
            var answer: RESPReply = .null
            try await eventually(timeout: timeout, "SENTINEL FAILOVER COORDINATED is accepted or refused for good", diagnostics: {
                "last answer: \(answer)\n\(diagnostics())"
            }) {
                answer = try sentinel.command("SENTINEL", "FAILOVER", masterName, "COORDINATED")
                let transient = ["INPROG", "NOGOODSLAVE", "NOGOODPRIMARY"]
                return !transient.contains { answer.errorText?.hasPrefix($0) == true }
            }
            return answer
        }

        /// The coordinated failover of `fixture`'s current master (`from`) under a redis-py writer
        /// that authenticates as the fixture says: accepted, switched everywhere, released, and
        /// no acknowledged write lost. Returns the new master's port.
        static func coordinatedUnderWriter(_ fixture: FailoverCluster, from oldPort: UInt16) async throws -> UInt16 {
            let writer = try DemoWriter.start(fixture)
            defer { writer.kill() }
            try await writer.waitForAcks(200, on: oldPort)
            let leader = fixture.sentinels[0]
            let accepted = try await requestCoordinated(leader, timeout: .seconds(20), diagnostics: fixture.diagnostics)
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(fixture.diagnostics())")
            let switched = try await fixture.waitForSwitchMaster(from: oldPort, timeout: .seconds(30))
            try await fixture.events(of: leader).waitFor(
                "+coordinated-failover-released", timeout: .seconds(10), diagnostics: fixture.diagnostics)
            for subscriber in fixture.subscribers {
                #expect(!subscriber.has("-failover-abort-coordinated"), "\(subscriber.label) aborted\n\(subscriber.transcript())")
            }
            try await writer.waitForAcks(200, on: switched.newPort)
            let summary = try await writer.stop()
            try Integration.CoordinatedFailoverTests.verifyWrites(writer, on: switched.newPort)
            let lost = try writer.missing(on: switched.newPort).count
            print("integration: auth: coordinated failover \(oldPort) -> \(switched.newPort) under a password-using redis-py writer: \(summary); lost=\(lost)")
            return switched.newPort
        }

        // MARK: a. requirepass + masterauth, sentinel auth-pass

        @Test("password-protected data nodes (requirepass + masterauth, sentinel auth-pass): a crash failover, then a coordinated one under a password-using redis-py writer, 0 writes lost",
              .timeLimit(.minutes(3)))
        func passwordProtectedFailovers() async throws {
            let fixture = try await FailoverCluster.start(
                sentinelLines: ["sentinel auth-pass \(Self.masterName) \(Self.dataPassword)"],
                dataNodeArguments: Self.dataNodeArguments(), dataNodeAuth: [Self.dataPassword])
            defer { fixture.shutdown() }
            let cluster = fixture.cluster
            let oldMaster = try #require(cluster.master)
            // Not vacuous: the data nodes refuse an unauthenticated client.
            let anonymous = try RESPClient(port: oldMaster.port).send("PING")
            #expect(anonymous.errorText?.hasPrefix("NOAUTH") == true, "PING without AUTH: \(anonymous)")
            try await fixture.waitUntilSettled()
            for sentinel in fixture.sentinels {
                #expect(try sentinel.masterState()["flags"] == "master", "\(sentinel.label)")
            }

            oldMaster.kill()
            let crash = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: .seconds(30))
            let survivor = try #require(cluster.replicas.first { $0.port != crash.newPort })
            try await fixture.waitForReplication(master: crash.newPort, replicas: [survivor], timeout: .seconds(30))
            print("integration: auth: crash failover with auth-pass: \(oldMaster.port) -> \(crash.newPort)")

            let final = try await Self.coordinatedUnderWriter(fixture, from: crash.newPort)
            #expect(final == survivor.port)
        }

        // MARK: b. An ACL user with the minimal permissions (+ what COORDINATED needs)

        @Test("an ACL sentinel user with the documented minimal rules plus +failover +client|pause +client|unpause +replconf +echo: the coordinated failover works and nothing is refused (ACL LOG empty)",
              .timeLimit(.minutes(3)))
        func aclUserCoordinated() async throws {
            let rules = Self.minimalSentinelRules + Self.coordinatedRules
            let fixture = try await FailoverCluster.start(
                sentinelLines: [
                    "sentinel auth-user \(Self.masterName) sentinel-user",
                    "sentinel auth-pass \(Self.masterName) \(Self.sentinelUserPassword)",
                ],
                dataNodeArguments: Self.dataNodeArguments(sentinelUserRules: rules), dataNodeAuth: [Self.dataPassword])
            defer { fixture.shutdown() }
            let cluster = fixture.cluster
            let master = try #require(cluster.master)
            try await fixture.waitUntilSettled()
            // The sentinels really are sentinel-user on every data node (both links each).
            for node in cluster.dataNodes {
                let list = try node.command("CLIENT", "LIST").string ?? ""
                let links = list.split(separator: "\n").filter { $0.contains("name=sentinel-") }
                #expect(links.count == 6 && links.allSatisfy { $0.contains("user=sentinel-user") },
                        "\(node.address): \(links)")
            }
            let newPort = try await Self.coordinatedUnderWriter(fixture, from: master.port)
            let followers = cluster.dataNodes.filter { $0.port != newPort }
            try await fixture.waitForReplication(master: newPort, replicas: followers, timeout: .seconds(40))
            let denials = try Self.aclDenials(cluster)
            #expect(denials.isEmpty, "commands refused to the sentinel user: \(denials)")
        }

        // MARK: c. A wrong auth-pass, repaired at run time

        /// A wrong auth-pass, on swift-sentinel and on redis-sentinel 7.0.15 side by side: both
        /// show the master `s_down` and `disconnected` (the pub/sub connection is closed after
        /// SUBSCRIBE gets -NOAUTH); swift-sentinel also logs why. `SENTINEL SET mymaster auth-pass
        /// <right>` makes both recover without a restart.
        @Test("a wrong auth-pass: s_down + disconnected (as redis-sentinel), the auth failure in the log; SENTINEL SET auth-pass repairs it without restart",
              .timeLimit(.minutes(2)))
        func wrongAuthPass() async throws {
            let cluster = try await Cluster.start(
                sentinels: 0, downAfterMilliseconds: 1000,
                sentinelLines: ["sentinel auth-pass \(Self.masterName) not-the-password"],
                dataNodeArguments: Self.dataNodeArguments(), dataNodeAuth: [Self.dataPassword])
            defer { cluster.shutdown() }
            let (swift, redis) = try await Self.addSideBySide(to: cluster)
            let master = try #require(cluster.master)

            for sentinel in [swift, redis] {
                try await Self.watchFlags(
                    of: sentinel, in: cluster, "\(sentinel.label) flags the master s_down and (at some point) disconnected"
                ) { seen, _ in
                    seen.contains { $0.contains("s_down") } && seen.contains { $0.contains("disconnected") }
                }
                #expect(try sentinel.masterState()["num-slaves"] == "0", "no INFO without authentication")
            }
            let line = "Authentication failed on the link to master \(Self.masterName) 127.0.0.1 \(master.port)"
            let failures = swift.log().split(separator: "\n").filter { $0.contains(line) }
            #expect(failures.count == 1, "one log line naming the master:\n\(swift.diagnostics())")
            #expect(failures.first?.contains("WRONGPASS") == true, "\(failures)")
            print("integration: auth: wrong auth-pass logged as: \(failures.first ?? "nothing")")

            for sentinel in [swift, redis] {
                let reply = try sentinel.command("SENTINEL", "SET", Self.masterName, "auth-pass", Self.dataPassword)
                #expect(reply == .simpleString("OK"), "\(sentinel.label): \(reply)")
            }
            for sentinel in [swift, redis] {
                try await eventually(
                    timeout: .seconds(20), "\(sentinel.label) sees the master healthy with both replicas",
                    diagnostics: cluster.diagnostics
                ) {
                    let state = try sentinel.masterState()
                    return state["flags"] == "master" && state["num-slaves"] == "2"
                }
            }
            #expect(swift.log().contains("Authentication on the link to master \(Self.masterName) 127.0.0.1 \(master.port) works again"),
                    "\(swift.diagnostics())")
            #expect(swift.log().contains("-sdown master \(Self.masterName) 127.0.0.1 \(master.port)"))
        }

        /// An ACL user for the sentinels without `+subscribe`: AUTH and PING work, the pub/sub
        /// connection is closed after every `-NOPERM` SUBSCRIBE, so both sentinels show the master
        /// `disconnected`, but the PING that goes out each time the pub/sub connection is reopened
        /// keeps it from SDOWN (swift-sentinel sent no PING while a pub/sub connection was being
        /// reopened and called the master s_down: 36 of 40 samples, redis-sentinel 0). Down-after
        /// 2000 ms keeps both clear of the 1 s reopen period. swift-sentinel logs it once.
        @Test("a sentinel user without +subscribe: disconnected but not s_down on swift-sentinel and redis-sentinel alike, one 'Permission denied' line",
              .timeLimit(.minutes(2)))
        func subscribeDenied() async throws {
            let rules = Self.minimalSentinelRules.filter { $0 != "+subscribe" }
            let cluster = try await Cluster.start(
                sentinels: 0, downAfterMilliseconds: 2000,
                sentinelLines: [
                    "sentinel auth-user \(Self.masterName) sentinel-user",
                    "sentinel auth-pass \(Self.masterName) \(Self.sentinelUserPassword)",
                ],
                dataNodeArguments: Self.dataNodeArguments(sentinelUserRules: rules), dataNodeAuth: [Self.dataPassword])
            defer { cluster.shutdown() }
            let (swift, redis) = try await Self.addSideBySide(to: cluster)
            let master = try #require(cluster.master)
            for sentinel in [swift, redis] {
                try await Self.watchFlags(
                    of: sentinel, in: cluster, "\(sentinel.label) shows the master disconnected and knows its replicas"
                ) { seen, state in
                    seen.contains { $0.contains("disconnected") } && state["num-slaves"] == "2"
                }
            }
            // Give the pub/sub connection a few more retries, then count the lines.
            try await Task.sleep(for: .seconds(2))
            var samples: [String: [String: Int]] = [:]
            for _ in 0..<40 {
                for sentinel in [swift, redis] {
                    samples[sentinel.name, default: [:]][try sentinel.masterState()["flags"] ?? "?", default: 0] += 1
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            print("integration: auth: SUBSCRIBE refused, flags over 4 s: \(samples)")
            for (name, flags) in samples {
                #expect(!flags.keys.contains { $0.contains("s_down") }, "\(name) called a master that answers PING down: \(flags)")
            }
            let line = "Permission denied on the link to master \(Self.masterName) 127.0.0.1 \(master.port)"
            let denied = swift.log().split(separator: "\n").filter { $0.contains(line) }
            #expect(denied.count == 1, "one line, not one per retry:\n\(swift.diagnostics())")
            #expect(denied.first?.contains("NOPERM") == true && denied.first?.contains("'sentinel-user'") == true, "\(denied)")
            let refused = try master.command("ACL", "LOG").elements?.compactMap { $0.record?["object"] } ?? []
            #expect(refused.contains("subscribe"), "the master's ACL LOG: \(refused)")
            print("integration: auth: SUBSCRIBE refused logged as: \(denied.first ?? "nothing")")
        }

        // MARK: d. Between sentinels: requirepass + sentinel-pass

        /// `SENTINEL CKQUORUM` of three sentinels (quorum 2) when every peer refuses the
        /// sentinel-pass, and when all three are usable.
        static let noQuorum = "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master. Not enough available Sentinels to reach the majority and authorize a failover"
        static let quorumOK = "OK 3 usable Sentinels. Quorum and failover authorization can be reached"

        /// Three swift-sentinels with `requirepass`. With a wrong `sentinel-pass` they still
        /// discover each other (hellos travel through the master) but every PING to a peer gets
        /// -NOAUTH, so the peers go s_down and CKQUORUM counts one usable sentinel (no vote can be
        /// had). `SENTINEL CONFIG SET sentinel-pass <right>` repairs it without a restart, and then
        /// they vote and fail over a crashed master.
        @Test("sentinels with requirepass: a wrong sentinel-pass leaves 1 usable sentinel (NOQUORUM); SENTINEL CONFIG SET sentinel-pass repairs it; then a crash failover is voted and done",
              .timeLimit(.minutes(3)))
        func sentinelPassword() async throws {
            let fixture = try await FailoverCluster.start(
                sentinelLines: ["requirepass \(Self.sentinelPassword)", "sentinel sentinel-pass wrong-password"],
                sentinelAuth: [Self.sentinelPassword])
            defer { fixture.shutdown() }
            let cluster = fixture.cluster
            try await cluster.waitForFullDiscovery(timeout: .seconds(30))
            for sentinel in fixture.sentinels {
                try await eventually(timeout: .seconds(15), "\(sentinel.label): CKQUORUM counts 1 usable sentinel", diagnostics: fixture.diagnostics) {
                    try sentinel.command("SENTINEL", "CKQUORUM", Self.masterName) == .simpleError(Self.noQuorum)
                }
                let peers = try sentinel.instances("SENTINELS")
                #expect(peers.count == 2 && peers.allSatisfy { ($0["flags"] ?? "").contains("s_down") }, "\(sentinel.label): \(peers)")
                let logged = sentinel.log().split(separator: "\n").filter { $0.contains("Authentication failed on the link to sentinel") }
                #expect(logged.count == 2 && logged.allSatisfy { $0.contains("WRONGPASS") }, "one line per peer:\n\(sentinel.diagnostics())")
            }

            for sentinel in fixture.sentinels {
                let reply = try sentinel.command("SENTINEL", "CONFIG", "SET", "sentinel-pass", Self.sentinelPassword)
                #expect(reply == .simpleString("OK"), "\(sentinel.label): \(reply)")
                let persisted = try sentinel.configDirectives().contains { $0 == ["sentinel", "sentinel-pass", Self.sentinelPassword] }
                #expect(persisted, "\(sentinel.label) wrote sentinel-pass to its config")
            }
            for sentinel in fixture.sentinels {
                try await eventually(timeout: .seconds(15), "\(sentinel.label): CKQUORUM counts 3 usable sentinels", diagnostics: fixture.diagnostics) {
                    try sentinel.command("SENTINEL", "CKQUORUM", Self.masterName) == .simpleString(Self.quorumOK)
                }
            }
            try await cluster.waitForHealthyLinks(timeout: .seconds(15))

            let master = try #require(cluster.master)
            master.kill()
            let switched = try await fixture.waitForSwitchMaster(from: master.port, timeout: .seconds(30))
            let leaders = fixture.subscribers.filter { $0.has("+elected-leader") }
            #expect(leaders.count == 1, "one elected leader: \(leaders.map(\.label))")
            // The leader needed a peer's vote: some peer logged +vote-for-leader for it.
            #expect(fixture.subscribers.filter { $0.has("+vote-for-leader") }.count >= 2, "votes were exchanged\n\(fixture.diagnostics())")
            print("integration: auth: sentinel-pass repaired at run time; crash failover \(master.port) -> \(switched.newPort)")
        }

        /// The wrong-sentinel-pass symptom and its repair, on swift-sentinel and on redis-sentinel
        /// 7.0.15 (three of one kind each): the same CKQUORUM answers before and after
        /// `SENTINEL CONFIG SET sentinel-pass`.
        @Test("a wrong sentinel-pass: NOQUORUM 1 usable, then OK 3 usable after SENTINEL CONFIG SET sentinel-pass (swift-sentinel and redis-sentinel alike)",
              .timeLimit(.minutes(2)), arguments: ["swift-sentinel", "redis-sentinel"])
        func wrongSentinelPassAlike(_ which: String) async throws {
            let binary = which == "redis-sentinel" ? try Binaries.referenceSentinel() : try Binaries.sentinelUnderTest()
            let cluster = try await Cluster.start(
                sentinelBinary: binary, downAfterMilliseconds: 1000,
                sentinelLines: ["requirepass \(Self.sentinelPassword)", "sentinel sentinel-pass wrong-password"],
                sentinelAuth: [Self.sentinelPassword])
            defer { cluster.shutdown() }
            try await cluster.waitForFullDiscovery(timeout: .seconds(30))
            for sentinel in cluster.sentinels {
                try await eventually(timeout: .seconds(15), "\(sentinel.label): CKQUORUM counts 1 usable sentinel", diagnostics: cluster.diagnostics) {
                    try sentinel.command("SENTINEL", "CKQUORUM", Self.masterName) == .simpleError(Self.noQuorum)
                }
            }
            for sentinel in cluster.sentinels {
                let reply = try sentinel.command("SENTINEL", "CONFIG", "SET", "sentinel-pass", Self.sentinelPassword)
                #expect(reply == .simpleString("OK"), "\(sentinel.label): \(reply)")
            }
            for sentinel in cluster.sentinels {
                try await eventually(timeout: .seconds(15), "\(sentinel.label): CKQUORUM counts 3 usable sentinels", diagnostics: cluster.diagnostics) {
                    try sentinel.command("SENTINEL", "CKQUORUM", Self.masterName) == .simpleString(Self.quorumOK)
                }
            }
        }

        /// What one sentinel needs on another: AUTH (always allowed), `CLIENT SETNAME`, `PING`, the
        /// hello `PUBLISH` on its channel, the vote request; and for a coordinated failover the
        /// hello hold notice and the address confirmation. Found by running redis-sentinel 7.0.15
        /// and swift-sentinel with a peer user: without `+sentinel|is-master-down-by-addr` both
        /// log that denial in ACL LOG and a crashed master is never failed over. swift-sentinel's
        /// `SENTINEL COORDINATED-FAILOVER` is not in Redis's command table and is checked as
        /// `sentinel|failover` (its row in Server/Commands/CommandRegistry.swift).
        static let peerRules = [
            "&__sentinel__:hello", "+ping", "+publish", "+client|setname", "+sentinel|is-master-down-by-addr",
            "+sentinel|failover", "+sentinel|get-master-addr-by-name",
        ]

        @Test("sentinels that talk to each other as an ACL user with only what peers need (sentinel-user): a coordinated and a crash failover, nothing refused in any sentinel's ACL LOG",
              .timeLimit(.minutes(3)))
        func sentinelUser() async throws {
            let peerPassword = "peer-pw"
            let fixture = try await FailoverCluster.start(
                sentinelLines: [
                    "requirepass \(Self.sentinelPassword)",
                    "user sentinel-peer on >\(peerPassword) " + Self.peerRules.joined(separator: " "),
                    "sentinel sentinel-user sentinel-peer", "sentinel sentinel-pass \(peerPassword)",
                ],
                sentinelAuth: [Self.sentinelPassword])
            defer { fixture.shutdown() }
            let cluster = fixture.cluster
            try await fixture.waitUntilSettled()
            // Each sentinel has its two peers connected as sentinel-peer.
            for sentinel in fixture.sentinels {
                let list = try sentinel.command("CLIENT", "LIST").string ?? ""
                let peers = list.split(separator: "\n").filter { $0.contains("user=sentinel-peer") }
                #expect(peers.count == 2, "\(sentinel.label) CLIENT LIST: \(list)")
            }
            let master = try #require(cluster.master)
            let promoted = try await Self.coordinatedUnderWriter(fixture, from: master.port)
            let newMaster = try #require(cluster.node(port: promoted))
            try await fixture.waitForReplication(
                master: promoted, replicas: cluster.dataNodes.filter { $0.port != promoted }, timeout: .seconds(40))
            newMaster.kill()
            let crash = try await fixture.waitForSwitchMaster(from: promoted, timeout: .seconds(30))
            for sentinel in fixture.sentinels {
                let log = try sentinel.command("ACL", "LOG").elements ?? []
                #expect(log.isEmpty, "\(sentinel.label) refused something to a peer: \(log)")
            }
            print("integration: auth: sentinel-user peers: coordinated \(master.port) -> \(promoted), crash -> \(crash.newPort)")
        }

        /// The vote request is what a peer user cannot do without: with the peer rules minus
        /// `+sentinel|is-master-down-by-addr`, three sentinels see a crashed master SDOWN, every
        /// request for the others' view is refused (ACL LOG), so there is no ODOWN and no
        /// failover. swift-sentinel and redis-sentinel 7.0.15 alike.
        @Test("a peer user without +sentinel|is-master-down-by-addr: a crashed master stays s_down, never o_down, not failed over; the denial in ACL LOG (swift-sentinel and redis-sentinel alike)",
              .timeLimit(.minutes(2)), arguments: ["swift-sentinel", "redis-sentinel"])
        func peerUserWithoutVoteRequest(_ which: String) async throws {
            let binary = which == "redis-sentinel" ? try Binaries.referenceSentinel() : try Binaries.sentinelUnderTest()
            let rules = Self.peerRules.filter { $0 != "+sentinel|is-master-down-by-addr" }
            let cluster = try await Cluster.start(
                sentinelBinary: binary, downAfterMilliseconds: 1000,
                sentinelLines: [
                    "sentinel failover-timeout \(Self.masterName) 10000", "requirepass \(Self.sentinelPassword)",
                    "user sentinel-peer on >peer-pw " + rules.joined(separator: " "),
                    "sentinel sentinel-user sentinel-peer", "sentinel sentinel-pass peer-pw",
                ],
                sentinelAuth: [Self.sentinelPassword])
            defer { cluster.shutdown() }
            try await cluster.waitForFullDiscovery(timeout: .seconds(30))
            try await cluster.waitForHealthyLinks(timeout: .seconds(15))
            let master = try #require(cluster.master)
            master.kill()
            for sentinel in cluster.sentinels {
                try await eventually(
                    timeout: .seconds(15), "\(sentinel.label) refused a peer's is-master-down-by-addr", diagnostics: cluster.diagnostics
                ) {
                    let log = try sentinel.command("ACL", "LOG").elements ?? []
                    return log.contains { $0.record?["object"] == "sentinel|is-master-down-by-addr" }
                }
            }
            // A failover would have started within a second of the SDOWN; give it three.
            try await Task.sleep(for: .seconds(3))
            for sentinel in cluster.sentinels {
                let flags = try sentinel.masterState()["flags"] ?? ""
                #expect(flags.contains("s_down") && !flags.contains("o_down"), "\(sentinel.label): \(flags)")
                #expect(try cluster.currentMasterPort(on: sentinel) == master.port, "\(sentinel.label) switched")
            }
        }
    }
}
