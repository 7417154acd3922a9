import Foundation

/// The standard fixture: one master, two replicas (real redis-server processes) and a number of
/// sentinels (three by default) monitoring the master as `mymaster` with quorum 2 and
/// `down-after-milliseconds 5000` (both can be changed per cluster, and `sentinelLines` adds
/// config lines such as `sentinel failover-timeout mymaster 10000`), everything on free loopback
/// ports in one temporary directory.
///
/// Use it as
/// ```
/// let cluster = try await Cluster.start()
/// defer { cluster.shutdown() }
/// ```
/// `shutdown()` stops every process this fixture started (sentinels first) and removes the
/// directory; it is idempotent and also runs from `deinit`. If `start` fails half-way it cleans
/// up what it had started before rethrowing.
final class Cluster {
    static let masterName = "mymaster"
    static let quorum = 2
    static let downAfterMilliseconds = 5000

    let directory: URL
    let downAfterMilliseconds: Int
    /// Extra lines appended to every sentinel's initial config.
    let sentinelLines: [String]
    /// Extra redis-server arguments of every data node (passwords, ACL users) and what the
    /// harness AUTHs with on its own connections to the data nodes and to the sentinels.
    var dataNodeArguments: [String] = []
    var dataNodeAuth: [String]? = nil
    var sentinelAuth: [String]? = nil
    /// TLS everywhere (TLSSupport.swift): data nodes and sentinels TLS-only, reached by the harness
    /// through tunnels; nil for plain TCP.
    var tls: TLSFiles? = nil
    /// The node started as the master. After a failover it is no longer the master: ask the
    /// sentinels (`currentMasterPort`) or look a node up by port (`node(port:)`).
    private(set) var master: RedisNode!
    private(set) var replicas: [RedisNode] = []
    private(set) var sentinels: [SentinelProcess] = []
    private var isShutDown = false

    private init(directory: URL, downAfterMilliseconds: Int, sentinelLines: [String]) {
        self.directory = directory
        self.downAfterMilliseconds = downAfterMilliseconds
        self.sentinelLines = sentinelLines
    }

    /// Starts the data nodes, waits until the master reports both replicas online, then starts
    /// `sentinelCount` sentinels of `sentinelBinary` (default: the sentinel under test).
    static func start(
        sentinels sentinelCount: Int = 3, sentinelBinary: String? = nil,
        downAfterMilliseconds: Int = Cluster.downAfterMilliseconds, sentinelLines: [String] = [],
        dataNodeArguments: [String] = [], dataNodeAuth: [String]? = nil, sentinelAuth: [String]? = nil,
        tls: TLSFiles? = nil, linesOfSentinel: @escaping (_ name: String) throws -> [String] = { _ in [] }
    ) async throws -> Cluster {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sentinel-it-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cluster = Cluster(
            directory: directory, downAfterMilliseconds: downAfterMilliseconds, sentinelLines: sentinelLines)
        cluster.dataNodeArguments = dataNodeArguments
        cluster.dataNodeAuth = dataNodeAuth
        cluster.sentinelAuth = sentinelAuth
        cluster.tls = tls
        cluster.linesOfSentinel = linesOfSentinel
        do {
            try await cluster.startDataNodes()
            if sentinelCount > 0 {
                let binary = try sentinelBinary ?? Binaries.sentinelUnderTest()
                for index in 1...sentinelCount {
                    try await cluster.addSentinel(name: "sentinel\(index)", binary: binary)
                }
            }
            return cluster
        } catch {
            cluster.shutdown()
            throw error
        }
    }

    private func startDataNodes() async throws {
        let master = try await RedisNode.start(
            name: "master", in: directory, extraArguments: dataNodeArguments, auth: dataNodeAuth, tls: tls)
        self.master = master
        for index in 1...2 {
            replicas.append(
                try await RedisNode.start(
                    name: "replica\(index)", in: directory, replicaOf: master.port, extraArguments: dataNodeArguments,
                    auth: dataNodeAuth, tls: tls))
        }
        try await eventually(timeout: .seconds(20), "the master reports 2 online replicas", diagnostics: diagnostics) {
            let info = try master.info("replication")
            let online = info.filter { $0.key.hasPrefix("slave") && $0.value.contains("state=online") }
            return online.count == 2
        }
    }

    /// Config lines of one sentinel only, by its name, after ``sentinelLines`` (a port of its own).
    var linesOfSentinel: (_ name: String) throws -> [String] = { _ in [] }

    @discardableResult
    func addSentinel(name: String, binary: String, extraLines: [String] = []) async throws -> SentinelProcess {
        let lines = try sentinelLines + linesOfSentinel(name) + extraLines
        let sentinel = try await SentinelProcess.start(
            name: name, binary: binary, in: directory, masterPort: master.port, quorum: Self.quorum,
            downAfterMilliseconds: downAfterMilliseconds, extraLines: lines, clientAuth: sentinelAuth, tls: tls)
        sentinels.append(sentinel)
        return sentinel
    }

    /// When the most recently started sentinel was launched.
    var lastSentinelLaunch: ContinuousClock.Instant? {
        sentinels.compactMap(\.launchedAt).max()
    }

    /// Waits until every running sentinel reports `num-slaves` 2 and `num-other-sentinels`
    /// `sentinels.count - 1`.
    func waitForFullDiscovery(timeout: Duration = .seconds(30)) async throws {
        let peers = sentinels.count - 1
        try await eventually(
            timeout: timeout, "every sentinel reports num-slaves 2 and num-other-sentinels \(peers)",
            diagnostics: diagnostics
        ) {
            try sentinels.allSatisfy { sentinel in
                let state = try sentinel.masterState()
                return state["num-slaves"] == "2" && state["num-other-sentinels"] == String(peers)
            }
        }
    }

    /// Waits until every sentinel lists its replicas with flags exactly `slave` and its peers
    /// with flags exactly `sentinel` (links up, nothing down).
    func waitForHealthyLinks(timeout: Duration = .seconds(15)) async throws {
        try await eventually(
            timeout: timeout, "every sentinel sees its replicas and peers with clean flags", diagnostics: diagnostics
        ) {
            try sentinels.allSatisfy { sentinel in
                try sentinel.instances("REPLICAS").allSatisfy { $0["flags"] == "slave" }
                    && sentinel.instances("SENTINELS").allSatisfy { $0["flags"] == "sentinel" }
            }
        }
    }

    /// Every data node: the one started as the master first, then the replicas.
    var dataNodes: [RedisNode] {
        [master] + replicas
    }

    /// The data node listening on `port`.
    func node(port: UInt16) -> RedisNode? {
        dataNodes.first { $0.port == port }
    }

    /// The port `SENTINEL GET-MASTER-ADDR-BY-NAME` answers on `sentinel`.
    func currentMasterPort(on sentinel: SentinelProcess) throws -> UInt16 {
        let reply = try sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", Self.masterName)
        guard let items = reply.elements, items.count == 2, let port = items[1].string.flatMap({ UInt16($0) }) else {
            throw HarnessError("SENTINEL GET-MASTER-ADDR-BY-NAME on \(sentinel.label) answered \(reply)")
        }
        return port
    }

    /// Waits until the node on `port` reports role:master and every node in `replicas`
    /// replicates from it with its link up. `diagnostics` replaces the failure message's process
    /// logs and replication summary.
    func waitForReplication(
        master port: UInt16, replicas: [RedisNode], timeout: Duration, diagnostics: (() -> String)? = nil
    ) async throws {
        let master = try node(port: port).unwrap("no data node on port \(port)")
        try await eventually(
            timeout: timeout,
            "\(master.address) reports role:master and \(replicas.map(\.address)) replicate from it with master_link_status:up",
            diagnostics: diagnostics ?? { self.diagnostics() + "\n== replication:\n" + self.replicationSummary() }
        ) {
            guard try master.info("replication")["role"] == "master" else { return false }
            return try replicas.allSatisfy { replica in
                let info = try replica.info("replication")
                return info["role"] == "slave" && info["master_port"] == String(port)
                    && info["master_link_status"] == "up"
            }
        }
    }

    /// One line per data node: its role and replication link, for failure messages.
    func replicationSummary() -> String {
        dataNodes.compactMap { node in
            node.isRunning ? "\(node.name) \(node.replicationSummary())" : "\(node.name) \(node.address): not running"
        }.joined(separator: "\n")
    }

    /// Tail of every process log, for failure messages.
    func diagnostics() -> String {
        var parts: [String] = ["temporary directory: \(directory.path)"]
        parts += sentinels.map { $0.diagnostics() }
        if let master {
            parts.append(master.diagnostics())
        }
        parts += replicas.map { $0.diagnostics() }
        return parts.joined(separator: "\n")
    }

    func shutdown() {
        if isShutDown {
            return
        }
        isShutDown = true
        for sentinel in sentinels {
            sentinel.stop()
        }
        for replica in replicas {
            replica.stop()
        }
        master?.stop()
        if ProcessInfo.processInfo.environment["KEEP_TEST_DIRS"] == "1" {
            print("integration: kept \(directory.path)")
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    deinit {
        shutdown()
    }
}
