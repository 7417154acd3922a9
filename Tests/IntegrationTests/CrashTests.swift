import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Integration {
    /// Issue 12, defect 2: after a crash the port must be free again at once. The process writes its
    /// crash report and dies of the signal (no helper process inherits the listening socket), and
    /// every descriptor it holds is close-on-exec. Passes with redis-sentinel too
    /// (`SENTINEL_BIN=/usr/bin/redis-sentinel`); `SENTINEL_BIN=.build/release/swift-sentinel` runs it
    /// on the release build.
    @Suite("Crash")
    struct CrashTests {
        private static func directory() throws -> URL {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("sentinel-crash-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory
        }

        /// The descriptors of `pid` from 3 up (0-2 are inherited on purpose) with their `flags:`
        /// line from /proc/<pid>/fdinfo (octal) and what they are.
        private static func descriptors(of pid: pid_t) -> [(fd: Int, flags: Int, target: String)] {
            let base = "/proc/\(pid)"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(base)/fd")) ?? []
            return names.compactMap { name -> (Int, Int, String)? in
                guard let fd = Int(name), fd >= 3,
                    let info = try? String(contentsOfFile: "\(base)/fdinfo/\(name)", encoding: .utf8),
                    let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
                    let flags = Int(line.dropFirst("flags:".count).trimmingCharacters(in: .whitespaces), radix: 8)
                else { return nil }
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(base)/fd/\(name)")) ?? "?"
                return (fd, flags, target)
            }.sorted { $0.fd < $1.fd }
        }

        @Test("every descriptor of a sentinel with a client and links to a master is close-on-exec", .timeLimit(.minutes(1)))
        func closeOnExec() async throws {
            let directory = try Self.directory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let master = try await RedisNode.start(name: "master", in: directory)
            defer { master.stop() }
            let sentinel = try await SentinelProcess.start(
                name: "sentinel", binary: try Binaries.sentinelUnderTest(), in: directory, masterPort: master.port,
                quorum: 1)
            defer { sentinel.stop() }
            let client = try sentinel.client()
            #expect(try client.send("PING") == .simpleString("PONG"))
            let pid = try #require(sentinel.pid)
            // The listener, this client and the command and pub/sub links to the master.
            try await eventually(
                timeout: .seconds(10), "\(sentinel.label) holds at least 4 sockets",
                diagnostics: { "\(Self.descriptors(of: pid))" }
            ) {
                Self.descriptors(of: pid).filter { $0.target.hasPrefix("socket:") }.count >= 4
            }
            let inheritable = Self.descriptors(of: pid).filter { $0.flags & 0o2000000 == 0 }
            #expect(inheritable.isEmpty, "descriptors without O_CLOEXEC: \(inheritable)")
            client.close()
        }

        @Test("SIGSEGV: a crash report in the log, the process gone within 2 s, a restart on the same port within 2 s",
              .timeLimit(.minutes(1)))
        func segmentationFault() async throws {
            let directory = try Self.directory()
            defer { try? FileManager.default.removeItem(at: directory) }
            // Nothing listens on the master's port: the crash needs no data node.
            let sentinel = try await SentinelProcess.start(
                name: "sentinel", binary: try Binaries.sentinelUnderTest(), in: directory, masterPort: try FreePort.next(),
                quorum: 1)
            defer { sentinel.kill() }
            let clock = ContinuousClock()
            let crashed = clock.now
            #expect(sentinel.send(signal: SIGSEGV))
            try await eventually(
                timeout: .seconds(2), interval: .milliseconds(10), "\(sentinel.label) exits after SIGSEGV",
                diagnostics: { sentinel.log().split(separator: "\n").suffix(20).joined(separator: "\n") }
            ) {
                !sentinel.isRunning
            }
            let exited = clock.now - crashed
            #expect(sentinel.exitStatus == 128 + SIGSEGV, "exit status \(sentinel.exitStatus ?? -1)")
            let log = sentinel.log()
            for expected in ["crashed by signal: 11", "------ STACK TRACE ------", "BUG REPORT END"] {
                #expect(log.contains(expected), "the log lacks '\(expected)'")
            }

            let restarted = clock.now
            sentinel.launch()
            try await sentinel.waitUntilReady(timeout: .seconds(2))
            let restart = clock.now - restarted
            #expect(!sentinel.log().contains("Address already in use"))
            print("\(sentinel.label): exited \(exited) after SIGSEGV, answered PING \(restart) after the restart")
        }
    }
}
