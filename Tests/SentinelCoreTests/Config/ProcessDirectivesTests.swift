import Testing

@testable import SentinelCore

/// The effective values of `supervised`, `syslog-*` and the daemonized pidfile (issue 13), with
/// redis-sentinel 7.0.15's defaults. The runtime side is in SupervisionTests and the integration
/// suite "Process directives".
@Suite("Process directives")
struct ProcessDirectivesTests {
    static func config(_ lines: String) throws -> SentinelConfig {
        try ConfigParser.parse(lines, fileName: "sentinel.conf")
    }

    @Test("Redis's defaults: supervised no, syslog off, ident redis, facility local0")
    func defaults() throws {
        let config = try Self.config("port 26379\n")
        #expect(config.supervisedMode == .no)
        #expect(!config.syslogEnabled)
        #expect(config.syslogIdent == "redis")
        #expect(config.syslogFacility == .local0)
    }

    @Test("The last line wins and enum values are case-insensitive, as in Redis")
    func values() throws {
        let config = try Self.config(
            "supervised no\nsupervised SystemD\nsyslog-enabled YES\nsyslog-ident one\nsyslog-ident two\nsyslog-facility LOCAL3\n")
        #expect(config.supervisedMode == .systemd)
        #expect(config.syslogEnabled)
        #expect(config.syslogIdent == "two")
        #expect(config.syslogFacility == .local3)
        #expect(try Self.config("supervised auto\n").supervisedMode == .auto)
        #expect(try Self.config("supervised upstart\n").supervisedMode == .upstart)
    }

    @Test("A daemonized sentinel without pidfile writes Redis's /var/run/redis.pid")
    func pidFile() throws {
        #expect(try Self.config("daemonize yes\n").effectivePidFile(daemonized: true) == "/var/run/redis.pid")
        #expect(try Self.config("daemonize yes\n").effectivePidFile(daemonized: false) == nil)
        #expect(try Self.config("pidfile /tmp/s.pid\n").effectivePidFile(daemonized: true) == "/tmp/s.pid")
        #expect(try Self.config("pidfile /tmp/s.pid\n").effectivePidFile(daemonized: false) == "/tmp/s.pid")
    }
}
