import Foundation

/// What a TLS integration test works in: a temporary directory (kept with `KEEP_TEST_DIRS=1`),
/// the test certificates made in it, and the TLS-only redis-servers and sentinels the test starts
/// there. `stop()` stops every process it started (sentinels first) and removes the directory;
/// `diagnostics()` names the directory and gives every process's log tail.
final class TLSFixture {
    let directory: URL
    let files: TLSFiles
    private(set) var nodes: [TLSRedisNode] = []
    private(set) var sentinels: [TLSSentinelProcess] = []

    private init(directory: URL, files: TLSFiles) {
        self.directory = directory
        self.files = files
    }

    /// A new directory with the certificates in it (the directory is removed if they cannot be made).
    static func make() async throws -> TLSFixture {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sentinel-tls-it-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            return TLSFixture(directory: directory, files: try await TLSFiles.make(in: directory))
        } catch {
            removeDirectory(directory)
            throw error
        }
    }

    /// A TLS-only redis-server, a replica of `master` (a TLS port) when given.
    func startNode(name: String, replicaOf master: UInt16? = nil) async throws -> TLSRedisNode {
        let node = try await TLSRedisNode.start(name: name, in: directory, files: files, replicaOf: master)
        nodes.append(node)
        return node
    }

    /// A TLS sentinel monitoring the master at `masterPort` (see `TLSSentinelProcess.start`).
    func startSentinel(
        name: String, masterPort: UInt16, withPlainPort: Bool = false, binary: String? = nil
    ) async throws -> TLSSentinelProcess {
        let sentinel = try await TLSSentinelProcess.start(
            name: name, in: directory, files: files, masterPort: masterPort, withPlainPort: withPlainPort, binary: binary)
        sentinels.append(sentinel)
        return sentinel
    }

    func diagnostics() -> String {
        (["temporary directory: \(directory.path)"] + sentinels.map { $0.diagnostics() } + nodes.map { $0.diagnostics() })
            .joined(separator: "\n")
    }

    func stop() {
        for sentinel in sentinels { sentinel.stop() }
        for node in nodes { node.stop() }
        Self.removeDirectory(directory)
    }

    private static func removeDirectory(_ directory: URL) {
        if ProcessInfo.processInfo.environment["KEEP_TEST_DIRS"] == "1" {
            print("integration: kept \(directory.path)")
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
