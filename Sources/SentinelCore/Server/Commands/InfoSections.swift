//===----------------------------------------------------------------------===//
// swift-sentinel — the server, clients, cpu and stats sections of our own INFO
//===----------------------------------------------------------------------===//

/// The Redis version we report (`redis_version`, `HELLO`'s `version`). Clients gate features on
/// it, some by string comparison against `"7.2"` (clients-and-peers §1.4), so it must look real.
let redisCompatibleVersion = "7.2.4"

/// Everything the `server`, `clients`, `cpu` and `stats` sections of `INFO` show. The runtime
/// fills it in; fields that mean nothing for us keep the idle values a Redis sentinel shows.
package struct ServerInfoInput: Hashable, Sendable {
    // MARK: server

    /// `redis_version`.
    var version: String = redisCompatibleVersion
    /// `redis_git_sha1`: the first 8 hex digits of the commit, as Redis prints its own; Debian's
    /// build (and ours without git) prints `00000000`.
    package var gitSHA1: String = "00000000"
    /// `redis_git_dirty`: 1 when built from a tree with uncommitted changes.
    package var gitDirty: Int = 0
    /// `redis_build_id`.
    var buildID: String = "0"
    /// `os`: `uname` sysname, release and machine, space-separated (`Linux 6.1.0 x86_64`).
    package var os: String = ""
    /// `arch_bits`.
    var archBits: Int = 64
    /// `monotonic_clock`.
    var monotonicClock: String = "POSIX clock_gettime"
    /// `multiplexing_api`.
    var multiplexingAPI: String = "epoll"
    /// `atomicvar_api`.
    var atomicvarAPI: String = "c11-builtin"
    /// `gcc_version`; Redis prints `0.0.0` when not built by gcc.
    var gccVersion: String = "0.0.0"
    /// `process_id`.
    var pid: Int = 0
    /// `process_supervised`: `no`, `upstart`, `systemd`, `unknown`.
    package var processSupervised: String = "no"
    /// `run_id`: 40 lowercase hex characters.
    var runID: String = String(repeating: "0", count: 40)
    /// `tcp_port`.
    var tcpPort: Int = 26379
    /// `server_time_usec`: wall-clock time in microseconds since the Unix epoch. Also gives
    /// `lru_clock`.
    var serverTimeMicros: Int64 = 0
    /// Time since start, for `uptime_in_seconds` and `uptime_in_days`.
    var uptimeMillis: Int64 = 0
    /// `hz`: a sentinel randomizes its timer frequency in 10...19 so peers do not fire together.
    var hz: Int = 10
    /// `configured_hz`.
    var configuredHz: Int = 10
    /// `executable`: absolute path of the running binary.
    package var executablePath: String = ""
    /// `config_file`: absolute path of the configuration file.
    package var configFile: String = ""
    /// `io_threads_active`.
    var ioThreadsActive: Int = 0
    /// `swift_sentinel_version` (not in Redis): this implementation's version; empty leaves the
    /// three `swift_sentinel_*` fields out.
    package var swiftSentinelVersion: String = ""
    /// `swift_sentinel_git_sha1` (not in Redis): the full commit the binary was built from, or
    /// `00000000` when it was built without git.
    package var swiftSentinelGitSHA1: String = "00000000"

    // MARK: clients

    /// `connected_clients`.
    var connectedClients: Int = 0
    /// `cluster_connections`.
    var clusterConnections: Int = 0
    /// `maxclients`.
    var maxClients: Int = 10000
    /// `client_recent_max_input_buffer`, bytes.
    var clientRecentMaxInputBuffer: Int = 0
    /// `client_recent_max_output_buffer`, bytes.
    var clientRecentMaxOutputBuffer: Int = 0
    /// `blocked_clients`.
    var blockedClients: Int = 0
    /// `tracking_clients`.
    var trackingClients: Int = 0
    /// `clients_in_timeout_table`.
    var clientsInTimeoutTable: Int = 0

    // MARK: cpu (microseconds; printed as seconds with six decimals)

    /// `used_cpu_sys`.
    var cpuSysMicros: Int64 = 0
    /// `used_cpu_user`.
    var cpuUserMicros: Int64 = 0
    /// `used_cpu_sys_children`.
    var cpuSysChildrenMicros: Int64 = 0
    /// `used_cpu_user_children`.
    var cpuUserChildrenMicros: Int64 = 0
    /// `used_cpu_sys_main_thread`; nil prints `cpuSysMicros`.
    var cpuSysMainThreadMicros: Int64? = nil
    /// `used_cpu_user_main_thread`; nil prints `cpuUserMicros`.
    var cpuUserMainThreadMicros: Int64? = nil

    // MARK: stats

    /// `total_connections_received`.
    var totalConnectionsReceived: Int = 0
    /// `total_commands_processed`.
    var totalCommandsProcessed: Int = 0
    /// `instantaneous_ops_per_sec`.
    var instantaneousOpsPerSec: Int = 0
    /// `total_net_input_bytes`.
    var totalNetInputBytes: Int64 = 0
    /// `total_net_output_bytes`.
    var totalNetOutputBytes: Int64 = 0
    /// `instantaneous_input_kbps` (two decimals).
    var instantaneousInputKbps: Double = 0
    /// `instantaneous_output_kbps` (two decimals).
    var instantaneousOutputKbps: Double = 0
    /// `rejected_connections`.
    var rejectedConnections: Int = 0
    /// `expire_cycle_cpu_milliseconds`.
    var expireCycleCpuMilliseconds: Int = 0
    /// `pubsub_channels`: channels with at least one subscriber.
    var pubsubChannels: Int = 0
    /// `pubsub_patterns`: patterns with at least one subscriber.
    var pubsubPatterns: Int = 0
    /// `tracking_total_prefixes`: distinct BCAST prefixes of tracking clients (Redis's PrefixTable).
    var trackingTotalPrefixes: Int = 0
    /// `unexpected_error_replies`.
    var unexpectedErrorReplies: Int = 0
    /// `total_error_replies`: error replies sent to clients.
    var totalErrorReplies: Int = 0
    /// `total_reads_processed`.
    var totalReadsProcessed: Int = 0
    /// `total_writes_processed`.
    var totalWritesProcessed: Int = 0
    /// `reply_buffer_shrinks`.
    var replyBufferShrinks: Int = 0
    /// `reply_buffer_expands`.
    var replyBufferExpands: Int = 0

    package init() {}
}

/// Renders the `server`, `clients`, `cpu` and `stats` sections of the sentinel's `INFO` reply,
/// with the field names and order of redis-sentinel 7.0.15 (exporters parse them by name).
///
/// Each section is `# Title\r\n` followed by `name:value\r\n` lines. Sections of one reply are
/// joined with an extra `\r\n` (a blank line), in Redis's order: server, clients, stats, cpu,
/// sentinel.
enum InfoSections {
    /// `# Server`, with `redis_mode:sentinel`.
    static func server(_ i: ServerInfoInput) -> String {
        let uptimeSeconds = i.uptimeMillis / 1000
        // Redis's LRU clock: seconds, wrapped at 24 bits.
        let lruClock = (i.serverTimeMicros / 1_000_000) & 0xFF_FFFF
        return section(
            "Server",
            [
                ("redis_version", i.version),
                ("redis_git_sha1", i.gitSHA1),
                ("redis_git_dirty", "\(i.gitDirty)"),
                ("redis_build_id", i.buildID),
                ("redis_mode", "sentinel"),
                ("os", i.os),
                ("arch_bits", "\(i.archBits)"),
                ("monotonic_clock", i.monotonicClock),
                ("multiplexing_api", i.multiplexingAPI),
                ("atomicvar_api", i.atomicvarAPI),
                ("gcc_version", i.gccVersion),
                ("process_id", "\(i.pid)"),
                ("process_supervised", i.processSupervised),
                ("run_id", i.runID),
                ("tcp_port", "\(i.tcpPort)"),
                ("server_time_usec", "\(i.serverTimeMicros)"),
                ("uptime_in_seconds", "\(uptimeSeconds)"),
                ("uptime_in_days", "\(uptimeSeconds / 86400)"),
                ("hz", "\(i.hz)"),
                ("configured_hz", "\(i.configuredHz)"),
                ("lru_clock", "\(lruClock)"),
                ("executable", i.executablePath),
                ("config_file", i.configFile),
                ("io_threads_active", "\(i.ioThreadsActive)"),
            ] + swiftSentinelFields(i))
    }

    /// swift-sentinel's own fields, after all of redis-sentinel's (clients find both by name):
    /// `swift_sentinel_version`, `swift_sentinel_git_sha1`, `swift_sentinel_git_dirty`.
    private static func swiftSentinelFields(_ i: ServerInfoInput) -> [(String, String)] {
        guard !i.swiftSentinelVersion.isEmpty else { return [] }
        return [
            ("swift_sentinel_version", i.swiftSentinelVersion),
            ("swift_sentinel_git_sha1", i.swiftSentinelGitSHA1),
            ("swift_sentinel_git_dirty", "\(i.gitDirty)"),
        ]
    }

    /// `# Clients`.
    static func clients(_ i: ServerInfoInput) -> String {
        section(
            "Clients",
            [
                ("connected_clients", "\(i.connectedClients)"),
                ("cluster_connections", "\(i.clusterConnections)"),
                ("maxclients", "\(i.maxClients)"),
                ("client_recent_max_input_buffer", "\(i.clientRecentMaxInputBuffer)"),
                ("client_recent_max_output_buffer", "\(i.clientRecentMaxOutputBuffer)"),
                ("blocked_clients", "\(i.blockedClients)"),
                ("tracking_clients", "\(i.trackingClients)"),
                ("clients_in_timeout_table", "\(i.clientsInTimeoutTable)"),
            ])
    }

    /// `# CPU`: seconds with six decimals.
    static func cpu(_ i: ServerInfoInput) -> String {
        section(
            "CPU",
            [
                ("used_cpu_sys", seconds(i.cpuSysMicros)),
                ("used_cpu_user", seconds(i.cpuUserMicros)),
                ("used_cpu_sys_children", seconds(i.cpuSysChildrenMicros)),
                ("used_cpu_user_children", seconds(i.cpuUserChildrenMicros)),
                ("used_cpu_sys_main_thread", seconds(i.cpuSysMainThreadMicros ?? i.cpuSysMicros)),
                ("used_cpu_user_main_thread", seconds(i.cpuUserMainThreadMicros ?? i.cpuUserMicros)),
            ])
    }

    /// `# Stats`. Keyspace, replication, fork and defrag counters stay 0, as on a sentinel.
    static func stats(_ i: ServerInfoInput) -> String {
        section(
            "Stats",
            [
                ("total_connections_received", "\(i.totalConnectionsReceived)"),
                ("total_commands_processed", "\(i.totalCommandsProcessed)"),
                ("instantaneous_ops_per_sec", "\(i.instantaneousOpsPerSec)"),
                ("total_net_input_bytes", "\(i.totalNetInputBytes)"),
                ("total_net_output_bytes", "\(i.totalNetOutputBytes)"),
                ("total_net_repl_input_bytes", "0"),
                ("total_net_repl_output_bytes", "0"),
                ("instantaneous_input_kbps", twoDecimals(i.instantaneousInputKbps)),
                ("instantaneous_output_kbps", twoDecimals(i.instantaneousOutputKbps)),
                ("instantaneous_input_repl_kbps", "0.00"),
                ("instantaneous_output_repl_kbps", "0.00"),
                ("rejected_connections", "\(i.rejectedConnections)"),
                ("sync_full", "0"),
                ("sync_partial_ok", "0"),
                ("sync_partial_err", "0"),
                ("expired_keys", "0"),
                ("expired_stale_perc", "0.00"),
                ("expired_time_cap_reached_count", "0"),
                ("expire_cycle_cpu_milliseconds", "\(i.expireCycleCpuMilliseconds)"),
                ("evicted_keys", "0"),
                ("evicted_clients", "0"),
                ("total_eviction_exceeded_time", "0"),
                ("current_eviction_exceeded_time", "0"),
                ("keyspace_hits", "0"),
                ("keyspace_misses", "0"),
                ("pubsub_channels", "\(i.pubsubChannels)"),
                ("pubsub_patterns", "\(i.pubsubPatterns)"),
                ("pubsubshard_channels", "0"),
                ("latest_fork_usec", "0"),
                ("total_forks", "0"),
                ("migrate_cached_sockets", "0"),
                ("slave_expires_tracked_keys", "0"),
                ("active_defrag_hits", "0"),
                ("active_defrag_misses", "0"),
                ("active_defrag_key_hits", "0"),
                ("active_defrag_key_misses", "0"),
                ("total_active_defrag_time", "0"),
                ("current_active_defrag_time", "0"),
                ("tracking_total_keys", "0"),
                ("tracking_total_items", "0"),
                ("tracking_total_prefixes", "\(i.trackingTotalPrefixes)"),
                ("unexpected_error_replies", "\(i.unexpectedErrorReplies)"),
                ("total_error_replies", "\(i.totalErrorReplies)"),
                ("dump_payload_sanitizations", "0"),
                ("total_reads_processed", "\(i.totalReadsProcessed)"),
                ("total_writes_processed", "\(i.totalWritesProcessed)"),
                ("io_threaded_reads_processed", "0"),
                ("io_threaded_writes_processed", "0"),
                ("reply_buffer_shrinks", "\(i.replyBufferShrinks)"),
                ("reply_buffer_expands", "\(i.replyBufferExpands)"),
            ])
    }

    /// `# Title\r\n` then `name:value\r\n` per field.
    private static func section(_ title: String, _ fields: [(String, String)]) -> String {
        var out = "# \(title)\r\n"
        for (name, value) in fields {
            out += name
            out += ":"
            out += value
            out += "\r\n"
        }
        return out
    }

    /// Microseconds as `S.ffffff` (C's `%ld.%06ld`).
    static func seconds(_ micros: Int64) -> String {
        let m = max(micros, 0)
        return "\(m / 1_000_000)." + zeroPadded(Int(m % 1_000_000), width: 6)
    }

    /// `%.2f` for the small non-negative rates INFO shows.
    static func twoDecimals(_ x: Double) -> String {
        guard x.isFinite, x > 0 else { return "0.00" }
        let hundredths = Int64((min(x, 1e15) * 100).rounded())
        return "\(hundredths / 100)." + zeroPadded(Int(hundredths % 100), width: 2)
    }

    private static func zeroPadded(_ n: Int, width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
