import Testing

@testable import SentinelCore

/// `InfoParser` on INFO replies captured from redis-server 7.0.15 (trimmed to the sections that
/// matter) and on malformed input.
@Suite("InfoParser")
struct InfoParserTests {
    // MARK: Fixtures captured from redis-server 7.0.15 (a master and its replica)

    static let masterInfo: String = [
        "# Server",
        "redis_version:7.0.15",
        "redis_git_sha1:00000000",
        "redis_git_dirty:0",
        "redis_build_id:ae4d7c971a948f0",
        "redis_mode:standalone",
        "os:Linux 6.18.44-fc-v769 x86_64",
        "arch_bits:64",
        "monotonic_clock:POSIX clock_gettime",
        "multiplexing_api:epoll",
        "atomicvar_api:c11-builtin",
        "gcc_version:12.2.0",
        "process_id:10320",
        "process_supervised:no",
        "run_id:dba6e708d2aa75510a76d6b278966053ae1895c1",
        "tcp_port:16999",
        "server_time_usec:1795321245058694",
        "uptime_in_seconds:20",
        "uptime_in_days:0",
        "hz:10",
        "configured_hz:10",
        "lru_clock:159133",
        "executable:/tmp/obs/redis-server",
        "config_file:",
        "io_threads_active:0",
        "",
        "# Clients",
        "connected_clients:1",
        "cluster_connections:0",
        "maxclients:10000",
        "client_recent_max_input_buffer:20480",
        "client_recent_max_output_buffer:20504",
        "blocked_clients:0",
        "tracking_clients:0",
        "clients_in_timeout_table:0",
        "",
        "# Replication",
        "role:master",
        "connected_slaves:1",
        "slave0:ip=127.0.0.1,port=17000,state=online,offset=1199,lag=1",
        "master_failover_state:no-failover",
        "master_replid:0b7e1dff3df106c46a1e50da4cde5c619d548cd9",
        "master_replid2:0000000000000000000000000000000000000000",
        "master_repl_offset:1199",
        "second_repl_offset:-1",
        "repl_backlog_active:1",
        "repl_backlog_size:1048576",
        "repl_backlog_first_byte_offset:1",
        "repl_backlog_histlen:1199",
        "",
        "# Keyspace",
        "",
    ].joined(separator: "\r\n")

    static let replicaInfo: String = [
        "# Server",
        "redis_version:7.0.15",
        "redis_git_sha1:00000000",
        "redis_git_dirty:0",
        "redis_build_id:ae4d7c971a948f0",
        "redis_mode:standalone",
        "os:Linux 6.18.44-fc-v769 x86_64",
        "arch_bits:64",
        "monotonic_clock:POSIX clock_gettime",
        "multiplexing_api:epoll",
        "atomicvar_api:c11-builtin",
        "gcc_version:12.2.0",
        "process_id:10322",
        "process_supervised:no",
        "run_id:5d1098ae9b25af069f03e9e8416ea4c4952863e2",
        "tcp_port:17000",
        "server_time_usec:1795321245059365",
        "uptime_in_seconds:20",
        "uptime_in_days:0",
        "hz:10",
        "configured_hz:10",
        "lru_clock:159133",
        "executable:/tmp/obs/redis-server",
        "config_file:",
        "io_threads_active:0",
        "",
        "# Clients",
        "connected_clients:2",
        "cluster_connections:0",
        "maxclients:10000",
        "client_recent_max_input_buffer:48",
        "client_recent_max_output_buffer:0",
        "blocked_clients:0",
        "tracking_clients:0",
        "clients_in_timeout_table:0",
        "",
        "# Replication",
        "role:slave",
        "master_host:127.0.0.1",
        "master_port:16999",
        "master_link_status:up",
        "master_last_io_seconds_ago:2",
        "master_sync_in_progress:0",
        "slave_read_repl_offset:1199",
        "slave_repl_offset:1199",
        "slave_priority:100",
        "slave_read_only:1",
        "replica_announced:1",
        "connected_slaves:0",
        "master_failover_state:no-failover",
        "master_replid:0b7e1dff3df106c46a1e50da4cde5c619d548cd9",
        "master_replid2:0000000000000000000000000000000000000000",
        "master_repl_offset:1199",
        "second_repl_offset:-1",
        "repl_backlog_active:1",
        "repl_backlog_size:1048576",
        "repl_backlog_first_byte_offset:1",
        "repl_backlog_histlen:1199",
        "",
        "# Keyspace",
        "",
    ].joined(separator: "\r\n")

    static let replicaLinkDownReplication: String = [
        "# Replication",
        "role:slave",
        "master_host:127.0.0.1",
        "master_port:16999",
        "master_link_status:down",
        "master_last_io_seconds_ago:-1",
        "master_sync_in_progress:0",
        "slave_read_repl_offset:1255",
        "slave_repl_offset:1255",
        "master_link_down_since_seconds:2",
        "slave_priority:100",
        "slave_read_only:1",
        "replica_announced:1",
        "connected_slaves:0",
        "master_failover_state:no-failover",
        "master_replid:0b7e1dff3df106c46a1e50da4cde5c619d548cd9",
        "master_replid2:0000000000000000000000000000000000000000",
        "master_repl_offset:1255",
        "second_repl_offset:-1",
        "repl_backlog_active:1",
        "repl_backlog_size:1048576",
        "repl_backlog_first_byte_offset:1",
        "repl_backlog_histlen:1255",
        "",
    ].joined(separator: "\r\n")

    // MARK: Real fixtures

    @Test("master INFO from redis-server 7.0.15")
    func master() {
        let info = InfoParser.parse(Self.masterInfo)
        #expect(info.runID == "dba6e708d2aa75510a76d6b278966053ae1895c1")
        #expect(info.role == .master)
        #expect(info.redisVersion == "7.0.15")
        #expect(info.tcpPort == 16999)
        #expect(info.connectedSlaves == 1)
        #expect(
            info.replicas == [ReplicaListing(host: "127.0.0.1", port: 17000, state: "online", offset: 1199, lag: 1)])
        #expect(info.masterReplOffset == 1199)
        #expect(info.masterFailoverState == "no-failover")
        #expect(info.masterReplID == "0b7e1dff3df106c46a1e50da4cde5c619d548cd9")
        #expect(info.masterReplID2 == "0000000000000000000000000000000000000000")
        // Replica-only fields stay unset on a master.
        #expect(info.masterHost == nil)
        #expect(info.masterPort == nil)
        #expect(info.masterLinkUp == false)
        #expect(info.slavePriority == nil)
        #expect(info.slaveReplOffset == nil)
        #expect(info.replicaAnnounced == nil)
        #expect(info.masterLinkDownSinceSeconds == nil)
    }

    @Test("replica INFO from redis-server 7.0.15, link up")
    func replica() {
        let info = InfoParser.parse(Self.replicaInfo)
        #expect(info.runID == "5d1098ae9b25af069f03e9e8416ea4c4952863e2")
        #expect(info.role == .slave)
        #expect(info.tcpPort == 17000)
        #expect(info.masterHost == "127.0.0.1")
        #expect(info.masterPort == 16999)
        #expect(info.masterLinkUp)
        #expect(info.masterLinkDownSinceSeconds == nil)
        #expect(info.slavePriority == 100)
        #expect(info.slaveReplOffset == 1199)
        #expect(info.replicaAnnounced == true)
        #expect(info.connectedSlaves == 0)
        #expect(info.replicas.isEmpty)
        #expect(info.masterReplOffset == 1199)
        #expect(info.masterFailoverState == "no-failover")
    }

    @Test("replica INFO replication from redis-server 7.0.15, master gone")
    func replicaLinkDown() {
        let info = InfoParser.parse(Self.replicaLinkDownReplication)
        #expect(info.role == .slave)
        #expect(info.masterLinkUp == false)
        #expect(info.masterLinkDownSinceSeconds == 2)
        #expect(info.slaveReplOffset == 1255)
        #expect(info.runID == nil)
    }

    // MARK: Line formats

    @Test("LF-only line endings work like CRLF")
    func lfOnly() {
        let crlf = InfoParser.parse(Self.replicaInfo)
        var lf = ""
        for line in Self.replicaInfo.split(separator: "\r\n", omittingEmptySubsequences: false) {
            lf += line + "\n"
        }
        #expect(InfoParser.parse(lf) == crlf)
    }

    @Test("old and new slaveN formats, several replicas, in order")
    func replicaFormats() {
        let text = """
            role:master\r
            connected_slaves:3\r
            slave0:ip=10.0.0.2,port=6380,state=wait_bgsave,offset=0,lag=0\r
            slave1:10.0.0.3,6381,online\r
            slave12:port=6382,ip=replica.example,state=online,offset=77,lag=3,extra=1\r
            slave_read_only:1\r
            slaveX:ip=10.0.0.9,port=1\r

            """
        let info = InfoParser.parse(text)
        #expect(info.connectedSlaves == 3)
        #expect(
            info.replicas == [
                ReplicaListing(host: "10.0.0.2", port: 6380, state: "wait_bgsave", offset: 0, lag: 0),
                ReplicaListing(host: "10.0.0.3", port: 6381, state: "online"),
                ReplicaListing(host: "replica.example", port: 6382, state: "online", offset: 77, lag: 3),
            ]
        )
    }

    @Test("replica fields are read only after role:slave")
    func slaveFieldsGatedByRole() {
        let before = """
            master_host:10.0.0.1
            master_port:6379
            master_link_status:up
            slave_priority:5
            slave_repl_offset:9
            replica_announced:0
            role:slave
            """
        let info = InfoParser.parse(before)
        #expect(info.role == .slave)
        #expect(info.masterHost == nil)
        #expect(info.masterPort == nil)
        #expect(info.masterLinkUp == false)
        #expect(info.slavePriority == nil)
        #expect(info.slaveReplOffset == nil)
        #expect(info.replicaAnnounced == nil)

        let after = InfoParser.parse("role:slave\n" + before)
        #expect(after.masterHost == "10.0.0.1")
        #expect(after.masterPort == 6379)
        #expect(after.masterLinkUp)
        #expect(after.slavePriority == 5)
        #expect(after.slaveReplOffset == 9)
        #expect(after.replicaAnnounced == false)
    }

    @Test("replica_priority is accepted for slave_priority; -1 down-since")
    func aliasesAndNegatives() {
        let info = InfoParser.parse(
            "role:slave\r\nreplica_priority:0\r\nmaster_link_down_since_seconds:-1\r\nmaster_link_status:down\r\n")
        #expect(info.slavePriority == 0)
        #expect(info.masterLinkDownSinceSeconds == -1)
        #expect(info.masterLinkUp == false)
    }

    @Test("failover states")
    func failoverState() {
        #expect(
            InfoParser.parse("master_failover_state:waiting-for-sync\r\n").masterFailoverState == "waiting-for-sync")
        #expect(
            InfoParser.parse("master_failover_state:failover-in-progress").masterFailoverState == "failover-in-progress"
        )
    }

    // MARK: Malformed input

    @Test("run_id must be exactly 40 characters")
    func runIDLength() {
        #expect(InfoParser.parse("run_id:abc\r\n").runID == nil)
        #expect(InfoParser.parse("run_id:" + String(repeating: "a", count: 41)).runID == nil)
        #expect(
            InfoParser.parse("run_id:" + String(repeating: "b", count: 40)).runID == String(repeating: "b", count: 40))
    }

    @Test(
        "garbage never crashes and yields nothing",
        arguments: [
            "",
            "\r\n\r\n",
            "#",
            ":",
            "::::",
            "role:",
            "role:sentinel",
            "role",
            "\r",
            "tcp_port:notanumber",
            "connected_slaves:99999999999999999999999999",
            "slave0:",
            "slave0:ip=,port=1",
            "slave0:ip=1.2.3.4,port=x",
            "slave0:ip=1.2.3.4,port=70000",
            "slave0:1.2.3.4",
            "slave0:,,,",
            "slave0:ip=1.2.3.4",
            "\u{0}\u{1}garbage\u{FFFD}",
        ]
    )
    func garbage(text: String) {
        let info = InfoParser.parse(text)
        #expect(info == InstanceInfo())
    }

    @Test("garbage lines between good lines are skipped")
    func mixedGarbage() {
        let text =
            "???\r\n# Replication\r\nno colon here\r\nrole:slave\r\nmaster_port:abc\r\nmaster_port:6379\r\n\u{1}\r\nmaster_host:h\r\n"
        let info = InfoParser.parse(text)
        #expect(info.role == .slave)
        #expect(info.masterPort == 6379)
        #expect(info.masterHost == "h")
    }

    @Test("values may contain colons")
    func colonsInValues() {
        let info = InfoParser.parse("role:slave\r\nmaster_host:fe80::1\r\n")
        #expect(info.masterHost == "fe80::1")
    }
}
