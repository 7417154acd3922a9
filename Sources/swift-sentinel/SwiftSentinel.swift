//===----------------------------------------------------------------------===//
// swift-sentinel — the executable
//===----------------------------------------------------------------------===//

import SentinelCore
import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `swift-sentinel /path/sentinel.conf [--port 26380] [--<directive> <value...>]`
///
/// Startup follows Redis Sentinel: parse the file plus command-line overrides (a parse error prints
/// the fatal banner and exits 1), require a writable config file, make the `supervised` handshake,
/// fork into the background for `daemonize yes`, then run until SHUTDOWN, SIGTERM or SIGINT (exit 0).
@main
struct SwiftSentinel {
    static func main() async {
        // A crash writes a report and ends the process at once (CrashReport.swift).
        CrashReport.install(logFile: "")
        // Everything up to the fork of `daemonize` runs before the first `await`: until then the
        // process has one thread (the first hop to the concurrency runtime starts its pool), and a
        // fork keeps only the thread that calls it.
        switch prepare(Array(CommandLine.arguments.dropFirst())) {
        case .finished(let status):
            exit(status)
        case .run(let startup):
            exit(await runSentinel(startup))
        }
    }

    /// The commit this binary was built from (`GitCommit` is written by Plugins/GitCommitPlugin).
    private static let commit = BuildCommit(sha1: GitCommit.sha1, dirty: GitCommit.dirty)

    /// What ``prepare(_:)`` leaves to do.
    private enum Prepared {
        /// Done (help, version, `--check-config`, or a startup error): exit with this status.
        case finished(Int32)
        /// Run the sentinel (in the child when daemonized).
        case run(Startup)
    }

    /// What the synchronous part of startup hands to the asynchronous one.
    private struct Startup {
        var config: SentinelConfig
        var absolutePath: String
        var supervision: Supervision
        /// The threads the process had when it forked for `daemonize`; nil when it did not fork.
        var threadsAtFork: Int?
    }

    /// Runs the command line up to the point where the sentinel starts: every step here is
    /// synchronous and starts no thread (see ``main()``).
    private static func prepare(_ arguments: [String]) -> Prepared {
        let command: LaunchCommand
        do {
            command = try LaunchArguments.parse(arguments)
        } catch {
            printError("\(error)")
            return .finished(1)
        }
        switch command {
        case .help:
            print(LaunchArguments.usage)
            return .finished(0)
        case .version:
            print(SentinelVersion.banner(commit: commit))
            return .finished(0)
        case .checkConfig(let path, let overrides):
            guard let path else {
                printError("--check-config needs a config file")
                return .finished(1)
            }
            let text: String
            do {
                text = try ConfigFile.read(path: path)
            } catch {
                printError(Launcher.cannotOpen(path: path, reason: reason(error)))
                return .finished(1)
            }
            var (status, output) = Launcher.checkConfig(text: text, fileName: path, overrides: overrides)
            if status == 0, let problem = Launcher.writableProblem(path: ConfigFile.absolutePath(path)) {
                // As startup refuses it; the answer depends on the user running the check.
                (status, output) = (1, problem + " (checked as uid \(getuid()): run --check-config as the service's user)")
            }
            if status == 0 { print(output) } else { printError(output) }
            return .finished(status)
        case .run(let path, let overrides):
            return prepareSentinel(path: path, overrides: overrides)
        }
    }

    /// Loads and checks the config, makes the `supervised` handshake and forks for `daemonize`,
    /// in redis-sentinel's order: a config error, a config file that cannot be written or a
    /// missing `dir` stop the launching process itself (exit 1); what fails after the fork (a
    /// listener, the ACL file, TLS) stops the child, and the launching process has exited 0.
    private static func prepareSentinel(path: String?, overrides: [String]) -> Prepared {
        let bootLog = LogSink()
        var text = ""
        var absolutePath: String?
        if let path {
            absolutePath = ConfigFile.absolutePath(path)
            do {
                text = try ConfigFile.read(path: path)
            } catch {
                bootLog.write(.warning, Launcher.cannotOpen(path: path, reason: reason(error)))
                return .finished(1)
            }
        }
        let config: SentinelConfig
        do {
            config = try ConfigParser.parse(text, fileName: path ?? "", overrides: overrides, include: ConfigFile.readIncluded)
        } catch {
            printError(Launcher.fatalBanner(error), terminator: "")
            return .finished(1)
        }
        if let problem = Launcher.loadProblem(config, text: text, fileName: path ?? "") {
            // The `dir`, `logfile` and script checks of Redis's loader, as `--check-config` makes them.
            printError(Launcher.fatalBanner(problem), terminator: "")
            return .finished(1)
        }
        let log = LogSink(config: config)
        CrashReport.install(logFile: config.logFile)
        guard let absolutePath else {
            log.write(.warning, Launcher.needsConfigFile)
            return .finished(1)
        }
        if let problem = Launcher.writableProblem(path: absolutePath) {
            log.write(.warning, problem)
            return .finished(1)
        }
        if let dir = config.dir, !dir.isEmpty, chdir(dir) != 0 {
            log.write(.warning, "Can't chdir to '\(dir)': \(String(cString: strerror(errno)))")
            return .finished(1)
        }
        let supervision = Supervision.detect(
            config.supervisedMode, environment: { getenv($0).map { String(cString: $0) } },
            notify: SystemdNotifier.fromEnvironment().send, log: log.write, signalUpstart: Supervision.stopForUpstart)
        var threadsAtFork: Int?
        if config.daemonize && !supervision.isSupervised {
            // Redis: a supervised process stays in the foreground whatever `daemonize` says.
            threadsAtFork = Daemon.detach()
            if threadsAtFork == nil {
                log.write(.warning, "Can't fork into the background: \(String(cString: strerror(errno))). Running in the foreground.")
            }
        }
        return .run(
            Startup(config: config, absolutePath: absolutePath, supervision: supervision, threadsAtFork: threadsAtFork))
    }

    private static func runSentinel(_ startup: Startup) async -> Int32 {
        var config = startup.config
        // Made after the fork: a sink's lines carry the pid of the process that made it.
        let log = LogSink(config: config)
        if let aclPath = config.aclFile {
            // Redis's ACLLoadUsersAtStartup: the users come from the file (relative to `dir`).
            switch AclFileIO.loadUsersAtStartup(path: aclPath) {
            case .success(let users): config.users = users
            case .failure(let problem):
                log.write(.warning, Launcher.aclStartupFailure(problem))
                return 1
            }
        }
        // After the ACL file: its default user may have the password.
        if let refusal = Launcher.protectedModeRefusal(config) {
            log.write(.warning, refusal)
            return 1
        }
        if let problem = Launcher.tlsProblem(config) {
            // Redis logs the reason, then "Failed to configure TLS. Check logs for more info.", and exits 1.
            log.write(.warning, problem)
            log.write(.warning, TLSSetupError.summary)
            return 1
        }
        if let threads = startup.threadsAtFork {
            // Not a Redis line: shows that the fork came before any thread was started.
            log.write(
                threads == 1 ? .debug : .warning,
                "Forked into the background for daemonize, with \(threads) thread\(threads == 1 ? "" : "s") at the fork")
            // Redis writes its default pidfile when daemonized without one, and keeps that path.
            config.pidFile = config.effectivePidFile(daemonized: true)
        }
        log.write(.notice, "oO0OoO0OoO0Oo swift-sentinel is starting oO0OoO0OoO0Oo")
        // Redis: "Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=..., just started".
        let version = "version=\(SentinelVersion.version), redis-compatible=\(SentinelVersion.redisCompatible)"
        let built = "commit=\(commit.short), modified=\(commit.dirty ? 1 : 0)"
        log.write(.notice, "swift-sentinel \(version), bits=\(Int.bitWidth), \(built), pid=\(getpid()), just started")
        log.write(.notice, "Configuration loaded")
        // Redis shows the TLS port when the plain one is off.
        log.write(.notice, "Running mode=sentinel, port=\(config.port != 0 ? config.port : config.tls.port).")

        var options = RuntimeOptions(configPath: startup.absolutePath, seed: UInt64.random(in: .min ... .max))
        options.supervision = startup.supervision
        options.commit = commit
        let runtime = SentinelRuntime(config: config, options: options)
        do {
            try await runtime.run()
        } catch let error as RuntimeStartupError {
            // The runtime logged each listener failure as Redis does; a failed bind ends with
            // Redis's "Failed listening on port N (TCP|TLS), aborting.", "not listen anywhere" is final.
            if let listener = error.listener {
                log.write(.warning, ListenerBinding.aborting(port: listener.port, tls: listener.tls))
            }
            return 1
        } catch {
            log.write(.warning, "\(error)")
            return 1
        }
        return 0
    }

    /// The strerror-like part of a config file error.
    private static func reason(_ error: any Error) -> String {
        (error as? ConfigWriteError)?.reason ?? "\(error)"
    }

    private static func printError(_ text: String, terminator: String = "\n") {
        var stderrStream = StandardError()
        print(text, terminator: terminator, to: &stderrStream)
    }
}

/// `print(..., to:)` target for stderr.
private struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        writeToStandardError(string)
    }
}

private func writeToStandardError(_ string: String) {
    var string = string
    string.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(2, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 { return }
            offset += n
        }
    }
}
