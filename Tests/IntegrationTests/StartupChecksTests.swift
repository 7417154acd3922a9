import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Integration {
    /// Issue 13: startup refuses what redis-sentinel 7.0.15 refuses while loading, with its
    /// messages, and `--check-config` gives the same verdict. Passes with redis-sentinel too
    /// (`SENTINEL_BIN=/usr/bin/redis-sentinel`; it has no `--check-config`).
    @Suite("Startup checks")
    struct StartupChecksTests {
        @Test(
            "a logfile that cannot be opened, a missing dir, a missing script: refused at startup and by --check-config",
            .timeLimit(.minutes(1)))
        func refusedLikeRedis() throws {
            let directory = try TestDirectory.make("startup")
            defer { TestDirectory.remove(directory) }
            let binary = try Binaries.sentinelUnderTest()
            let port = try FreePort.next()
            let monitor = "port \(port)\nbind 127.0.0.1\nsentinel monitor m 127.0.0.1 \(try FreePort.next()) 1\n"
            let cases: [(name: String, text: String, message: String, line: String?)] = [
                ("logfile", "logfile /nonexistent-\(port)/x.log\n" + monitor,
                 "Can't open the log file: No such file or directory", nil),
                ("dir", "dir /nonexistent-\(port)/d\n" + monitor, "No such file or directory",
                 ">>> 'dir /nonexistent-\(port)/d'"),
                ("script", monitor + "sentinel notification-script m /nonexistent-\(port)/n.sh\n",
                 "Notification script seems non existing or non executable.",
                 ">>> 'sentinel notification-script m /nonexistent-\(port)/n.sh'"),
            ]
            for item in cases {
                let file = directory.appendingPathComponent("\(item.name).conf").path
                try item.text.write(toFile: file, atomically: true, encoding: .utf8)
                let started = try Spawn.run(binary, [file])
                #expect(started.status == 1, "\(item.name): \(started.output)")
                #expect(started.output.contains("*** FATAL CONFIG FILE ERROR"), "\(item.name): \(started.output)")
                #expect(started.output.contains(item.message + "\n"), "\(item.name): \(started.output)")
                if let line = item.line {
                    #expect(started.output.contains(line), "\(item.name): \(started.output)")
                } else {
                    #expect(!started.output.contains("Reading the configuration file"), "\(item.name): no line, as Redis")
                }
                guard !binary.hasSuffix("redis-sentinel") else { continue }
                let checked = try Spawn.run(binary, [file, "--check-config"])
                #expect(checked.status == 1, "\(item.name) --check-config: \(checked.output)")
                #expect(checked.output.contains(item.message), "\(item.name) --check-config: \(checked.output)")
            }
        }
    
        /// `redis-cli -p port words...`: its output, trimmed (empty when it failed).
        private static func cli(_ port: UInt16, _ words: String...) -> String {
            guard let result = try? Spawn.run("/usr/bin/redis-cli", ["-p", "\(port)"] + words) else { return "" }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Issue 13's example: with `dir ./s0`, a script path `../../helpers/n.sh` is relative to
        /// `dir` (Redis changes into it at the directive), at load, on `SENTINEL SET` and after a
        /// restart from the rewritten file. swift-sentinel refused such a script.
        @Test("relative script, pidfile and unixsocket paths are taken from dir: at load, on SENTINEL SET, and after a restart", .timeLimit(.minutes(1)))
        func pathsRelativeToDir() async throws {
            let base = try TestDirectory.make("paths")
            let run = base.appendingPathComponent("run")
            try FileManager.default.createDirectory(at: run.appendingPathComponent("s0"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: base.appendingPathComponent("helpers"), withIntermediateDirectories: true)
            defer { TestDirectory.remove(base) }
            let script = base.appendingPathComponent("helpers/n.sh").path
            try "#!/bin/sh\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
            chmod(script, 0o755)
            // Two levels up from <base>/run/s0 is <base>.
            let relative = "../../helpers/n.sh"
            let port = try FreePort.next()
            try """
                port \(port)
                bind 127.0.0.1
                dir ./s0
                pidfile s.pid
                unixsocket s.sock
                sentinel monitor m 127.0.0.1 \(try FreePort.next()) 1
                sentinel deny-scripts-reconfig no
                sentinel notification-script m \(relative)

                """.write(to: run.appendingPathComponent("s.conf"), atomically: true, encoding: .utf8)
            let binary = try Binaries.sentinelUnderTest()
            for round in 1...2 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["s.conf"]
                process.currentDirectoryURL = run
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                defer {
                    if process.isRunning {
                        kill(process.processIdentifier, SIGKILL)
                        process.waitUntilExit()
                    }
                }
                var answered = false
                for _ in 0..<200 where !answered {
                    answered = Self.cli(port, "PING") == "PONG"
                    if !answered { try await Task.sleep(for: .milliseconds(25)) }
                }
                #expect(answered, "round \(round): the sentinel started (exit status \(process.isRunning ? 0 : process.terminationStatus))")
                // The pidfile and the unix socket are in `dir` too.
                let s0 = run.appendingPathComponent("s0")
                #expect(FileManager.default.fileExists(atPath: s0.appendingPathComponent("s.pid").path), "round \(round): pidfile")
                #expect(FileManager.default.fileExists(atPath: s0.appendingPathComponent("s.sock").path), "round \(round): unixsocket")
                if round == 1 {
                    #expect(Self.cli(port, "SENTINEL", "SET", "m", "client-reconfig-script", relative) == "OK")
                    #expect(Self.cli(port, "SENTINEL", "SET", "m", "notification-script", "../nope.sh").contains("ERR"))
                }
                // SHUTDOWN rather than SIGTERM: a child of the test process may inherit SIGTERM
                // blocked (redis-sentinel then never sees it).
                _ = Self.cli(port, "SHUTDOWN")
                for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(25)) }
                #expect(!process.isRunning, "round \(round): SHUTDOWN ended the sentinel")
            }
            let written = try String(contentsOf: run.appendingPathComponent("s.conf"), encoding: .utf8)
            #expect(written.contains("sentinel client-reconfig-script m \(relative)"), "\(written)")
        }
}
}
