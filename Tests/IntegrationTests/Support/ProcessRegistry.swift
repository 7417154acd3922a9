import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every child process the harness starts is registered here by pid until it has exited.
///
/// Three layers make sure nothing outlives a test run:
/// 1. each test stops its processes in a `defer` (see `Cluster.shutdown()`);
/// 2. an `atexit` handler sends SIGKILL to every pid still registered when the test process exits;
/// 3. a watchdog shell started once per test process polls the test process' pid and, when it is
///    gone (a crash, SIGKILL), kills every pid listed in a pid file that mirrors this registry.
enum ProcessRegistry {
    private struct State {
        var pids: Set<Int32> = []
        var watchdogStarted = false
        var watchdogPid: Int32?
    }

    private static let state = Mutex(State())

    /// The file the watchdog reads; rewritten on every change.
    static let pidFile: String = {
        let dir = FileManager.default.temporaryDirectory.path
        return "\(dir)/sentinel-it-pids-\(getpid())"
    }()

    static func register(_ pid: Int32) {
        precondition(pid > 1, "refusing to track pid \(pid)")
        let needsWatchdog = state.withLock { state -> Bool in
            state.pids.insert(pid)
            writePidFile(state.pids)
            defer { state.watchdogStarted = true }
            return !state.watchdogStarted
        }
        if needsWatchdog {
            atexit { ProcessRegistry.killEverythingAtExit() }
            startWatchdog()
        }
    }

    static func unregister(_ pid: Int32) {
        state.withLock { state in
            state.pids.remove(pid)
            writePidFile(state.pids)
        }
    }

    static var registeredPids: Set<Int32> {
        state.withLock { $0.pids }
    }

    private static func writePidFile(_ pids: Set<Int32>) {
        let text = pids.map(String.init).joined(separator: "\n") + "\n"
        try? text.write(toFile: pidFile, atomically: true, encoding: .utf8)
    }

    private static func killEverythingAtExit() {
        let (pids, watchdog) = state.withLock { state in
            let result = (state.pids, state.watchdogPid)
            state.pids.removeAll()
            return result
        }
        for pid in pids where pid > 1 {
            kill(pid, SIGKILL)
        }
        unlink(pidFile)
        if let watchdog, watchdog > 1 {
            kill(watchdog, SIGKILL)
        }
    }

    private static func startWatchdog() {
        // $0 = the test process, $1 = the pid file. Polls twice a second; when the test process
        // is gone it kills the pids still listed (they are only listed while they run).
        let script = """
            while kill -0 "$0" 2>/dev/null; do sleep 0.5; done
            if [ -f "$1" ]; then for p in $(cat "$1"); do [ "$p" -gt 1 ] && kill -9 "$p" 2>/dev/null; done; rm -f "$1"; fi
            """
        do {
            let pid = try Spawn.start("/bin/sh", ["-c", script, String(getpid()), pidFile], outputPath: nil)
            state.withLock { $0.watchdogPid = pid }
        } catch {
            print("warning: could not start the process watchdog: \(error)")
        }
    }
}
