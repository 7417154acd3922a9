import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One child process with its stdout and stderr appended to a log file. It can be started
/// again after it stopped (same executable, arguments and log file).
final class ManagedProcess: Sendable {
    private struct State {
        var pid: pid_t?
        var exitStatus: Int32?
    }

    let label: String
    let executable: String
    let arguments: [String]
    let logURL: URL
    /// Variables added to the test process's environment for the child.
    let environment: [String: String]
    private let state = Mutex(State())

    init(label: String, executable: String, arguments: [String], logURL: URL, environment: [String: String] = [:]) {
        self.label = label
        self.executable = executable
        self.arguments = arguments
        self.logURL = logURL
        self.environment = environment
    }

    deinit {
        // A last resort: the owner should have stopped the process already.
        kill()
    }

    var pid: pid_t? {
        state.withLock { $0.pid }
    }

    /// Whether the process runs; reaps it (and unregisters it) once it has exited.
    var isRunning: Bool {
        state.withLock { state in
            guard let pid = state.pid else { return false }
            if let status = Spawn.reap(pid) {
                state.exitStatus = status
                state.pid = nil
                ProcessRegistry.unregister(pid)
                return false
            }
            return true
        }
    }

    /// The exit status (128+signal when killed by a signal) once the process has exited.
    var exitStatus: Int32? {
        _ = isRunning
        return state.withLock { $0.exitStatus }
    }

    func launch() throws {
        precondition(!isRunning, "\(label) is already running")
        let banner = "---- harness: starting \(executable) \(arguments.joined(separator: " "))\n"
        if let log = FileHandle(forWritingAtPath: logURL.path) {
            defer { try? log.close() }
            _ = try? log.seekToEnd()
            try log.write(contentsOf: Data(banner.utf8))
        } else {
            try banner.write(to: logURL, atomically: false, encoding: .utf8)
        }
        // Registered while the lock is held so that a pid is never running unregistered.
        try state.withLock { state in
            let pid = try Spawn.start(executable, arguments, outputPath: logURL.path, environment: environment)
            ProcessRegistry.register(pid)
            state.pid = pid
            state.exitStatus = nil
        }
    }

    /// Sends `signal` (SIGTERM by default) and waits for the exit; escalates to SIGKILL after
    /// `timeout`. Synchronous so that it can run in `defer` and `deinit`.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) {
        guard let pid, pid > 1, isRunning else {
            return
        }
        posixKill(pid, signal)
        // A process paused with SIGSTOP would keep the signal pending until it is continued.
        posixKill(pid, SIGCONT)
        if !waitSynchronously(timeout: timeout, { !isRunning }) {
            posixKill(pid, SIGKILL)
            _ = waitSynchronously(timeout: .seconds(5)) { !isRunning }
        }
    }

    /// SIGKILL, no grace period.
    func kill() {
        stop(signal: SIGKILL, timeout: .seconds(5))
    }

    /// Sends `signal` to the running process without waiting (SIGSTOP, SIGCONT, ...). Returns
    /// false when the process is not running.
    @discardableResult
    func send(signal: Int32) -> Bool {
        guard let pid, pid > 1, isRunning else {
            return false
        }
        return posixKill(pid, signal) == 0
    }

    func log() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    func logTail(lines: Int = 30) -> String {
        let all = log().split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines).joined(separator: "\n")
    }
}

extension ManagedProcess {
    /// Runs a program to completion and returns its exit status and combined output. It is
    /// killed (and the call throws) if it has not exited after `timeout`.
    static func run(
        label: String, executable: String, arguments: [String], logURL: URL, timeout: Duration,
        environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String) {
        try? FileManager.default.removeItem(at: logURL)
        let process = ManagedProcess(
            label: label, executable: executable, arguments: arguments, logURL: logURL, environment: environment)
        defer { process.kill() }
        try process.launch()
        try await eventually(
            timeout: timeout, interval: .milliseconds(50), "\(label) exits",
            diagnostics: { "output so far:\n\(process.log())" }
        ) {
            !process.isRunning
        }
        return (process.exitStatus ?? -1, process.log())
    }
}

/// kill(2) (the methods above named `kill` hide the C function).
@discardableResult
private func posixKill(_ pid: pid_t, _ signal: Int32) -> Int32 {
    #if canImport(Glibc)
        Glibc.kill(pid, signal)
    #else
        Darwin.kill(pid, signal)
    #endif
}
