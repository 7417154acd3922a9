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
/// the fatal banner and exits 1), require a writable config file, then run until SHUTDOWN, SIGTERM or
/// SIGINT (exit 0).
@main
struct SwiftSentinel {
    static func main() async {
        // A crash writes a report and ends the process at once (CrashReport.swift).
        CrashReport.install(logFile: "")
        exit(await launch(Array(CommandLine.arguments.dropFirst())))
    }

    /// Runs the command line and returns the exit status.
    static func launch(_ arguments: [String]) async -> Int32 {
        let command: LaunchCommand
        do {
            command = try LaunchArguments.parse(arguments)
        } catch {
            printError("\(error)")
            return 1
        }
        switch command {
        case .help:
            print(LaunchArguments.usage)
            return 0
        case .version:
            print(SentinelVersion.banner)
            return 0
        case .checkConfig(let path, let overrides):
            guard let path else {
                printError("--check-config needs a config file")
                return 1
            }
            let text: String
            do {
                text = try ConfigFile.read(path: path)
            } catch {
                printError(Launcher.cannotOpen(path: path, reason: reason(error)))
                return 1
            }
            var (status, output) = Launcher.checkConfig(text: text, fileName: path, overrides: overrides)
            if status == 0, let problem = Launcher.writableProblem(path: ConfigFile.absolutePath(path)) {
                // As startup refuses it; the answer depends on the user running the check.
                (status, output) = (1, problem + " (checked as uid \(getuid()): run --check-config as the service's user)")
            }
            if status == 0 { print(output) } else { printError(output) }
            return status
        case .run(let path, let overrides):
            return await runSentinel(path: path, overrides: overrides)
        }
    }

    private static func runSentinel(path: String?, overrides: [String]) async -> Int32 {
        let bootLog = LogSink()
        var text = ""
        var absolutePath: String?
        if let path {
            absolutePath = ConfigFile.absolutePath(path)
            do {
                text = try ConfigFile.read(path: path)
            } catch {
                bootLog.write(.warning, Launcher.cannotOpen(path: path, reason: reason(error)))
                return 1
            }
        }
        var config: SentinelConfig
        do {
            config = try ConfigParser.parse(text, fileName: path ?? "", overrides: overrides, include: ConfigFile.readIncluded)
        } catch {
            printError(Launcher.fatalBanner(error), terminator: "")
            return 1
        }
        let log = LogSink(level: config.logLevel, file: config.logFile)
        CrashReport.install(logFile: config.logFile)
        if let problem = Launcher.loadProblem(config, text: text, fileName: path ?? "") {
            // The `dir`, `logfile` and script checks of Redis's loader, as `--check-config` makes them.
            printError(Launcher.fatalBanner(problem), terminator: "")
            return 1
        }
        guard let absolutePath else {
            log.write(.warning, Launcher.needsConfigFile)
            return 1
        }
        if let problem = Launcher.writableProblem(path: absolutePath) {
            log.write(.warning, problem)
            return 1
        }
        if let dir = config.dir, !dir.isEmpty, chdir(dir) != 0 {
            log.write(.warning, "Can't chdir to '\(dir)': \(String(cString: strerror(errno)))")
            return 1
        }
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
        log.write(.notice, "oO0OoO0OoO0Oo swift-sentinel is starting oO0OoO0OoO0Oo")
        let version = "version=\(SentinelVersion.version), redis-compatible=\(SentinelVersion.redisCompatible)"
        log.write(.notice, "swift-sentinel \(version), bits=\(Int.bitWidth), pid=\(getpid()), just started")
        log.write(.notice, "Configuration loaded")
        if config.daemonize {
            log.write(.warning, "daemonize is not supported: running in the foreground.")
        }
        // Redis shows the TLS port when the plain one is off.
        log.write(.notice, "Running mode=sentinel, port=\(config.port != 0 ? config.port : config.tls.port).")

        let options = RuntimeOptions(configPath: absolutePath, seed: UInt64.random(in: .min ... .max))
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
