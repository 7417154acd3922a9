import Foundation

// How Jedis, Lettuce, ioredis, node-redis v5 and StackExchange.Redis read the sentinel replies
// they depend on (/work/shared/reference/clients-and-peers.md §1.3, §1.5, §1.6, §2, and the
// libraries' sources: Jedis SentineledConnectionProvider and BuilderFactory, Lettuce
// SentinelCommandBuilder, SentinelTopologyProvider and SentinelTopologyRefresh). Each parser
// throws a `ClientRejection` where the library would throw, skip the sentinel or misread.

/// Jedis (`SentineledConnectionProvider`, `JedisSentinelPool`).
enum JedisReplies {
    static let name = "Jedis"

    /// `SENTINEL GET-MASTER-ADDR-BY-NAME`: `getMultiBulkReply()` then `STRING_LIST`. Nil means
    /// "not monitoring" (null, or not exactly 2 elements): Jedis moves on to the next sentinel.
    /// An integer element is a ClassCastException; the port goes through `Integer.parseInt`.
    static func masterAddress(_ reply: RESPReply, _ proto: WireProtocol) throws -> ClientAddress? {
        if try RecordedReply.isNull(reply, proto, name) {
            return nil
        }
        let items = try RecordedReply.array(reply, "the master address", proto, name)
        let strings = try items.map { try RecordedReply.text($0, "an element of the master address", name) }
        guard strings.count == 2 else {
            return nil
        }
        return ClientAddress(host: strings[0], port: try RecordedReply.port(strings[1], "the master port", name))
    }

    /// `SENTINEL SLAVES`: a list of `STRING_MAP`s (flat arrays, or RESP3 maps as `KeyValue`s).
    static func records(_ reply: RESPReply, _ proto: WireProtocol) throws -> [[String: String]] {
        try RecordedReply.array(reply, "the replica list", proto, name).map {
            try RecordedReply.stringRecord($0, "a replica record", proto, flatAllowedOnRESP3: true, name)
        }
    }

    /// The replicas the listener keeps: flags split on "," without `s_down`, `o_down` or
    /// `disconnected`; `ip` and `Integer.parseInt(port)`.
    static func healthyReplicas(_ records: [[String: String]]) throws -> [ClientAddress] {
        try records.compactMap { record in
            guard let flags = record["flags"] else { return nil }
            let tokens = flags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !tokens.contains(where: { ["s_down", "o_down", "disconnected"].contains($0) }) else { return nil }
            return try RecordedReply.address(record, "a replica record", name)
        }
    }

    /// `JedisPubSub`: element 0 compared with the lowercase bytes `subscribe`/`message`; a
    /// confirmation carries the channel and an integer count, a message the channel and payload.
    enum PubSub: Equatable {
        case subscribed(channel: String, count: Int64)
        case message(channel: String, payload: String)
    }

    static func pubSub(_ reply: RESPReply, _ proto: WireProtocol) throws -> PubSub {
        let items = try RecordedReply.pubSub(reply, proto, pushRequired: false, name)
        guard items.count == 3, let kind = items.first?.string else {
            throw ClientRejection(name, "pub/sub frame \(reply) is not [kind, channel, value]")
        }
        let channel = try RecordedReply.text(items[1], "the channel", name)
        switch kind {
        case "subscribe":
            guard let count = items[2].integer else {
                throw ClientRejection(name, "the subscription count in \(reply) is not an integer")
            }
            return .subscribed(channel: channel, count: count)
        case "message":
            return .message(channel: channel, payload: try RecordedReply.text(items[2], "the payload", name))
        default:
            throw ClientRejection(name, "unexpected pub/sub kind \(kind.debugDescription) in \(reply)")
        }
    }

    /// `+switch-master`: more than 3 space-separated fields, [0] the master name, [3]/[4] the
    /// new address. Nil when [0] names another master (ignored).
    static func switchMaster(_ payload: String, masterName: String) throws -> ClientAddress? {
        let fields = payload.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count > 3 else {
            throw ClientRejection(name, "+switch-master payload \(payload.debugDescription) has \(fields.count) fields")
        }
        guard fields[0] == masterName else {
            return nil
        }
        guard fields.count > 4 else {
            throw ClientRejection(name, "+switch-master payload \(payload.debugDescription) has no field 4 (ArrayIndexOutOfBounds)")
        }
        return ClientAddress(host: fields[3], port: try RecordedReply.port(fields[4], "+switch-master field 4", name))
    }

    /// `+slave`: [5] the master name, [2]/[3] the replica, [6]/[7] the master it replicates
    /// (removed from the replica pools).
    static func slaveEvent(_ payload: String, masterName: String) throws -> (replica: ClientAddress, master: ClientAddress)? {
        let fields = payload.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 8 else {
            throw ClientRejection(name, "+slave payload \(payload.debugDescription) has \(fields.count) fields, [7] is read")
        }
        guard fields[5] == masterName else {
            return nil
        }
        return (
            ClientAddress(host: fields[2], port: try RecordedReply.port(fields[3], "+slave field 3", name)),
            ClientAddress(host: fields[6], port: try RecordedReply.port(fields[7], "+slave field 7", name))
        )
    }
}

/// Lettuce (`RedisHandshake`, `SentinelCommandBuilder`, `SentinelTopologyProvider`,
/// `SentinelTopologyRefresh`).
enum LettuceReplies {
    static let name = "Lettuce"

    enum Hello: Equatable {
        case negotiated(version: String)
        /// The handshake falls back to RESP2 (`AUTH`/`PING`).
        case fallback
    }

    /// HELLO: an error starting with `NOPROTO`, or starting with `ERR` and containing
    /// `unknown`, makes Lettuce fall back to RESP2; any other error fails the connection. A
    /// success is read as a map with an integer `proto` and a string `version`.
    static func hello(_ reply: RESPReply) throws -> Hello {
        if let error = reply.errorText {
            if isFallbackError(error) {
                return .fallback
            }
            throw ClientRejection(name, "HELLO failed with \(error.debugDescription), which is not a fallback error")
        }
        let fields = try RecordedReply.pairs(reply, "the HELLO reply", .resp3, flatAllowedOnRESP3: false, name)
        let record = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        guard let proto = record["proto"]?.integer, proto == 3 else {
            throw ClientRejection(name, "HELLO reply has no integer proto 3: \(reply)")
        }
        return .negotiated(version: try RecordedReply.text(record["version"] ?? .null, "HELLO version", name))
    }

    static func isFallbackError(_ error: String) -> Bool {
        error.hasPrefix("NOPROTO") || (error.hasPrefix("ERR") && error.contains("unknown"))
    }

    /// `SocketAddressOutput`: host then `Integer.parseInt(port)`; null is "no master".
    static func socketAddress(_ reply: RESPReply, _ proto: WireProtocol) throws -> ClientAddress? {
        if try RecordedReply.isNull(reply, proto, name) {
            return nil
        }
        let items = try RecordedReply.array(reply, "the master address", proto, name)
        guard items.count == 2 else {
            throw ClientRejection(name, "the master address has \(items.count) elements")
        }
        return ClientAddress(
            host: try RecordedReply.text(items[0], "the host", name),
            port: try RecordedReply.port(try RecordedReply.text(items[1], "the port", name), "the port", name))
    }

    /// `MapOutput` (`SENTINEL master`): it pairs up the strings it is given whatever the
    /// aggregate (a RESP3 map or a flat array); an integer value is `set(long)`, which MapOutput
    /// does not support.
    static func record(_ reply: RESPReply, _ proto: WireProtocol) throws -> [String: String] {
        try RecordedReply.stringRecord(reply, "the master record", proto, flatAllowedOnRESP3: true, name)
    }

    /// `ListOfMapsOutput` (`SENTINEL REPLICAS`).
    static func records(_ reply: RESPReply, _ proto: WireProtocol) throws -> [[String: String]] {
        try RecordedReply.array(reply, "the replica list", proto, name).map {
            try RecordedReply.stringRecord($0, "a replica record", proto, flatAllowedOnRESP3: true, name)
        }
    }

    /// `SentinelTopologyProvider.isAvailable`: substring tests on flags.
    static func isAvailable(_ record: [String: String]) -> Bool {
        guard let flags = record["flags"] else { return true }
        return !flags.contains("s_down") && !flags.contains("o_down") && !flags.contains("disconnected")
    }

    /// A `PSUBSCRIBE *` message: a push frame on RESP3 (anything else is taken as a command
    /// reply), `[pmessage, pattern, channel, message]`.
    static func pmessage(_ reply: RESPReply, _ proto: WireProtocol) throws -> (pattern: String, channel: String, message: String)? {
        let items = try RecordedReply.pubSub(reply, proto, pushRequired: true, name)
        guard items.first?.string == "pmessage" else {
            return nil
        }
        guard items.count == 4 else {
            throw ClientRejection(name, "pmessage frame \(reply) has \(items.count) elements")
        }
        return (
            try RecordedReply.text(items[1], "the pattern", name), try RecordedReply.text(items[2], "the channel", name),
            try RecordedReply.text(items[3], "the message", name)
        )
    }

    /// `TopologyRefreshMessagePredicate`: which events make MasterReplica re-read the topology.
    /// (`failover-end` and `failover-end-for-timeout`, listed without the `+`, never match.)
    static func triggersTopologyRefresh(channel: String, message: String, masterName: String) -> Bool {
        if channel == "+elected-leader" || channel == "+reset-master" {
            if message.hasPrefix("master \(masterName) ") { return true }
        }
        let topologyChannels = ["+slave", "+sdown", "-sdown", "fix-slave-config", "+convert-to-slave", "+role-change"]
        if topologyChannels.contains(channel) && message.contains("@ \(masterName) ") {
            return true
        }
        if channel == "+switch-master" && message.hasPrefix("\(masterName) ") {
            return true
        }
        return ["failover-end", "failover-end-for-timeout"].contains(channel)
    }
}

/// ioredis (`SentinelConnector`): lowercase commands; on RESP3 (6.0) the sentinel replies are
/// mapped back to the legacy flat-array shape, so maps and flat arrays both work there.
enum IORedisReplies {
    static let name = "ioredis"

    /// HELLO: NOPROTO, or "unknown command" about HELLO, is a negotiation error; the reply is
    /// otherwise a map.
    static func hello(_ reply: RESPReply) throws {
        if let error = reply.errorText {
            throw ClientRejection(name, "HELLO 3 failed: \(error)")
        }
        _ = try RecordedReply.pairs(reply, "the HELLO reply", .resp3, flatAllowedOnRESP3: false, name)
    }

    /// `sentinel get-master-addr-by-name`: `result ? {host: result[0], port: Number(result[1])}`.
    static func masterAddress(_ reply: RESPReply, _ proto: WireProtocol) throws -> ClientAddress? {
        if try RecordedReply.isNull(reply, proto, name) {
            return nil
        }
        let items = try RecordedReply.array(reply, "the master address", proto, name)
        guard items.count >= 2 else {
            throw ClientRejection(name, "the master address has \(items.count) elements")
        }
        return ClientAddress(
            host: try RecordedReply.text(items[0], "the host", name),
            port: try RecordedReply.port(try RecordedReply.textOrInteger(items[1], "the port", name), "Number(port)", name))
    }

    /// `sentinel sentinels` / `sentinel slaves`: `packPairsToObject` of each entry.
    static func records(_ reply: RESPReply, _ proto: WireProtocol) throws -> [[String: String]] {
        try RecordedReply.array(reply, "the instance list", proto, name).map {
            try RecordedReply.stringRecord($0, "an instance record", proto, flatAllowedOnRESP3: true, integersAllowed: true, name)
        }
    }

    /// `updateSentinels`: entries flagged `disconnected` are skipped.
    static func sentinels(_ records: [[String: String]]) throws -> [ClientAddress] {
        try records.filter { !(($0["flags"] ?? "").contains("disconnected")) }.map {
            try RecordedReply.address($0, "a sentinel record", name)
        }
    }

    /// `role: "slave"`: `/disconnected|s_down|o_down/.test(flags)` entries are dropped.
    static func replicas(_ records: [[String: String]]) throws -> [ClientAddress] {
        try records.filter { record in
            let flags = record["flags"] ?? ""
            return !["disconnected", "s_down", "o_down"].contains { flags.contains($0) }
        }.map { try RecordedReply.address($0, "a replica record", name) }
    }
}

/// node-redis v5 (`packages/client/lib/sentinel`), RESP3 by default since 2026: replies are
/// typed, so a record must arrive as a map (a flat array leaves `flags` undefined and the
/// `.includes` call throws).
enum NodeRedisReplies {
    static let name = "node-redis"

    static func record(_ reply: RESPReply, _ what: String) throws -> [String: String] {
        try RecordedReply.stringRecord(reply, what, .resp3, flatAllowedOnRESP3: false, integersAllowed: true, name)
    }

    static func records(_ reply: RESPReply, _ what: String) throws -> [[String: String]] {
        try RecordedReply.array(reply, what, .resp3, name).map { try record($0, "an entry of \(what)") }
    }

    /// A master or replica is usable unless its flags contain `s_down`, `disconnected` or
    /// `failover_in_progress` (`o_down` is not checked).
    static func isUsable(_ record: [String: String]) -> Bool {
        let flags = record["flags"] ?? ""
        return !["s_down", "disconnected", "failover_in_progress"].contains { flags.contains($0) }
    }

    /// A pattern message on the control connection: a push `[pmessage, pattern, channel, message]`.
    static func pmessage(_ reply: RESPReply) throws -> (pattern: String, channel: String, message: String)? {
        let items = try RecordedReply.pubSub(reply, .resp3, pushRequired: true, name)
        guard items.first?.string == "pmessage" else {
            return nil
        }
        guard items.count == 4 else {
            throw ClientRejection(name, "pmessage frame \(reply) has \(items.count) elements")
        }
        return (
            try RecordedReply.text(items[1], "the pattern", name), try RecordedReply.text(items[2], "the channel", name),
            try RecordedReply.text(items[3], "the message", name)
        )
    }
}

/// StackExchange.Redis (`ConnectionMultiplexer.Sentinel`, `ResultProcessor`): RESP2 by
/// default, RESP3 with `protocol=resp3`; no CLIENT commands on sentinel connections.
enum SERedisReplies {
    static let name = "StackExchange.Redis"

    /// `SentinelGetMasterAddressByName`: a 2-element array (host, `TryGetInt64` port); null or
    /// an empty array mean "unknown".
    static func masterAddress(_ reply: RESPReply, _ proto: WireProtocol) throws -> ClientAddress? {
        if try RecordedReply.isNull(reply, proto, name) {
            return nil
        }
        let items = try RecordedReply.array(reply, "the master address", proto, name)
        if items.isEmpty {
            return nil
        }
        guard items.count == 2 else {
            throw ClientRejection(name, "the master address has \(items.count) elements")
        }
        return ClientAddress(
            host: try RecordedReply.text(items[0], "the host", name),
            port: try RecordedReply.port(try RecordedReply.textOrInteger(items[1], "the port", name), "the port", name))
    }

    /// `SentinelArrayOfArrays` / `SentinelAddressesEndPoints`: every value must be a scalar (it
    /// stops at the first aggregate); `ip` and `port` are read.
    static func records(_ reply: RESPReply, _ what: String, _ proto: WireProtocol) throws -> [[String: String]] {
        try RecordedReply.array(reply, what, proto, name).map { entry in
            var record: [String: String] = [:]
            for (key, value) in try RecordedReply.pairs(entry, "an entry of \(what)", proto, flatAllowedOnRESP3: true, name) {
                switch value {
                case .array, .map, .set, .push, .attributed:
                    throw ClientRejection(name, "\(what) field \(key) is an aggregate: \(value)")
                default:
                    record[key] = value.string ?? value.integer.map(String.init) ?? ""
                }
            }
            return record
        }
    }

    /// INFO as `key:value` lines (bulk string, or verbatim on RESP3).
    static func info(_ reply: RESPReply, _ what: String) throws -> [String: String] {
        guard let text = reply.string, !reply.isError else {
            throw ClientRejection(name, "\(what) is \(reply), not a string")
        }
        return INFOText.fields(text)
    }

    /// `INFO server` decides the server type and version: `redis_mode:sentinel` and a
    /// `redis_version` that `Version.TryParse` reads (dotted decimal).
    static func serverInfo(_ reply: RESPReply) throws -> String {
        let fields = try info(reply, "INFO server")
        guard fields["redis_mode"] == "sentinel" else {
            throw ClientRejection(name, "INFO server has redis_mode \(fields["redis_mode"] ?? "nil"), not sentinel")
        }
        let version = fields["redis_version"] ?? ""
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...4).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            throw ClientRejection(name, "redis_version \(version.debugDescription) is not a dotted version")
        }
        return version
    }

    /// A `message` frame of a subscription: `[message, channel, payload]`.
    static func message(_ reply: RESPReply, _ proto: WireProtocol) throws -> (channel: String, payload: String)? {
        let items = try RecordedReply.pubSub(reply, proto, pushRequired: true, name)
        guard items.first?.string == "message" else {
            return nil
        }
        guard items.count == 3 else {
            throw ClientRejection(name, "message frame \(reply) has \(items.count) elements")
        }
        return (try RecordedReply.text(items[1], "the channel", name), try RecordedReply.text(items[2], "the payload", name))
    }
}
