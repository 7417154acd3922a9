//===----------------------------------------------------------------------===//
// swift-sentinel — parsing the INFO reply of a monitored Redis server
//===----------------------------------------------------------------------===//

/// The replication role an instance reports in its `INFO` (`role:master` / `role:slave`).
package enum ReportedRole: String, Hashable, Sendable {
    case master
    case slave
}

/// One replica listed by a master's `INFO` (`slaveN:...` line).
package struct ReplicaListing: Hashable, Sendable {
    package var host: String
    package var port: Int
    /// `online`, `wait_bgsave`, `send_bulk`, ...; nil when the line does not carry one.
    package var state: String?
    /// The replica's acknowledged replication offset; nil in the old format.
    package var offset: Int64?
    /// Seconds since the last ack; nil in the old format.
    package var lag: Int?

    package init(host: String, port: Int, state: String? = nil, offset: Int64? = nil, lag: Int? = nil) {
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
    package var runID: String? = nil
    /// `role:`; nil when absent or neither `master` nor `slave`.
    package var role: ReportedRole? = nil
    /// `slaveN:` lines, in the order listed (both the `ip=...,port=...` and the old
    /// `<ip>,<port>,<state>` forms). Collected whatever the role; Sentinel uses them for masters.
    package var replicas: [ReplicaListing] = []
    /// `master_host:` (only read after a `role:slave` line, like the five fields below).
    package var masterHost: String? = nil
    /// `master_port:`.
    package var masterPort: Int? = nil
    /// `master_link_status:up`; anything else, or no such line, is down.
    package var masterLinkUp: Bool = false
    /// `master_link_down_since_seconds:`; Redis prints -1 when the link was never up.
    package var masterLinkDownSinceSeconds: Int? = nil
    /// `slave_priority:` or `replica_priority:`.
    package var slavePriority: Int? = nil
    /// `slave_repl_offset:`.
    package var slaveReplOffset: Int64? = nil
    /// `replica_announced:` (`0` or `1`).
    package var replicaAnnounced: Bool? = nil
    /// `master_repl_offset:`.
    package var masterReplOffset: Int64? = nil
    /// `master_failover_state:`: `no-failover`, `waiting-for-sync`, `failover-in-progress`.
    package var masterFailoverState: String? = nil
    /// `redis_version:`.
    package var redisVersion: String? = nil
    /// `tcp_port:`.
    package var tcpPort: Int? = nil
    /// `connected_slaves:`.
    package var connectedSlaves: Int? = nil

    package init() {}
}

/// Parses the text of an `INFO` reply.
package enum InfoParser {
    /// Parses `text` line by line. Lines end in `\r\n` or `\n`; `# Section` headers, blank lines
    /// and lines it does not understand are skipped. Never fails: unparsable values are ignored.
    ///
    /// As Sentinel does, `master_host`, `master_port`, `master_link_status`, `slave_priority`
    /// (`replica_priority`), `slave_repl_offset` and `replica_announced` are only read once a
    /// `role:slave` line has been seen. A later field of the same name overrides an earlier one.
    package static func parse(_ text: String) -> InstanceInfo {
        var info = InstanceInfo()
        var sawSlaveRole = false
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty || line.first == "#" { continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let value = line[line.index(after: colon)...]

            switch key {
            case "run_id":
                if value.utf8.count == 40 { info.runID = String(value) }
            case "role":
                switch value {
                case "master":
                    info.role = .master
                case "slave":
                    info.role = .slave
                    sawSlaveRole = true
                default:
                    break
                }
            case "master_link_down_since_seconds":
                if let n = Int(value) { info.masterLinkDownSinceSeconds = n }
            case "master_repl_offset":
                if let n = Int64(value) { info.masterReplOffset = n }
            case "master_failover_state":
                info.masterFailoverState = String(value)
            case "redis_version":
                info.redisVersion = String(value)
            case "tcp_port":
                if let n = Int(value) { info.tcpPort = n }
            case "connected_slaves":
                if let n = Int(value) { info.connectedSlaves = n }
            case "master_host" where sawSlaveRole:
                info.masterHost = String(value)
            case "master_port" where sawSlaveRole:
                if let n = Int(value) { info.masterPort = n }
            case "master_link_status" where sawSlaveRole:
                info.masterLinkUp = value == "up"
            case "slave_priority" where sawSlaveRole, "replica_priority" where sawSlaveRole:
                if let n = Int(value) { info.slavePriority = n }
            case "slave_repl_offset" where sawSlaveRole:
                if let n = Int64(value) { info.slaveReplOffset = n }
            case "replica_announced" where sawSlaveRole:
                if let n = Int(value) { info.replicaAnnounced = n != 0 }
            default:
                if isReplicaKey(key), let replica = parseReplica(value) {
                    info.replicas.append(replica)
                }
            }
        }
        return info
    }

    /// `slave` followed by one or more digits.
    private static func isReplicaKey(_ key: Substring) -> Bool {
        guard key.hasPrefix("slave") else { return false }
        let digits = key.dropFirst(5)
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The value of a `slaveN:` line: `ip=<ip>,port=<port>,state=<s>,offset=<o>,lag=<l>` (any
    /// order, unknown fields ignored) or the pre-2.8 form `<ip>,<port>,<state>`. Nil when there
    /// is no host or no valid port.
    private static func parseReplica(_ value: Substring) -> ReplicaListing? {
        let fields = value.split(separator: ",", omittingEmptySubsequences: false)
        var host: Substring?
        var port: Int?
        var state: String?
        var offset: Int64?
        var lag: Int?
        if value.contains("=") {
            for field in fields {
                guard let eq = field.firstIndex(of: "=") else { continue }
                let v = field[field.index(after: eq)...]
                switch field[..<eq] {
                case "ip": host = v
                case "port": port = Int(v)
                case "state": state = String(v)
                case "offset": offset = Int64(v)
                case "lag": lag = Int(v)
                default: break
                }
            }
        } else {
            guard fields.count >= 2 else { return nil }
            host = fields[0]
            port = Int(fields[1])
            if fields.count >= 3 { state = String(fields[2]) }
        }
        guard let host, !host.isEmpty, let port, (1...65535).contains(port) else { return nil }
        return ReplicaListing(host: String(host), port: port, state: state, offset: offset, lag: lag)
    }
}
