import Foundation
import SentinelCore
import Testing

extension Integration {
    /// Protected mode and `bind` with a real non-loopback client: a network namespace this test
    /// creates (veth, 10.213.0.1 on the host, 10.213.0.2 inside; removed at the end, also on
    /// failure) runs a small Python client against a sentinel bound to 127.0.0.1 and 10.213.0.1.
    ///
    /// The matrix: protected-mode yes without a password refuses to start (and `--check-config`
    /// fails) with a message saying how to fix it, where redis-sentinel 7.0.15 starts and answers
    /// every remote client `-DENIED` (its bytes are compared with swift-sentinel's text);
    /// protected-mode yes with a password makes the remote client AUTH, exactly as redis-sentinel;
    /// protected-mode no serves it. A loopback sentinel peer, the master and its replicas keep
    /// working throughout. Redis's sentinels monitor the master under a name of their own, so they
    /// never join the group under test.
    @Suite(
        "Protected mode",
        .enabled("needs 'ip netns' (root and iproute2) and swift-sentinel; the reason is printed when skipped") {
            // The startup refusal and the 127.0.0.0/8 rule are swift-sentinel's own (see the docs).
            if !Binaries.sentinelUnderTestHasCoordinatedFailover {
                print("integration: protected mode: skipped: SENTINEL_BIN is redis-sentinel, which starts unprotected configs")
                return false
            }
            if let reason = NetworkNamespace.unavailableReason {
                print("integration: protected mode: skipped: \(reason)")
                return false
            }
            return true
        })
    struct ProtectedModeTests {
        static let password = "pm-secret"
        static let bindLine = "bind 127.0.0.1 \(NetworkNamespace.hostAddress)"

        /// What a client saw: the bytes, and whether the server closed the connection.
        struct Exchange: Equatable, CustomStringConvertible {
            var closed: Bool
            var bytes: String
            var connectError: String? = nil
            var description: String {
                connectError.map { "connect failed: \($0)" } ?? "\(closed ? "closed" : "open") \(bytes.debugDescription)"
            }
        }

        /// Connects, sends `payload`, reads until the server closes or stays quiet for 0.5 s.
        static let clientScript = """
            import socket, sys, time
            host, port, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3].replace("\\\\r\\\\n", "\\r\\n").encode()
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if len(sys.argv) > 4:
                s.bind((sys.argv[4], 0))
            s.settimeout(5)
            try:
                s.connect((host, port))
            except OSError as e:
                print("connect-error", e.errno)
                sys.exit(0)
            if payload:
                s.sendall(payload)
            got, state = b"", "open"
            s.settimeout(0.5)
            deadline = time.time() + 5
            while time.time() < deadline:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    state = "reset"
                    break
                if not chunk:
                    state = "closed"
                    break
                got += chunk
            print(state, got.hex())
            """

        struct Context {
            let cluster: Cluster
            let namespace: NetworkNamespace
            let script: URL
            let python = "/usr/bin/python3"

            /// A network namespace for `cluster` (removed by ``close()``) with the client script
            /// written into the cluster's directory.
            static func open(_ cluster: Cluster) throws -> Context {
                let namespace = try NetworkNamespace.create(in: cluster.directory)
                let script = cluster.directory.appendingPathComponent("netns_client.py")
                do {
                    try ProtectedModeTests.clientScript.write(to: script, atomically: true, encoding: .utf8)
                } catch {
                    namespace.remove()
                    throw error
                }
                return Context(cluster: cluster, namespace: namespace, script: script)
            }

            func close() { namespace.remove() }

            /// A client inside the namespace (source 10.213.0.2) to 10.213.0.1:`port`.
            func remote(_ port: UInt16, _ payload: String) async throws -> Exchange {
                let result = try await namespace.run(python, [script.path, NetworkNamespace.hostAddress, "\(port)", payload])
                return try ProtectedModeTests.parse(result.output)
            }

            /// A loopback client from `source` (127.0.0.1 or another 127/8 address) to 127.0.0.1:`port`.
            func local(_ port: UInt16, _ payload: String, from source: String = "127.0.0.1") async throws -> Exchange {
                let result = try await ManagedProcess.run(
                    label: "loopback client", executable: python,
                    arguments: [script.path, "127.0.0.1", "\(port)", payload, source],
                    logURL: cluster.directory.appendingPathComponent("local-\(UUID().uuidString.prefix(8)).log"),
                    timeout: .seconds(20))
                return try ProtectedModeTests.parse(result.output)
            }
        }

        static func parse(_ output: String) throws -> Exchange {
            guard let line = output.split(separator: "\n").last(where: { !$0.hasPrefix("---- harness") }) else {
                throw HarnessError("the client printed nothing: \(output)")
            }
            let words = line.split(separator: " ", omittingEmptySubsequences: false)
            if words.first == "connect-error" {
                return Exchange(closed: true, bytes: "", connectError: words.dropFirst().joined(separator: " "))
            }
            guard words.count == 2 else { throw HarnessError("unexpected client output: \(output)") }
            var bytes: [UInt8] = []
            var hex = words[1].makeIterator()
            while let high = hex.next(), let low = hex.next() {
                guard let byte = UInt8(String([high, low]), radix: 16) else { throw HarnessError("bad hex: \(line)") }
                bytes.append(byte)
            }
            return Exchange(closed: words[0] != "open", bytes: String(decoding: bytes, as: UTF8.self))
        }

        @Test(
            "bind 127.0.0.1 + 10.213.0.1: refused without a password, AUTH with one, served with protected-mode no",
            .timeLimit(.minutes(3)))
        func matrix() async throws {
            let cluster = try await Cluster.start(sentinels: 0)
            defer { cluster.shutdown() }
            let context = try Context.open(cluster)
            defer { context.close() }
            let candidateBinary = try Binaries.sentinelUnderTest()
            let reference = try Binaries.referenceSentinel()

            // The loopback peer: a sentinel of the group, authenticating to the others with the
            // password the candidate may have (an unneeded AUTH is answered with an error Sentinel ignores).
            let peer = try await SentinelProcess.start(
                name: "peer", binary: candidateBinary, in: cluster.directory, masterPort: cluster.master.port,
                extraLines: ["sentinel sentinel-pass \(Self.password)"])
            defer { peer.stop() }

            let denied = try await refusedWithoutPassword(context, candidateBinary: candidateBinary, reference: reference)
            try await loopbackOnlyStarts(context, candidateBinary: candidateBinary)
            try await passwordRequired(context, candidateBinary: candidateBinary, reference: reference, peer: peer, denied: denied)
            try await protectedModeOff(context, candidateBinary: candidateBinary, reference: reference, peer: peer)
            // The data nodes served the sentinels all along.
            #expect(try cluster.master.command("SET", "protected-mode-test", "1") == .simpleString("OK"))
        }

        /// protected-mode yes, no password, a non-loopback bind: swift-sentinel does not start, and
        /// says how to fix it; redis-sentinel starts and answers a remote client DENIED (returned).
        func refusedWithoutPassword(_ context: Context, candidateBinary: String, reference: String) async throws -> Exchange {
            let directory = context.cluster.directory.appendingPathComponent("refused")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("sentinel.conf")
            let text = SentinelProcess.initialConfig(
                port: try FreePort.next(), directory: directory, masterName: Cluster.masterName,
                masterPort: context.cluster.master.port, quorum: 2, downAfterMilliseconds: 5000,
                extraLines: [Self.bindLine, "protected-mode yes"])
            try text.write(to: config, atomically: true, encoding: .utf8)
            let expected = Wire.protectedModeRefusal(exposed: [NetworkNamespace.hostAddress], defaultBind: false)

            let check = try await ManagedProcess.run(
                label: "swift-sentinel --check-config", executable: candidateBinary,
                arguments: [config.path, "--check-config"], logURL: directory.appendingPathComponent("check.log"),
                timeout: .seconds(20))
            #expect(check.status == 1, "--check-config: \(check.output)")
            #expect(check.output.contains(expected), "--check-config: \(check.output)")

            let run = try await ManagedProcess.run(
                label: "swift-sentinel (refused)", executable: candidateBinary, arguments: [config.path],
                logURL: directory.appendingPathComponent("run.log"), timeout: .seconds(20))
            print("integration: protected mode: swift-sentinel exit \(run.status): \(run.output.split(separator: "\n").last ?? "")")
            #expect(run.status == 1)
            #expect(run.output.contains(expected), "\(run.output)")
            for fix in ["requirepass <password>", "bind 127.0.0.1 -::1", "'protected-mode no'"] {
                #expect(run.output.contains(fix), "the refusal names the fix \(fix)")
            }

            // redis-sentinel with the same lines starts and refuses every remote client.
            let redis = try await SentinelProcess.start(
                name: "redis-unprotected", binary: reference, in: context.cluster.directory,
                masterName: "reference-master", masterPort: context.cluster.master.port, quorum: 1,
                extraLines: [Self.bindLine, "protected-mode yes"])
            defer { redis.stop() }
            let remote = try await context.remote(redis.port, "PING\\r\\n")
            print("integration: protected mode: redis-sentinel to a remote client: \(remote.bytes.utf8.count) bytes, closed \(remote.closed)")
            #expect(remote.closed && remote.bytes.hasPrefix("-DENIED Redis is running in protected mode"), "\(remote)")
            #expect(remote.bytes == "-" + Wire.errProtectedModeDenied + "\r\n", "swift-sentinel's DENIED text differs from redis-sentinel's: \(remote)")
            #expect(try await context.local(redis.port, "PING\\r\\n") == Exchange(closed: false, bytes: "+PONG\r\n"))
            // Redis 7.0.15 accepts only 127.0.0.1 and ::1 as local; swift-sentinel takes 127.0.0.0/8 as
            // Redis 7.2 does (docs/protected-mode.md): recorded here, so a change on either side shows.
            let other = try await context.local(redis.port, "PING\\r\\n", from: "127.0.0.2")
            #expect(other.closed && other.bytes.hasPrefix("-DENIED"), "redis-sentinel 7.0.15 from 127.0.0.2: \(other)")
            return remote
        }

        /// protected-mode yes with only loopback addresses bound starts; the namespace cannot reach it.
        func loopbackOnlyStarts(_ context: Context, candidateBinary: String) async throws {
            let sentinel = try await SentinelProcess.start(
                name: "loopback-only", binary: candidateBinary, in: context.cluster.directory,
                masterName: "loopback-master", masterPort: context.cluster.master.port, quorum: 1,
                extraLines: ["bind 127.0.0.1 -::1", "protected-mode yes"])
            defer { sentinel.stop() }
            let remote = try await context.remote(sentinel.port, "PING\\r\\n")
            #expect(remote.connectError != nil, "nothing listens on 10.213.0.1: \(remote)")
            #expect(try await context.local(sentinel.port, "PING\\r\\n") == Exchange(closed: false, bytes: "+PONG\r\n"))
            #expect(
                try await context.local(sentinel.port, "PING\\r\\n", from: "127.0.0.2") == Exchange(closed: false, bytes: "+PONG\r\n"),
                "127.0.0.0/8 is loopback")
        }

        /// protected-mode yes with requirepass: starts; the remote client must AUTH, with the same
        /// bytes as redis-sentinel; the loopback peer and the data nodes stay healthy.
        func passwordRequired(
            _ context: Context, candidateBinary: String, reference: String, peer: SentinelProcess, denied: Exchange
        ) async throws {
            let lines = [Self.bindLine, "protected-mode yes", "requirepass \(Self.password)"]
            let candidate = try await SentinelProcess.start(
                name: "protected", binary: candidateBinary, in: context.cluster.directory,
                masterPort: context.cluster.master.port, extraLines: lines, clientAuth: [Self.password])
            defer { candidate.stop() }
            let redis = try await SentinelProcess.start(
                name: "redis-protected", binary: reference, in: context.cluster.directory,
                masterName: "reference-master", masterPort: context.cluster.master.port, quorum: 1, extraLines: lines,
                clientAuth: [Self.password])
            defer { redis.stop() }

            for (payload, expected) in [
                ("PING\\r\\n", "-NOAUTH Authentication required.\r\n"),
                ("AUTH \(Self.password)\\r\\nPING\\r\\n", "+OK\r\n+PONG\r\n"),
                ("AUTH wrong\\r\\n", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
            ] {
                let ours = try await context.remote(candidate.port, payload)
                let theirs = try await context.remote(redis.port, payload)
                #expect(ours == Exchange(closed: false, bytes: expected), "swift-sentinel, \(payload): \(ours)")
                #expect(ours == theirs, "\(payload): swift-sentinel \(ours), redis-sentinel \(theirs)")
            }
            let authenticated = try await context.remote(
                candidate.port, "AUTH \(Self.password)\\r\\nSENTINEL GET-MASTER-ADDR-BY-NAME \(Cluster.masterName)\\r\\n")
            #expect(authenticated.bytes.contains("\(context.cluster.master.port)"), "\(authenticated)")
            try await Self.expectGroupHealthy(candidate: candidate, peer: peer)

            // The password removed at runtime: new remote connections get DENIED, byte for byte what
            // redis-sentinel sends, and count in rejected_connections; loopback clients go on.
            for sentinel in [candidate, redis] {
                #expect(try sentinel.command("ACL", "SETUSER", "default", "nopass") == .simpleString("OK"))
                sentinel.clientAuth = nil  // AUTH <password> is an error once the default user is nopass
                let refused = try await context.remote(sentinel.port, "PING\\r\\n")
                #expect(refused == denied, "\(sentinel.label) after ACL SETUSER default nopass: \(refused)")
                #expect(try await context.local(sentinel.port, "PING\\r\\n") == Exchange(closed: false, bytes: "+PONG\r\n"))
                let stats = try sentinel.command("INFO", "stats").string ?? ""
                #expect(stats.contains("rejected_connections:1\r\n"), "\(sentinel.label): \(stats)")
            }
            try await Self.expectGroupHealthy(candidate: candidate, peer: peer)
        }

        /// protected-mode no (the sentinel default) without a password: the remote client is served.
        func protectedModeOff(_ context: Context, candidateBinary: String, reference: String, peer: SentinelProcess) async throws {
            let lines = [Self.bindLine, "protected-mode no"]
            let candidate = try await SentinelProcess.start(
                name: "open", binary: candidateBinary, in: context.cluster.directory,
                masterPort: context.cluster.master.port, extraLines: lines)
            defer { candidate.stop() }
            let redis = try await SentinelProcess.start(
                name: "redis-open", binary: reference, in: context.cluster.directory,
                masterName: "reference-master", masterPort: context.cluster.master.port, quorum: 1, extraLines: lines)
            defer { redis.stop() }
            let ours = try await context.remote(candidate.port, "PING\\r\\n")
            #expect(ours == Exchange(closed: false, bytes: "+PONG\r\n"))
            #expect(ours == (try await context.remote(redis.port, "PING\\r\\n")))
            let address = try await context.remote(candidate.port, "SENTINEL GET-MASTER-ADDR-BY-NAME \(Cluster.masterName)\\r\\n")
            #expect(address.bytes == "*2\r\n$9\r\n127.0.0.1\r\n$\(String(context.cluster.master.port).count)\r\n\(context.cluster.master.port)\r\n")
            // Protected mode is not a runtime parameter of a sentinel: same answers as redis-sentinel.
            for payload in [
                "SENTINEL CONFIG SET protected-mode yes\\r\\n", "SENTINEL CONFIG GET protected-mode\\r\\n",
                "CONFIG SET protected-mode yes\\r\\n",
            ] {
                let theirs = try await context.local(redis.port, payload)
                #expect(try await context.local(candidate.port, payload) == theirs, "\(payload): redis-sentinel \(theirs)")
            }
            try await Self.expectGroupHealthy(candidate: candidate, peer: peer)
        }

        /// The candidate sees the master, both replicas and the loopback peer with clean flags, and
        /// the peer sees the candidate answering its PINGs.
        static func expectGroupHealthy(candidate: SentinelProcess, peer: SentinelProcess) async throws {
            let candidateID = try candidate.myID()
            let peerID = try peer.myID()
            try await eventually(
                timeout: .seconds(20), "\(candidate.label) and the peer see each other, the master and 2 replicas",
                diagnostics: { candidate.diagnostics() + "\n" + peer.diagnostics() }
            ) {
                let master = try candidate.masterState()
                let replicas = try candidate.instances("REPLICAS")
                let peers = try candidate.instances("SENTINELS")
                let seen = try peer.instances("SENTINELS").first { $0["runid"] == candidateID }
                return master["flags"] == "master" && replicas.count == 2 && replicas.allSatisfy { $0["flags"] == "slave" }
                    && peers.contains { $0["runid"] == peerID && $0["flags"] == "sentinel" }
                    && seen?["flags"] == "sentinel"
                    && (Int(seen?["last-ok-ping-reply"] ?? "") ?? .max) < 1500
                    && (Int(seen?["last-ping-reply"] ?? "") ?? .max) < 1500
            }
        }
    }
}
