@testable import SentinelCore

/// The Character-based `InfoParser` as it was before it worked on bytes, kept unchanged as the
/// reference the byte parser must agree with on every input (InfoParserEquivalenceTests).
enum ReferenceInfoParser {
    /// Parses `text` line by line. Lines end in `\r\n` or `\n`; `# Section` headers, blank lines
    /// and lines it does not understand are skipped. Never fails: unparsable values are ignored.
    ///
    /// As Sentinel does, `master_host`, `master_port`, `master_link_status`, `slave_priority`
    /// (`replica_priority`), `slave_repl_offset` and `replica_announced` are only read once a
    /// `role:slave` line has been seen. A later field of the same name overrides an earlier one.
    static func parse(_ text: String) -> InstanceInfo {
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
            case "master_replid":
                if value.utf8.count == 40 { info.masterReplID = String(value) }
            case "master_replid2":
                if value.utf8.count == 40 { info.masterReplID2 = String(value) }
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
