import SentinelCore
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// The pieces of `supervised`, `daemonize` and `syslog-*` that need no process of their own (issue
/// 13): the handshake's decisions and log lines, the NOTIFY_SOCKET addressing, the watchdog period
/// and the syslog priorities. Real processes: integration suite "Process directives".
@Suite("Supervision and syslog")
struct SupervisionTests {
    /// Runs the startup handshake with a fake environment and a fake systemd that answers `result`.
    static func detect(
        _ mode: SupervisedMode, environment: [String: String], result: Int32 = 1
    ) -> (Supervision, lines: [String], sent: [String], stopped: Bool) {
        var lines: [String] = []
        var sent: [String] = []
        var stopped = false
        let supervision = Supervision.detect(
            mode, environment: { environment[$0] },
            notify: { message in
                sent.append(message)
                return result
            },
            log: { level, text in lines.append("\(level.marker) \(text)") }, signalUpstart: { stopped = true })
        return (supervision, lines, sent, stopped)
    }

    @Test("supervised systemd with a socket: STATUS=Redis is loading..., then Redis's notice")
    func systemd() {
        let (supervision, lines, sent, stopped) = Self.detect(.systemd, environment: ["NOTIFY_SOCKET": "/run/x"])
        #expect(supervision == Supervision(mode: .systemd, isSupervised: true))
        #expect(supervision.infoName == "systemd")
        #expect(supervision.notifiesSystemd)
        #expect(sent == ["STATUS=Redis is loading...\n"])
        #expect(lines == [
            "* Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit."
        ])
        #expect(!stopped)
    }

    @Test("supervised systemd without a socket: a warning, not supervised, but later notifications are still tried")
    func systemdWithoutSocket() {
        let (supervision, lines, _, _) = Self.detect(.systemd, environment: [:], result: 0)
        #expect(supervision == Supervision(mode: .systemd, isSupervised: false))
        #expect(supervision.infoName == "no")
        #expect(supervision.notifiesSystemd)
        #expect(lines == ["# systemd supervision error: NOTIFY_SOCKET not found!"])
        let refused = Self.detect(.systemd, environment: ["NOTIFY_SOCKET": "@x"], result: -ECONNREFUSED)
        #expect(refused.lines == ["# systemd supervision error: sd_notify: -111"])
    }

    @Test("supervised auto: UPSTART_JOB first, then NOTIFY_SOCKET; an auto that finds nothing notifies nothing")
    func auto() {
        let upstart = Self.detect(.auto, environment: ["UPSTART_JOB": "s", "NOTIFY_SOCKET": "/run/x"])
        #expect(upstart.0 == Supervision(mode: .upstart, isSupervised: true))
        #expect(upstart.lines == ["- Upstart supervision detected.", "* supervised by upstart, will stop to signal readiness."])
        #expect(upstart.stopped)
        #expect(upstart.sent.isEmpty)

        let systemd = Self.detect(.auto, environment: ["NOTIFY_SOCKET": "/run/x"])
        #expect(systemd.0 == Supervision(mode: .systemd, isSupervised: true))
        #expect(systemd.lines.first == "- Systemd supervision detected.")

        let failed = Self.detect(.auto, environment: ["NOTIFY_SOCKET": "/run/x"], result: -ENOENT)
        #expect(failed.0 == Supervision(mode: .auto, isSupervised: false))
        #expect(!failed.0.notifiesSystemd)
        #expect(failed.0.infoName == "no")

        let nothing = Self.detect(.auto, environment: [:])
        #expect(nothing.0 == Supervision(mode: .auto, isSupervised: false))
        #expect(nothing.lines.isEmpty && nothing.sent.isEmpty)
    }

    @Test("supervised upstart without UPSTART_JOB warns and does not stop")
    func upstartWithoutJob() {
        let (supervision, lines, _, stopped) = Self.detect(.upstart, environment: [:])
        #expect(supervision == Supervision(mode: .upstart, isSupervised: false))
        #expect(lines == ["# upstart supervision requested, but UPSTART_JOB not found!"])
        #expect(!stopped)
        #expect(Self.detect(.no, environment: ["NOTIFY_SOCKET": "/run/x"]).0 == .none)
    }

    @Test("NOTIFY_SOCKET addresses as libsystemd builds them: a path counts its zero, an @name does not")
    func addresses() throws {
        let base = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let (path, pathLength) = try #require(SystemdNotifier.address("/run/systemd/notify"))
        #expect(Int(pathLength) == base + 19 + 1)
        #expect(path.sun_path.0 == CChar(UInt8(ascii: "/")))
        let (abstract, abstractLength) = try #require(SystemdNotifier.address("@notify"))
        #expect(Int(abstractLength) == base + 7)
        #expect(abstract.sun_path.0 == 0)
        #expect(abstract.sun_path.1 == CChar(UInt8(ascii: "n")))
        #expect(SystemdNotifier.address("relative/path") == nil)
        #expect(SystemdNotifier.address("@") == nil)
        #expect(SystemdNotifier.address("/" + String(repeating: "x", count: 200)) == nil)
    }

    @Test("send returns what sd_notify returns: 0 without a socket, -errno when undeliverable")
    func sendFailures() {
        #expect(SystemdNotifier(socket: nil).send("READY=1\n") == 0)
        #expect(SystemdNotifier(socket: "").send("READY=1\n") == -EINVAL)
        #expect(SystemdNotifier(socket: "/nonexistent-dir/notify").send("READY=1\n") == -ENOENT)
        #expect(SystemdNotifier(socket: "@swift-sentinel-unbound-\(getpid())").send("READY=1\n") == -ECONNREFUSED)
        #expect(SystemdNotifier(socket: "relative").send("READY=1\n") == -EINVAL)
        #expect(SystemdNotifier.failure(1) == nil)
        #expect(SystemdNotifier.failure(0) == "systemd supervision error: NOTIFY_SOCKET not found!")
        #expect(SystemdNotifier.failure(-2) == "systemd supervision error: sd_notify: -2")
    }

    @Test("WATCHDOG=1 every half WATCHDOG_USEC, only for the process WATCHDOG_PID names")
    func watchdogInterval() {
        #expect(SystemdNotifier.watchdogInterval(usec: "400000", pid: nil, ownPid: 7) == 200_000)
        #expect(SystemdNotifier.watchdogInterval(usec: "400000", pid: "7", ownPid: 7) == 200_000)
        #expect(SystemdNotifier.watchdogInterval(usec: "400000", pid: "8", ownPid: 7) == nil)
        #expect(SystemdNotifier.watchdogInterval(usec: nil, pid: nil, ownPid: 7) == nil)
        #expect(SystemdNotifier.watchdogInterval(usec: "0", pid: nil, ownPid: 7) == nil)
        #expect(SystemdNotifier.watchdogInterval(usec: "soon", pid: nil, ownPid: 7) == nil)
    }

    @Test("syslog priorities as redis-sentinel maps its levels, and the facility codes")
    func syslogMapping() {
        #expect(LogLevel.debug.syslogPriority == LOG_DEBUG)
        #expect(LogLevel.verbose.syslogPriority == LOG_INFO)
        #expect(LogLevel.notice.syslogPriority == LOG_NOTICE)
        #expect(LogLevel.warning.syslogPriority == LOG_WARNING)
        #expect(LogLevel.nothing.syslogPriority == nil)
        // The <PRI> values redis-sentinel's lines carry with syslog-facility local3: 156 warning,
        // 157 notice, 158 verbose, 159 debug.
        #expect(SyslogFacility.local3.code | LOG_WARNING == 156)
        #expect(SyslogFacility.local3.code | LOG_DEBUG == 159)
        #expect(SyslogFacility.user.code == 1 << 3)
        let codes = SyslogFacility.allCases.map(\.code)
        #expect(codes == [8, 128, 136, 144, 152, 160, 168, 176, 184])
    }

    @Test("The daemonize check counts this process's threads")
    func threadCount() {
        // A test process runs several threads; the count is read from /proc/self/task.
        #expect(Daemon.threadCount() >= 1)
    }
}
