import Foundation
import Testing

extension Integration {
    /// redis-py (with and without its hiredis parser, in RESP2 and RESP3) discovers the master
    /// and replicas through the sentinels and reads and writes through them. The checks live
    /// in scripts/check_redis_py.py; this test starts the cluster and runs the script.
    @Suite("redis-py")
    struct RedisPyTests {
        @Test("redis-py Sentinel discovers, writes to the master and reads from a replica", .timeLimit(.minutes(1)))
        func redisPySentinel() async throws {
            let python = try Binaries.python()
            let script = Binaries.script("check_redis_py.py")
            try #require(FileManager.default.fileExists(atPath: script), "missing \(script)")

            let cluster = try await Cluster.start()
            defer { cluster.shutdown() }
            try await cluster.waitForFullDiscovery()
            try await cluster.waitForHealthyLinks()

            let arguments = [
                script,
                "--sentinels", cluster.sentinels.map(\.address).joined(separator: ","),
                "--master-name", Cluster.masterName,
                "--expect-master", cluster.master.address,
                "--expect-replicas", cluster.replicas.map(\.address).joined(separator: ","),
            ]
            let (status, output) = try await ManagedProcess.run(
                label: "check_redis_py.py", executable: python, arguments: arguments,
                logURL: cluster.directory.appendingPathComponent("check_redis_py.log"), timeout: .seconds(40))
            let summary = output.split(separator: "\n").filter { !$0.hasPrefix("ok ") && !$0.hasPrefix("----") }
            print(summary.map { "integration: check_redis_py.py: \($0)" }.joined(separator: "\n"))

            if status == 3 {
                Issue.record("redis-py or hiredis is not installed for \(python); run ./.ci/run, or `python3 -m venv .venv && .venv/bin/pip install redis hiredis`:\n\(output)")
            } else {
                #expect(status == 0, "check_redis_py.py exited with \(status):\n\(output)\n\(cluster.diagnostics())")
            }
        }
    }
}
