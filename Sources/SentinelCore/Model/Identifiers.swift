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

    /// The name used by the `loglevel` directive and `SENTINEL CONFIG GET loglevel`.
    var name: String {
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
