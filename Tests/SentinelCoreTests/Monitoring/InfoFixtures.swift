/// Complete `INFO` replies captured from Debian's redis-server 7.0.15 (`redis-cli -p <port> INFO`)
/// for a master with one online replica and for that replica, link up. The literals hold LF
/// line ends; ``crlf(_:)`` gives the CRLF form Redis sends.
enum InfoFixtures {
    static let master = """
        # Server
        redis_version:7.0.15
        redis_git_sha1:00000000
        redis_git_dirty:0
        redis_build_id:ae4d7c971a948f0
        redis_mode:standalone
        os:Linux 6.18.44-fc-v669 x86_64
        arch_bits:64
        monotonic_clock:POSIX clock_gettime
        multiplexing_api:epoll
        atomicvar_api:c11-builtin
        gcc_version:12.2.0
        process_id:6486
        process_supervised:no
        run_id:e8154650876cbfaa939a570bd960e31d5f3ec061
        tcp_port:38455
        server_time_usec:1796126117546609
        uptime_in_seconds:2
        uptime_in_days:0
        hz:10
        configured_hz:10
        lru_clock:964005
        executable:/tmp/ip/redis-server
        config_file:
        io_threads_active:0

        # Clients
        connected_clients:1
        cluster_connections:0
        maxclients:10000
        client_recent_max_input_buffer:20480
        client_recent_max_output_buffer:20504
        blocked_clients:0
        tracking_clients:0
        clients_in_timeout_table:0

        # Memory
        used_memory:1034376
        used_memory_human:1010.13K
        used_memory_rss:12455936
        used_memory_rss_human:11.88M
        used_memory_peak:1034376
        used_memory_peak_human:1010.13K
        used_memory_peak_perc:100.85%
        used_memory_overhead:896868
        used_memory_startup:876160
        used_memory_dataset:137508
        used_memory_dataset_perc:86.91%
        allocator_allocated:1821920
        allocator_active:1982464
        allocator_resident:4653056
        total_system_memory:25276502016
        total_system_memory_human:23.54G
        used_memory_lua:32768
        used_memory_vm_eval:32768
        used_memory_lua_human:32.00K
        used_memory_scripts_eval:0
        number_of_cached_scripts:0
        number_of_functions:0
        number_of_libraries:0
        used_memory_vm_functions:33792
        used_memory_vm_total:66560
        used_memory_vm_total_human:65.00K
        used_memory_functions:200
        used_memory_scripts:200
        used_memory_scripts_human:200B
        maxmemory:0
        maxmemory_human:0B
        maxmemory_policy:noeviction
        allocator_frag_ratio:1.09
        allocator_frag_bytes:160544
        allocator_rss_ratio:2.35
        allocator_rss_bytes:2670592
        rss_overhead_ratio:2.68
        rss_overhead_bytes:7802880
        mem_fragmentation_ratio:12.53
        mem_fragmentation_bytes:11462192
        mem_not_counted_for_evict:0
        mem_replication_backlog:20508
        mem_total_replication_buffers:20504
        mem_clients_slaves:0
        mem_clients_normal:0
        mem_cluster_links:0
        mem_aof_buffer:0
        mem_allocator:jemalloc-5.3.0
        active_defrag_running:0
        lazyfree_pending_objects:0
        lazyfreed_objects:0

        # Persistence
        loading:0
        async_loading:0
        current_cow_peak:0
        current_cow_size:0
        current_cow_size_age:0
        current_fork_perc:0.00
        current_save_keys_processed:0
        current_save_keys_total:0
        rdb_changes_since_last_save:0
        rdb_bgsave_in_progress:0
        rdb_last_save_time:1796126115
        rdb_last_bgsave_status:ok
        rdb_last_bgsave_time_sec:0
        rdb_current_bgsave_time_sec:-1
        rdb_saves:0
        rdb_last_cow_size:495616
        rdb_last_load_keys_expired:0
        rdb_last_load_keys_loaded:0
        aof_enabled:0
        aof_rewrite_in_progress:0
        aof_rewrite_scheduled:0
        aof_last_rewrite_time_sec:-1
        aof_current_rewrite_time_sec:-1
        aof_last_bgrewrite_status:ok
        aof_rewrites:0
        aof_rewrites_consecutive_failures:0
        aof_last_write_status:ok
        aof_last_cow_size:0
        module_fork_in_progress:0
        module_fork_last_cow_size:0

        # Stats
        total_connections_received:2
        total_commands_processed:6
        instantaneous_ops_per_sec:0
        total_net_input_bytes:235
        total_net_output_bytes:290
        total_net_repl_input_bytes:0
        total_net_repl_output_bytes:273
        instantaneous_input_kbps:0.02
        instantaneous_output_kbps:0.01
        instantaneous_input_repl_kbps:0.00
        instantaneous_output_repl_kbps:0.01
        rejected_connections:0
        sync_full:1
        sync_partial_ok:0
        sync_partial_err:0
        expired_keys:0
        expired_stale_perc:0.00
        expired_time_cap_reached_count:0
        expire_cycle_cpu_milliseconds:0
        evicted_keys:0
        evicted_clients:0
        total_eviction_exceeded_time:0
        current_eviction_exceeded_time:0
        keyspace_hits:0
        keyspace_misses:0
        pubsub_channels:0
        pubsub_patterns:0
        pubsubshard_channels:0
        latest_fork_usec:417
        total_forks:1
        migrate_cached_sockets:0
        slave_expires_tracked_keys:0
        active_defrag_hits:0
        active_defrag_misses:0
        active_defrag_key_hits:0
        active_defrag_key_misses:0
        total_active_defrag_time:0
        current_active_defrag_time:0
        tracking_total_keys:0
        tracking_total_items:0
        tracking_total_prefixes:0
        unexpected_error_replies:0
        total_error_replies:0
        dump_payload_sanitizations:0
        total_reads_processed:7
        total_writes_processed:4
        io_threaded_reads_processed:0
        io_threaded_writes_processed:0
        reply_buffer_shrinks:1
        reply_buffer_expands:0

        # Replication
        role:master
        connected_slaves:1
        slave0:ip=127.0.0.1,port=55429,state=online,offset=0,lag=1
        master_failover_state:no-failover
        master_replid:224357996eb2814f01cc24d3a4ae67375777551e
        master_replid2:0000000000000000000000000000000000000000
        master_repl_offset:14
        second_repl_offset:-1
        repl_backlog_active:1
        repl_backlog_size:1048576
        repl_backlog_first_byte_offset:1
        repl_backlog_histlen:14

        # CPU
        used_cpu_sys:0.000000
        used_cpu_user:0.011250
        used_cpu_sys_children:0.000000
        used_cpu_user_children:0.001479
        used_cpu_sys_main_thread:0.000000
        used_cpu_user_main_thread:0.011198

        # Modules

        # Errorstats

        # Cluster
        cluster_enabled:0

        # Keyspace
        """

    static let replica = """
        # Server
        redis_version:7.0.15
        redis_git_sha1:00000000
        redis_git_dirty:0
        redis_build_id:ae4d7c971a948f0
        redis_mode:standalone
        os:Linux 6.18.44-fc-v669 x86_64
        arch_bits:64
        monotonic_clock:POSIX clock_gettime
        multiplexing_api:epoll
        atomicvar_api:c11-builtin
        gcc_version:12.2.0
        process_id:6487
        process_supervised:no
        run_id:c619f6dc2032635d533efdb80fa5fcbcd79c1551
        tcp_port:55429
        server_time_usec:1796126117550981
        uptime_in_seconds:2
        uptime_in_days:0
        hz:10
        configured_hz:10
        lru_clock:964005
        executable:/tmp/ip/redis-server
        config_file:
        io_threads_active:0

        # Clients
        connected_clients:2
        cluster_connections:0
        maxclients:10000
        client_recent_max_input_buffer:32
        client_recent_max_output_buffer:0
        blocked_clients:0
        tracking_clients:0
        clients_in_timeout_table:0

        # Memory
        used_memory:989144
        used_memory_human:965.96K
        used_memory_rss:12206080
        used_memory_rss_human:11.64M
        used_memory_peak:989440
        used_memory_peak_human:966.25K
        used_memory_peak_perc:99.97%
        used_memory_overhead:898628
        used_memory_startup:876096
        used_memory_dataset:90516
        used_memory_dataset_perc:80.07%
        allocator_allocated:1760480
        allocator_active:1908736
        allocator_resident:4624384
        total_system_memory:25276502016
        total_system_memory_human:23.54G
        used_memory_lua:32768
        used_memory_vm_eval:32768
        used_memory_lua_human:32.00K
        used_memory_scripts_eval:0
        number_of_cached_scripts:0
        number_of_functions:0
        number_of_libraries:0
        used_memory_vm_functions:33792
        used_memory_vm_total:66560
        used_memory_vm_total_human:65.00K
        used_memory_functions:200
        used_memory_scripts:200
        used_memory_scripts_human:200B
        maxmemory:0
        maxmemory_human:0B
        maxmemory_policy:noeviction
        allocator_frag_ratio:1.08
        allocator_frag_bytes:148256
        allocator_rss_ratio:2.42
        allocator_rss_bytes:2715648
        rss_overhead_ratio:2.64
        rss_overhead_bytes:7581696
        mem_fragmentation_ratio:12.87
        mem_fragmentation_bytes:11257568
        mem_not_counted_for_evict:0
        mem_replication_backlog:20508
        mem_total_replication_buffers:20504
        mem_clients_slaves:0
        mem_clients_normal:1824
        mem_cluster_links:0
        mem_aof_buffer:0
        mem_allocator:jemalloc-5.3.0
        active_defrag_running:0
        lazyfree_pending_objects:0
        lazyfreed_objects:0

        # Persistence
        loading:0
        async_loading:0
        current_cow_peak:0
        current_cow_size:0
        current_cow_size_age:0
        current_fork_perc:0.00
        current_save_keys_processed:0
        current_save_keys_total:0
        rdb_changes_since_last_save:0
        rdb_bgsave_in_progress:0
        rdb_last_save_time:1796126115
        rdb_last_bgsave_status:ok
        rdb_last_bgsave_time_sec:-1
        rdb_current_bgsave_time_sec:-1
        rdb_saves:0
        rdb_last_cow_size:0
        rdb_last_load_keys_expired:0
        rdb_last_load_keys_loaded:0
        aof_enabled:0
        aof_rewrite_in_progress:0
        aof_rewrite_scheduled:0
        aof_last_rewrite_time_sec:-1
        aof_current_rewrite_time_sec:-1
        aof_last_bgrewrite_status:ok
        aof_rewrites:0
        aof_rewrites_consecutive_failures:0
        aof_last_write_status:ok
        aof_last_cow_size:0
        module_fork_in_progress:0
        module_fork_last_cow_size:0

        # Stats
        total_connections_received:2
        total_commands_processed:2
        instantaneous_ops_per_sec:1
        total_net_input_bytes:319
        total_net_output_bytes:653
        total_net_repl_input_bytes:273
        total_net_repl_output_bytes:0
        instantaneous_input_kbps:0.03
        instantaneous_output_kbps:0.37
        instantaneous_input_repl_kbps:0.01
        instantaneous_output_repl_kbps:0.00
        rejected_connections:0
        sync_full:0
        sync_partial_ok:0
        sync_partial_err:0
        expired_keys:0
        expired_stale_perc:0.00
        expired_time_cap_reached_count:0
        expire_cycle_cpu_milliseconds:0
        evicted_keys:0
        evicted_clients:0
        total_eviction_exceeded_time:0
        current_eviction_exceeded_time:0
        keyspace_hits:0
        keyspace_misses:0
        pubsub_channels:0
        pubsub_patterns:0
        pubsubshard_channels:0
        latest_fork_usec:0
        total_forks:0
        migrate_cached_sockets:0
        slave_expires_tracked_keys:0
        active_defrag_hits:0
        active_defrag_misses:0
        active_defrag_key_hits:0
        active_defrag_key_misses:0
        total_active_defrag_time:0
        current_active_defrag_time:0
        tracking_total_keys:0
        tracking_total_items:0
        tracking_total_prefixes:0
        unexpected_error_replies:0
        total_error_replies:0
        dump_payload_sanitizations:0
        total_reads_processed:4
        total_writes_processed:3
        io_threaded_reads_processed:0
        io_threaded_writes_processed:0
        reply_buffer_shrinks:1
        reply_buffer_expands:0

        # Replication
        role:slave
        master_host:127.0.0.1
        master_port:38455
        master_link_status:up
        master_last_io_seconds_ago:1
        master_sync_in_progress:0
        slave_read_repl_offset:14
        slave_repl_offset:14
        slave_priority:100
        slave_read_only:1
        replica_announced:1
        connected_slaves:0
        master_failover_state:no-failover
        master_replid:224357996eb2814f01cc24d3a4ae67375777551e
        master_replid2:0000000000000000000000000000000000000000
        master_repl_offset:14
        second_repl_offset:-1
        repl_backlog_active:1
        repl_backlog_size:1048576
        repl_backlog_first_byte_offset:1
        repl_backlog_histlen:14

        # CPU
        used_cpu_sys:0.011313
        used_cpu_user:0.000000
        used_cpu_sys_children:0.000000
        used_cpu_user_children:0.000000
        used_cpu_sys_main_thread:0.011236
        used_cpu_user_main_thread:0.000000

        # Modules

        # Errorstats

        # Cluster
        cluster_enabled:0

        # Keyspace
        """

    /// `text` with every `\n` turned into `\r\n`, as on the wire.
    static func crlf(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") + "\r\n"
    }
}
