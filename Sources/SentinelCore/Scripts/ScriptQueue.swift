import DequeModule
import OrderedCollections
import RESP

/// One queued user-script execution. Allocated by the core; the runtime echoes it back in
/// ``Event/scriptStarted(_:pid:)``, ``Event/scriptFailedToStart(_:)`` and ``Event/scriptExited(_:exitCode:signal:)``.
package struct ScriptJobID: Hashable, Sendable, Comparable, CustomStringConvertible {
    var raw: Int
    package init(_ raw: Int) { self.raw = raw }
    package static func < (a: ScriptJobID, b: ScriptJobID) -> Bool { a.raw < b.raw }
    package var description: String { "script#\(raw)" }
}

/// A script execution job (Redis's sentinelScriptJob, sentinel-behaviour §10.1).
struct ScriptJob: Hashable, Sendable {
    var id: ScriptJobID
    /// `argv[0]` is the script path; at most ``ScriptQueue/maxArguments`` entries in all.
    var argv: [String]
    /// Started and not yet reaped (the `running` flag; otherwise the job is `scheduled`).
    var running = false
    /// The child's pid once the runtime reported it; 0 while not running.
    var pid: Int32 = 0
    /// When the current run started (meaningful while running).
    var startTime: Millis = 0
    /// The earliest time a scheduled job may run; 0 means at once.
    var notBefore: Millis = 0
    /// How many times the job has been started.
    var retryCount = 0

    var path: String { argv[0] }
}

/// The FIFO of script jobs (`sentinel.scripts_queue`) with its fixed limits (sentinel-behaviour §3).
struct ScriptQueue: Hashable, Sendable {
    /// SENTINEL_SCRIPT_MAX_QUEUE
    static let maxQueue = 256
    /// SENTINEL_SCRIPT_MAX_RUNNING
    static let maxRunning = 16
    /// SENTINEL_SCRIPT_MAX_RETRY: a job is started at most this many times.
    static let maxRetry = 10
    /// SENTINEL_SCRIPT_MAX_ARGS: argv entries, the path included.
    static let maxArguments = 16

    /// Oldest first.
    var jobs: Deque<ScriptJob> = []
    var nextID = 1

    /// Jobs started and not yet reaped (`sentinel_running_scripts`).
    var runningCount: Int { jobs.count { $0.running } }

    func index(of id: ScriptJobID) -> Int? { jobs.firstIndex { $0.id == id } }
}

/// User scripts (sentinel-behaviour §10.1): the notification and client-reconfig scripts are
/// queued here, started on the timer at most 16 at a time, retried with exponential back-off and
/// killed when they overrun `script-max-runtime`. Forking and reaping are the runtime's job.
extension Sentinel {
    /// Queues a script run (sentinelScheduleScriptExecution): argv is `[path] + arguments`, cut
    /// to 16 entries. When the queue then holds more than 256 jobs, the oldest job that is not
    /// running is dropped.
    mutating func queueScript(path: String, arguments: [String]) {
        let id = ScriptJobID(scripts.nextID)
        scripts.nextID += 1
        let argv = Array(([path] + arguments).prefix(ScriptQueue.maxArguments))
        scripts.jobs.append(ScriptJob(id: id, argv: argv))
        if scripts.jobs.count > ScriptQueue.maxQueue, let oldest = scripts.jobs.firstIndex(where: { !$0.running }) {
            scripts.jobs.remove(at: oldest)
        }
    }

    /// The notification script of the master an event's instance belongs to, for WARNING events
    /// (sentinelEvent): argv is `[path, <event type>, <event message>]`.
    mutating func queueNotificationScript(_ level: LogLevel, _ type: String, _ message: String, master name: String?) {
        guard level == .warning, let name, let path = masterNamed(name)?.config.notificationScript else { return }
        queueScript(path: path, arguments: [type, message])
    }

    /// Runs the master's client-reconfig-script, if it has one (sentinelCallClientReconfScript):
    /// argv is `[path, <master-name>, <role>, start, <from-ip>, <from-port>, <to-ip>, <to-port>]`,
    /// addresses in announced form. `role` is `leader` (the failover leader, once the promotion is
    /// confirmed) or `observer` (a hello switched the master).
    mutating func queueClientReconfigScript(master name: String, role: String, from: HostPort, to: HostPort) {
        guard let path = masterNamed(name)?.config.clientReconfigScript else { return }
        let a = announced(from)
        let b = announced(to)
        queueScript(path: path, arguments: [name, role, "start", a.host, "\(a.port)", b.host, "\(b.port)"])
    }

    // MARK: - Timer

    /// The script half of each timer tick: start what is due, then kill what overran.
    mutating func scriptsTimer() {
        runPendingScripts()
        checkScriptTimeouts()
    }

    /// Starts scheduled jobs, oldest first, whose retry time has come, while fewer than 16 run
    /// (sentinelRunPendingScripts). Each start counts as a try.
    mutating func runPendingScripts() {
        var running = scripts.runningCount
        for index in scripts.jobs.indices where running < ScriptQueue.maxRunning {
            let job = scripts.jobs[index]
            guard !job.running, job.notBefore <= now else { continue }
            scripts.jobs[index].running = true
            scripts.jobs[index].startTime = now
            scripts.jobs[index].retryCount += 1
            running += 1
            output.append(.runScript(job.id, path: job.path, arguments: Array(job.argv.dropFirst())))
        }
    }

    /// Kills every running job older than `script-max-runtime` with SIGKILL, with
    /// `-script-timeout <path> <pid>` (sentinelKillTimedoutScripts). Its exit arrives later and is
    /// handled like any death by a signal.
    mutating func checkScriptTimeouts() {
        for job in scripts.jobs where job.running && job.pid != 0 && now - job.startTime > timing.scriptMaxRuntime {
            emit(.warning, "-script-timeout", "\(job.path) \(job.pid)")
            output.append(.killScript(job.id))
        }
    }

    // MARK: - Runtime reports

    /// The runtime spawned the job's process.
    mutating func scriptStarted(_ id: ScriptJobID, pid: Int32) {
        guard let index = scripts.index(of: id) else { return }
        scripts.jobs[index].pid = pid
        emit(.debug, "+script-child", "\(pid)")
    }

    /// The process could not be created (a fork failure): `-script-error <path> 99 0`, and the job
    /// is dropped.
    mutating func scriptFailedToStart(_ id: ScriptJobID) {
        guard let index = scripts.index(of: id) else { return }
        let job = scripts.jobs.remove(at: index)
        emit(.warning, "-script-error", "\(job.path) 99 0")
    }

    /// A job's process ended (sentinelCollectTerminatedScripts). Exit 1 or death by a signal is
    /// retried after `script-retry-delay` × 2^(tries−1) unless it has been tried 10 times; any
    /// other failure is reported with `-script-error <path> <signal> <exitcode>`. Exit 2 is what
    /// a failed exec gives, so it is never retried.
    mutating func scriptExited(_ id: ScriptJobID, exitCode: Int32, signal: Int32) {
        guard let index = scripts.index(of: id) else {
            output.append(.log(.warning, "A script we can't find in our scripts execution queue has exited!"))
            return
        }
        let job = scripts.jobs[index]
        if job.pid != 0 { emit(.debug, "-script-child", "\(job.pid) \(exitCode) \(signal)") }
        if (signal != 0 || exitCode == 1) && job.retryCount < ScriptQueue.maxRetry {
            scripts.jobs[index].running = false
            scripts.jobs[index].pid = 0
            scripts.jobs[index].notBefore = now.saturatingAdding(retryDelay(afterTry: job.retryCount))
        } else {
            scripts.jobs.remove(at: index)
            if signal != 0 || exitCode != 0 {
                emit(.warning, "-script-error", "\(job.path) \(signal) \(exitCode)")
            }
        }
    }

    /// `script-retry-delay` doubled for every try after the first: 30 s, 60 s, 120 s, ...
    func retryDelay(afterTry tries: Int) -> Millis {
        var delay = timing.scriptRetryDelay
        for _ in 1..<max(tries, 1) { delay = delay.saturatingMultiplied(by: 2) }
        return delay
    }

    // MARK: - SENTINEL PENDING-SCRIPTS

    /// One map per job: `argv`, `flags` (`running`|`scheduled`), `pid`, then `run-time` (ms since
    /// the start) when running or `run-delay` (ms until it may run, never negative), then
    /// `retry-num`; numbers as bulk strings (sentinelPendingScriptsCommand).
    func pendingScriptsReply() -> RESPValue {
        .array(
            scripts.jobs.map { job in
                let elapsed: (field: String, millis: Millis) =
                    job.running ? ("run-time", now - job.startTime) : ("run-delay", max(0, job.notBefore - now))
                return .map([
                    .bulkString("argv"), .array(job.argv.map { .bulkString($0) }),
                    .bulkString("flags"), .bulkString(job.running ? "running" : "scheduled"),
                    .bulkString("pid"), .bulkString("\(job.pid)"),
                    .bulkString(elapsed.field), .bulkString("\(elapsed.millis)"),
                    .bulkString("retry-num"), .bulkString("\(job.retryCount)"),
                ])
            })
    }
}
