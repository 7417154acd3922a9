import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// The traffic counters and rates of `INFO stats` and `INFO clients`, with Redis 7.0.15's
/// semantics (observed on redis-sentinel 7.0.15 and read in server.c/networking.c): what counts
/// as a processed command and as an error reply, the 16-sample instantaneous metrics, the I/O
/// totals the runtime reports, the tracking counts and the 8-second client buffer peaks.
@Suite("INFO traffic stats")
struct TrafficStatsTests {
    typealias Harness = ClientCommandTests.Harness

    /// The value of `name` in an INFO reply.
    static func field(_ name: String, _ reply: RESPValue?) -> String? {
        guard case .bulkString(let text)? = reply else { return nil }
        for line in text.split(separator: "\r\n") where line.hasPrefix("\(name):") {
            return String(line.dropFirst(name.count + 1))
        }
        return nil
    }

    /// One INFO field, asked on connection 99 (connected on first use).
    static func stat(_ h: inout Harness, _ name: String, section: String = "all") -> String? {
        if h.sentinel.clients[ClientID(99)] == nil { h.connect(99) }
        return field(name, h.one(99, "INFO", section))
    }

    /// Redis's trackInstantaneousMetric / getInstantaneousMetric: per-second samples in integer
    /// arithmetic, a ring of 16, reported as the integer mean of the ring.
    @Test("an instantaneous metric is the integer mean of the last 16 per-second samples")
    func instantaneousMetric() {
        var metric = InstantaneousMetric(now: 1000)
        var now: Millis = 1000
        var total: Int64 = 0
        for _ in 0..<8 {
            now += 100
            total += 50
            metric.track(total, now: now)
        }
        // Half the ring holds 500/s, half is still empty.
        #expect(metric.perSecond == 250)
        for _ in 0..<8 {
            now += 100
            total += 50
            metric.track(total, now: now)
        }
        #expect(metric.perSecond == 500)
        // 7 in 300 ms is a sample of 23 (7 * 1000 / 300, truncated); (15 * 500 + 23) / 16 = 470.
        now += 300
        total += 7
        metric.track(total, now: now)
        #expect(metric.perSecond == 470)
        // A sample over no time is 0, not a division by zero.
        metric.track(total + 1000, now: now)
        #expect(metric.perSecond == (14 * 500 + 23) / 16)
        // 16 idle samples empty the ring.
        for _ in 0..<16 {
            now += 100
            metric.track(total + 1000, now: now)
        }
        #expect(metric.perSecond == 0)
    }

    /// A sample is taken on the first tick at or after each 100 ms step, so with ticks every
    /// 60 ms the samples are 60 or 120 ms apart and the rates come out exact.
    @Test("instantaneous_ops_per_sec and the kbps rates are sampled on ticks and averaged over 16 samples")
    func ratesFromTicks() {
        var h = Harness()
        h.connect(1)
        var traffic = ClientTraffic()
        // 3 s of ticks every 60 ms; before each: 6 PINGs (100 commands/s), 6144 bytes read
        // (100 KiB/s) and 3072 bytes written (50 KiB/s).
        for _ in 0..<50 {
            h.now += 60
            for _ in 0..<6 { _ = h.run(1, "PING") }
            traffic.inputBytes += 6144
            traffic.outputBytes += 3072
            _ = h.sentinel.handle(.clientTraffic(traffic), now: h.now)
            _ = h.sentinel.handle(.tick, now: h.now)
        }
        #expect(Self.stat(&h, "instantaneous_ops_per_sec") == "100")
        #expect(Self.stat(&h, "instantaneous_input_kbps") == "100.00")
        #expect(Self.stat(&h, "instantaneous_output_kbps") == "50.00")
        // Idle: the rates fall as idle samples fill the ring, and 16 samples (about 1.6 s) later
        // they are 0. (Read from the state: INFO would be a command of its own.)
        var seen: [Int64] = []
        for _ in 0..<30 {
            h.now += 60
            _ = h.sentinel.handle(.tick, now: h.now)
            seen.append(h.sentinel.trafficRates.commands.perSecond)
        }
        #expect(seen == seen.sorted(by: >), "\(seen)")
        #expect(seen.filter { $0 > 0 && $0 < 100 }.count >= 12, "\(seen)")
        #expect(seen.last == 0)
        #expect(Self.stat(&h, "instantaneous_ops_per_sec") == "0")
        #expect(Self.stat(&h, "instantaneous_input_kbps") == "0.00")
        #expect(Self.stat(&h, "instantaneous_output_kbps") == "0.00")
    }

    /// Early wake-up ticks (`.wakeUp`) come between the regular ones; they must not shorten the
    /// sampling period.
    @Test("ticks closer together than 100 ms take no extra sample")
    func wakeUpTicksDoNotSample() {
        var h = Harness()
        h.connect(1)
        for _ in 0..<99 {
            h.now += 1
            _ = h.run(1, "PING")
            _ = h.sentinel.handle(.tick, now: h.now)
        }
        #expect(h.sentinel.trafficRates.commands.perSecond == 0)
        h.now += 1
        _ = h.run(1, "PING")
        _ = h.sentinel.handle(.tick, now: h.now)
        // One sample of 100 commands in 100 ms: 1000/s, over a ring of 16.
        #expect(Self.stat(&h, "instantaneous_ops_per_sec") == "\(1000 / 16)")
    }

    /// Redis counts a command in call() after it ran (so INFO does not count itself), and never
    /// one that processCommand refused (unknown command or subcommand, arity, NOAUTH, subscribed
    /// context). afterErrorReply counts every error reply, also one CLIENT REPLY OFF keeps from
    /// being sent.
    @Test("total_commands_processed counts commands that ran; total_error_replies every error reply")
    func commandsAndErrors() {
        var h = Harness()
        h.connect(1)
        #expect(Self.stat(&h, "total_commands_processed") == "0")
        #expect(Self.stat(&h, "total_commands_processed") == "1")
        #expect(Self.stat(&h, "total_error_replies") == "0")

        #expect(h.one(1, "FOO")?.isErrorReply == true)  // refused: unknown command
        #expect(h.one(1, "SENTINEL")?.isErrorReply == true)  // refused: arity
        #expect(h.one(1, "SENTINEL", "FOO")?.isErrorReply == true)  // refused: unknown subcommand
        #expect(h.one(1, "PING", "a", "b")?.isErrorReply == true)  // ran, answered an error
        #expect(h.one(1, "SENTINEL", "MASTER", "nosuch")?.isErrorReply == true)  // ran, error
        #expect(h.one(1, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch") == .nullArray)  // ran
        #expect(h.run(1, "CLIENT", "REPLY", "OFF").isEmpty)  // ran
        #expect(h.run(1, "FOO").isEmpty)  // refused, error not sent but counted
        #expect(h.one(1, "CLIENT", "REPLY", "ON") == .ok)  // ran
        _ = h.run(1, "SUBSCRIBE", "x")  // ran
        #expect(h.one(1, "ROLE")?.isErrorReply == true)  // refused: subscribed context
        _ = h.run(1, "UNSUBSCRIBE")  // ran

        // Ran: 3 INFO, PING a b, MASTER, GET-MASTER-ADDR, REPLY OFF, REPLY ON, SUBSCRIBE, UNSUBSCRIBE.
        #expect(Self.stat(&h, "total_commands_processed") == "10")
        // FOO, SENTINEL, SENTINEL FOO, PING a b, MASTER nosuch, the unsent FOO, ROLE.
        #expect(Self.stat(&h, "total_error_replies") == "7")
    }

    @Test("NOAUTH is an error reply for a command that never ran; AUTH runs either way")
    func noAuth() {
        var h = Harness(requirePass: "secret")
        h.connect(1)
        #expect(h.one(1, "PING") == .error(Wire.errNoAuth))
        #expect(h.one(1, "AUTH", "wrong")?.isErrorReply == true)
        #expect(h.one(1, "AUTH", "secret") == .ok)
        #expect(h.one(1, "INFO", "stats").map { Self.field("total_commands_processed", $0) } == "2")
        #expect(h.one(1, "INFO", "stats").map { Self.field("total_error_replies", $0) } == "2")
    }

    /// A reply that waits for the config flush (ClientReplies.swift) is counted when it is
    /// known; a failed flush answers an error.
    @Test("an error answered after a failed config flush counts")
    func flushFailure() throws {
        var h = Harness()
        h.connect(1)
        let token = try h.flushConfig(1)
        let answer = h.sentinel.handle(.configPersisted(token: token, error: "No space left on device"), now: h.now)
        #expect(answer.contains { if case .reply(ClientID(1), .error, _) = $0 { true } else { false } })
        #expect(Self.stat(&h, "total_error_replies") == "1")
        #expect(Self.stat(&h, "total_commands_processed") == "2")
    }

    /// The runtime counts bytes and syscalls; the core shows its latest totals, and adds the
    /// protocol-error replies the runtime sent to its own error count.
    @Test("the runtime's I/O totals show in INFO stats as they were last reported")
    func reportedTotals() {
        var h = Harness()
        h.connect(1)
        #expect(h.one(1, "FOO")?.isErrorReply == true)
        _ = h.sentinel.handle(
            .clientTraffic(ClientTraffic(inputBytes: 1234, outputBytes: 5678, reads: 9, writes: 8, protocolErrors: 2)),
            now: h.now)
        #expect(Self.stat(&h, "total_net_input_bytes") == "1234")
        #expect(Self.stat(&h, "total_net_output_bytes") == "5678")
        #expect(Self.stat(&h, "total_reads_processed") == "9")
        #expect(Self.stat(&h, "total_writes_processed") == "8")
        #expect(Self.stat(&h, "total_error_replies") == "3")
        #expect(Self.stat(&h, "total_net_repl_input_bytes") == "0")
        _ = h.sentinel.handle(.clientTraffic(ClientTraffic(inputBytes: 2000, outputBytes: 6000, reads: 10, writes: 9)), now: h.now)
        #expect(Self.stat(&h, "total_net_input_bytes") == "2000")
        #expect(Self.stat(&h, "total_error_replies") == "1")
    }

    /// Redis: tracking_clients counts clients with CLIENT TRACKING on; tracking_total_prefixes is
    /// the size of the BCAST prefix table, shared by clients (BCAST without PREFIX tracks "").
    @Test("tracking_clients and tracking_total_prefixes follow CLIENT TRACKING")
    func tracking() {
        var h = Harness()
        for id in 1...4 { h.connect(id) }
        #expect(Self.stat(&h, "tracking_clients") == "0")
        #expect(h.one(1, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "foo", "PREFIX", "bar") == .ok)
        #expect(h.one(2, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "foo") == .ok)
        #expect(h.one(3, "CLIENT", "TRACKING", "ON") == .ok)
        #expect(Self.stat(&h, "tracking_clients") == "3")
        #expect(Self.stat(&h, "tracking_total_prefixes") == "2")
        #expect(h.one(4, "CLIENT", "TRACKING", "ON", "BCAST") == .ok)
        #expect(Self.stat(&h, "tracking_total_prefixes") == "3")
        #expect(h.one(1, "CLIENT", "TRACKING", "OFF") == .ok)
        #expect(Self.stat(&h, "tracking_clients") == "3")
        #expect(Self.stat(&h, "tracking_total_prefixes") == "2")
        _ = h.sentinel.handle(.clientDisconnected(ClientID(2)), now: h.now)
        #expect(Self.stat(&h, "tracking_clients") == "2")
        #expect(Self.stat(&h, "tracking_total_prefixes") == "1")
    }

    /// Redis keeps the biggest client input and output buffers of each of the last 8 seconds
    /// (clientsCronTrackExpansiveClients) and INFO shows the biggest; the runtime samples them
    /// once a second with the process stats, together with the current `hz`.
    @Test("client_recent_max_*_buffer keep the biggest sample of the last 8 seconds; hz is the runtime's")
    func bufferPeaksAndHz() {
        var h = Harness()
        h.now = 100_000
        var stats = ProcessStats()
        stats.hz = 17
        stats.clientInputBufferPeak = 5023
        stats.clientOutputBufferPeak = 70_000
        _ = h.sentinel.handle(.processStats(stats), now: h.now)
        #expect(Self.stat(&h, "client_recent_max_input_buffer") == "5023")
        #expect(Self.stat(&h, "client_recent_max_output_buffer") == "70000")
        #expect(Self.stat(&h, "hz") == "17")

        stats.clientInputBufferPeak = 40
        stats.clientOutputBufferPeak = 0
        for _ in 0..<7 {
            h.now += 1000
            _ = h.sentinel.handle(.processStats(stats), now: h.now)
        }
        // 7 seconds later the first sample still counts ...
        #expect(Self.stat(&h, "client_recent_max_input_buffer") == "5023")
        #expect(Self.stat(&h, "client_recent_max_output_buffer") == "70000")
        // ... 8 seconds later it is gone, also without a new sample.
        h.now += 1000
        #expect(Self.stat(&h, "client_recent_max_input_buffer") == "40")
        #expect(Self.stat(&h, "client_recent_max_output_buffer") == "0")
        h.now += 8000
        #expect(Self.stat(&h, "client_recent_max_input_buffer") == "0")
    }

    @Test("a fresh sentinel shows Redis's idle values")
    func idle() {
        var h = Harness()
        #expect(Self.stat(&h, "instantaneous_ops_per_sec") == "0")
        #expect(Self.stat(&h, "instantaneous_input_kbps") == "0.00")
        #expect(Self.stat(&h, "total_net_input_bytes") == "0")
        #expect(Self.stat(&h, "client_recent_max_input_buffer") == "0")
        #expect(Self.stat(&h, "hz") == "10")
    }
}

extension RESPValue {
    /// Whether this is an error reply.
    fileprivate var isErrorReply: Bool {
        if case .error = self { return true }
        return false
    }
}
