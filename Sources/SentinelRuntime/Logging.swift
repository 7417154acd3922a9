//===----------------------------------------------------------------------===//
// swift-sentinel — Redis-format logging
//===----------------------------------------------------------------------===//

import Logging
import SentinelCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The destination and live verbosity of the sentinel's log, shared by every `Logger` copy.
///
/// Lines look like Redis's: `<pid>:X 22 Nov 2026 04:20:01.123 # message`, where the character after
/// the time is the level (`.` debug, `-` verbose, `*` notice, `#` warning) and `X` is the sentinel role.
/// With an empty `logfile` lines go to stdout; otherwise each line is appended to the file, which is
/// opened per line (as Redis does) so that log rotation by renaming just works.
package final class LogSink: Sendable {
    private struct State {
        var level: LogLevel
        var file: String
    }

    private let state: Mutex<State>
    private let pid: Int32
    private let syslog: Bool

    /// - Parameters:
    ///   - level: Lines below this level are dropped; `.nothing` drops everything.
    ///   - file: The `logfile` directive: empty for stdout, else a path to append to.
    ///   - syslog: Whether each line also goes to syslog (``SystemLog/open(ident:facility:)`` first).
    package init(level: LogLevel = .notice, file: String = "", syslog: Bool = false) {
        self.state = Mutex(State(level: level, file: file))
        self.pid = getpid()
        self.syslog = syslog
    }

    /// The log a config asks for: its `loglevel` and `logfile`, and syslog when `syslog-enabled`
    /// (opened with its `syslog-ident` and `syslog-facility`). Lines carry the pid of the process
    /// that made the sink, so one made before `daemonize` forks must not be used after it.
    package convenience init(config: SentinelConfig) {
        if config.syslogEnabled {
            SystemLog.open(ident: config.syslogIdent, facility: config.syslogFacility)
        }
        self.init(level: config.logLevel, file: config.logFile, syslog: config.syslogEnabled)
    }

    /// The current verbosity (`loglevel`); changed by `SENTINEL CONFIG SET loglevel`.
    package var level: LogLevel {
        get { state.withLock { $0.level } }
        set { state.withLock { $0.level = newValue } }
    }

    /// The current destination (`logfile`); empty means stdout.
    package var file: String {
        get { state.withLock { $0.file } }
        set { state.withLock { $0.file = newValue } }
    }

    /// Writes one line if `level` passes the current verbosity.
    package func write(_ level: LogLevel, _ message: String) {
        let (minimum, file) = state.withLock { ($0.level, $0.file) }
        guard level != .nothing, level >= minimum else { return }
        if syslog { SystemLog.send(level, message) }
        let line = Self.format(pid: pid, level: level, message: message, time: Self.wallClock())
        if file.isEmpty {
            writeAll(fd: 1, line)
        } else {
            let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            writeAll(fd: fd, line)
            close(fd)
        }
    }

    /// Formats one log line, newline included.
    ///
    /// - Parameters:
    ///   - time: Wall-clock time as (seconds since the epoch, microseconds).
    package static func format(pid: Int32, level: LogLevel, message: String, time: (Int, Int)) -> String {
        var seconds = time_t(time.0)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%d %b %Y %H:%M:%S.", &parts)
        let stamp = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let millis = time.1 / 1000
        let msText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(pid):X \(stamp)\(msText) \(level.marker) \(message)\n"
    }

    private static func wallClock() -> (Int, Int) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return (Int(now.tv_sec), Int(now.tv_nsec) / 1000)
    }
}

/// `syslog-enabled yes`: log lines also go to syslog, as redis-sentinel sends them: the bare message
/// (no pid, time or level character), at the priority of its level (``LogLevel/syslogPriority``),
/// under the `syslog-ident` and `syslog-facility` given to `openlog` with `LOG_PID | LOG_NDELAY |
/// LOG_NOWAIT`.
///
/// redis-sentinel calls `openlog` only once its config is loaded and its listeners are being set up,
/// so its first three lines ("Redis is starting", the version, "Configuration loaded") reach syslog
/// with the `user` facility and the program's name as ident. Here every line carries the
/// configured ident and facility.
package enum SystemLog {
    /// The ident handed to `openlog`, which keeps the pointer: allocated once, never freed.
    private static let opened = Mutex<UnsafeMutablePointer<CChar>?>(nil)

    /// Opens the process's syslog connection (once; later calls change nothing).
    package static func open(ident: String, facility: SyslogFacility) {
        opened.withLock { opened in
            guard opened == nil else { return }
            let name = strdup(ident)
            opened = name
            openlog(name, LOG_PID | LOG_NDELAY | LOG_NOWAIT, facility.code)
        }
    }

    /// Sends one message at `level`'s priority (under the facility given to ``open(ident:facility:)``).
    package static func send(_ level: LogLevel, _ message: String) {
        guard let priority = level.syslogPriority else { return }
        message.withCString { text in
            withVaList([text]) { vsyslog(priority, "%s", $0) }
        }
    }
}

extension SyslogFacility {
    /// The `LOG_*` facility code of the `syslog-facility` value.
    package var code: Int32 {
        switch self {
        case .user: LOG_USER
        case .local0: LOG_LOCAL0
        case .local1: LOG_LOCAL1
        case .local2: LOG_LOCAL2
        case .local3: LOG_LOCAL3
        case .local4: LOG_LOCAL4
        case .local5: LOG_LOCAL5
        case .local6: LOG_LOCAL6
        case .local7: LOG_LOCAL7
        }
    }
}

/// Writes the whole line, retrying on short writes and EINTR; gives up silently on errors (as Redis does).
private func writeAll(fd: Int32, _ line: String) {
    var line = line
    line.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

extension LogLevel {
    /// Redis's level character in log lines.
    package var marker: Character {
        switch self {
        case .debug: "."
        case .verbose: "-"
        case .notice: "*"
        case .warning, .nothing: "#"
        }
    }

    /// The syslog priority of a line at this level, as redis-sentinel maps them (debug `LOG_DEBUG`,
    /// verbose `LOG_INFO`, notice `LOG_NOTICE`, warning `LOG_WARNING`); nil for `.nothing`.
    package var syslogPriority: Int32? {
        switch self {
        case .debug: LOG_DEBUG
        case .verbose: LOG_INFO
        case .notice: LOG_NOTICE
        case .warning: LOG_WARNING
        case .nothing: nil
        }
    }

    /// The swift-log level used for this Redis level.
    package var loggerLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .verbose: .info
        case .notice: .notice
        case .warning: .warning
        case .nothing: .critical
        }
    }

    /// The Redis level a swift-log level is written as.
    package init(_ level: Logger.Level) {
        switch level {
        case .trace, .debug: self = .debug
        case .info: self = .verbose
        case .notice: self = .notice
        case .warning, .error, .critical: self = .warning
        }
    }
}

/// A swift-log handler that writes Redis-format lines through a shared ``LogSink``.
///
/// The verbosity lives in the sink, not in the handler value, so that `SENTINEL CONFIG SET loglevel`
/// (``Action/setLogLevel(_:)``) affects every logger at once. Metadata is kept (the sentinel id is put
/// there once known) but not printed, because Redis's line format has no room for it.
package struct RedisLogHandler: LogHandler {
    package let sink: LogSink
    package var metadata: Logger.Metadata = [:]

    package init(sink: LogSink) {
        self.sink = sink
    }

    package var logLevel: Logger.Level {
        get { sink.level.loggerLevel }
        set { sink.level = LogLevel(newValue) }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        sink.write(LogLevel(event.level), event.message.description)
    }
}

extension Logger {
    /// A logger writing Redis-format lines to `sink`.
    package static func sentinel(_ sink: LogSink, label: String = "swift-sentinel") -> Logger {
        Logger(label: label) { _ in RedisLogHandler(sink: sink) }
    }
}
