import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Integration {
    /// Issue 13: `daemonize`, `supervised` and `syslog-*` were accepted and had no effect. Each test
    /// runs the sentinel under test and Debian's redis-sentinel 7.0.15 the same way and expects the
    /// same outcome (except where a comment says otherwise).
    @Suite("Process directives")
    struct ProcessDirectivesTests {
        static func binaries() throws -> [String] {
            [try Binaries.sentinelUnderTest(), try Binaries.referenceSentinel()]
        }

        static func isSwiftSentinel(_ binary: String) -> Bool {
            !binary.hasSuffix("redis-sentinel")
        }

        /// `daemonize yes`: the launching process exits 0 at once; the sentinel goes on in a new
        /// session with stdin/stdout/stderr on /dev/null, writes its own pid to the pidfile once
        /// listening, answers on its port, and removes the pidfile at SHUTDOWN. swift-sentinel also
        /// says (at debug level) that it forked while it had one thread.
        @Test("daemonize yes forks into the background and writes the pidfile", .timeLimit(.minutes(1)))
        func daemonize() async throws {
            for binary in try Self.binaries() {
                let directory = try TestDirectory.make("daemonize")
                defer { TestDirectory.remove(directory) }
                let port = try FreePort.next()
                let pidFile = directory.appendingPathComponent("sentinel.pid").path
                let logFile = directory.appendingPathComponent("sentinel.log").path
                let config = SentinelProcess.initialConfig(
                    port: port, directory: directory, masterName: Cluster.masterName, masterPort: try FreePort.next(),
                    quorum: 1, downAfterMilliseconds: 5000,
                    extraLines: ["daemonize yes", "pidfile \"\(pidFile)\"", "logfile \"\(logFile)\"", "loglevel debug"])
                let configURL = directory.appendingPathComponent("sentinel.conf")
                try config.write(to: configURL, atomically: true, encoding: .utf8)

                let clock = ContinuousClock()
                let started = clock.now
                let launch = try await ManagedProcess.run(
                    label: "daemonize \(binary)", executable: binary, arguments: [configURL.path],
                    logURL: directory.appendingPathComponent("launch.log"), timeout: .seconds(10))
                let launchTime = clock.now - started
                #expect(launch.status == 0, "\(binary): \(launch.output)")
                #expect(launchTime < .seconds(5), "\(binary) took \(launchTime) to return")

                var daemon: pid_t = 0
                try await eventually(timeout: .seconds(10), "\(binary) writes \(pidFile)") {
                    let text = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
                    daemon = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                    return daemon > 1
                }
                ProcessRegistry.register(daemon)
                defer {
                    Self.terminate(daemon)
                    ProcessRegistry.unregister(daemon)
                }
                let status = try Self.processStatus(daemon)
                #expect(status.parent != getpid(), "\(binary): the daemon's parent is the test")
                #expect(status.session == daemon, "\(binary): setsid made it a session leader")
                for fd in 0...2 {
                    let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(daemon)/fd/\(fd)")
                    #expect(target == "/dev/null", "\(binary): fd \(fd) is \(target)")
                }
                let client = try RESPClient(port: port)
                #expect(try client.send("PING") == .simpleString("PONG"))
                let fields = INFOText.fields(try client.send("INFO", "server").string ?? "")
                #expect(fields["process_id"] == "\(daemon)")
                #expect(fields["process_supervised"] == "no")
                if Self.isSwiftSentinel(binary) {
                    let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
                    #expect(log.contains("Forked into the background for daemonize, with 1 thread at the fork"), "\(log)")
                }
                _ = try? client.send("SHUTDOWN")
                client.close()
                try await eventually(timeout: .seconds(10), "\(binary) daemon \(daemon) exits") {
                    Self.isGone(daemon)
                }
                #expect(!FileManager.default.fileExists(atPath: pidFile), "\(binary) left its pidfile")
            }
        }

        /// `supervised systemd` with `NOTIFY_SOCKET`: `STATUS=Redis is loading...` at startup,
        /// `STATUS=Ready to accept connections` and `READY=1` once listening, `STOPPING=1` at
        /// SHUTDOWN, each a datagram of its own, and `process_supervised:systemd` in INFO.
        /// swift-sentinel also sends `WATCHDOG=1` every half `WATCHDOG_USEC`; redis-sentinel 7.0.15
        /// sends none.
        @Test("supervised systemd notifies NOTIFY_SOCKET: READY, WATCHDOG, STOPPING", .timeLimit(.minutes(1)))
        func supervisedSystemd() async throws {
            for binary in try Self.binaries() {
                let directory = try TestDirectory.make("notify")
                defer { TestDirectory.remove(directory) }
                let inbox = try DatagramInbox(name: directory.appendingPathComponent("notify.sock").path)
                defer { inbox.close() }
                let sentinel = try await SentinelProcess.start(
                    name: "notified", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1,
                    extraLines: ["supervised systemd"],
                    environment: ["NOTIFY_SOCKET": inbox.name, "WATCHDOG_USEC": "400000"])
                defer { sentinel.stop() }
                let ready = ["STATUS=Redis is loading...\n", "STATUS=Ready to accept connections\n", "READY=1\n"]
                try await eventually(timeout: .seconds(10), "\(binary) sends READY=1", diagnostics: { "\(inbox.received)" }) {
                    inbox.received.contains("READY=1\n")
                }
                #expect(inbox.received.filter { $0 != "WATCHDOG=1\n" } == ready)
                let fields = INFOText.fields(try sentinel.command("INFO", "server").string ?? "")
                #expect(fields["process_supervised"] == "systemd")
                let watchdogs = { inbox.received.filter { $0 == "WATCHDOG=1\n" }.count }
                if Self.isSwiftSentinel(binary) {
                    // Every half of WATCHDOG_USEC (200 ms).
                    try await eventually(timeout: .seconds(5), "\(binary) sends WATCHDOG=1 twice", diagnostics: { "\(inbox.received)" }) {
                        watchdogs() >= 2
                    }
                } else {
                    // A negative check needs a window: 3.5 watchdog periods of swift-sentinel.
                    try await Task.sleep(for: .milliseconds(700))
                    #expect(watchdogs() == 0, "redis-sentinel 7.0.15 sends no WATCHDOG=1: \(inbox.received)")
                }
                _ = try? sentinel.command("SHUTDOWN")
                try await eventually(timeout: .seconds(10), "\(binary) sends STOPPING=1", diagnostics: { "\(inbox.received)" }) {
                    inbox.received.contains("STOPPING=1\n")
                }
                try await eventually(timeout: .seconds(10), "\(binary) exits") { !sentinel.isRunning }
                #expect(inbox.received.filter { $0 != "WATCHDOG=1\n" } == ready + ["STOPPING=1\n"])
                #expect(sentinel.exitStatus == 0)
                #expect(sentinel.log().contains("Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit."))
            }
        }

        /// `supervised auto` finds systemd through `NOTIFY_SOCKET`, here an abstract socket
        /// (`@name`), and says so at verbose level; `daemonize yes` is then ignored (the process
        /// stays in the foreground, as redis-sentinel's does when supervised).
        @Test("supervised auto: an abstract NOTIFY_SOCKET gets READY=1; daemonize is ignored", .timeLimit(.minutes(1)))
        func supervisedAutoAbstract() async throws {
            for binary in try Self.binaries() {
                let directory = try TestDirectory.make("notify-auto")
                defer { TestDirectory.remove(directory) }
                let inbox = try DatagramInbox(name: "@swift-sentinel-it-\(getpid())-\(UUID().uuidString.prefix(8))")
                defer { inbox.close() }
                let sentinel = try await SentinelProcess.start(
                    name: "auto", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1,
                    extraLines: ["supervised auto", "daemonize yes", "loglevel verbose"],
                    environment: ["NOTIFY_SOCKET": inbox.name])
                defer { sentinel.stop() }
                try await eventually(timeout: .seconds(10), "\(binary) sends READY=1", diagnostics: { "\(inbox.received)" }) {
                    inbox.received.contains("READY=1\n")
                }
                #expect(sentinel.isRunning, "\(binary) forked although supervised")
                #expect(sentinel.log().contains("Systemd supervision detected."))
                let fields = INFOText.fields(try sentinel.command("INFO", "server").string ?? "")
                #expect(fields["process_supervised"] == "systemd")
                #expect(fields["process_id"] == sentinel.pid.map { "\($0)" })
            }
        }

        /// `supervised upstart` with `UPSTART_JOB`: the process stops itself (SIGSTOP) before it
        /// listens, which is how upstart learns it is ready; once continued it runs, supervised.
        @Test("supervised upstart stops the process before it listens", .timeLimit(.minutes(1)))
        func supervisedUpstart() async throws {
            for binary in try Self.binaries() {
                let directory = try TestDirectory.make("upstart")
                defer { TestDirectory.remove(directory) }
                let sentinel = try await SentinelProcess.start(
                    name: "upstart", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1)
                defer { sentinel.stop() }
                sentinel.stop()
                let config = try String(contentsOf: sentinel.configURL, encoding: .utf8)
                try (config + "supervised upstart\n").write(to: sentinel.configURL, atomically: true, encoding: .utf8)
                sentinel.environment = ["UPSTART_JOB": "sentinel"]
                sentinel.launch()
                let pid = try #require(sentinel.pid)
                try await eventually(timeout: .seconds(10), "\(binary) stops itself") {
                    Self.state(pid) == "T"
                }
                #expect(throws: (any Error).self, "\(binary) listens before upstart continues it") {
                    try RESPClient(port: sentinel.port, timeout: .milliseconds(300)).send("PING")
                }
                #expect(sentinel.send(signal: SIGCONT))
                try await sentinel.waitUntilReady()
                let fields = INFOText.fields(try sentinel.command("INFO", "server").string ?? "")
                #expect(fields["process_supervised"] == "upstart")
                #expect(sentinel.log().contains("supervised by upstart, will stop to signal readiness."))
            }
        }

        /// `supervised systemd` without `NOTIFY_SOCKET`: not supervised (`process_supervised:no`),
        /// and every notification is a warning, as in redis-sentinel.
        @Test("supervised systemd without NOTIFY_SOCKET warns at each notification", .timeLimit(.minutes(1)))
        func supervisedWithoutSocket() async throws {
            for binary in try Self.binaries() {
                let directory = try TestDirectory.make("notify-none")
                defer { TestDirectory.remove(directory) }
                let sentinel = try await SentinelProcess.start(
                    name: "unsupervised", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1,
                    extraLines: ["supervised systemd"])
                defer { sentinel.stop() }
                let fields = INFOText.fields(try sentinel.command("INFO", "server").string ?? "")
                #expect(fields["process_supervised"] == "no")
                _ = try? sentinel.command("SHUTDOWN")
                try await eventually(timeout: .seconds(10), "\(binary) exits") { !sentinel.isRunning }
                let warnings = sentinel.log().components(separatedBy: "systemd supervision error: NOTIFY_SOCKET not found!").count - 1
                // At startup, then STATUS and READY, then STOPPING.
                #expect(warnings == 4, "\(binary):\n\(sentinel.log())")
            }
        }

        /// `syslog-enabled yes`: each log line also goes to syslog, as the bare message under
        /// `syslog-ident[pid]` and at `syslog-facility`'s priority for its level (local3: notice 157,
        /// warning 156). Needs `/dev/log` to be free and the test to be root: the test binds it in
        /// place of a syslog daemon (none runs here); skipped otherwise. The level mapping is also
        /// unit-tested (SupervisionTests).
        @Test(
            "syslog-enabled sends the log to syslog with the ident and facility",
            .timeLimit(.minutes(1)),
            .enabled(if: getuid() == 0 && access("/dev/log", F_OK) != 0, "needs root and no syslog daemon on /dev/log"))
        func syslog() async throws {
            let inbox = try DatagramInbox(name: "/dev/log")
            defer { inbox.close() }
            for binary in try Self.binaries() {
                let directory = try TestDirectory.make("syslog")
                defer { TestDirectory.remove(directory) }
                let ident = "sentinel-it-\(UUID().uuidString.prefix(6))"
                let masterPort = try FreePort.next()
                let sentinel = try await SentinelProcess.start(
                    name: "syslogged", binary: binary, in: directory, masterPort: masterPort, quorum: 1,
                    extraLines: ["syslog-enabled yes", "syslog-ident \(ident)", "syslog-facility local3"])
                defer { sentinel.stop() }
                let pid = try #require(sentinel.pid)
                let tag = "\(ident)[\(pid)]: "
                func line(_ priority: Int, _ message: String) -> Bool {
                    inbox.received.contains { $0.hasPrefix("<\(priority)>") && $0.hasSuffix(tag + message) }
                }
                try await eventually(timeout: .seconds(10), "\(binary) logs +monitor to syslog", diagnostics: { "\(inbox.received)" }) {
                    line(156, "+monitor master \(Cluster.masterName) 127.0.0.1 \(masterPort) quorum 1")
                }
                #expect(line(157, "Running mode=sentinel, port=\(sentinel.port)."), "\(inbox.received)")
                _ = try? sentinel.command("SHUTDOWN")
                try await eventually(timeout: .seconds(10), "\(binary) logs its exit to syslog", diagnostics: { "\(inbox.received)" }) {
                    line(156, "Sentinel is now ready to exit, bye bye...")
                }
                // The log file (here stdout) has the lines too: written after the syslog copy, so
                // read once the process has exited.
                try await eventually(timeout: .seconds(10), "\(binary) exits after SHUTDOWN") { !sentinel.isRunning }
                #expect(sentinel.log().contains("# Sentinel is now ready to exit, bye bye..."))
            }
        }

        // MARK: Helpers

        /// The parent pid and session id of a process, from /proc/<pid>/stat.
        static func processStatus(_ pid: pid_t) throws -> (parent: pid_t, session: pid_t) {
            let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            // After "pid (comm) ": state ppid pgrp session ...
            guard let close = text.lastIndex(of: ")") else { throw HarnessError("bad /proc/\(pid)/stat: \(text)") }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let parent = pid_t(fields[1]), let session = pid_t(fields[3]) else {
                throw HarnessError("bad /proc/\(pid)/stat: \(text)")
            }
            return (parent, session)
        }

        /// The state letter of a process (`R`, `S`, `T` stopped, `Z` zombie), nil when it is gone.
        static func state(_ pid: pid_t) -> String? {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = text.lastIndex(of: ")")
            else { return nil }
            return text[text.index(after: close)...].split(separator: " ").first.map(String.init)
        }

        /// Whether `pid` has exited (gone, or a zombie its new parent has not reaped yet).
        static func isGone(_ pid: pid_t) -> Bool {
            let state = state(pid)
            return state == nil || state == "Z"
        }

        /// Stops a daemon that is not our child: SIGTERM, then SIGKILL after 5 s.
        static func terminate(_ pid: pid_t) {
            guard pid > 1, !isGone(pid) else { return }
            kill(pid, SIGTERM)
            let deadline = ContinuousClock.now.advanced(by: .seconds(5))
            while !isGone(pid) && ContinuousClock.now < deadline {
                usleep(50_000)
            }
            if !isGone(pid) { kill(pid, SIGKILL) }
        }
    }
}
