import Foundation
import Testing

extension Integration {
    /// Issue 13: startup refuses what redis-sentinel 7.0.15 refuses while loading, with its
    /// messages, and `--check-config` gives the same verdict. Passes with redis-sentinel too
    /// (`SENTINEL_BIN=/usr/bin/redis-sentinel`; it has no `--check-config`).
    @Suite("Startup checks")
    struct StartupChecksTests {
        /// Runs `binary arguments`, waiting at most 10 s; returns its exit status and stderr + stdout.
        private static func run(_ binary: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (process.terminationStatus, output)
        }

        @Test(
            "a logfile that cannot be opened, a missing dir, a missing script: refused at startup and by --check-config",
            .timeLimit(.minutes(1)))
        func refusedLikeRedis() throws {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("sentinel-startup-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
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
                let started = try Self.run(binary, [file])
                #expect(started.status == 1, "\(item.name): \(started.output)")
                #expect(started.output.contains("*** FATAL CONFIG FILE ERROR"), "\(item.name): \(started.output)")
                #expect(started.output.contains(item.message + "\n"), "\(item.name): \(started.output)")
                if let line = item.line {
                    #expect(started.output.contains(line), "\(item.name): \(started.output)")
                } else {
                    #expect(!started.output.contains("Reading the configuration file"), "\(item.name): no line, as Redis")
                }
                guard !binary.hasSuffix("redis-sentinel") else { continue }
                let checked = try Self.run(binary, [file, "--check-config"])
                #expect(checked.status == 1, "\(item.name) --check-config: \(checked.output)")
                #expect(checked.output.contains(item.message), "\(item.name) --check-config: \(checked.output)")
            }
        }
    }
}
