#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The verbs every process a test starts answers to, the same for redis-server (`RedisNode`), a
/// sentinel of either implementation (`SentinelProcess`) and the exporter (`RedisExporter`):
/// `start` (first start or again after a stop or kill), `stop` (SIGTERM, SIGKILL after 5 s),
/// `kill` (SIGKILL: a crash), `pause`/`resume` (SIGSTOP/SIGCONT; every stop path continues a
/// paused process first) and `restart`. Written once here over the `ManagedProcess` each holds.
protocol TestProcess: AnyObject {
    /// The running (or last) process; nil before the first start.
    var managed: ManagedProcess? { get }
    /// How the process appears in messages.
    var label: String { get }
    /// Starts the process and waits until it answers.
    func start() async throws
}

extension TestProcess {
    var isRunning: Bool { managed?.isRunning ?? false }

    /// The pid of the running process, nil when it is not running.
    var pid: pid_t? { isRunning ? managed?.pid : nil }

    /// The exit status of the last run once it has exited (128+signal when killed by a signal);
    /// nil while it runs or if it never started.
    var exitStatus: Int32? { managed?.exitStatus }

    /// Graceful stop: SIGTERM, then SIGKILL after 5 s.
    func stop() {
        managed?.stop()
    }

    /// SIGKILL: a crash, no shutdown work (the pid is reaped before this returns).
    func kill() {
        managed?.kill()
    }

    /// SIGSTOP: the process keeps its sockets but answers nothing until `resume()`.
    func pause() throws {
        guard managed?.send(signal: SIGSTOP) == true else {
            throw HarnessError("\(label) is not running; cannot pause it")
        }
    }

    /// SIGCONT after `pause()`.
    func resume() {
        managed?.send(signal: SIGCONT)
    }

    /// Sends `signal` without waiting; false when the process is not running.
    @discardableResult
    func send(signal: Int32) -> Bool {
        managed?.send(signal: signal) ?? false
    }

    /// Stops the process if it runs, then starts it again (same arguments, port and directory).
    func restart() async throws {
        stop()
        try await start()
    }
}
