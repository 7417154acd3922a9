/// The server directives a sentinel config file may contain besides the ones the sentinel acts on.
///
/// Reproduces the directive table of redis-server's config loader (`static_configs[]` in
/// `src/config.c`), which redis-sentinel uses as it is: every option redis-server accepts in a
/// config file is accepted in sentinel.conf, checked with the same rules, and kept through the
/// rewrite. The rows are the union of Redis 7.0.15, 7.2.6 and 7.4.1, of Valkey 8.0.1, of
/// Valkey's unstable branch of October 2024, of "Valkey 8.1" and of Valkey 9.0:
///
/// - "Valkey 8.1" rows were read from `src/config.c` of valkey-io/valkey commit 9521f5f, an
///   unstable-branch commit taken after 8.1.0 and before 9.0.0-rc1: it has every 8.1 option
///   (`commandlog-*`, `rdma-*`, `import-mode`, `rdb-version-check`, ...) and
///   `auto-failover-on-shutdown`, which shipped first in 9.0.
/// - "Valkey 9.0" rows are the options 9.0 added after that commit, named in 9.0's release notes
///   and pull requests (`cluster-databases`, `cluster-announce-client-port`/`-tls-port`, `mptcp`,
///   `repl-mptcp`, `tls-auth-clients-user`); their source line was not available to us, so their
///   bounds are the ones of their kind (a port is 0 to 65535), and a row says so.
///
/// Options of Valkey 9.0 whose exact names we could not confirm (the reply-copy-avoidance and
/// atomic-slot-migration tunables) and Valkey 9.1's are not in the table; docs/configuration.md
/// lists them. A row whose option does not exist in every version says where it exists. Where
/// the versions differ, the row takes the widest rule (the union of enum values, the lowest
/// minimum and the highest maximum), so a file written by any of them loads. Unsigned bounds
/// above `Int64.max` are capped at `Int64.max`.
extension ConfigDirectives {
    /// Server directives accepted and preserved in ``SentinelConfig/otherDirectives``, keyed by
    /// their primary name (see ``aliases``); one row per option.
    static let accepted: [String: ArgumentKind] = [
        "user": .variadic,
        "acl-pubsub-default": .oneOf(["allchannels", "resetchannels"]),
        "aclfile": .string,
        "acllog-max-len": .integer(min: 0, max: Int64.max),
        "active-defrag-cycle-max": .integer(min: 1, max: 99),
        "active-defrag-cycle-min": .integer(min: 1, max: 99),
        "active-defrag-cycle-us": .integer(min: 0, max: 100000),  // only in Valkey 8.1
        "active-defrag-ignore-bytes": .memoryRange(min: 1, max: Int64.max),
        "active-defrag-max-scan-fields": .integer(min: 1, max: Int64.max),
        "active-defrag-threshold-lower": .integer(min: 0, max: 1000),
        "active-defrag-threshold-upper": .integer(min: 0, max: 1000),
        "active-expire-effort": .integer(min: 1, max: 10),
        "activedefrag": .yesNo,
        "activerehashing": .yesNo,
        "always-show-logo": .yesNo,
        "aof-disable-auto-gc": .yesNo,
        "aof-load-truncated": .yesNo,
        "aof-rewrite-cpulist": .string,  // only in 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "aof-rewrite-incremental-fsync": .yesNo,
        "aof-timestamp-enabled": .yesNo,
        "aof-use-rdb-preamble": .yesNo,
        "auto-failover-on-shutdown": .yesNo,  // only in Valkey 8.1 (commit 9521f5f), 9.0
        "aof_rewrite_cpulist": .string,  // only in 7.0, 7.2
        "appenddirname": .fileName(noun: "dirname", allowsEmpty: false),
        "appendfilename": .fileName(noun: "filename", allowsEmpty: false),
        "appendfsync": .oneOf(["everysec", "always", "no"]),
        "appendonly": .yesNo,
        "auto-aof-rewrite-min-size": .memoryRange(min: 0, max: Int64.max),
        "auto-aof-rewrite-percentage": .integer(min: 0, max: intMax),
        "availability-zone": .string,  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "bgsave-cpulist": .string,  // only in 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "bgsave_cpulist": .string,  // only in 7.0, 7.2
        "bind-source-addr": .string,
        "bio-cpulist": .string,  // only in 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "bio_cpulist": .string,  // only in 7.0, 7.2
        "busy-reply-threshold": .integer(min: 0, max: Int64.max),
        "client-default-resp": .integer(min: 2, max: 3),  // only in 7.2, 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "client-output-buffer-limit": .outputBufferLimits,
        "client-query-buffer-limit": .memoryRange(min: 1048576, max: Int64.max),
        "cluster-allow-pubsubshard-when-down": .yesNo,
        "cluster-allow-reads-when-down": .yesNo,
        "cluster-allow-replica-migration": .yesNo,
        "cluster-announce-bus-port": .integer(min: 0, max: 65535),
        "cluster-announce-client-ipv4": .ipAddress(v6: false),  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "cluster-announce-client-ipv6": .ipAddress(v6: true),  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "cluster-announce-client-port": .integer(min: 0, max: 65535),  // only in Valkey 9.0 (#2429; bounds of a port, not read)
        "cluster-announce-client-tls-port": .integer(min: 0, max: 65535),  // only in Valkey 9.0 (#2429; bounds of a port, not read)
        "cluster-announce-hostname": .hostname,
        "cluster-announce-human-nodename": .string,  // only in 7.2, 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "cluster-announce-ip": .string,
        "cluster-announce-port": .integer(min: 0, max: 65535),
        "cluster-announce-tls-port": .integer(min: 0, max: 65535),
        "cluster-blacklist-ttl": .integer(min: 0, max: Int64.max),  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "cluster-config-file": .string,
        "cluster-databases": .integer(min: 1, max: intMax),  // only in Valkey 9.0 (#1671; bounds not read)
        "cluster-enabled": .yesNo,
        "cluster-link-sendbuf-limit": .memoryRange(min: 0, max: Int64.max),
        "cluster-manual-failover-timeout": .integer(min: 1, max: intMax),  // only in Valkey 8.1
        "cluster-migration-barrier": .integer(min: 0, max: intMax),
        "cluster-node-timeout": .integer(min: 0, max: Int64.max),
        "cluster-ping-interval": .integer(min: 0, max: Int64.max),  // only in 7.2, 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "cluster-port": .integer(min: 0, max: 65535),
        "cluster-preferred-endpoint-type": .oneOf(["ip", "hostname", "unknown-endpoint"]),
        "cluster-replica-no-failover": .yesNo,
        "cluster-replica-validity-factor": .integer(min: 0, max: intMax),
        "cluster-require-full-coverage": .yesNo,
        "cluster-slot-stats-enabled": .yesNo,  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "commandlog-large-reply-max-len": .integer(min: 0, max: Int64.max),  // only in Valkey 8.1
        "commandlog-large-request-max-len": .integer(min: 0, max: Int64.max),  // only in Valkey 8.1
        "commandlog-reply-larger-than": .integer(min: -1, max: Int64.max),  // only in Valkey 8.1
        "commandlog-request-larger-than": .integer(min: -1, max: Int64.max),  // only in Valkey 8.1
        "crash-log-enabled": .yesNo,
        "crash-memcheck-enabled": .yesNo,
        "databases": .integer(min: 1, max: intMax),
        "dbfilename": .fileName(noun: "filename", allowsEmpty: true),
        "debug-context": .string,  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "disable-thp": .yesNo,
        "dual-channel-replication-enabled": .yesNo,  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "dynamic-hz": .yesNo,  // Valkey 8.1 and later accept it and ignore it (deprecated)
        "enable-debug-assert": .yesNo,  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "enable-debug-command": .oneOf(["no", "yes", "local"]),
        "enable-module-command": .oneOf(["no", "yes", "local"]),
        "enable-protected-configs": .oneOf(["no", "yes", "local"]),
        "events-per-io-thread": .integer(min: 0, max: intMax),  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "extended-redis-compatibility": .yesNo,  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "hash-max-listpack-entries": .integer(min: 0, max: Int64.max),
        "hash-max-listpack-value": .memoryRange(min: 0, max: Int64.max),
        "hide-user-data-from-log": .yesNo,  // only in 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "hll-sparse-max-bytes": .memoryRange(min: 0, max: Int64.max),
        "hz": .integer(min: 0, max: intMax),
        "ignore-warnings": .string,
        "import-mode": .yesNo,  // only in Valkey 8.1
        "io-threads": .integer(min: 1, max: 128),
        "io-threads-do-reads": .yesNo,  // only in 7.0, 7.2, 7.4, Valkey 8.0 (8.1 and later accept it and ignore it)
        "jemalloc-bg-thread": .yesNo,
        "key-load-delay": .integer(min: Int64(Int32.min), max: intMax),
        "latency-monitor-threshold": .integer(min: 0, max: Int64.max),
        "latency-tracking": .yesNo,
        "latency-tracking-info-percentiles": .percentiles,
        "lazyfree-lazy-eviction": .yesNo,
        "lazyfree-lazy-expire": .yesNo,
        "lazyfree-lazy-server-del": .yesNo,
        "lazyfree-lazy-user-del": .yesNo,
        "lazyfree-lazy-user-flush": .yesNo,
        "lfu-decay-time": .integer(min: 0, max: intMax),
        "lfu-log-factor": .integer(min: 0, max: intMax),
        "list-compress-depth": .integer(min: 0, max: intMax),
        "list-max-listpack-size": .integer(min: Int64(Int32.min), max: intMax),
        "loading-process-events-interval-bytes": .integer(min: 1024, max: intMax),
        "locale-collate": .string,  // only in 7.2, 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        // `log-format` (Valkey 8.1: legacy, logfmt) is acted on: ConfigParser, LogFormat.
        "log-timestamp-format": .oneOf(["legacy", "iso8601", "milliseconds"]),  // only in Valkey unstable 2024-10, Valkey 8.1
        "masterauth": .string,  // only in 7.0, 7.2, 7.4
        "masteruser": .string,  // only in 7.0, 7.2, 7.4
        "max-new-connections-per-cycle": .integer(min: 1, max: 1000),  // only in 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "max-new-tls-connections-per-cycle": .integer(min: 1, max: 1000),  // only in 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        // swift-sentinel's own: the `/metrics` listener (MetricsSettings.swift, docs/operations.md).
        "metrics-bind": .bindList,
        "metrics-port": .integer(min: 0, max: 65535),
        "metrics-tls": .yesNo,
        "maxclients": .integer(min: 1, max: Int64(UInt32.max)),
        "maxmemory": .memoryRange(min: 0, max: Int64.max),
        "maxmemory-clients": .memoryOrPercent(min: -100, max: Int64.max),
        "maxmemory-eviction-tenacity": .integer(min: 0, max: 100),
        "maxmemory-policy": .oneOf(["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"]),
        "maxmemory-samples": .integer(min: 1, max: intMax),
        "min-replicas-max-lag": .integer(min: 0, max: intMax),
        "min-replicas-to-write": .integer(min: 0, max: intMax),
        "mptcp": .yesNo,  // only in Valkey 9.0 (#1811)
        "no-appendfsync-on-rewrite": .yesNo,
        "notify-keyspace-events": .keyspaceEvents,
        "oom-score-adj": .oneOf(["no", "yes", "relative", "absolute"]),
        "oom-score-adj-values": .oomScoreAdjValues,
        "prefetch-batch-max-size": .integer(min: 0, max: 128),  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "proc-title-template": .string,
        "propagation-error-behavior": .oneOf(["ignore", "panic", "panic-on-replicas"]),
        "proto-max-bulk-len": .memoryRange(min: 1048576, max: Int64.max),
        "rdb-del-sync-files": .yesNo,
        "rdb-key-save-delay": .integer(min: Int64(Int32.min), max: intMax),
        "rdb-save-incremental-fsync": .yesNo,
        "rdb-version-check": .oneOf(["strict", "relaxed"]),  // only in Valkey 8.1
        "rdbchecksum": .yesNo,
        "rdbcompression": .yesNo,
        "rdma-bind": .variadic,  // only in Valkey 8.1 (addresses, like bind)
        "rdma-completion-vector": .integer(min: -1, max: 1024),  // only in Valkey 8.1
        "rdma-port": .integer(min: 0, max: 65535),  // only in Valkey 8.1
        "rdma-rx-size": .integer(min: 65536, max: 16777216),  // only in Valkey 8.1
        "repl-backlog-size": .memoryRange(min: 1, max: Int64.max),
        "repl-backlog-ttl": .integer(min: 0, max: Int64.max),
        "repl-disable-tcp-nodelay": .yesNo,
        "repl-diskless-load": .oneOf(["disabled", "on-empty-db", "swapdb", "flush-before-load"]),
        "repl-diskless-sync": .yesNo,
        "repl-diskless-sync-delay": .integer(min: 0, max: intMax),
        "repl-diskless-sync-max-replicas": .integer(min: 0, max: intMax),
        "repl-mptcp": .yesNo,  // only in Valkey 9.0 (#1961)
        "repl-ping-replica-period": .integer(min: 1, max: intMax),
        "repl-timeout": .integer(min: 1, max: intMax),
        "replica-announce-ip": .string,
        "replica-announce-port": .integer(min: 0, max: 65535),
        "replica-announced": .yesNo,
        "replica-ignore-disk-write-errors": .yesNo,
        "replica-ignore-maxmemory": .yesNo,
        "replica-lazy-flush": .yesNo,
        "replica-priority": .integer(min: 0, max: intMax),
        "replica-read-only": .yesNo,
        "replica-serve-stale-data": .yesNo,
        "replicaof": .replicaOf,
        "req-res-logfile": .string,  // only in 7.2, 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "sanitize-dump-payload": .oneOf(["no", "yes", "clients"]),
        "save": .saveParams,
        "server-cpulist": .string,  // only in 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "server_cpulist": .string,  // only in 7.0, 7.2
        "set-max-intset-entries": .integer(min: 0, max: Int64.max),
        "set-max-listpack-entries": .integer(min: 0, max: Int64.max),  // only in 7.2, 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "set-max-listpack-value": .integer(min: 0, max: Int64.max),  // only in 7.2, 7.4, Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "set-proc-title": .yesNo,
        "shutdown-on-sigint": .shutdownOnSignal,
        "shutdown-on-sigterm": .shutdownOnSignal,
        "shutdown-timeout": .integer(min: 0, max: intMax),
        "slowlog-log-slower-than": .integer(min: -1, max: Int64.max),
        "slowlog-max-len": .integer(min: 0, max: Int64.max),
        "socket-mark-id": .integer(min: 0, max: Int64(UInt32.max)),
        "stop-writes-on-bgsave-error": .yesNo,
        "stream-node-max-bytes": .memoryRange(min: 0, max: Int64.max),
        "stream-node-max-entries": .integer(min: 0, max: Int64.max),
        "supervised": .oneOf(["upstart", "systemd", "auto", "no"]),
        "syslog-enabled": .yesNo,
        "syslog-facility": .oneOf(["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]),
        "syslog-ident": .string,
        "tcp-backlog": .integer(min: 0, max: intMax),
        "tcp-keepalive": .integer(min: 0, max: intMax),
        "timeout": .integer(min: 0, max: intMax),
        "tls-auth-clients": .oneOf(["no", "yes", "optional"]),
        "tls-auth-clients-user": .oneOf(["cn", "off"]),  // only in Valkey 9.0 (#1920)
        "tls-ca-cert-dir": .string,
        "tls-ca-cert-file": .string,
        "tls-cert-file": .string,
        "tls-ciphers": .string,
        "tls-ciphersuites": .string,
        "tls-client-cert-file": .string,
        "tls-client-key-file": .string,
        "tls-client-key-file-pass": .string,
        "tls-cluster": .yesNo,
        "tls-dh-params-file": .string,
        "tls-key-file": .string,
        "tls-key-file-pass": .string,
        "tls-port": .integer(min: 0, max: 65535),
        "tls-prefer-server-ciphers": .yesNo,
        "tls-protocols": .string,
        "tls-replication": .yesNo,
        "tls-session-cache-size": .integer(min: 0, max: intMax),
        "tls-session-cache-timeout": .integer(min: 0, max: intMax),
        "tls-session-caching": .yesNo,
        "tracking-table-max-keys": .integer(min: 0, max: Int64.max),
        "unixsocket": .string,
        "unixsocketgroup": .string,  // only in Valkey 8.0, Valkey unstable 2024-10, Valkey 8.1
        "unixsocketperm": .octal,
        "use-exit-on-panic": .yesNo,
        "watchdog-period": .integer(min: 0, max: intMax),
        "zset-max-listpack-entries": .integer(min: 0, max: Int64.max),
        "zset-max-listpack-value": .memoryRange(min: 0, max: Int64.max),
        "coordinated-failover-pause": .string,  // kept for compatibility (docs/configuration.md)
    ]

    /// Old names of options (`slaveof`, `slave-read-only`, Valkey's `primaryauth`...), mapped to the
    /// name the option is kept and rewritten under. Reproduces Redis's alias handling: an alias
    /// sets the same option, and the rewrite writes the old line under the primary name
    /// (redis-sentinel 7.0.15 rewrites `slaveof 127.0.0.1 6380` as `replicaof 127.0.0.1 6380`).
    /// `primaryauth`/`primaryuser` (Valkey's primary names) map to `masterauth`/`masteruser`,
    /// and Valkey 8.1's `commandlog-execution-slower-than`/`commandlog-slow-execution-max-len` to
    /// `slowlog-log-slower-than`/`slowlog-max-len` (their aliases there): the names every Redis
    /// and Valkey version loads. The `*_cpulist` names are primary in 7.0
    /// and 7.2 and aliases of `*-cpulist` from 7.4 on; both spellings are kept as written.
    static let aliases: [String: String] = [
        "cluster-slave-no-failover": "cluster-replica-no-failover",
        "cluster-slave-validity-factor": "cluster-replica-validity-factor",
        "commandlog-execution-slower-than": "slowlog-log-slower-than",
        "commandlog-slow-execution-max-len": "slowlog-max-len",
        "hash-max-ziplist-entries": "hash-max-listpack-entries",
        "hash-max-ziplist-value": "hash-max-listpack-value",
        "list-max-ziplist-size": "list-max-listpack-size",
        "lua-time-limit": "busy-reply-threshold",
        "min-slaves-max-lag": "min-replicas-max-lag",
        "min-slaves-to-write": "min-replicas-to-write",
        "primaryauth": "masterauth",
        "primaryuser": "masteruser",
        "repl-ping-slave-period": "repl-ping-replica-period",
        "slave-announce-ip": "replica-announce-ip",
        "slave-announce-port": "replica-announce-port",
        "slave-ignore-maxmemory": "replica-ignore-maxmemory",
        "slave-lazy-flush": "replica-lazy-flush",
        "slave-priority": "replica-priority",
        "slave-read-only": "replica-read-only",
        "slave-serve-stale-data": "replica-serve-stale-data",
        "slaveof": "replicaof",
        "zset-max-ziplist-entries": "zset-max-listpack-entries",
        "zset-max-ziplist-value": "zset-max-listpack-value",
    ]

    /// Options Redis no longer has but still accepts with one value and ignores
    /// (`deprecated_configs[]`); redis-sentinel 7.0.15's rewrite turns their lines into `# ???`
    /// comments, and so does ours (they are not known options).
    static let deprecated: Set<String> = [
        "list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands",
    ]
}
