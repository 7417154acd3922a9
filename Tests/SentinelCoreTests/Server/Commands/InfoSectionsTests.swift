import Testing

@testable import SentinelCore

/// The `server`, `clients`, `cpu` and `stats` sections of our `INFO`, against the field lists
/// observed on redis-sentinel 7.0.15.
@Suite("InfoSections")
struct InfoSectionsTests {
    /// Field names of `INFO server` on redis-sentinel 7.0.15, in order.
    static let serverFields: [String] = [
        "redis_version", "redis_git_sha1", "redis_git_dirty", "redis_build_id", "redis_mode", "os",
        "arch_bits", "monotonic_clock", "multiplexing_api", "atomicvar_api", "gcc_version", "process_id",
        "process_supervised", "run_id", "tcp_port", "server_time_usec", "uptime_in_seconds",
        "uptime_in_days", "hz", "configured_hz", "lru_clock", "executable", "config_file",
        "io_threads_active",
    ]

    /// Field names of `INFO clients` on redis-sentinel 7.0.15, in order.
    static let clientsFields: [String] = [
        "connected_clients", "cluster_connections", "maxclients", "client_recent_max_input_buffer",
        "client_recent_max_output_buffer", "blocked_clients", "tracking_clients", "clients_in_timeout_table",
    ]

    /// Field names of `INFO stats` on redis-sentinel 7.0.15, in order.
    static let statsFields: [String] = [
        "total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
        "total_net_input_bytes", "total_net_output_bytes", "total_net_repl_input_bytes",
        "total_net_repl_output_bytes", "instantaneous_input_kbps", "instantaneous_output_kbps",
        "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps", "rejected_connections",
        "sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys", "expired_stale_perc",
        "expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys", "evicted_clients",
        "total_eviction_exceeded_time", "current_eviction_exceeded_time", "keyspace_hits", "keyspace_misses",
        "pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "latest_fork_usec", "total_forks",
        "migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
        "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
        "current_active_defrag_time", "tracking_total_keys", "tracking_total_items",
        "tracking_total_prefixes", "unexpected_error_replies", "total_error_replies",
        "dump_payload_sanitizations", "total_reads_processed", "total_writes_processed",
        "io_threaded_reads_processed", "io_threaded_writes_processed", "reply_buffer_shrinks",
        "reply_buffer_expands",
    ]

    /// Field names of `INFO cpu` on redis-sentinel 7.0.15, in order.
    static let cpuFields: [String] = [
        "used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
        "used_cpu_sys_main_thread", "used_cpu_user_main_thread",
    ]

    /// Splits a rendered section into its title and `(name, value)` pairs, checking the framing.
    static func fields(of section: String, title: String) -> [(String, String)] {
        #expect(section.hasPrefix("# \(title)\r\n"))
        #expect(section.hasSuffix("\r\n"))
        #expect(!section.hasSuffix("\r\n\r\n"))
        var pairs: [(String, String)] = []
        for line in section.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                Issue.record("line without a colon: \(line)")
                continue
            }
            pairs.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        return pairs
    }

    static func value(_ name: String, in pairs: [(String, String)]) -> String? {
        pairs.first { $0.0 == name }?.1
    }

    static var sample: ServerInfoInput {
        var i = ServerInfoInput()
        i.runID = "6794165370ba5f46ab436b06f9f5c7b48345f3f6"
        i.os = "Linux 6.18.44 x86_64"
        i.pid = 4311
        i.tcpPort = 26999
        i.serverTimeMicros = 1_795_321_249_998_199
        i.uptimeMillis = 2 * 86_400_000 + 148_999
        i.hz = 15
        i.executablePath = "/usr/bin/swift-sentinel"
        i.configFile = "/etc/sentinel.conf"
        i.connectedClients = 3
        i.cpuSysMicros = 171_806
        i.cpuUserMicros = 12_220_813
        i.cpuUserChildrenMicros = 5
        i.totalConnectionsReceived = 83
        i.totalCommandsProcessed = 87
        i.instantaneousInputKbps = 1.005
        i.instantaneousOutputKbps = 12.3
        i.pubsubChannels = 1
        i.pubsubPatterns = 2
        i.totalErrorReplies = 55
        return i
    }

    @Test("server: same fields in the same order, sentinel mode, our version")
    func server() {
        let pairs = Self.fields(of: InfoSections.server(Self.sample), title: "Server")
        #expect(pairs.map(\.0) == Self.serverFields)
        #expect(Self.value("redis_version", in: pairs) == "7.2.4")
        #expect(Self.value("redis_version", in: pairs) == redisCompatibleVersion)
        #expect(Self.value("redis_mode", in: pairs) == "sentinel")
        #expect(Self.value("redis_git_sha1", in: pairs) == "00000000")
        #expect(Self.value("run_id", in: pairs) == "6794165370ba5f46ab436b06f9f5c7b48345f3f6")
        #expect(Self.value("process_id", in: pairs) == "4311")
        #expect(Self.value("tcp_port", in: pairs) == "26999")
        #expect(Self.value("server_time_usec", in: pairs) == "1795321249998199")
        #expect(Self.value("uptime_in_seconds", in: pairs) == "172948")
        #expect(Self.value("uptime_in_days", in: pairs) == "2")
        #expect(Self.value("hz", in: pairs) == "15")
        #expect(Self.value("configured_hz", in: pairs) == "10")
        // Observed on redis-sentinel 7.0.15 at this very server_time_usec.
        #expect(Self.value("lru_clock", in: pairs) == "159137")
        #expect(Self.value("executable", in: pairs) == "/usr/bin/swift-sentinel")
        #expect(Self.value("config_file", in: pairs) == "/etc/sentinel.conf")
        #expect(Self.value("os", in: pairs) == "Linux 6.18.44 x86_64")
    }

    @Test("server: swift-sentinel's version and commit follow redis-sentinel's fields; redis_version stays 7.2.4")
    func swiftSentinelVersion() {
        var i = Self.sample
        i.swiftSentinelVersion = "0.1.0"
        i.swiftSentinelGitSHA1 = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
        i.gitSHA1 = "1a2b3c4d"
        i.gitDirty = 1
        let pairs = Self.fields(of: InfoSections.server(i), title: "Server")
        #expect(
            pairs.map(\.0)
                == Self.serverFields + ["swift_sentinel_version", "swift_sentinel_git_sha1", "swift_sentinel_git_dirty"])
        #expect(Self.value("redis_version", in: pairs) == "7.2.4")
        #expect(Self.value("redis_git_sha1", in: pairs) == "1a2b3c4d")
        #expect(Self.value("redis_git_dirty", in: pairs) == "1")
        #expect(Self.value("swift_sentinel_version", in: pairs) == "0.1.0")
        #expect(Self.value("swift_sentinel_git_sha1", in: pairs) == "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d")
        #expect(Self.value("swift_sentinel_git_dirty", in: pairs) == "1")
    }

    @Test("clients")
    func clients() {
        let pairs = Self.fields(of: InfoSections.clients(Self.sample), title: "Clients")
        #expect(pairs.map(\.0) == Self.clientsFields)
        #expect(Self.value("connected_clients", in: pairs) == "3")
        #expect(Self.value("maxclients", in: pairs) == "10000")
    }

    @Test("cpu: seconds with six decimals")
    func cpu() {
        let pairs = Self.fields(of: InfoSections.cpu(Self.sample), title: "CPU")
        #expect(pairs.map(\.0) == Self.cpuFields)
        #expect(Self.value("used_cpu_sys", in: pairs) == "0.171806")
        #expect(Self.value("used_cpu_user", in: pairs) == "12.220813")
        #expect(Self.value("used_cpu_sys_children", in: pairs) == "0.000000")
        #expect(Self.value("used_cpu_user_children", in: pairs) == "0.000005")
        #expect(Self.value("used_cpu_sys_main_thread", in: pairs) == "0.171806")
        #expect(Self.value("used_cpu_user_main_thread", in: pairs) == "12.220813")
    }

    @Test("stats")
    func stats() {
        let pairs = Self.fields(of: InfoSections.stats(Self.sample), title: "Stats")
        #expect(pairs.map(\.0) == Self.statsFields)
        #expect(Self.value("total_connections_received", in: pairs) == "83")
        #expect(Self.value("total_commands_processed", in: pairs) == "87")
        #expect(
            Self.value("instantaneous_input_kbps", in: pairs) == "1.00"
                || Self.value("instantaneous_input_kbps", in: pairs) == "1.01")
        #expect(Self.value("instantaneous_output_kbps", in: pairs) == "12.30")
        #expect(Self.value("instantaneous_input_repl_kbps", in: pairs) == "0.00")
        #expect(Self.value("pubsub_channels", in: pairs) == "1")
        #expect(Self.value("pubsub_patterns", in: pairs) == "2")
        #expect(Self.value("total_error_replies", in: pairs) == "55")
        #expect(Self.value("expired_stale_perc", in: pairs) == "0.00")
    }

    @Test("defaults render Redis's idle values")
    func defaults() {
        let i = ServerInfoInput()
        #expect(InfoSections.cpu(i).contains("used_cpu_sys:0.000000\r\n"))
        #expect(InfoSections.stats(i).contains("instantaneous_output_kbps:0.00\r\n"))
        #expect(InfoSections.server(i).contains("\r\nrun_id:0000000000000000000000000000000000000000\r\n"))
        #expect(InfoSections.server(i).contains("\r\nio_threads_active:0\r\n"))
    }

    @Test("number formatting")
    func formatting() {
        #expect(InfoSections.seconds(0) == "0.000000")
        #expect(InfoSections.seconds(1_000_000) == "1.000000")
        #expect(InfoSections.seconds(1_234_567_890) == "1234.567890")
        #expect(InfoSections.seconds(-5) == "0.000000")
        #expect(InfoSections.twoDecimals(0) == "0.00")
        #expect(InfoSections.twoDecimals(0.004) == "0.00")
        #expect(InfoSections.twoDecimals(0.016) == "0.02")
        #expect(InfoSections.twoDecimals(123.4) == "123.40")
        #expect(InfoSections.twoDecimals(.nan) == "0.00")
        #expect(InfoSections.twoDecimals(.infinity) == "0.00")
    }

    @Test("sections join into a reply shaped like Redis's")
    func joined() {
        let i = Self.sample
        let reply = [InfoSections.server(i), InfoSections.clients(i), InfoSections.stats(i), InfoSections.cpu(i)]
            .joined(separator: "\r\n")
        #expect(reply.contains("io_threads_active:0\r\n\r\n# Clients\r\n"))
        #expect(reply.contains("reply_buffer_expands:0\r\n\r\n# CPU\r\n"))
    }
}
