import Foundation
import Testing

extension Integration {
    /// Three sentinels started against a running master with two replicas must find the
    /// replicas (from the master's INFO) and each other (from hello messages) quickly, and then
    /// answer the discovery commands clients use with the right addresses.
    @Suite("Discovery")
    struct DiscoveryTests {
        /// Bound for swift-sentinel, from the last sentinel's launch.
        static let discoveryBound: Duration = .seconds(2)
        /// Looser bound when SENTINEL_BIN points at another implementation (redis-sentinel
        /// publishes hellos every 2 s and needs one round in each direction).
        static let referenceDiscoveryBound: Duration = .seconds(10)

        @Test("every sentinel reports 2 replicas and 2 other sentinels soon after the last one starts",
              .timeLimit(.minutes(1)))
        func discoveryTime() async throws {
            let cluster = try await Cluster.start()
            defer { cluster.shutdown() }
            let start = try #require(cluster.lastSentinelLaunch)
            let sentinels = cluster.sentinels
            var discoveredAfter: [Duration?] = Array(repeating: nil, count: sentinels.count)

            try await eventually(
                timeout: .seconds(30), interval: .milliseconds(10),
                "every sentinel reports num-slaves 2 and num-other-sentinels 2", diagnostics: cluster.diagnostics
            ) {
                for (index, sentinel) in sentinels.enumerated() where discoveredAfter[index] == nil {
                    let state = try sentinel.masterState()
                    if state["num-slaves"] == "2" && state["num-other-sentinels"] == "2" {
                        discoveredAfter[index] = ContinuousClock.now - start
                    }
                }
                return discoveredAfter.allSatisfy { $0 != nil }
            }

            let times = discoveredAfter.compactMap { $0 }
            let slowest = times.max() ?? .zero
            let binary = URL(fileURLWithPath: sentinels[0].binary).lastPathComponent
            let perSentinel = zip(sentinels, times).map { "\($0.name) \($1.secondsText)" }.joined(separator: ", ")
            print("integration: full discovery (\(binary)) after the last sentinel's launch: \(perSentinel); slowest \(slowest.secondsText)")

            let bound = Binaries.sentinelOverridden ? Self.referenceDiscoveryBound : Self.discoveryBound
            #expect(slowest <= bound, "full discovery took \(slowest.secondsText), bound \(bound.secondsText)")
        }

        @Test("discovery commands answer the right addresses on every sentinel", .timeLimit(.minutes(1)))
        func discoveryAnswers() async throws {
            let cluster = try await Cluster.start()
            defer { cluster.shutdown() }
            try await cluster.waitForFullDiscovery()
            try await cluster.waitForHealthyLinks()

            let masterPort = String(cluster.master.port)
            let replicaAddresses = Set(cluster.replicas.map(\.address))
            let ids = try Dictionary(uniqueKeysWithValues: cluster.sentinels.map { ($0.port, try $0.myID()) })

            for sentinel in cluster.sentinels {
                let label = sentinel.label
                let addr = try sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", Cluster.masterName)
                #expect(addr == .array([.bulkString("127.0.0.1"), .bulkString(masterPort)]), "\(label): GET-MASTER-ADDR-BY-NAME")
                let lower = try sentinel.command("sentinel", "get-master-addr-by-name", Cluster.masterName)
                #expect(lower == addr, "\(label): lowercase get-master-addr-by-name")
                let unknown = try sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "no-such-master")
                #expect(unknown == .nullArray, "\(label): unknown master name must answer a null array, got \(unknown)")

                let master = try sentinel.masterState()
                #expect(master["name"] == Cluster.masterName)
                #expect(master["ip"] == "127.0.0.1" && master["port"] == masterPort, "\(label): \(master)")
                #expect(master["flags"] == "master", "\(label): flags \(master["flags"] ?? "-")")
                #expect(master["quorum"] == "2")
                #expect(master["down-after-milliseconds"] == "5000")

                for subcommand in ["REPLICAS", "SLAVES"] {
                    let replicas = try sentinel.instances(subcommand)
                    let addresses = Set(replicas.map { "\($0["ip"] ?? "?"):\($0["port"] ?? "?")" })
                    #expect(addresses == replicaAddresses, "\(label): SENTINEL \(subcommand) lists \(addresses)")
                    for replica in replicas {
                        #expect(replica["name"] == "\(replica["ip"] ?? ""):\(replica["port"] ?? "")")
                        #expect(replica["flags"] == "slave", "\(label): replica flags \(replica["flags"] ?? "-")")
                        #expect(replica["master-host"] == "127.0.0.1" && replica["master-port"] == masterPort)
                    }
                }

                let peers = try sentinel.instances("SENTINELS")
                let expectedPeers = Set(cluster.sentinels.filter { $0 !== sentinel }.map(\.address))
                let peerAddresses = Set(peers.map { "\($0["ip"] ?? "?"):\($0["port"] ?? "?")" })
                #expect(peerAddresses == expectedPeers, "\(label): SENTINEL SENTINELS lists \(peerAddresses)")
                for peer in peers {
                    let expectedID = UInt16(peer["port"] ?? "").flatMap { ids[$0] }
                    #expect(peer["runid"] == expectedID, "\(label): peer runid \(peer["runid"] ?? "-")")
                    #expect(peer["name"] == expectedID, "\(label): a sentinel's name is its runid")
                    #expect(peer["flags"] == "sentinel", "\(label): peer flags \(peer["flags"] ?? "-")")
                }

                let role = try sentinel.command("ROLE")
                #expect(role == .array([.bulkString("sentinel"), .array([.bulkString(Cluster.masterName)])]), "\(label): ROLE \(role)")
            }
        }
    }
}
