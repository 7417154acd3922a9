import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Integration {
    /// Issue 13: how the process answers signals a supervisor or logrotate sends. Passes with
    /// redis-sentinel too (`SENTINEL_BIN=/usr/bin/redis-sentinel`), which ignores SIGHUP.
    @Suite("Signals")
    struct SignalTests {
        /// SIGHUP ended the process (exit 129, nothing logged, nothing saved). Now it is ignored,
        /// as redis-sentinel ignores it, and swift-sentinel says so in the log: the log file is
        /// opened for every line, so a rotated log needs no signal.
        @Test("SIGHUP is ignored: the sentinel keeps answering, and logs that it ignored it", .timeLimit(.minutes(1)))
        func hangUpIgnored() async throws {
            let directory = try TestDirectory.make("signals")
            defer { TestDirectory.remove(directory) }
            let binary = try Binaries.sentinelUnderTest()
            let sentinel = try await SentinelProcess.start(
                name: "sentinel", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1)
            defer { sentinel.stop() }
            for _ in 0..<3 {
                #expect(sentinel.send(signal: SIGHUP))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(sentinel.isRunning, "exit status \(sentinel.exitStatus ?? -1)")
            let client = try sentinel.client()
            #expect(try client.send("PING") == .simpleString("PONG"))
            client.close()
            if !binary.hasSuffix("redis-sentinel") {
                try await eventually(timeout: .seconds(5), "\(sentinel.label) logs the SIGHUP") {
                    sentinel.log().contains("Received SIGHUP: ignored")
                }
            }
        }

        /// SHUTDOWN logs Redis's "User requested shutdown..." once (it was logged twice: by the
        /// command and by the runtime's shutdown).
        @Test("SHUTDOWN: 'User requested shutdown...' once, then 'ready to exit'", .timeLimit(.minutes(1)))
        func shutdownLoggedOnce() async throws {
            let directory = try TestDirectory.make("shutdown")
            defer { TestDirectory.remove(directory) }
            let sentinel = try await SentinelProcess.start(
                name: "sentinel", binary: try Binaries.sentinelUnderTest(), in: directory,
                masterPort: try FreePort.next(), quorum: 1)
            defer { sentinel.stop() }
            let client = try sentinel.client()
            _ = try? client.send("SHUTDOWN")
            client.close()
            try await eventually(timeout: .seconds(5), "\(sentinel.label) exits") { !sentinel.isRunning }
            let log = sentinel.log()
            #expect(log.components(separatedBy: "User requested shutdown...").count == 2, "\(log)")
            #expect(log.contains("Sentinel is now ready to exit, bye bye..."))
        }
    }
}
