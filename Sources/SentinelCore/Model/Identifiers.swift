/// Milliseconds on a monotonic clock, supplied by the runtime with every event. The core never reads a clock.
package typealias Millis = Int64

/// One outbound connection attempt. The core allocates a fresh id for every connect, so a late
/// frame from a closed connection can never be confused with the new one.
package struct LinkID: Hashable, Sendable, Comparable, CustomStringConvertible {
    var raw: Int
    package init(_ raw: Int) { self.raw = raw }
    package static func < (a: LinkID, b: LinkID) -> Bool { a.raw < b.raw }
    package var description: String { "link#\(raw)" }
}

/// One accepted client connection on the sentinel's own port. Allocated by the runtime.
package struct ClientID: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var raw: Int
    package init(_ raw: Int) { self.raw = raw }
    package static func < (a: ClientID, b: ClientID) -> Bool { a.raw < b.raw }
    package var description: String { "client#\(raw)" }
}

/// Log levels, in Redis's order (`loglevel` directive).
package enum LogLevel: Int, Hashable, Sendable, Comparable {
    case debug = 0
    case verbose = 1
    case notice = 2
    case warning = 3
    case nothing = 4

    package static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    /// The name used by the `loglevel` directive and `SENTINEL CONFIG GET loglevel` (and the
    /// `level` field of `log-format json`/`logfmt` lines).
    package var name: String {
        switch self {
        case .debug: "debug"
        case .verbose: "verbose"
        case .notice: "notice"
        case .warning: "warning"
        case .nothing: "nothing"
        }
    }

    init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "verbose": self = .verbose
        case "notice": self = .notice
        case "warning": self = .warning
        case "nothing": self = .nothing
        default: return nil
        }
    }
}

/// How log lines are written (`log-format`: not a Redis option; Valkey 8.1 has it with the values
/// `legacy` and `logfmt`): Redis's text lines, or one JSON object or one logfmt record per line
/// with the same content as fields. Syslog always gets the bare message, as redis-sentinel sends it.
package enum LogFormat: Hashable, Sendable, CaseIterable {
    /// `<pid>:X 07 Dec 2026 05:30:01.123 # message`, byte for byte as redis-sentinel writes it
    /// (Valkey calls it `legacy`, which is accepted for it).
    case text
    /// `{"pid":123,"role":"sentinel","timestamp":"2026-12-07T05:30:01.123+00:00",...,"message":"..."}`
    case json
    /// `pid=123 role=sentinel timestamp=2026-12-07T05:30:01.123+00:00 level=notice message="..."`:
    /// Valkey 8.1's fields in Valkey's order, then the event's and swift-log's.
    case logfmt

    /// The name used by the `log-format` directive and `SENTINEL CONFIG GET log-format`.
    package var name: String {
        switch self {
        case .text: "text"
        case .json: "json"
        case .logfmt: "logfmt"
        }
    }

    /// Every spelling the directive accepts, for its error message.
    static let spellings = ["text", "json", "logfmt", "legacy"]

    init?(name: String) {
        switch name.lowercased() {
        case "text", "legacy": self = .text
        case "json": self = .json
        case "logfmt": self = .logfmt
        default: return nil
        }
    }
}
