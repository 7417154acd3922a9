import Foundation
import Testing

extension Integration {
    /// TLS end to end (issue 6): redis-server 7.0.15 TLS-only nodes (`--port 0 --tls-port`,
    /// client certificates required, `tls-replication yes`) and swift-sentinels with `port 0`,
    /// `tls-port` and `tls-replication yes`. Certificates are made by the test with `openssl`.
    /// The harness queries the TLS-only processes through a local TLS tunnel (TLSSupport.swift).
    @Suite("TLS")
    struct TLSTests {
        /// Sentinels discover the TLS replicas and each other over TLS (hellos announce tls-port),
        /// redis-py and `redis-cli --tls` discover the master through them, plain text to the TLS
        /// port is dropped while a TLS client keeps working, and a crash failover completes.
        @Test("TLS-only master, replicas and sentinels: discovery, clients, crash failover", .timeLimit(.minutes(3)))
        func tlsOnlyCluster() async throws {
            let fixture = try await TLSFixture.make()
            defer { fixture.stop() }
            let (directory, files, diagnostics) = (fixture.directory, fixture.files, fixture.diagnostics)
            let master = try await fixture.startNode(name: "master")
            for index in 1...2 {
                _ = try await fixture.startNode(name: "replica\(index)", replicaOf: master.tlsPort)
            }
            let nodes = fixture.nodes
            try await eventually(timeout: .seconds(20), "the master has 2 TLS replicas online", diagnostics: diagnostics) {
                try master.info("replication")["connected_slaves"] == "2"
            }
            for index in 1...3 {
                _ = try await fixture.startSentinel(name: "sentinel\(index)", masterPort: master.tlsPort)
            }
            let sentinels = fixture.sentinels
            let tlsPorts = Set(sentinels.map(\.tlsPort))
            let discovery = try await eventually(
                timeout: .seconds(30), "every sentinel knows 2 replicas and 2 other sentinels over TLS", diagnostics: diagnostics
            ) {
                try sentinels.allSatisfy { sentinel in
                    let state = try sentinel.masterState()
                    return state["num-slaves"] == "2" && state["num-other-sentinels"] == "2"
                        && !(state["flags"] ?? "").contains("disconnected")
                }
            }
            print("integration: TLS discovery of replicas and peers took \(discovery)")
            // Peers are announced with their tls-port (tls-replication yes, no announce-port).
            for sentinel in sentinels {
                let peers = try #require(try sentinel.command("SENTINEL", "SENTINELS", Cluster.masterName).elements)
                let ports = Set(peers.compactMap { $0.record?["port"].flatMap(UInt16.init) })
                #expect(ports == tlsPorts.subtracting([sentinel.tlsPort]), "peers of \(sentinel.name): \(peers)\n\(diagnostics())")
                let replicas = try #require(try sentinel.command("SENTINEL", "REPLICAS", Cluster.masterName).elements)
                #expect(
                    Set(replicas.compactMap { $0.record?["port"].flatMap(UInt16.init) }) == Set(nodes.dropFirst().map(\.tlsPort)))
            }

            // redis-cli --tls asks a sentinel for the master.
            let cli = try await ManagedProcess.run(
                label: "redis-cli --tls", executable: try Binaries.onPath("redis-cli", hint: "apt-get install redis-tools"),
                arguments: [
                    "--tls", "--cacert", files.ca, "--cert", files.clientCert, "--key", files.clientKey, "-h", "127.0.0.1",
                    "-p", "\(sentinels[1].tlsPort)", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", Cluster.masterName,
                ],
                logURL: directory.appendingPathComponent("redis-cli.log"), timeout: .seconds(20))
            let cliLines = cli.output.split(separator: "\n").filter { !$0.hasPrefix("---- harness") }
            #expect(cli.status == 0 && cliLines == ["127.0.0.1", "\(master.tlsPort)"], "redis-cli: \(cli.output)")

            // redis-py discovers the master and replicas over TLS and writes through the master.
            let before = try await runRedisPy(
                directory: directory, files: files, sentinels: sentinels, expectMaster: master.tlsPort, label: "before")
            #expect(before.status == 0, "redis-py over TLS:\n\(before.output)\n\(diagnostics())")

            // Plain text to the TLS port is dropped; a TLS client on the same port is unaffected.
            // read(until:) returns only when the server closes; staying open throws at the 10 s timeout.
            let plain = try LoopbackSocket(port: sentinels[0].tlsPort, timeout: .seconds(10))
            try plain.write(Array("PING\r\n".utf8))
            let dropped = String(decoding: try plain.read { _ in false }, as: UTF8.self)
            #expect(!dropped.contains("PONG"), "plain text on the TLS port got \(dropped.debugDescription)")
            #expect(try sentinels[0].command("PING") == .simpleString("PONG"))
            #expect(try sentinels[0].masterPort() == master.tlsPort)

            // Crash failover over TLS links.
            let clock = ContinuousClock()
            let killedAt = clock.now
            master.kill()
            let replicaPorts = Set(nodes.dropFirst().map(\.tlsPort))
            try await eventually(timeout: .seconds(60), "all sentinels name the same promoted TLS replica", diagnostics: diagnostics) {
                let answers = try sentinels.map { try $0.masterPort() }
                guard let first = answers.first, let port = first else { return false }
                return replicaPorts.contains(port) && answers.allSatisfy { $0 == port }
            }
            let failoverTime = clock.now - killedAt
            let promotedPort = try #require(try sentinels[0].masterPort())
            let promoted = try #require(nodes.first { $0.tlsPort == promotedPort })
            let other = try #require(nodes.dropFirst().first { $0.tlsPort != promotedPort })
            print("integration: TLS crash failover: all 3 sentinels answered \(promoted.name) after \(failoverTime)")
            try await eventually(timeout: .seconds(30), "the other replica replicates from the promoted one over TLS", diagnostics: diagnostics) {
                let info = try other.info("replication")
                return try promoted.info("replication")["role"] == "master" && info["master_port"] == "\(promotedPort)"
                    && info["master_link_status"] == "up"
            }
            let after = try await runRedisPy(
                directory: directory, files: files, sentinels: sentinels, expectMaster: promotedPort, label: "after")
            #expect(after.status == 0, "redis-py over TLS after the failover:\n\(after.output)\n\(diagnostics())")

            // A coordinated failover back to the other replica, every step over TLS links.
            guard Binaries.sentinelUnderTestHasCoordinatedFailover else { return }
            // Wait until every sentinel's INFO of the other replica shows it synced to the promoted one.
            try await eventually(timeout: .seconds(40), "every sentinel sees the other replica linked to \(promoted.name)", diagnostics: diagnostics) {
                try sentinels.allSatisfy { sentinel in
                    let replicas = try sentinel.command("SENTINEL", "REPLICAS", Cluster.masterName).elements ?? []
                    return replicas.contains {
                        $0.record?["port"] == "\(other.tlsPort)" && $0.record?["flags"] == "slave"
                            && $0.record?["master-port"] == "\(promotedPort)" && $0.record?["master-link-status"] == "ok"
                    }
                }
            }
            // NOGOODSLAVE until the sentinel's INFO of the new master lists the replica online.
            var accepted: RESPReply = .null
            try await eventually(timeout: .seconds(30), "SENTINEL FAILOVER COORDINATED is accepted", diagnostics: { "\(accepted)\n" + diagnostics() }) {
                accepted = try sentinels[0].command("SENTINEL", "FAILOVER", Cluster.masterName, "COORDINATED")
                return accepted.errorText?.hasPrefix("NOGOODSLAVE") != true
            }
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(diagnostics())")
            let coordinatedAt = clock.now
            try await eventually(timeout: .seconds(60), "all sentinels name \(other.name) after the coordinated failover", diagnostics: diagnostics) {
                try sentinels.allSatisfy { try $0.masterPort() == other.tlsPort }
            }
            print("integration: TLS coordinated failover: all 3 sentinels answered \(other.name) after \(clock.now - coordinatedAt)")
            try await eventually(timeout: .seconds(30), "\(promoted.name) replicates from \(other.name) over TLS", diagnostics: diagnostics) {
                let info = try promoted.info("replication")
                return try other.info("replication")["role"] == "master" && info["master_port"] == "\(other.tlsPort)"
                    && info["master_link_status"] == "up"
            }
        }

        /// `--check-config` and a normal start both stop with exit status 1 and a message naming
        /// the certificate file and directive, then Redis's "Failed to configure TLS" line.
        @Test("a missing certificate stops --check-config and startup with exit 1", .timeLimit(.minutes(1)))
        func startupErrorsNameTheFile() async throws {
            let fixture = try await TLSFixture.make()
            defer { fixture.stop() }
            let (directory, files) = (fixture.directory, fixture.files)
            let binary = try Binaries.sentinelUnderTest()
            let port = try FreePort.next()
            let cases: [(String, String, String)] = [
                ("tls-cert-file", directory.path + "/absent.crt",
                 "Failed to load certificate: \(directory.path)/absent.crt (tls-cert-file): No such file or directory"),
                ("tls-key-file", files.clientKey,
                 "Failed to load private key: \(files.clientKey) (tls-key-file): the key does not match the certificate \(files.serverCert) (tls-cert-file)"),
                ("tls-ca-cert-file", files.serverKey,
                 "Failed to configure CA certificate(s) file/directory: \(files.serverKey) (tls-ca-cert-file): not a PEM certificate"),
            ]
            for (index, (directive, value, message)) in cases.enumerated() {
                var lines = ["port 0", "bind 127.0.0.1", "dir \"\(directory.path)\"", "sentinel monitor mymaster 127.0.0.1 6379 2"]
                lines += files.sentinelLines(tlsPort: port).map { $0.hasPrefix(directive + " ") ? "\(directive) \(value)" : $0 }
                let config = directory.appendingPathComponent("bad-\(index).conf")
                try (lines.joined(separator: "\n") + "\n").write(to: config, atomically: true, encoding: .utf8)
                for arguments in [[config.path, "--check-config"], [config.path]] {
                    let (status, output) = try await ManagedProcess.run(
                        label: "swift-sentinel \(arguments.joined(separator: " "))", executable: binary, arguments: arguments,
                        logURL: directory.appendingPathComponent("bad-\(index)-\(arguments.count).log"), timeout: .seconds(20))
                    #expect(status == 1, "\(arguments): exit \(status)\n\(output)")
                    #expect(output.contains(message), "\(arguments): \(output)")
                    #expect(output.contains("Failed to configure TLS. Check logs for more info."), "\(arguments): \(output)")
                }
            }
        }

        /// A sentinel with both `port` and `tls-port` answers on both; SENTINEL CONFIG SET
        /// tls-cert-file/tls-key-file refuses a missing file (old certificate kept) and otherwise
        /// makes the next connection see the new certificate, and persists it.
        @Test("mixed plain and TLS ports; SENTINEL CONFIG SET reloads the certificate", .timeLimit(.minutes(1)))
        func mixedPortsAndReload() async throws {
            let fixture = try await TLSFixture.make()
            defer { fixture.stop() }
            let (directory, files) = (fixture.directory, fixture.files)
            let master = try await fixture.startNode(name: "master")
            let sentinel = try await fixture.startSentinel(name: "mixed", masterPort: master.tlsPort, withPlainPort: true)
            let plainPort = try #require(sentinel.plainPort)
            #expect(try RESPClient(port: plainPort).send("PING") == .simpleString("PONG"), "plain port")
            #expect(try sentinel.command("PING") == .simpleString("PONG"), "TLS port")
            try await eventually(timeout: .seconds(15), "the mixed sentinel monitors the TLS master", diagnostics: { sentinel.diagnostics() }) {
                let state = try RESPClient(port: plainPort).send("SENTINEL", "MASTER", Cluster.masterName).record
                return state?["flags"] == "master" && state?["role-reported"] == "master"
            }

            #expect(try await presentedSubject(sentinel.tlsPort, files: files, directory: directory).contains("server one"))
            let bad = try sentinel.command("SENTINEL", "CONFIG", "SET", "tls-cert-file", files.dir + "/missing.crt")
            #expect(bad.errorText?.hasPrefix("ERR Unable to update TLS configuration: Failed to load certificate: \(files.dir)/missing.crt") == true, "\(bad)")
            #expect(try await presentedSubject(sentinel.tlsPort, files: files, directory: directory).contains("server one"))
            let good = try RESPClient(port: plainPort).send(
                "SENTINEL", "CONFIG", "SET", "tls-cert-file", files.server2Cert, "tls-key-file", files.server2Key)
            #expect(good == .simpleString("OK"), "\(good)")
            #expect(try await presentedSubject(sentinel.tlsPort, files: files, directory: directory).contains("server two"))
            let saved = try String(contentsOf: sentinel.configURL, encoding: .utf8)
            #expect(saved.contains("tls-cert-file \(files.server2Cert)\n") && saved.contains("tls-key-file \(files.server2Key)\n"), "\(saved)")
            // The plain port still answers, and the master link (TLS) is still up.
            #expect(try RESPClient(port: plainPort).send("SENTINEL", "MASTER", Cluster.masterName).record?["flags"] == "master")
        }

        /// A mixed fleet over TLS: Debian's redis-sentinel 7.0.15 and two swift-sentinels, all
        /// TLS-only, find each other through hellos on the TLS master and replica (each announces
        /// its tls-port) and connect to each other's TLS ports.
        @Test("redis-sentinel and swift-sentinels discover each other over TLS", .timeLimit(.minutes(1)))
        func mixedFleetOverTLS() async throws {
            let fixture = try await TLSFixture.make()
            defer { fixture.stop() }
            let master = try await fixture.startNode(name: "master")
            _ = try await fixture.startNode(name: "replica", replicaOf: master.tlsPort)
            _ = try await fixture.startSentinel(
                name: "redis-sentinel", masterPort: master.tlsPort, binary: try Binaries.referenceSentinel())
            for index in 1...2 {
                _ = try await fixture.startSentinel(name: "swift\(index)", masterPort: master.tlsPort)
            }
            let sentinels = fixture.sentinels
            let tlsPorts = Set(sentinels.map(\.tlsPort))
            try await eventually(timeout: .seconds(30), "each sentinel knows the replica and the 2 others, over TLS", diagnostics: fixture.diagnostics) {
                try sentinels.allSatisfy { sentinel in
                    let state = try sentinel.masterState()
                    guard state["num-slaves"] == "1", state["num-other-sentinels"] == "2" else { return false }
                    let peers = try sentinel.command("SENTINEL", "SENTINELS", Cluster.masterName).elements ?? []
                    // Linked: a peer's last ok ping is recent only when our TLS link to it works.
                    return Set(peers.compactMap { $0.record?["port"].flatMap(UInt16.init) }) == tlsPorts.subtracting([sentinel.tlsPort])
                        && peers.allSatisfy { !($0.record?["flags"] ?? "").contains("disconnected") && !($0.record?["flags"] ?? "").contains("s_down") }
                }
            }
        }

        /// The standard fixture with the harness's TLS option: `Cluster.start(tls:)` makes every
        /// data node and sentinel TLS-only; discovery, healthy links and a crash failover work
        /// through the usual helpers.
        @Test("Cluster.start(tls:): the standard fixture over TLS, with a crash failover", .timeLimit(.minutes(2)))
        func standardFixtureOverTLS() async throws {
            let certificates = try await TLSFixture.make()
            defer { certificates.stop() }
            let cluster = try await Cluster.start(
                downAfterMilliseconds: 1000, sentinelLines: ["sentinel failover-timeout \(Cluster.masterName) 10000"],
                tls: certificates.files)
            defer { cluster.shutdown() }
            try await cluster.waitForFullDiscovery()
            try await cluster.waitForHealthyLinks()
            for sentinel in cluster.sentinels {
                #expect(sentinel.tunnel != nil && sentinel.harnessPort != sentinel.port)
                let peers = try sentinel.instances("SENTINELS").compactMap { $0["port"].flatMap(UInt16.init) }
                #expect(Set(peers) == Set(cluster.sentinels.map(\.port)).subtracting([sentinel.port]), "peers announce their tls-port")
            }
            // Nothing listens in plain text on the data nodes' ports.
            #expect(throws: (any Error).self) { try RESPClient(port: cluster.master.port, timeout: .seconds(1)).send("PING") }
            let oldMaster = cluster.master.port
            cluster.master.kill()
            let replicaPorts = Set(cluster.replicas.map(\.port))
            try await eventually(timeout: .seconds(60), "every sentinel names a promoted replica", diagnostics: cluster.diagnostics) {
                try cluster.sentinels.allSatisfy { replicaPorts.contains(try cluster.currentMasterPort(on: $0)) }
            }
            let promoted = try cluster.currentMasterPort(on: cluster.sentinels[0])
            #expect(promoted != oldMaster)
            #expect(try cluster.node(port: promoted)?.info("replication")["role"] == "master")
        }

        /// The subject of the certificate a new TLS connection to `port` is shown (`openssl s_client`).
        func presentedSubject(_ port: UInt16, files: TLSFiles, directory: URL) async throws -> String {
            let (status, output) = try await ManagedProcess.run(
                label: "openssl s_client", executable: "/bin/bash",
                arguments: [
                    "-c",
                    "openssl s_client -connect 127.0.0.1:\(port) -CAfile \(files.ca) -cert \(files.clientCert) -key \(files.clientKey) </dev/null 2>&1 | grep -m1 '^subject='",
                ],
                logURL: directory.appendingPathComponent("s_client.log"), timeout: .seconds(20))
            guard status == 0 else { throw HarnessError("openssl s_client found no certificate subject:\n\(output)") }
            return output
        }

        /// redis-py's Sentinel over TLS (ssl for the sentinel connections and the data nodes):
        /// discover_master, discover_slaves, master_for().set/get.
        func runRedisPy(
            directory: URL, files: TLSFiles, sentinels: [TLSSentinelProcess], expectMaster: UInt16, label: String
        ) async throws -> (status: Int32, output: String) {
            let script = """
                import sys, uuid
                from redis.sentinel import Sentinel
                tls = dict(ssl=True, ssl_ca_certs=sys.argv[1], ssl_certfile=sys.argv[2], ssl_keyfile=sys.argv[3], socket_timeout=5)
                sentinels = [("127.0.0.1", int(p)) for p in sys.argv[4].split(",")]
                s = Sentinel(sentinels, sentinel_kwargs=dict(tls), **tls)
                master = s.discover_master("mymaster")
                print("master", master)
                assert master == ("127.0.0.1", int(sys.argv[5])), master
                print("replicas", s.discover_slaves("mymaster"))
                m = s.master_for("mymaster", **tls)
                key = "tls-" + uuid.uuid4().hex
                m.set(key, "v")
                assert m.get(key) == b"v"
                print("ok")
                """
            let path = directory.appendingPathComponent("redis_py_tls.py")
            try script.write(to: path, atomically: true, encoding: .utf8)
            return try await ManagedProcess.run(
                label: "redis-py over TLS (\(label))", executable: try Binaries.python(),
                arguments: [
                    path.path, files.ca, files.clientCert, files.clientKey,
                    sentinels.map { "\($0.tlsPort)" }.joined(separator: ","), "\(expectMaster)",
                ],
                logURL: directory.appendingPathComponent("redis_py_tls_\(label).log"), timeout: .seconds(30))
        }
    }
}

