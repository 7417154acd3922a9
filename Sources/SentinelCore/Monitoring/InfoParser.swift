//===----------------------------------------------------------------------===//
// swift-sentinel — parsing the INFO reply of a monitored Redis server
//===----------------------------------------------------------------------===//

/// The replication role an instance reports in its `INFO` (`role:master` / `role:slave`).
enum ReportedRole: String, Hashable, Sendable {
    case master
    case slave
}

/// One replica listed by a master's `INFO` (`slaveN:...` line).
struct ReplicaListing: Hashable, Sendable {
    var host: String
    var port: Int
    /// `online`, `wait_bgsave`, `send_bulk`, ...; nil when the line does not carry one.
    var state: String?
    /// The replica's acknowledged replication offset; nil in the old format.
    var offset: Int64?
    /// Seconds since the last ack; nil in the old format.
    var lag: Int?

    init(host: String, port: Int, state: String? = nil, offset: Int64? = nil, lag: Int? = nil) {
        self.host = host
        self.port = port
        self.state = state
        self.offset = offset
        self.lag = lag
    }
}

/// What Sentinel reads out of one `INFO` reply (sentinel-behaviour §6.2).
package struct InstanceInfo: Hashable, Sendable {
    /// `run_id:`, only when it is exactly 40 characters.
    var runID: String? = nil
    /// `role:`; nil when absent or neither `master` nor `slave`.
    var role: ReportedRole? = nil
    /// `slaveN:` lines, in the order listed (both the `ip=...,port=...` and the old
    /// `<ip>,<port>,<state>` forms). Collected whatever the role; Sentinel uses them for masters.
    var replicas: [ReplicaListing] = []
    /// `master_host:` (only read after a `role:slave` line, like the five fields below).
    var masterHost: String? = nil
    /// `master_port:`.
    var masterPort: Int? = nil
    /// `master_link_status:up`; anything else, or no such line, is down.
    var masterLinkUp: Bool = false
    /// `master_link_down_since_seconds:`; Redis prints -1 when the link was never up.
    var masterLinkDownSinceSeconds: Int? = nil
    /// `slave_priority:` or `replica_priority:`.
    var slavePriority: Int? = nil
    /// `slave_repl_offset:`.
    var slaveReplOffset: Int64? = nil
    /// `replica_announced:` (`0` or `1`).
    var replicaAnnounced: Bool? = nil
    /// `master_repl_offset:`.
    var masterReplOffset: Int64? = nil
    /// `master_failover_state:`: `no-failover`, `waiting-for-sync`, `failover-in-progress`.
    var masterFailoverState: String? = nil
    /// `master_replid:` (Redis ≥ 4): the replication history this instance serves or follows.
    /// Every promotion (`REPLICAOF NO ONE`, `FAILOVER`) and every restart of a master draws a new one.
    var masterReplID: String? = nil
    /// `master_replid2:`: the history this instance continued when it was last promoted
    /// (all zeros when it has not been promoted since it started).
    var masterReplID2: String? = nil
    /// `redis_version:`.
    var redisVersion: String? = nil
    /// `tcp_port:`.
    var tcpPort: Int? = nil
    /// `connected_slaves:`.
    var connectedSlaves: Int? = nil

    init() {}
}

/// Parses the text of an `INFO` reply.
///
/// Works on the UTF-8 bytes: an INFO reply is about 150 lines of which Sentinel reads a dozen,
/// so lines are split and keys matched byte by byte, and Strings are only made for the values
/// kept. Bytes are compared as bytes, as Sentinel does (`strncmp`/`memcmp` on the reply), also
/// for the rare non-ASCII byte in a hostname.
package enum InfoParser {
    /// Parses `text` line by line. Lines end in `\r\n` or `\n`; `# Section` headers, blank lines
    /// and lines it does not understand are skipped. Never fails: unparsable values are ignored.
    ///
    /// As Sentinel does, `master_host`, `master_port`, `master_link_status`, `slave_priority`
    /// (`replica_priority`), `slave_repl_offset` and `replica_announced` are only read once a
    /// `role:slave` line has been seen. A later field of the same name overrides an earlier one.
    package static func parse(_ text: String) -> InstanceInfo {
        if let info = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0) }) {
            return info
        }
        var copy = text
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { parse(bytes: $0) } ?? InstanceInfo()
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> InstanceInfo {
        var info = InstanceInfo()
        var sawSlaveRole = false
        let end = bytes.count
        var lineStart = 0
        while lineStart < end {
            // One line: [lineStart, lineEnd), without the `\n`.
            var lineEnd = lineStart
            while lineEnd < end && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            if lineEnd == lineStart { continue }
            var contentEnd = lineEnd
            if bytes[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            if contentEnd == lineStart || bytes[lineStart] == UInt8(ascii: "#") { continue }
            var colon = lineStart
            while colon < contentEnd && bytes[colon] != UInt8(ascii: ":") { colon += 1 }
            if colon == contentEnd { continue }
            let key = UnsafeBufferPointer(rebasing: bytes[lineStart..<colon])
            let value = UnsafeBufferPointer(rebasing: bytes[(colon + 1)..<contentEnd])
            parseField(key: key, value: value, into: &info, sawSlaveRole: &sawSlaveRole)
        }
        return info
    }

    /// One `key:value` line.
    @inline(__always)
    private static func parseField(
        key: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>, into info: inout InstanceInfo,
        sawSlaveRole: inout Bool
    ) {
        guard let first = key.first else { return }
        switch first {
        case UInt8(ascii: "r"):
            if equals(key, "run_id") {
                if value.count == 40 { info.runID = string(value) }
            } else if equals(key, "role") {
                if equals(value, "master") {
                    info.role = .master
                } else if equals(value, "slave") {
                    info.role = .slave
                    sawSlaveRole = true
                }
            } else if equals(key, "redis_version") {
                info.redisVersion = string(value)
            } else if sawSlaveRole && equals(key, "replica_priority") {
                if let n = integer(value, as: Int.self) { info.slavePriority = n }
            } else if sawSlaveRole && equals(key, "replica_announced") {
                if let n = integer(value, as: Int.self) { info.replicaAnnounced = n != 0 }
            }
        case UInt8(ascii: "m"):
            if equals(key, "master_link_down_since_seconds") {
                if let n = integer(value, as: Int.self) { info.masterLinkDownSinceSeconds = n }
            } else if equals(key, "master_repl_offset") {
                if let n = integer(value, as: Int64.self) { info.masterReplOffset = n }
            } else if equals(key, "master_failover_state") {
                info.masterFailoverState = string(value)
            } else if equals(key, "master_replid") {
                if value.count == 40 { info.masterReplID = string(value) }
            } else if equals(key, "master_replid2") {
                if value.count == 40 { info.masterReplID2 = string(value) }
            } else if sawSlaveRole && equals(key, "master_host") {
                info.masterHost = string(value)
            } else if sawSlaveRole && equals(key, "master_port") {
                if let n = integer(value, as: Int.self) { info.masterPort = n }
            } else if sawSlaveRole && equals(key, "master_link_status") {
                info.masterLinkUp = equals(value, "up")
            }
        case UInt8(ascii: "t"):
            if equals(key, "tcp_port") {
                if let n = integer(value, as: Int.self) { info.tcpPort = n }
            }
        case UInt8(ascii: "c"):
            if equals(key, "connected_slaves") {
                if let n = integer(value, as: Int.self) { info.connectedSlaves = n }
            }
        case UInt8(ascii: "s"):
            if sawSlaveRole && equals(key, "slave_priority") {
                if let n = integer(value, as: Int.self) { info.slavePriority = n }
            } else if sawSlaveRole && equals(key, "slave_repl_offset") {
                if let n = integer(value, as: Int64.self) { info.slaveReplOffset = n }
            } else if isReplicaKey(key), let replica = parseReplica(value) {
                info.replicas.append(replica)
            }
        default:
            break
        }
    }

    /// Whether the bytes are exactly `literal` (ASCII).
    @inline(__always)
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for i in 0..<bytes.count where bytes[i] != expected[i] { return false }
        return true
    }

    @inline(__always)
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// A decimal integer as `T(_: String)` reads it: an optional `+` or `-`, then one or more
    /// digits and nothing else; nil on overflow.
    private static func integer<T: FixedWidthInteger & SignedInteger>(
        _ bytes: UnsafeBufferPointer<UInt8>, as: T.Type
    ) -> T? {
        var i = 0
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            i = 1
        }
        guard i < bytes.count else { return nil }
        var result: T = 0
        while i < bytes.count {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, o1) = result.multipliedReportingOverflow(by: 10)
            let (next, o2) =
                negative
                ? times10.subtractingReportingOverflow(T(digit)) : times10.addingReportingOverflow(T(digit))
            if o1 || o2 { return nil }
            result = next
            i += 1
        }
        return result
    }

    /// `slave` followed by one or more digits.
    private static func isReplicaKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard key.count > 5, equals(UnsafeBufferPointer(rebasing: key[0..<5]), "slave") else { return false }
        for byte in key[5...] where byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") { return false }
        return true
    }

    /// The value of a `slaveN:` line: `ip=<ip>,port=<port>,state=<s>,offset=<o>,lag=<l>` (any
    /// order, unknown fields ignored) or the pre-2.8 form `<ip>,<port>,<state>`. Nil when there
    /// is no host or no valid port.
    private static func parseReplica(_ value: UnsafeBufferPointer<UInt8>) -> ReplicaListing? {
        var host: UnsafeBufferPointer<UInt8>?
        var port: Int?
        var state: String?
        var offset: Int64?
        var lag: Int?
        if value.contains(UInt8(ascii: "=")) {
            var fieldStart = 0
            while fieldStart <= value.count {
                var fieldEnd = fieldStart
                while fieldEnd < value.count && value[fieldEnd] != UInt8(ascii: ",") { fieldEnd += 1 }
                defer { fieldStart = fieldEnd + 1 }
                let field = UnsafeBufferPointer(rebasing: value[fieldStart..<fieldEnd])
                guard let eq = field.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let name = UnsafeBufferPointer(rebasing: field[0..<eq])
                let v = UnsafeBufferPointer(rebasing: field[(eq + 1)...])
                if equals(name, "ip") {
                    host = v
                } else if equals(name, "port") {
                    port = integer(v, as: Int.self)
                } else if equals(name, "state") {
                    state = string(v)
                } else if equals(name, "offset") {
                    offset = integer(v, as: Int64.self)
                } else if equals(name, "lag") {
                    lag = integer(v, as: Int.self)
                }
            }
        } else {
            guard let firstComma = value.firstIndex(of: UInt8(ascii: ",")) else { return nil }
            host = UnsafeBufferPointer(rebasing: value[0..<firstComma])
            let rest = value[(firstComma + 1)...]
            let secondComma = rest.firstIndex(of: UInt8(ascii: ",")) ?? value.count
            port = integer(UnsafeBufferPointer(rebasing: value[(firstComma + 1)..<secondComma]), as: Int.self)
            if secondComma < value.count {
                let stateEnd = value[(secondComma + 1)...].firstIndex(of: UInt8(ascii: ",")) ?? value.count
                state = string(UnsafeBufferPointer(rebasing: value[(secondComma + 1)..<stateEnd]))
            }
        }
        guard let host, !host.isEmpty, let port, (1...65535).contains(port) else { return nil }
        return ReplicaListing(host: string(host), port: port, state: state, offset: offset, lag: lag)
    }
}
