import Foundation
import Testing

extension Integration {
    /// A sentinel persists what it learned in its config file and comes back from it: same
    /// identity, and its replicas and peers known before any hello message arrives.
    @Suite("Restart")
    struct RestartTests {
        @Test("a restarted sentinel keeps its id and knows its replicas and peers from the rewritten config",
              .timeLimit(.minutes(1)))
        func restartFromRewrittenConfig() async throws {
            let cluster = try await Cluster.start()
            defer { cluster.shutdown() }
            try await cluster.waitForFullDiscovery()

            let sentinel = cluster.sentinels[0]
            let peers = Array(cluster.sentinels.dropFirst())
            let id = try sentinel.myID()
            let peerIDs = try Dictionary(uniqueKeysWithValues: peers.map { ($0.port, try $0.myID()) })
            #expect(id.count == 40 && id.allSatisfy(\.isHexDigit), "SENTINEL MYID \(id)")

            // What the rewritten config must hold. The rewrite follows discovery, so poll for it.
            func missingConfigLines() throws -> [String] {
                let directives = try sentinel.configDirectives()
                var missing: [String] = []
                if !directives.contains(["sentinel", "myid", id]) {
                    missing.append("sentinel myid \(id)")
                }
                if !directives.contains(where: { $0.count == 3 && $0[0] == "sentinel" && $0[1] == "current-epoch" }) {
                    missing.append("sentinel current-epoch <n>")
                }
                for replica in cluster.replicas {
                    let line = ["sentinel", "known-replica", Cluster.masterName, "127.0.0.1", String(replica.port)]
                    if !directives.contains(line) {
                        missing.append(line.joined(separator: " "))
                    }
                }
                for (port, peerID) in peerIDs {
                    let line = ["sentinel", "known-sentinel", Cluster.masterName, "127.0.0.1", String(port), peerID]
                    if !directives.contains(line) {
                        missing.append(line.joined(separator: " "))
                    }
                }
                return missing
            }
            try await eventually(
                timeout: .seconds(10), "the config file of \(sentinel.label) holds myid, current-epoch, known-replica and known-sentinel lines",
                diagnostics: { "missing: \((try? missingConfigLines()) ?? [])\n" + ((try? String(contentsOf: sentinel.configURL, encoding: .utf8)) ?? "") }
            ) {
                try missingConfigLines().isEmpty
            }

            // Stop every sentinel, so that no hello can reach the restarted one: whatever it
            // knows about its peers right after the restart comes from its config file.
            for each in cluster.sentinels {
                each.stop()
            }
            let afterStop = try missingConfigLines()
            #expect(afterStop.isEmpty, "after the stop the config file lacks: \(afterStop)")

            try await sentinel.start()
            let state = try sentinel.masterState()
            #expect(try sentinel.myID() == id, "SENTINEL MYID changed across the restart")
            #expect(state["num-slaves"] == "2", "num-slaves right after the restart: \(state["num-slaves"] ?? "-")")
            #expect(state["num-other-sentinels"] == "2", "num-other-sentinels right after the restart: \(state["num-other-sentinels"] ?? "-")")
            let knownPeers = try sentinel.instances("SENTINELS")
            let knownPeerIDs = Set(knownPeers.compactMap { $0["runid"] })
            #expect(knownPeerIDs == Set(peerIDs.values), "SENTINEL SENTINELS right after the restart: \(knownPeers)")
            let knownReplicas = Set(try sentinel.instances("REPLICAS").map { "\($0["ip"] ?? "?"):\($0["port"] ?? "?")" })
            #expect(knownReplicas == Set(cluster.replicas.map(\.address)))

            // The peers come back from their configs too, and everybody sees everybody again.
            for peer in peers {
                try await peer.start()
                #expect(try peer.myID() == peerIDs[peer.port], "\(peer.label) changed its id across the restart")
            }
            try await cluster.waitForFullDiscovery()
            try await cluster.waitForHealthyLinks()
        }
    }
}
