import Foundation
import SentinelCore
import Testing

extension Integration {
    /// Issue 13, item 4: an operator takes over a running redis-sentinel deployment, file and
    /// process as they are, and can go back. Three Debian redis-sentinels watch a real master and
    /// two replicas and rewrite their own files; they are replaced one at a time by swift-sentinel
    /// on the same files and ports, the master crashes half-way through, and then they are
    /// replaced one at a time by redis-sentinel again. After every step every sentinel names the
    /// same master with the same config epoch, lists the other two (same ids as before) and both
    /// replicas, and every file loads in both programs. One file is turned into what Valkey 8's
    /// sentinel writes before swift-sentinel takes it over.
    ///
    /// With `SENTINEL_BIN=/usr/bin/redis-sentinel` it runs redis-sentinel against itself (no
    /// `--check-config` then).
    @Suite("Migration")
    struct MigrationTests {
        /// The default user line of redis-sentinel 7.0.15's first rewrite, and the one Valkey 8's
        /// sentinel writes in its place (the rest of the file is the same). redis-sentinel 7.0.15
        /// itself writes the second at its next rewrite after a restart from the first.
        static let redisUserLine = "user default on nopass ~* &* +@all"
        static let valkeyUserLine = "user default on nopass sanitize-payload ~* &* +@all"

        @Test(
            "redis-sentinel -> swift-sentinel -> redis-sentinel one at a time on the same files, with a crash failover half-way",
            .timeLimit(.minutes(3)))
        func rollingReplacementAndBack() async throws {
            let redis = try Binaries.referenceSentinel()
            let swift = try Binaries.sentinelUnderTest()
            let clock = ContinuousClock()
            let started = clock.now
            var stepStart = started
            /// Prints how long the step took and since the start.
            func stepDone(_ what: String) {
                let now = clock.now
                print("migration: \(what): \((now - stepStart).secondsText) (total \((now - started).secondsText))")
                stepStart = now
            }

            let cluster = try await Cluster.start(sentinelBinary: redis, downAfterMilliseconds: 1000)
            defer { cluster.shutdown() }
            let sentinels = cluster.sentinels
            // Every file rewritten by its redis-sentinel: discovery, and an operator's SENTINEL SET.
            for sentinel in sentinels {
                #expect(try sentinel.command("SENTINEL", "SET", Cluster.masterName, "failover-timeout", "10000") == .simpleString("OK"))
            }
            try await cluster.waitForFullDiscovery(timeout: .seconds(20))
            let ids = try sentinels.map { try $0.myID() }
            var masterPort = cluster.master.port
            try await Self.waitUntilAgreed(cluster, ids: ids, masterPort: masterPort, failoverTimeout: true)
            for sentinel in sentinels {
                let text = try String(contentsOf: sentinel.configURL, encoding: .utf8)
                #expect(text.contains(ConfigRewriter.signature), "\(sentinel.label) did not rewrite its file:\n\(text)")
                #expect(ConfigTokenizer.lines(text).contains(Self.redisUserLine), "\(sentinel.label):\n\(text)")
            }
            try await Self.checkFilesLoad(cluster, swift: swift, redis: redis, step: "redis x3")
            stepDone("3 redis-sentinels agree, files rewritten and loadable by both")

            // What Valkey 8's sentinel writes: the same file with its default user line.
            let valkeyFile = sentinels[0]
            valkeyFile.stop()
            let redisText = try String(contentsOf: valkeyFile.configURL, encoding: .utf8)
            try redisText.replacingOccurrences(of: Self.redisUserLine, with: Self.valkeyUserLine)
                .write(to: valkeyFile.configURL, atomically: true, encoding: .utf8)

            // Forward, one at a time; the master crashes after the first one.
            for index in sentinels.indices {
                try await Self.replace(sentinels[index], by: swift, cluster, ids: ids, masterPort: masterPort)
                try await Self.checkFilesLoad(cluster, swift: swift, redis: redis, step: "forward \(index + 1)")
                stepDone("\(sentinels[index].name) replaced by \(URL(fileURLWithPath: swift).lastPathComponent)")
                if index == 0 {
                    masterPort = try await Self.crashMaster(cluster, ids: ids, from: masterPort)
                    try await Self.checkFilesLoad(cluster, swift: swift, redis: redis, step: "after the failover")
                    stepDone("master crashed, failover to :\(masterPort) agreed by 1 swift + 2 redis, old master back as a replica")
                }
            }
            // The Valkey-form user line survives swift-sentinel's rewrite.
            #expect(try valkeyFile.command("SENTINEL", "FLUSHCONFIG") == .simpleString("OK"))
            let flushed = try String(contentsOf: valkeyFile.configURL, encoding: .utf8)
            #expect(ConfigTokenizer.lines(flushed).contains(Self.valkeyUserLine), "\(valkeyFile.label) after FLUSHCONFIG:\n\(flushed)")

            // A swift-sentinel-only setting is written only while it is set: redis-sentinel refuses
            // the file meanwhile (docs/configuration.md), and loads it again once it is unset.
            if Binaries.sentinelUnderTestHasCoordinatedFailover {
                let file = sentinels[1].configURL.path
                let set = ["SENTINEL", "SET", Cluster.masterName, "coordinated-pause-milliseconds"]
                #expect(try sentinels[1].command(set + ["500"]) == .simpleString("OK"))
                #expect(Self.text(file).contains("sentinel coordinated-pause-milliseconds mymaster 500"))
                let refused = try await Self.redisSentinelLoads(file, redis: redis, cluster, tag: "pause-set")
                #expect(!refused.ok && refused.output.contains("Unrecognized sentinel configuration statement"), "\(refused.output)")
                #expect(try sentinels[1].command(set + ["0"]) == .simpleString("OK"))
                #expect(!Self.text(file).contains("coordinated-pause-milliseconds"), "\(Self.text(file))")
                let loaded = try await Self.redisSentinelLoads(file, redis: redis, cluster, tag: "pause-unset")
                #expect(loaded.ok, "\(loaded.output)")
                stepDone("coordinated-pause-milliseconds set (file refused by redis-sentinel) and unset (loads again)")
            }

            // And back, one at a time.
            for index in sentinels.indices {
                try await Self.replace(sentinels[index], by: redis, cluster, ids: ids, masterPort: masterPort)
                try await Self.checkFilesLoad(cluster, swift: swift, redis: redis, step: "back \(index + 1)")
                stepDone("\(sentinels[index].name) replaced back by redis-sentinel")
            }
            for sentinel in sentinels {
                let text = try String(contentsOf: sentinel.configURL, encoding: .utf8)
                for line in ["coordinated-pause-milliseconds", "coordinated-failover"] {
                    #expect(!text.contains(line), "\(sentinel.label)'s file has a swift-sentinel-only line:\n\(text)")
                }
            }
        }

        /// Stops `sentinel` and starts `binary` on its file and port. Right after the start, before
        /// any hello can arrive, it must know its id, both replicas and both peers from the file
        /// alone; then every sentinel must agree again.
        static func replace(
            _ sentinel: SentinelProcess, by binary: String, _ cluster: Cluster, ids: [String], masterPort: UInt16
        ) async throws {
            let clock = ContinuousClock()
            let before = clock.now
            let was = URL(fileURLWithPath: sentinel.binary).lastPathComponent
            sentinel.stop()
            let stopped = clock.now - before
            #expect(stopped < .seconds(5), "\(sentinel.label) took \(stopped.secondsText) to stop on SIGTERM")
            sentinel.switchBinary(to: binary)
            try await sentinel.start()
            let state = try sentinel.masterState()
            let index = try cluster.sentinels.firstIndex { $0 === sentinel }.unwrap("not in the cluster")
            #expect(try sentinel.myID() == ids[index], "\(sentinel.label) took another id from the file")
            #expect(try cluster.currentMasterPort(on: sentinel) == masterPort, "\(sentinel.label) read another master")
            #expect(state["num-slaves"] == "2", "\(sentinel.label) right after its start: \(state)")
            #expect(state["num-other-sentinels"] == "2", "\(sentinel.label) right after its start: \(state)")
            try await waitUntilAgreed(cluster, ids: ids, masterPort: masterPort)
            print("migration:   \(sentinel.name) :\(sentinel.port) \(was) -> \(URL(fileURLWithPath: binary).lastPathComponent): stopped in \(stopped.secondsText), all agree \((clock.now - before).secondsText) after the stop")
        }

        /// SIGKILLs the master and waits until every sentinel names the same replica as the new
        /// master; restarts the old one and waits until it replicates from the new one (the
        /// sentinels convert it). Returns the new master's port.
        static func crashMaster(_ cluster: Cluster, ids: [String], from oldPort: UInt16) async throws -> UInt16 {
            let old = try cluster.node(port: oldPort).unwrap("no data node on :\(oldPort)")
            let epochBefore = try cluster.sentinels[0].masterState()["config-epoch"].flatMap { Int($0) } ?? -1
            old.kill()
            var newPort: UInt16 = 0
            let took = try await eventually(
                timeout: .seconds(40), "every sentinel names the same replica as the master after the crash of :\(oldPort)",
                diagnostics: { cluster.diagnostics() + "\n== replication:\n" + cluster.replicationSummary() }
            ) {
                let ports = Set(try cluster.sentinels.map { try cluster.currentMasterPort(on: $0) })
                guard ports.count == 1, let port = ports.first, port != oldPort else { return false }
                newPort = port
                return true
            }
            print("migration:   +switch-master to :\(newPort) on every sentinel \(took.secondsText) after the SIGKILL")
            #expect(cluster.replicas.contains { $0.port == newPort }, "the new master :\(newPort) is not a replica")
            let epochAfter = try cluster.sentinels[0].masterState()["config-epoch"].flatMap { Int($0) } ?? -1
            #expect(epochAfter > epochBefore, "config-epoch \(epochBefore) -> \(epochAfter)")
            try await old.restart()
            let others = cluster.dataNodes.filter { $0.port != newPort }
            try await cluster.waitForReplication(master: newPort, replicas: others, timeout: .seconds(30))
            try await waitUntilAgreed(cluster, ids: ids, masterPort: newPort)
            return newPort
        }

        /// Waits until every sentinel answers `masterPort` to GET-MASTER-ADDR-BY-NAME, has the same
        /// config epoch as the others, lists both replicas with clean flags and the two other
        /// sentinels by their ids with clean flags, and its file names that master and those peers.
        static func waitUntilAgreed(
            _ cluster: Cluster, ids: [String], masterPort: UInt16, failoverTimeout: Bool = false, timeout: Duration = .seconds(20)
        ) async throws {
            let replicaAddresses = Set(cluster.dataNodes.filter { $0.port != masterPort }.map(\.address))
            var last = ""
            try await eventually(
                timeout: timeout, "every sentinel agrees on :\(masterPort), its replicas and its peers",
                diagnostics: { "last disagreement: \(last)\n" + cluster.diagnostics() }
            ) {
                var epochs: Set<String> = []
                for (index, sentinel) in cluster.sentinels.enumerated() {
                    let port = try cluster.currentMasterPort(on: sentinel)
                    guard port == masterPort else {
                        last = "\(sentinel.label) names :\(port)"
                        return false
                    }
                    epochs.insert(try sentinel.masterState()["config-epoch"] ?? "?")
                    let replicas = try sentinel.instances("REPLICAS")
                    let replicaSet = Set(replicas.map { "\($0["ip"] ?? "?"):\($0["port"] ?? "?")" })
                    guard replicaSet == replicaAddresses, replicas.allSatisfy({ $0["flags"] == "slave" }) else {
                        last = "\(sentinel.label) replicas \(replicas.map { "\($0["port"] ?? "?") \($0["flags"] ?? "?")" })"
                        return false
                    }
                    let peers = try sentinel.instances("SENTINELS")
                    let expectedPeers = Set(ids.indices.filter { $0 != index }.map { ids[$0] })
                    guard Set(peers.compactMap { $0["runid"] }) == expectedPeers, peers.allSatisfy({ $0["flags"] == "sentinel" })
                    else {
                        last = "\(sentinel.label) peers \(peers.map { "\($0["runid"] ?? "?") \($0["flags"] ?? "?")" })"
                        return false
                    }
                    let lines = try sentinel.configDirectives()
                    let monitor = lines.first { $0.count == 6 && $0[0] == "sentinel" && $0[1] == "monitor" }
                    let filePeers = Set(lines.filter { $0.count == 6 && $0[1] == "known-sentinel" }.map { $0[5] })
                    let fileReplicas = Set(
                        lines.filter { $0.count == 5 && ($0[1] == "known-replica" || $0[1] == "known-slave") }.map { "\($0[3]):\($0[4])" })
                    guard monitor?[4] == String(masterPort), filePeers == expectedPeers, fileReplicas == replicaAddresses,
                        !failoverTimeout || lines.contains(["sentinel", "failover-timeout", Cluster.masterName, "10000"])
                    else {
                        last = "\(sentinel.label)'s file: monitor \(monitor ?? []), peers \(filePeers), replicas \(fileReplicas)"
                        return false
                    }
                }
                guard epochs.count == 1 else {
                    last = "config epochs \(epochs)"
                    return false
                }
                return true
            }
        }

        /// Every sentinel's file loads in both programs: `swift-sentinel <file> --check-config`
        /// says `configuration OK`, and `redisSentinelLoads`.
        static func checkFilesLoad(_ cluster: Cluster, swift: String, redis: String, step: String) async throws {
            let scratch = cluster.directory.appendingPathComponent("load-checks")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            for sentinel in cluster.sentinels {
                let file = sentinel.configURL.path
                let tag = "\(sentinel.name)-\(step.replacingOccurrences(of: " ", with: "-"))"
                if Binaries.sentinelUnderTestHasCoordinatedFailover {  // else redis-sentinel: no --check-config
                    let checked = try await ManagedProcess.run(
                        label: "swift-sentinel --check-config \(tag)", executable: swift, arguments: [file, "--check-config"],
                        logURL: scratch.appendingPathComponent("\(tag)-check.log"), timeout: .seconds(10))
                    #expect(
                        checked.status == 0 && checked.output.contains("configuration OK"),
                        "\(step): swift-sentinel --check-config refuses \(sentinel.label)'s file: \(checked.output)\n\(Self.text(file))")
                }
                let loaded = try await redisSentinelLoads(file, redis: redis, cluster, tag: tag)
                #expect(loaded.ok, "\(step): redis-sentinel does not load \(sentinel.label)'s file: \(loaded.output)\n\(Self.text(file))")
            }
        }

        /// Starts redis-sentinel on a copy of `file` with a port that a data node holds: true when
        /// it got through its whole loader ("Configuration loaded", no FATAL CONFIG FILE ERROR) and
        /// stopped at the listening socket, before it could talk to the deployment.
        static func redisSentinelLoads(
            _ file: String, redis: String, _ cluster: Cluster, tag: String
        ) async throws -> (ok: Bool, output: String) {
            let scratch = cluster.directory.appendingPathComponent("load-checks")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let takenPort = try cluster.dataNodes.first { $0.isRunning }.unwrap("no data node runs").port
            let copy = scratch.appendingPathComponent("\(tag).conf")
            try? FileManager.default.removeItem(at: copy)
            try FileManager.default.copyItem(atPath: file, toPath: copy.path)
            let loaded = try await ManagedProcess.run(
                label: "redis-sentinel \(tag)", executable: redis, arguments: [copy.path, "--port", String(takenPort)],
                logURL: scratch.appendingPathComponent("\(tag)-redis.log"), timeout: .seconds(10))
            let ok = loaded.output.contains("Configuration loaded") && !loaded.output.contains("FATAL CONFIG FILE ERROR")
                && loaded.output.contains("Failed listening on port \(takenPort)")
            return (ok, loaded.output)
        }

        static func text(_ path: String) -> String {
            (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(unreadable)"
        }
    }
}
