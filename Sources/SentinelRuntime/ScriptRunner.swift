//===----------------------------------------------------------------------===//
// swift-sentinel — user script processes
//===----------------------------------------------------------------------===//

import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process side of Sentinel's user scripts (sentinel-behaviour §10.1): starts the scripts the
/// core asks for, kills them on request, and reaps them without blocking. The queue, the limits and
/// the retry policy are the core's; this only turns processes into events. Confined to the
/// runtime's event loop.
///
/// Only the pids started here are ever waited for (`waitpid(pid, WNOHANG)` per child, never
/// `waitpid(-1)`), so other children of an embedding process are left alone. Nothing is killed or
/// awaited at shutdown: like Redis, running scripts are left to finish on their own.
final class ScriptRunner {
    /// Running children by job, until reaped.
    private var children: [ScriptJobID: pid_t] = [:]

    /// Starts `path` with argv `[path] + arguments` and the current environment.
    ///
    /// - Returns: `.scriptStarted` with the pid; `.scriptFailedToStart` when no process could be
    ///   created (Redis's fork failure); or `.scriptExited` with exit code 2 when the program could
    ///   not be executed (missing, not executable, bad format), which is what Redis's child exits
    ///   with when its `execve` fails.
    func run(_ job: ScriptJobID, path: String, arguments: [String]) -> Event {
        var pid: pid_t = 0
        switch Self.spawn(path: path, argv: [path] + arguments, pid: &pid) {
        case 0:
            children[job] = pid
            return .scriptStarted(job, pid: pid)
        case EAGAIN, ENOMEM:
            return .scriptFailedToStart(job)
        default:
            return .scriptExited(job, exitCode: 2, signal: 0)
        }
    }

    /// Sends SIGKILL to a job's process if it is still ours and unreaped.
    func kill(_ job: ScriptJobID) {
        guard let pid = children[job] else { return }
        _ = sendSignal(pid, SIGKILL)
    }

    /// Reaps every child that has ended, oldest job first, without blocking.
    ///
    /// - Returns: one `.scriptExited` per reaped child, with `WEXITSTATUS` as the exit code and the
    ///   terminating signal (0 if it exited). A child that is no longer ours to wait for (`ECHILD`:
    ///   someone else reaped it) is reported as a clean exit, so its job does not stay running forever.
    func reap() -> [Event] {
        var events: [Event] = []
        for (job, pid) in children.sorted(by: { $0.key < $1.key }) {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                children[job] = nil
                events.append(.scriptExited(job, exitCode: Self.exitCode(status), signal: Self.terminatingSignal(status)))
            } else if result == -1 && errno == ECHILD {
                children[job] = nil
                events.append(.scriptExited(job, exitCode: 0, signal: 0))
            }
        }
        return events
    }

    /// `WEXITSTATUS`: bits 8–15 of the wait status (0 for a child killed by a signal).
    static func exitCode(_ status: Int32) -> Int32 { (status >> 8) & 0xff }

    /// `WIFSIGNALED ? WTERMSIG : 0`.
    static func terminatingSignal(_ status: Int32) -> Int32 {
        let low = status & 0x7f
        return low != 0 && low != 0x7f ? low : 0
    }

    /// `posix_spawn` with default signal dispositions and an empty signal mask (the sentinel ignores
    /// SIGTERM/SIGINT and those would otherwise be inherited). The child keeps only stdin, stdout
    /// and stderr. Every descriptor of ours is close-on-exec (CloseOnExec.swift); every descriptor
    /// from 3 up is also closed in the child explicitly, in case one was not marked yet
    /// (`POSIX_SPAWN_CLOEXEC_DEFAULT` on Darwin). Returns 0 or an errno.
    private static func spawn(path: String, argv: [String], pid: inout pid_t) -> Int32 {
        #if canImport(Darwin)
            var attributes: posix_spawnattr_t? = nil
            var actions: posix_spawn_file_actions_t? = nil
        #else
            var attributes = posix_spawnattr_t()
            var actions = posix_spawn_file_actions_t()
        #endif
        guard posix_spawnattr_init(&attributes) == 0 else { return ENOMEM }
        defer { posix_spawnattr_destroy(&attributes) }
        guard posix_spawn_file_actions_init(&actions) == 0 else { return ENOMEM }
        defer { posix_spawn_file_actions_destroy(&actions) }

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
            flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
            for fd: Int32 in 0...2 { posix_spawn_file_actions_addinherit_np(&actions, fd) }
        #else
            closeDescriptorsFromThree(&actions)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let arguments = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        #if canImport(Darwin)
            let environment = _NSGetEnviron().pointee
        #else
            let environment = environ
        #endif
        return posix_spawn(&pid, path, &actions, &attributes, arguments, environment)
    }
}

#if !canImport(Darwin)
    /// Makes the child close every descriptor from 3 up: glibc's `posix_spawn_file_actions_addclosefrom_np`
    /// (2.34+; looked up at run time, as the Swift module does not import it), else, on older C
    /// libraries, marking every such descriptor of ours close-on-exec just before the spawn.
    package func closeDescriptorsFromThree(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
            if addCloseFrom(&actions, 3) == 0 { return }
        }
        CloseOnExec.markAll()
    }
#endif

/// `kill(2)`, named apart from ``ScriptRunner/kill(_:)``.
private func sendSignal(_ pid: pid_t, _ signal: Int32) -> Int32 {
    kill(pid, signal)
}
