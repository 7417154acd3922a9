import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Integration {
    /// The CI smoke of the fault harness (chaos/, docs/reliability.md): `chaos/run --smoke` runs
    /// one case of the matrix against the swift-sentinel that `swift build` made — hosts h1-h3 as
    /// network namespaces, the master's host (with one writer) partitioned from the other two (and
    /// the other writer) for 6 s, then healed — and exits 0 only if a replica was promoted, every
    /// sentinel agreed after the heal, the final master's data could be checked, and no process
    /// crashed. It takes about 20-40 s; everything it creates is removed when it exits.
    @Suite(
        "Chaos smoke",
        .enabled("needs root, 'ip netns', nft, setpriv and swift-sentinel; the reason is printed when skipped") {
            if !Binaries.sentinelUnderTestHasCoordinatedFailover {
                print("integration: chaos smoke: skipped: SENTINEL_BIN is redis-sentinel (the smoke runs swift-sentinel)")
                return false
            }
            if geteuid() != 0 {
                print("integration: chaos smoke: skipped: not root (chaos/run needs ip netns, nft and mount)")
                return false
            }
            if let reason = NetworkNamespace.unavailableReason {
                print("integration: chaos smoke: skipped: \(reason)")
                return false
            }
            for tool in ["nft", "setpriv"] where (try? Binaries.onPath(tool, hint: "")) == nil {
                print("integration: chaos smoke: skipped: no '\(tool)' (apt-get install -y nftables util-linux, or run ./.ci/run)")
                return false
            }
            return true
        })
    struct ChaosSmokeTests {
        @Test("chaos/run --smoke: the master's host partitioned for 6 s fails over, every sentinel agrees after the heal, nothing crashes",
              .timeLimit(.minutes(3)))
        func partitionSmoke() async throws {
            let binary = try Binaries.builtSwiftSentinel()
            let python = try Binaries.onPath("python3", hint: "apt-get install -y python3")
            let script = Binaries.repositoryRoot.appendingPathComponent("chaos/run").path
            let logURL = FileManager.default.temporaryDirectory
                .appendingPathComponent("chaos-smoke-\(getpid())-\(UUID().uuidString.prefix(8)).log")
            defer { try? FileManager.default.removeItem(at: logURL) }
            let process = ManagedProcess(
                label: "chaos/run --smoke", executable: python, arguments: [script, "--smoke", "--binary", binary],
                logURL: logURL)
            try process.launch()
            // Bounded: the smoke itself stops after ~60 s at the worst; SIGTERM lets it clean up.
            do {
                try await eventually(timeout: .seconds(150), interval: .milliseconds(200), "chaos/run --smoke exits",
                                     diagnostics: { process.logTail(lines: 40) }) {
                    !process.isRunning
                }
            } catch {
                process.stop(signal: SIGTERM, timeout: .seconds(10))
                throw error
            }
            let output = process.log()
            print(output.split(separator: "\n").filter { $0.hasPrefix("chaos smoke:") }.joined(separator: "\n"))
            #expect(process.exitStatus == 0, "chaos/run --smoke exited \(process.exitStatus ?? -1):\n\(process.logTail(lines: 40))")
            #expect(output.contains("chaos smoke: crashes: none"), "a process crashed:\n\(process.logTail(lines: 40))")
            #expect(output.contains("failover: yes"), "no failover happened:\n\(process.logTail(lines: 40))")
            #expect(output.contains("chaos smoke: passed"), "\(process.logTail(lines: 40))")
        }
    }
}
