/// Deliberate differences between swift-sentinel and the reference (Debian redis-sentinel
/// 7.0.15), as seen by `DifferentialTests`. The test ignores a difference line only when an
/// entry here matches it, and it prints the entries that matched nothing (so that stale entries
/// get removed). Every entry says why the difference is intended.
///
/// Matching: `probe` is the probe label (see `DifferentialProbes`; RESP3 probes start with
/// `[resp3] `), where `*` matches any run of characters (`*CLIENT INFO` matches both protocols). `side` is `.candidate` for a line only swift-sentinel produced and `.reference`
/// for a line only redis-sentinel produced. `line` must be contained in the diff line (leading
/// spaces removed), after masking (numbers are `#`, run ids `<id>`).
///
/// Version numbers are masked everywhere, so `redis_version:7.2.4` vs `7.0.15` (INFO, HELLO)
/// needs no entry: the 7.2.4 we report is deliberate (clients such as coredis compare the version
/// string against "7.2" before sending CLIENT SETINFO).
struct KnownDifference: Sendable {
    let probe: String
    let side: LineDiff.Side
    let line: String
    let reason: String

    func matches(probe label: String, _ entry: LineDiff.Entry) -> Bool {
        let text = entry.line.drop { $0 == " " }
        return entry.side == side && text.contains(line) && Self.glob(probe[...], label[...])
    }

    /// `*` matches any run of characters; everything else matches itself.
    static func glob(_ pattern: Substring, _ text: Substring) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == "*" {
            let rest = pattern.dropFirst()
            var suffix = text
            while true {
                if glob(rest, suffix) { return true }
                if suffix.isEmpty { return false }
                suffix = suffix.dropFirst()
            }
        }
        guard let head = text.first, head == first else { return false }
        return glob(pattern.dropFirst(), text.dropFirst())
    }
}

enum KnownDifferences {
    static let all: [KnownDifference] = [
        // SENTINEL HELP describes our coordinated failover under FAILOVER.
        KnownDifference(
            probe: "SENTINEL HELP", side: .candidate, line: "With COORDINATED [PAUSE-SWITCH], pause writes",
            reason: "swift-sentinel documents SENTINEL FAILOVER <master> COORDINATED in its help"),
        // swift-sentinel names its own version and build commit after redis-sentinel's INFO server
        // fields (issue 15): swift_sentinel_version, swift_sentinel_git_sha1, swift_sentinel_git_dirty.
        KnownDifference(
            probe: "*INFO*", side: .candidate, line: "field swift_sentinel_",
            reason: "swift-sentinel's version and commit in INFO server (docs/operations.md)"),
        // Valkey 9.0's INFO sentinel field (src/sentinel.c of 9.0.5), after
        // sentinel_tilt_since_seconds as Valkey prints it (docs/commands.md, Valkey spellings).
        KnownDifference(
            probe: "*INFO*", side: .candidate, line: "field sentinel_total_tilt",
            reason: "Valkey 9.0's sentinel_total_tilt in INFO sentinel"),
        // CLIENT SETINFO exists from Redis 7.2 on. Every modern client sends it on connect
        // (redis-py, go-redis, Jedis, Lettuce, ioredis, node-redis) and ignores the error, so
        // accepting it is harmless, and it lets CLIENT LIST show the library.
        KnownDifference(
            probe: "CLIENT SETINFO LIB-NAME differential-probe", side: .reference,
            line: "error \"ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\"",
            reason: "7.0.15 has no CLIENT SETINFO; swift-sentinel answers like Redis 7.2 (clients send it on every connect)"),
        KnownDifference(
            probe: "CLIENT SETINFO LIB-NAME differential-probe", side: .candidate, line: "simple \"OK\"",
            reason: "7.0.15 has no CLIENT SETINFO; swift-sentinel answers like Redis 7.2 (clients send it on every connect)"),
        // Redis 7.2 added lib-name and lib-ver to every CLIENT INFO / CLIENT LIST record
        // (filled in by CLIENT SETINFO).
        KnownDifference(
            probe: "*CLIENT INFO", side: .candidate, line: "client-field lib-name",
            reason: "Redis 7.2 record layout: lib-name set by CLIENT SETINFO"),
        KnownDifference(
            probe: "*CLIENT INFO", side: .candidate, line: "client-field lib-ver",
            reason: "Redis 7.2 record layout: lib-ver set by CLIENT SETINFO"),
        // ACL LOG's client-info is the CLIENT LIST record of the client (catClientInfoString).
        // Other deliberate ACL differences, kept out of the probes (docs/acl.md): single commands
        // in rule descriptions are listed in table order (Redis: its per-process hash order, so
        // the probes use users with at most one single command), and ACL SETUSER/DELUSER are
        // persisted before they answer (not visible in a reply).
        KnownDifference(
            probe: "ACL LOG*", side: .candidate, line: "client-field lib-name",
            reason: "ACL LOG client-info is a CLIENT LIST record: Redis 7.2 layout with lib-name"),
        KnownDifference(
            probe: "ACL LOG*", side: .candidate, line: "client-field lib-ver",
            reason: "ACL LOG client-info is a CLIENT LIST record: Redis 7.2 layout with lib-ver"),
        KnownDifference(
            probe: "pipeline: HELLO 3 | ACL GETUSER probe-sel*", side: .candidate, line: "resp=# lib-name= lib-ver=",
            reason: "ACL LOG client-info (raw RESP3) is a CLIENT LIST record: Redis 7.2 layout with lib-name/lib-ver"),
        KnownDifference(
            probe: "pipeline: HELLO 3 | ACL GETUSER probe-sel*", side: .reference, line: "cmd=psubscribe user=probe-user redir=# resp=#",
            reason: "ACL LOG client-info (raw RESP3) is a CLIENT LIST record: Redis 7.2 layout with lib-name/lib-ver"),
        KnownDifference(
            probe: "*CLIENT LIST*", side: .candidate, line: "client-field lib-name",
            reason: "Redis 7.2 record layout: lib-name set by CLIENT SETINFO"),
        KnownDifference(
            probe: "*CLIENT LIST*", side: .candidate, line: "client-field lib-ver",
            reason: "Redis 7.2 record layout: lib-ver set by CLIENT SETINFO"),
        // Redis 7.2 added `loglevel` to the global parameters of SENTINEL CONFIG GET/SET.
        KnownDifference(
            probe: "*SENTINEL CONFIG GET *", side: .candidate, line: "bulk \"loglevel\"",
            reason: "Redis 7.2 lists loglevel among the sentinel's global parameters (docs/commands.md)"),
        KnownDifference(
            probe: "*SENTINEL CONFIG GET *", side: .candidate, line: "bulk \"notice\"",
            reason: "the value of loglevel (Redis 7.2 parameter, see above)"),
        // `log-format` (issue 15, not a Redis option) is a global parameter like loglevel.
        KnownDifference(
            probe: "*SENTINEL CONFIG GET *", side: .candidate, line: "bulk \"log-format\"",
            reason: "log-format json|logfmt|text is swift-sentinel's own parameter (docs/configuration.md)"),
        KnownDifference(
            probe: "*SENTINEL CONFIG GET *", side: .candidate, line: "bulk \"text\"",
            reason: "the value of log-format (swift-sentinel's own parameter, see above)"),
        // Redis 7.2 SENTINEL CONFIG (docs/commands.md): GET and SET take several parameters in one
        // call, so the subcommand needs at least 4 words (7.0.15 accepts 3 and answers with its
        // usage text), the usage text names the new syntax, and loglevel can be set.
        KnownDifference(
            probe: "SENTINEL CONFIG GET", side: .reference,
            line: "error \"ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.\"",
            reason: "Redis 7.2: SENTINEL CONFIG has arity -4, so 3 words are an argument-count error"),
        KnownDifference(
            probe: "SENTINEL CONFIG GET", side: .candidate,
            line: "error \"ERR wrong number of arguments for 'sentinel|config' command\"",
            reason: "Redis 7.2: SENTINEL CONFIG has arity -4, so 3 words are an argument-count error"),
        KnownDifference(
            probe: "SENTINEL CONFIG SET", side: .reference,
            line: "error \"ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.\"",
            reason: "Redis 7.2: SENTINEL CONFIG has arity -4, so 3 words are an argument-count error"),
        KnownDifference(
            probe: "SENTINEL CONFIG SET", side: .candidate,
            line: "error \"ERR wrong number of arguments for 'sentinel|config' command\"",
            reason: "Redis 7.2: SENTINEL CONFIG has arity -4, so 3 words are an argument-count error"),
        KnownDifference(
            probe: "SENTINEL CONFIG *", side: .reference,
            line: "error \"ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.\"",
            reason: "Redis 7.2 usage text of SENTINEL CONFIG (several parameters per call)"),
        KnownDifference(
            probe: "SENTINEL CONFIG *", side: .candidate,
            line: "error \"ERR Only SENTINEL CONFIG GET <param> [<param> <param> ...] / SET <param> <value> [<param> <value> ...] are supported.\"",
            reason: "Redis 7.2 usage text of SENTINEL CONFIG (several parameters per call)"),
        // (An empty `line` matches every line: here, the whole array the candidate answers.)
        KnownDifference(
            probe: "SENTINEL CONFIG GET resolve-hostnames announce-port", side: .candidate, line: "",
            reason: "Redis 7.2: SENTINEL CONFIG GET takes several parameters"),
        KnownDifference(
            probe: "SENTINEL CONFIG SET resolve-hostnames no announce-hostnames no", side: .candidate, line: "simple \"OK\"",
            reason: "Redis 7.2: SENTINEL CONFIG SET takes several parameter/value pairs"),
        KnownDifference(
            probe: "SENTINEL CONFIG SET loglevel no-such-level", side: .reference,
            line: "error \"ERR Invalid argument 'loglevel' to SENTINEL CONFIG SET\"",
            reason: "Redis 7.2: loglevel is a SENTINEL CONFIG parameter, so a bad level is a bad value, not a bad parameter"),
        KnownDifference(
            probe: "SENTINEL CONFIG SET loglevel no-such-level", side: .candidate,
            line: "error \"ERR Invalid value 'no-such-level' to SENTINEL CONFIG SET 'loglevel'\"",
            reason: "Redis 7.2: loglevel is a SENTINEL CONFIG parameter, so a bad level is a bad value, not a bad parameter"),
        // SENTINEL FAILOVER <master> [COORDINATED] (Valkey 9, docs/coordinated-failover.md): the
        // subcommand takes an optional token, so a fourth word is checked as Valkey 9 checks it
        // (`Unknown failover option specified` when it is not COORDINATED) rather than refused
        // by a fixed arity of 3.
        KnownDifference(
            probe: "SENTINEL FAILOVER * *", side: .reference,
            line: "error \"ERR wrong number of arguments for 'sentinel|failover' command\"",
            reason: "SENTINEL FAILOVER <master> [COORDINATED] (Valkey 9): a fourth word other than COORDINATED is Valkey's unknown-option error"),
        KnownDifference(
            probe: "SENTINEL FAILOVER * *", side: .candidate, line: "error \"ERR Unknown failover option specified\"",
            reason: "SENTINEL FAILOVER <master> [COORDINATED] (Valkey 9): a fourth word other than COORDINATED is Valkey's unknown-option error"),
        KnownDifference(
            probe: "SENTINEL FAILOVER probe-master COORDINATED", side: .candidate,
            line: "error \"NOGOODPRIMARY Primary is not reachable or not healthy: a coordinated failover needs a working master\"",
            reason: "SENTINEL FAILOVER <master> COORDINATED (Valkey 9, docs/coordinated-failover.md) refuses a master it cannot reach"),
        // swift-sentinel's leader tells its swift-sentinel peers about a coordinated failover
        // with SENTINEL COORDINATED-FAILOVER (docs/coordinated-failover.md); a notice for an
        // election we did not vote in is refused.
        KnownDifference(
            probe: "SENTINEL COORDINATED-FAILOVER *", side: .reference,
            line: "error \"ERR unknown subcommand 'COORDINATED-FAILOVER'. Try SENTINEL HELP.\"",
            reason: "swift-sentinel's own peer notice for the coordinated failover"),
        KnownDifference(
            probe: "SENTINEL COORDINATED-FAILOVER *", side: .candidate, line: "error \"ERR I did not vote for <id> in epoch #\"",
            reason: "swift-sentinel's own peer notice for the coordinated failover"),
        // Master names end up in space-separated config lines and events and in comma-separated
        // hello messages; redis-sentinel 7.0.15 accepts such names and then writes a config file it
        // refuses at the next start (`sentinel monitor probe master ...` has one word too many).
        // swift-sentinel refuses them up front, in MONITOR as in the config file.
        KnownDifference(
            probe: "SENTINEL MONITOR probe*master *", side: .reference, line: "simple \"OK\"",
            reason: "names with blanks or commas break the config file and hello messages; swift-sentinel refuses them"),
        KnownDifference(
            probe: "SENTINEL MONITOR probe*master *", side: .candidate,
            line: "error \"ERR Master names cannot be empty or contain spaces or commas\"",
            reason: "names with blanks or commas break the config file and hello messages; swift-sentinel refuses them"),
        KnownDifference(
            probe: "SENTINEL REMOVE probe*master", side: .reference, line: "simple \"OK\"",
            reason: "the master refused above does not exist on swift-sentinel"),
        KnownDifference(
            probe: "SENTINEL REMOVE probe*master", side: .candidate, line: "error \"ERR No such master with that name\"",
            reason: "the master refused above does not exist on swift-sentinel"),
        // CLIENT KILL MAXAGE (Redis 7.4) is accepted.
        KnownDifference(
            probe: "CLIENT KILL MAXAGE *", side: .reference, line: "error \"ERR syntax error\"",
            reason: "swift-sentinel accepts the Redis 7.4 CLIENT KILL MAXAGE filter"),
        KnownDifference(
            probe: "CLIENT KILL MAXAGE *", side: .candidate, line: "integer #",
            reason: "swift-sentinel accepts the Redis 7.4 CLIENT KILL MAXAGE filter"),
    ]

    /// Commands or subcommands only swift-sentinel has: the differential test removes them from
    /// the candidate's reply (see `ReplyShape.removing`) for the probes matching `probe`.
    static let candidateOnlyEntries: [KnownCandidateEntry] = [
        KnownCandidateEntry(
            probe: "*COMMAND*", name: "client|setinfo",
            reason: "CLIENT SETINFO (Redis 7.2) is accepted (see above), so COMMAND lists and documents it"),
        KnownCandidateEntry(
            probe: "ACL CAT *", name: "client|setinfo",
            reason: "CLIENT SETINFO (Redis 7.2) is in the connection and slow categories, as in Redis 7.2"),
    ]
}

/// A command or subcommand in swift-sentinel's replies that redis-sentinel 7.0.15 does not have.
struct KnownCandidateEntry: Sendable {
    let probe: String
    let name: String
    let reason: String
}

/// Deliberate differences in what prometheus-redis-exporter 1.45.0 reports for swift-sentinel and
/// for redis-sentinel, as seen by `ExporterTests`, in the same form as above. Probes: `/metrics`
/// (lines `series value`: every `redis_sentinel_*` series, `redis_up` and
/// `redis_exporter_last_scrape_error`) and `log` (the exporter's warning and error lines, numbers
/// masked). None so far: the exporter sees the same series, values and errors from both.
enum KnownExporterDifferences {
    static let all: [KnownDifference] = []
}
