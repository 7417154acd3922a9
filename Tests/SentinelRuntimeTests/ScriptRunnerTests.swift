import Foundation
import NIOCore
import RESP
import SentinelCore
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A scratch directory for script files, removed with everything in it when the value goes away.
final class ScriptDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "swift-sentinel-scripts-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes a file (executable unless told otherwise) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = true) throws -> String {
        let file = "\(path)/\(name)"
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: file)
        return file
    }

    func read(_ name: String) -> String? { try? String(contentsOfFile: "\(path)/\(name)", encoding: .utf8) }
}

/// User scripts as real processes (sentinel-behaviour §10.1): ``ScriptRunner`` on its own, then
/// the whole runtime with the real core killing a script that overruns its time.
@Suite("Script runner", .serialized, .timeLimit(.minutes(1)))
struct ScriptRunnerTests {
    /// Reaps every 10 ms until the job's exit is reported (at most 15 s); returns its description.
    func awaitExit(_ runner: ScriptRunner, _ job: ScriptJobID) async -> String? {
        for _ in 0..<1500 {
            for event in runner.reap() {
                if case .scriptExited(job, _, _) = event { return "\(event)" }
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// `Event` is not Equatable; events are compared by description, as elsewhere in these tests.
    func exited(_ job: ScriptJobID, _ exitCode: Int32, _ signal: Int32) -> String {
        "\(Event.scriptExited(job, exitCode: exitCode, signal: signal))"
    }

    @Test("a script runs with argv [path, args...] and its exit code is reported")
    func argvAndExitCode() async throws {
        let dir = try ScriptDirectory()
        let script = try dir.write(
            "record.sh",
            """
            #!/bin/sh
            printf '%s\\n' "$0" "$@" > "$(dirname "$0")/argv"
            exit 3

            """)
        let runner = ScriptRunner()
        let job = ScriptJobID(1)
        let started = runner.run(job, path: script, arguments: ["+sdown", "master mymaster 127.0.0.1 6379"])
        guard case .scriptStarted(job, let pid) = started else {
            Issue.record("expected scriptStarted, got \(started)")
            return
        }
        #expect(pid > 0)
        #expect(await awaitExit(runner, job) == exited(job, 3, 0))
        #expect(dir.read("argv") == "\(script)\n+sdown\nmaster mymaster 127.0.0.1 6379\n")
        #expect(runner.reap().isEmpty, "a reaped child is reported once")
    }

    @Test("a kill ends the script by SIGKILL")
    func kill() async throws {
        let dir = try ScriptDirectory()
        let script = try dir.write("sleep.sh", "#!/bin/sh\nexec sleep 30\n")
        let runner = ScriptRunner()
        let job = ScriptJobID(2)
        guard case .scriptStarted = runner.run(job, path: script, arguments: []) else {
            Issue.record("the script did not start")
            return
        }
        runner.kill(job)
        #expect(await awaitExit(runner, job) == exited(job, 0, SIGKILL))
    }

    @Test("a program that cannot be executed reports exit code 2 at once (no retry)")
    func execFailure() throws {
        let dir = try ScriptDirectory()
        let runner = ScriptRunner()
        let missing = "\(dir.path)/missing.sh"
        let notExecutable = try dir.write("plain.sh", "#!/bin/sh\nexit 0\n", executable: false)
        let noInterpreter = try dir.write("garbage", "\u{7f}\u{1}\u{2}\u{3} not a program\n")
        for (index, path) in [missing, notExecutable, noInterpreter].enumerated() {
            let job = ScriptJobID(10 + index)
            #expect("\(runner.run(job, path: path, arguments: []))" == exited(job, 2, 0), "\(path)")
        }
        #expect(runner.reap().isEmpty)
    }

    @Test("end to end: +monitor runs the notification script, which sees no sockets and is killed past script-max-runtime")
    func timeoutEndToEnd() async throws {
        let dir = try ScriptDirectory()
        let script = try dir.write(
            "notify.sh",
            """
            #!/bin/sh
            here="$(dirname "$0")"
            ls -l /proc/$$/fd > "$here/fds" 2>&1
            echo $$ > "$here/pid"
            printf '%s\\n' "$@" > "$here/argv.tmp" && mv "$here/argv.tmp" "$here/argv"
            exec sleep 30

            """)
        var config = SentinelConfig()
        config.port = 0
        config.bind = ["127.0.0.1"]
        config.myID = String(repeating: "a", count: 40)
        config.logLevel = .debug
        config.logFile = "\(dir.path)/sentinel.log"
        // Port 1 refuses: the master stays unreachable, which the script does not care about.
        var master = MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 1), quorum: 1)
        master.notificationScript = script
        config.masters = [master]
        var options = RuntimeOptions(configPath: "\(dir.path)/sentinel.conf", seed: 7)
        options.handleSignals = false
        let runtime = SentinelRuntime(config: config, options: options)
        let port = try #require(try await runtime.start().first?.port)

        let client = try TestSocket(port: port)
        client.send("SENTINEL DEBUG script-max-runtime 300\r\n")
        #expect(client.read(count: 5) == "+OK\r\n")

        #expect(await eventually { dir.read("argv") != nil })
        #expect(dir.read("argv") == "+monitor\nmaster mymaster 127.0.0.1 1 quorum 1\n")
        let pid = try #require(dir.read("pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        let log = { dir.read("sentinel.log") ?? "" }
        #expect(await eventually { log().contains("-script-child \(pid) 0 9") }, "killed and reaped")
        #expect(log().contains("+script-child \(pid)"))
        #expect(log().contains("-script-timeout \(script) \(pid)"))
        #expect(!processExists(pid), "no process and no zombie left")
        #if os(Linux)
            let fds = dir.read("fds") ?? ""
            #expect(fds.contains(" 2 -> "), "the listing worked:\n\(fds)")
            #expect(!fds.contains("socket:") && !fds.contains("anon_inode:"), "leaked descriptors:\n\(fds)")
        #endif
        try await runtime.stop()
    }
}

/// Whether a process (or an unreaped zombie) with this pid exists.
private func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
}
