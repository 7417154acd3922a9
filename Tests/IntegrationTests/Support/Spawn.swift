import Foundation
import SentinelRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts child processes with `posix_spawn`.
///
/// Foundation's `Process` is not used on purpose: a process spawned from a Swift-concurrency
/// (libdispatch) worker thread inherits that thread's signal mask, in which SIGTERM is blocked,
/// so a graceful stop would never arrive. Here every child gets an empty signal mask and default
/// signal handlers. Children are reaped with `waitpid` on their own pid only.
enum Spawn {
    /// Starts `executable` with `arguments`; stdin is /dev/null, stdout and stderr are appended
    /// to `outputPath` (or /dev/null). `environment` is added to (or replaces variables of) the
    /// test process's environment.
    static func start(
        _ executable: String, _ arguments: [String], outputPath: String?, environment: [String: String] = [:]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours: SwiftNIO's accepted sockets are not close-on-exec, and a
        // redis-server holding a copy of a runtime test's connection keeps its FIN from going out.
        #if !canImport(Darwin)
            closeDescriptorsFromThree(&actions)
        #endif

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { _, new in new }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        let result = environment.isEmpty
            ? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            : posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw HarnessError("could not start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Non-blocking reap of one child: its exit status (or 128+signal) once it has exited,
    /// nil while it still runs.
    static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            // WIFEXITED / WEXITSTATUS / WTERMSIG written out (they are macros in C).
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
        if result < 0 && errno == ECHILD {
            return -1
        }
        return nil
    }

    /// Runs `executable` to its end and returns its exit status and output (stdout and stderr
    /// together). A process still running after `timeout` is killed with SIGKILL (status 137).
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(10)) throws -> (
        status: Int32, output: String
    ) {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("spawn-\(UUID().uuidString.prefix(8)).out").path
        defer { unlink(outputPath) }
        let pid = try start(executable, arguments, outputPath: outputPath)
        let deadline = ContinuousClock.now + timeout
        var status = reap(pid)
        while status == nil && ContinuousClock.now < deadline {
            usleep(10_000)
            status = reap(pid)
        }
        if status == nil {
            kill(pid, SIGKILL)
            while status == nil {
                usleep(10_000)
                status = reap(pid)
            }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (status ?? -1, output)
    }
}
