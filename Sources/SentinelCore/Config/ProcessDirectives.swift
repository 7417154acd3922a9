/// How the process runs under a service manager and where its log also goes: redis-sentinel's
/// `supervised`, `syslog-enabled`, `syslog-ident` and `syslog-facility` (`daemonize` and `pidfile`
/// are ``SentinelConfig/daemonize`` and ``SentinelConfig/pidFile``). The directives stay in
/// ``SentinelConfig/otherDirectives`` (so the rewrite keeps them as written); these are their
/// effective values.
extension SentinelConfig {
    /// `supervised` (Redis default `no`).
    package var supervisedMode: SupervisedMode {
        lastDirectiveValue("supervised").flatMap { SupervisedMode(rawValue: $0.lowercased()) } ?? .no
    }

    /// `syslog-enabled` (Redis default `no`): every log line is also sent to syslog.
    package var syslogEnabled: Bool {
        lastDirectiveValue("syslog-enabled").flatMap(ConfigDirectives.parseYesNo) ?? false
    }

    /// `syslog-ident` (Redis default `redis`): the tag of the syslog lines.
    package var syslogIdent: String {
        lastDirectiveValue("syslog-ident") ?? "redis"
    }

    /// `syslog-facility` (Redis default `local0`).
    package var syslogFacility: SyslogFacility {
        lastDirectiveValue("syslog-facility").flatMap { SyslogFacility(rawValue: $0.lowercased()) } ?? .local0
    }

    /// The pidfile the process writes: `pidfile`, or Redis's default `/var/run/redis.pid` when it
    /// forked into the background without one (redis-sentinel 7.0.15's `createPidFile`, which
    /// then keeps that path, so the next rewrite writes `pidfile "/var/run/redis.pid"`).
    package func effectivePidFile(daemonized: Bool) -> String? {
        if let pidFile, !pidFile.isEmpty { return pidFile }
        return daemonized ? Self.defaultPidFile : nil
    }

    /// Redis's `CONFIG_DEFAULT_PID_FILE`.
    static let defaultPidFile = "/var/run/redis.pid"
}

/// The `supervised` directive: how the process tells a service manager that it is ready.
package enum SupervisedMode: String, CaseIterable, Sendable {
    /// No supervision (the default).
    case no
    /// Upstart: the process stops itself (SIGSTOP) once configured.
    case upstart
    /// systemd: `READY=1` and friends go to `$NOTIFY_SOCKET`.
    case systemd
    /// Upstart when `UPSTART_JOB` is set, else systemd when `NOTIFY_SOCKET` is set, else none.
    case auto

    /// `process_supervised` in `INFO server` once the mode is known (Redis prints `unknown` for a
    /// mode it never resolved; that cannot be reached, since an unresolved `auto` is unsupervised).
    package var infoName: String {
        switch self {
        case .no: "no"
        case .upstart: "upstart"
        case .systemd: "systemd"
        case .auto: "unknown"
        }
    }
}

/// The `syslog-facility` values Redis accepts.
package enum SyslogFacility: String, CaseIterable, Sendable {
    case user, local0, local1, local2, local3, local4, local5, local6, local7
}
