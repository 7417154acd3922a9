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

/// The destination, live verbosity and format of the sentinel's log, shared by every `Logger` copy.
///
/// With `log-format text` (the default) lines look like Redis's: `<pid>:X 22 Nov 2026 04:20:01.123 #
/// message`, where the character after the time is the level (`.` debug, `-` verbose, `*` notice,
/// `#` warning) and `X` is the sentinel role. `json` and `logfmt` write the same content as fields,
/// plus swift-log's metadata (``StructuredLogLine``). With an empty `logfile` lines go to stdout;
/// otherwise each line is appended to the file, which is opened per line (as Redis does) so that log
/// rotation by renaming just works. Syslog gets the bare message whatever the format.
package final class LogSink: Sendable {
    private struct State {
        var level: LogLevel
        var file: String
        var format: LogFormat
    }

    private let state: Mutex<State>
    private let pid: Int32
    private let syslog: Bool

    /// - Parameters:
    ///   - level: Lines below this level are dropped; `.nothing` drops everything.
    ///   - file: The `logfile` directive: empty for stdout, else a path to append to.
    ///   - format: The `log-format` directive.
    ///   - syslog: Whether each line also goes to syslog (``SystemLog/open(ident:facility:)`` first).
    package init(level: LogLevel = .notice, file: String = "", format: LogFormat = .text, syslog: Bool = false) {
        self.state = Mutex(State(level: level, file: file, format: format))
        self.pid = getpid()
        self.syslog = syslog
    }

    /// The log a config asks for: its `loglevel`, `logfile` and `log-format`, and syslog when
    /// `syslog-enabled` (opened with its `syslog-ident` and `syslog-facility`). Lines carry the pid
    /// of the process that made the sink, so one made before `daemonize` forks must not be used after it.
    package convenience init(config: SentinelConfig) {
        if config.syslogEnabled {
            SystemLog.open(ident: config.syslogIdent, facility: config.syslogFacility)
        }
        self.init(level: config.logLevel, file: config.logFile, format: config.logFormat, syslog: config.syslogEnabled)
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

    /// The current line format (`log-format`); changed by `SENTINEL CONFIG SET log-format`.
    package var format: LogFormat {
        get { state.withLock { $0.format } }
        set { state.withLock { $0.format = newValue } }
    }

    /// Writes one line if `level` passes the current verbosity.
    package func write(_ level: LogLevel, _ message: String) {
        write(level, message) { [:] }
    }

    /// Writes one line if `level` passes the current verbosity; `fields` (swift-log metadata) is
    /// asked for only by the `json` and `logfmt` formats, so a text line costs what it did.
    package func write(_ level: LogLevel, _ message: String, fields: () -> Logger.Metadata) {
        let (minimum, file, format) = state.withLock { ($0.level, $0.file, $0.format) }
        guard level != .nothing, level >= minimum else { return }
        if syslog { SystemLog.send(level, message) }
        let line: String
        switch format {
        case .text:
            line = Self.format(pid: pid, level: level, message: message, time: Self.wallClock())
        case .json, .logfmt:
            let record = StructuredLogLine(pid: pid, level: level, message: message, fields: fields(), time: Self.wallClock())
            line = format == .json ? record.json() : record.logfmt()
        }
        if file.isEmpty {
            writeAll(fd: 1, line)
        } else {
            let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            writeAll(fd: fd, line)
            close(fd)
        }
    }

    /// Formats one text line (Redis's format), newline included.
    ///
    /// - Parameters:
    ///   - time: Wall-clock time as (seconds since the epoch, microseconds).
    package static func format(pid: Int32, level: LogLevel, message: String, time: (Int, Int)) -> String {
        let stamp = localTime(time.0, "%d %b %Y %H:%M:%S.").text
        return "\(pid):X \(stamp)\(digits(time.1 / 1000, 3)) \(level.marker) \(message)\n"
    }

    /// `seconds` since the epoch in local time, through `strftime` with `pattern`, and the
    /// broken-down time (whose `tm_gmtoff` is the zone's offset).
    static func localTime(_ seconds: Int, _ pattern: String) -> (text: String, parts: tm) {
        var seconds = time_t(seconds)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return (String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self), parts)
    }

    /// `value` in decimal, zero-padded to `width` digits.
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func wallClock() -> (Int, Int) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return (Int(now.tv_sec), Int(now.tv_nsec) / 1000)
    }
}

/// One `log-format json` or `logfmt` line: the content of a text line as fields, then swift-log's
/// metadata (the logger's own, such as `sentinel` (our myid), merged with the event's, such as
/// `event`, `master` and `epoch` (``EventFields``)).
///
/// The first five fields are Valkey 8.1's logfmt line (serverLogRaw with `log-format logfmt` and
/// `log-timestamp-format iso8601`), in its order and with its names: `pid`, `role` (`sentinel`),
/// `timestamp` (local time with milliseconds and the UTC offset), `level` (Valkey's names:
/// `debug`, `info` for verbose, `notice`, `warning`) and `message`. Valkey turns `"` into `'` and
/// line breaks into spaces in the message; here the message is escaped instead and reads back
/// unchanged. Then come `event`, `master` and `epoch` when present, then the other metadata keys
/// in alphabetical order; a metadata key equal to one of the first five is dropped. Strings are escaped (quotes,
/// backslashes, control characters; Swift strings are valid Unicode, bytes that were not UTF-8
/// arrived as U+FFFD), integers are written as numbers, nested metadata as JSON objects and arrays
/// (logfmt: nested keys joined with `.`, arrays as quoted JSON text).
package struct StructuredLogLine {
    /// A field's value.
    package indirect enum Value: Equatable {
        case string(String)
        /// An integer or boolean, written bare (`3`, `true`).
        case literal(String)
        case object([(String, Value)])
        case array([Value])

        package static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.string(let x), .string(let y)), (.literal(let x), .literal(let y)): x == y
            case (.object(let x), .object(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
            case (.array(let x), .array(let y)): x == y
            default: false
            }
        }
    }

    /// The fields in order.
    package private(set) var fields: [(String, Value)]

    /// The keys every line starts with; metadata may not replace them.
    static let fixedKeys: Set<String> = ["pid", "role", "timestamp", "level", "message"]
    /// The event's keys, written first among the metadata.
    static let eventKeys = ["event", "master", "epoch"]

    /// - Parameter time: Wall-clock time as (seconds since the epoch, microseconds).
    package init(pid: Int32, level: LogLevel, message: String, fields metadata: Logger.Metadata, time: (Int, Int)) {
        fields = [
            ("pid", .literal(String(pid))), ("role", .string("sentinel")), ("timestamp", .string(Self.timestamp(time))),
            ("level", .string(level.structuredName)), ("message", .string(message)),
        ]
        guard !metadata.isEmpty else { return }
        for key in Self.eventKeys {
            if let value = metadata[key] { fields.append((key, Self.value(value))) }
        }
        for key in metadata.keys.sorted() where !Self.fixedKeys.contains(key) && !Self.eventKeys.contains(key) {
            fields.append((key, Self.value(metadata[key]!)))
        }
    }

    /// `2026-12-07T05:30:01.123+00:00`: local time, as text lines use, with its offset from UTC.
    package static func timestamp(_ time: (Int, Int)) -> String {
        let (local, parts) = LogSink.localTime(time.0, "%Y-%m-%dT%H:%M:%S")
        var stamp = local + "." + LogSink.digits(time.1 / 1000, 3)
        let offset = Int(parts.tm_gmtoff)
        stamp += (offset < 0 ? "-" : "+") + LogSink.digits(abs(offset) / 3600, 2) + ":" + LogSink.digits(abs(offset) % 3600 / 60, 2)
        return stamp
    }

    /// A swift-log metadata value as a field value: integers and booleans bare, the rest as text.
    static func value(_ metadata: Logger.MetadataValue) -> Value {
        switch metadata {
        case .string(let text):
            return .string(text)
        case .stringConvertible(let item):
            if item is any BinaryInteger || item is Bool { return .literal(item.description) }
            return .string(item.description)
        case .dictionary(let entries):
            return .object(entries.keys.sorted().map { ($0, value(entries[$0]!)) })
        case .array(let items):
            return .array(items.map(value))
        }
    }

    /// The line as one JSON object, newline included.
    package func json() -> String {
        var out = ""
        Self.appendJSON(.object(fields), to: &out)
        out += "\n"
        return out
    }

    /// The line as one logfmt record (`key=value` separated by spaces), newline included.
    package func logfmt() -> String {
        var out = ""
        for (key, value) in fields {
            Self.appendLogfmt(key: Self.logfmtKey(key), value, to: &out)
        }
        out += "\n"
        return out
    }

    private static func appendJSON(_ value: Value, to out: inout String) {
        switch value {
        case .string(let text):
            appendJSONString(text, to: &out)
        case .literal(let text):
            out += text
        case .object(let entries):
            out += "{"
            for (index, (key, item)) in entries.enumerated() {
                if index > 0 { out += "," }
                appendJSONString(key, to: &out)
                out += ":"
                appendJSON(item, to: &out)
            }
            out += "}"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                appendJSON(item, to: &out)
            }
            out += "]"
        }
    }

    /// A JSON string (RFC 8259): `"` and `\` escaped, control characters as `\n`-style or
    /// `\u00XX` escapes, DEL and U+2028/U+2029 as `\u` escapes too (safe for JavaScript readers).
    static func appendJSONString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}": out += unicodeEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func appendLogfmt(key: String, _ value: Value, to out: inout String) {
        switch value {
        case .object(let entries):
            for (sub, item) in entries { appendLogfmt(key: key + "." + logfmtKey(sub), item, to: &out) }
        case .array:
            var text = ""
            appendJSON(value, to: &text)
            appendLogfmt(key: key, .string(text), to: &out)
        case .string(let text):
            if !out.isEmpty { out += " " }
            out += key + "=" + logfmtValue(text)
        case .literal(let text):
            if !out.isEmpty { out += " " }
            out += key + "=" + text
        }
    }

    /// A key as logfmt allows it: anything but space, `=`, `"` and control characters (replaced by `_`).
    static func logfmtKey(_ key: String) -> String {
        guard key.unicodeScalars.contains(where: { needsLogfmtQuotes($0) }) || key.isEmpty else { return key }
        return key.isEmpty ? "_" : String(String.UnicodeScalarView(key.unicodeScalars.map { needsLogfmtQuotes($0) ? "_" : $0 }))
    }

    /// A value bare when it can be, else quoted with the JSON string escapes (`\"`, `\\`, `\n`,
    /// `\r`, `\t`, `\b`, `\f`, `\u00XX`): the escapes Go's `strconv.Quote` writes too, as
    /// logfmt readers expect.
    static func logfmtValue(_ text: String) -> String {
        guard text.isEmpty || text.unicodeScalars.contains(where: { needsLogfmtQuotes($0) || $0 == "\\" }) else { return text }
        var out = ""
        appendJSONString(text, to: &out)
        return out
    }

    private static func needsLogfmtQuotes(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x20 || scalar == "=" || scalar == "\"" || scalar.value == 0x7F || scalar == "\u{2028}"
            || scalar == "\u{2029}"
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

    /// The `level` field of `log-format json` and `logfmt` lines: Valkey 8.1's names (its logfmt
    /// lines say `info` for verbose).
    package var structuredName: String {
        switch self {
        case .debug: "debug"
        case .verbose: "info"
        case .notice: "notice"
        case .warning, .nothing: "warning"
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

/// A swift-log handler that writes lines through a shared ``LogSink``.
///
/// The verbosity and format live in the sink, not in the handler value, so that `SENTINEL CONFIG
/// SET loglevel` and `log-format` (``Action/setLogLevel(_:)``, ``Action/setLogFormat(_:)``) affect
/// every logger at once. Metadata (the logger's, such as the sentinel id put there once known,
/// merged with the message's; the message's wins) is written as fields by `log-format json` and
/// `logfmt`; Redis's text line has no room for it.
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
        sink.write(LogLevel(event.level), event.message.description) {
            guard let extra = event.metadata, !extra.isEmpty else { return metadata }
            return metadata.merging(extra) { _, new in new }
        }
    }
}

extension EventFields {
    /// The fields as swift-log metadata (`event`, `master` when there is one, `epoch`).
    package var metadata: Logger.Metadata {
        var fields: Logger.Metadata = ["event": .string(event), "epoch": .stringConvertible(epoch)]
        if let master { fields["master"] = .string(master) }
        return fields
    }
}

extension Logger {
    /// A logger writing lines to `sink` (in its `log-format`).
    package static func sentinel(_ sink: LogSink, label: String = "swift-sentinel") -> Logger {
        Logger(label: label) { _ in RedisLogHandler(sink: sink) }
    }
}
