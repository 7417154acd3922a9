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
            probe: "SENTINEL HELP", side: .candidate, line: "With COORDINATED, pause writes",
            reason: "swift-sentinel documents SENTINEL FAILOVER <master> COORDINATED in its help"),
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
        KnownDifference(
            probe: "*CLIENT LIST", side: .candidate, line: "client-field lib-name",
            reason: "Redis 7.2 record layout: lib-name set by CLIENT SETINFO"),
        KnownDifference(
            probe: "*CLIENT LIST", side: .candidate, line: "client-field lib-ver",
            reason: "Redis 7.2 record layout: lib-ver set by CLIENT SETINFO"),
        // Redis 7.2 added `loglevel` to the global parameters of SENTINEL CONFIG GET/SET.
        KnownDifference(
            probe: "*SENTINEL CONFIG GET *", side: .candidate, line: "bulk \"loglevel\"",
            reason: "Redis 7.2 lists loglevel among the sentinel's global parameters (docs/commands.md)"),
        KnownDifference(
            probe: "*SENTINEL CONFIG GET *", side: .candidate, line: "bulk \"notice\"",
            reason: "the value of loglevel (Redis 7.2 parameter, see above)"),
    ]
}

/// Deliberate differences in what prometheus-redis-exporter 1.45.0 reports for swift-sentinel and
/// for redis-sentinel, as seen by `ExporterTests`, in the same form as above. Probes: `/metrics`
/// (lines `series value`: every `redis_sentinel_*` series, `redis_up` and
/// `redis_exporter_last_scrape_error`) and `log` (the exporter's warning and error lines, numbers
/// masked). None so far: the exporter sees the same series, values and errors from both.
enum KnownExporterDifferences {
    static let all: [KnownDifference] = []
}
