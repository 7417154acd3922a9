import Foundation

/// A `Cluster` set up for failure detection and failover: short `down-after-milliseconds`
/// (1000 by default), a `failover-timeout` (10000 by default), and an `EventSubscriber` on every
/// sentinel from the start.
///
/// ```
/// let fixture = try await FailoverCluster.start()
/// defer { fixture.shutdown() }
/// ```
/// `diagnostics()` adds every sentinel's event transcript and every data node's replication
/// state to the process logs.
final class FailoverCluster {
    let cluster: Cluster
    let failoverTimeoutMilliseconds: Int
    private(set) var subscribers: [EventSubscriber] = []
    private var isShutDown = false

    private init(cluster: Cluster, failoverTimeoutMilliseconds: Int) {
        self.cluster = cluster
        self.failoverTimeoutMilliseconds = failoverTimeoutMilliseconds
    }

    static func start(
        downAfterMilliseconds: Int = 1000, failoverTimeoutMilliseconds: Int = 10000, sentinelLines: [String] = [],
        dataNodeArguments: [String] = [], dataNodeAuth: [String]? = nil, sentinelAuth: [String]? = nil,
        linesOfSentinel: @escaping (_ name: String) throws -> [String] = { _ in [] }
    ) async throws -> FailoverCluster {
        let lines = ["sentinel failover-timeout \(Cluster.masterName) \(failoverTimeoutMilliseconds)"] + sentinelLines
        let cluster = try await Cluster.start(
            downAfterMilliseconds: downAfterMilliseconds, sentinelLines: lines, dataNodeArguments: dataNodeArguments,
            dataNodeAuth: dataNodeAuth, sentinelAuth: sentinelAuth, linesOfSentinel: linesOfSentinel)
        let fixture = FailoverCluster(cluster: cluster, failoverTimeoutMilliseconds: failoverTimeoutMilliseconds)
        do {
            for sentinel in cluster.sentinels {
                fixture.subscribers.append(try EventSubscriber(sentinel))
            }
        } catch {
            fixture.shutdown()
            throw error
        }
        return fixture
    }

    var sentinels: [SentinelProcess] { cluster.sentinels }

    /// The subscriber of `sentinel`.
    func events(of sentinel: SentinelProcess) -> EventSubscriber {
        subscribers.first { $0.port == sentinel.port }!
    }

    /// Waits until the sentinels have found each other and the replicas, with clean flags.
    func waitUntilSettled() async throws {
        try await cluster.waitForFullDiscovery(timeout: .seconds(40))
        try await cluster.waitForHealthyLinks(timeout: .seconds(20))
    }

    /// The `+switch-master` events of one failover away from `oldPort`.
    struct Switch {
        let oldPort: UInt16
        let newPort: UInt16
        /// Each sentinel's `+switch-master`, in the order of `sentinels`.
        let events: [EventSubscriber.Event]

        var last: ContinuousClock.Instant { events.map(\.time).max()! }
    }

    /// Waits until every running sentinel has published `+switch-master mymaster 127.0.0.1
    /// <oldPort> 127.0.0.1 <new port>` (all with the same new port) and returns them. With
    /// `since`, only events published from then on count (failovers back and forth).
    func waitForSwitchMaster(from oldPort: UInt16, timeout: Duration, since: ContinuousClock.Instant? = nil) async throws -> Switch {
        let prefix = "\(Cluster.masterName) 127.0.0.1 \(oldPort) "
        let watched = subscribers.filter { subscriber in sentinels.contains { $0.port == subscriber.port && $0.isRunning } }
        var found: [EventSubscriber.Event?] = Array(repeating: nil, count: watched.count)
        try await eventually(
            timeout: timeout, interval: .milliseconds(10),
            "every sentinel publishes +switch-master \(prefix)127.0.0.1 <new port>", diagnostics: diagnostics
        ) {
            for (index, subscriber) in watched.enumerated() where found[index] == nil {
                found[index] = subscriber.first("+switch-master") { event in
                    event.message.hasPrefix(prefix) && since.map { event.time >= $0 } ?? true
                }
            }
            return found.allSatisfy { $0 != nil }
        }
        let events = found.compactMap { $0 }
        let newPorts = Set(events.map { $0.words.last ?? "?" })
        guard newPorts.count == 1, let newPort = newPorts.first.flatMap({ UInt16($0) }) else {
            throw HarnessError("the sentinels switched to different addresses: \(events)\n\(diagnostics())")
        }
        return Switch(oldPort: oldPort, newPort: newPort, events: events)
    }

    /// Waits until `sentinel` answers `port` to GET-MASTER-ADDR-BY-NAME.
    func waitForMasterAddress(_ port: UInt16, on sentinels: [SentinelProcess], timeout: Duration) async throws {
        try await eventually(
            timeout: timeout, "GET-MASTER-ADDR-BY-NAME answers 127.0.0.1:\(port) on every sentinel",
            diagnostics: diagnostics
        ) {
            try sentinels.allSatisfy { try cluster.currentMasterPort(on: $0) == port }
        }
    }

    /// `Cluster.waitForReplication`, with this fixture's event transcripts in the failure message.
    func waitForReplication(master port: UInt16, replicas: [RedisNode], timeout: Duration) async throws {
        try await cluster.waitForReplication(master: port, replicas: replicas, timeout: timeout, diagnostics: diagnostics)
    }

    /// The `sentinel current-epoch` line of `sentinel`'s config file.
    func persistedCurrentEpoch(_ sentinel: SentinelProcess) throws -> Int? {
        try sentinel.configDirectives().first { $0.count == 3 && $0[0] == "sentinel" && $0[1] == "current-epoch" }
            .flatMap { Int($0[2]) }
    }

    func diagnostics() -> String {
        var parts = [cluster.diagnostics()]
        parts += subscribers.map { $0.transcript() }
        parts.append("== replication:\n" + cluster.replicationSummary())
        return parts.joined(separator: "\n")
    }

    func shutdown() {
        if isShutDown {
            return
        }
        isShutDown = true
        for subscriber in subscribers {
            subscriber.stop()
        }
        cluster.shutdown()
    }

    deinit {
        shutdown()
    }
}

extension Optional {
    func unwrap(_ message: @autoclosure () -> String) throws -> Wrapped {
        guard let self else { throw HarnessError(message()) }
        return self
    }
}
