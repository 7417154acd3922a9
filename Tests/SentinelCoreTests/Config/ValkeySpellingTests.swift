import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Valkey 8 renamed `master-reboot-down-after-period` to `primary-reboot-down-after-period`, in
/// sentinel.conf and in `SENTINEL SET`, and reads both (valkey src/sentinel.c). We read both too,
/// and write Redis's spelling, which Redis and every Valkey read, replacing a Valkey line in place.
/// Valkey 9.0 (src/sentinel.c of 9.0.5) adds `sentinel_total_tilt` to INFO and the
/// `coordinated_failover` flag, placed right after `force_failover`.
@Suite("Valkey spellings")
struct ValkeySpellingTests {
    static let valkeyFile = """
        port 26379
        sentinel monitor mymaster 127.0.0.1 6379 2
        sentinel primary-reboot-down-after-period mymaster 7000
        sentinel current-epoch 0

        """

    @Test("sentinel primary-reboot-down-after-period loads, and the rewrite keeps one line in its place")
    func configFile() throws {
        let config = try ConfigParser.parse(Self.valkeyFile, fileName: "sentinel.conf")
        #expect(config.masters[0].masterRebootDownAfterPeriod == 7000)
        let rewritten = ConfigRewriter.rewrite(original: Self.valkeyFile, config: config)
        let lines = rewritten.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains("reboot-down-after-period") } == ["sentinel master-reboot-down-after-period mymaster 7000"])
        let index = try #require(lines.firstIndex(of: "sentinel master-reboot-down-after-period mymaster 7000"))
        #expect(lines[index - 1] == "sentinel monitor mymaster 127.0.0.1 6379 2", "in the Valkey line's place")
        #expect(try ConfigParser.parse(rewritten, fileName: "sentinel.conf").masters[0].masterRebootDownAfterPeriod == 7000)

        // Back to 0: the line goes, whichever spelling it had.
        var cleared = config
        cleared.masters[0].masterRebootDownAfterPeriod = 0
        #expect(!ConfigRewriter.rewrite(original: Self.valkeyFile, config: cleared).contains("reboot-down-after-period"))

        #expect(throws: ConfigLoadError.self) {
            try ConfigParser.parse(
                "sentinel monitor m 127.0.0.1 6379 2\nsentinel primary-reboot-down-after-period m -1\n", fileName: "s.conf")
        }
    }

    @Test("SENTINEL SET <master> primary-reboot-down-after-period is the Redis option")
    func sentinelSet() {
        var h = ClientCommandTests.Harness()
        h.connect(1)
        #expect(h.one(1, "SENTINEL", "SET", "mymaster", "primary-reboot-down-after-period", "5000") == .ok)
        #expect(h.sentinel.masterNamed("mymaster")?.config.masterRebootDownAfterPeriod == 5000)
        #expect(h.one(1, "SENTINEL", "SET", "mymaster", "primary-reboot-down-after-period", "-1")?.errorText != nil)
        #expect(h.one(1, "SENTINEL", "SET", "mymaster", "master-reboot-down-after-period", "0") == .ok)
        #expect(h.sentinel.masterNamed("mymaster")?.config.masterRebootDownAfterPeriod == 0)
    }

    @Test("+set names the option as the client spelled it (Valkey's capitals too), as Redis and Valkey print argv")
    func setEventKeepsSpelling() {
        var h = ClientCommandTests.Harness()
        h.connect(1)
        h.connect(2)
        _ = h.one(2, "SUBSCRIBE", "+set")
        let out = h.run(1, "SENTINEL", "SET", "mymaster", "PRIMARY-REBOOT-DOWN-AFTER-PERIOD", "5000", "Auth-Pass", "x")
        let pushed = out.filter { $0.0 == ClientID(2) }.map(\.1)
        #expect(
            pushed == [
                .array([.bulkString("message"), .bulkString("+set"), .bulkString("master mymaster 127.0.0.1 6379 PRIMARY-REBOOT-DOWN-AFTER-PERIOD 5000")]),
                .array([.bulkString("message"), .bulkString("+set"), .bulkString("master mymaster 127.0.0.1 6379 Auth-Pass ******")]),
            ])
    }

    @Test("SENTINEL FAILOVER <master> <word>: Valkey 9's errors for a word other than COORDINATED")
    func failoverOptionErrors() {
        var h = ClientCommandTests.Harness()
        h.connect(1)
        #expect(h.one(1, "SENTINEL", "FAILOVER", "mymaster", "bogus") == .error("ERR Unknown failover option specified"))
        #expect(h.one(1, "SENTINEL", "FAILOVER", "nosuch", "bogus") == .error("ERR No such master with that name"), "the master first")
        #expect(h.one(1, "SENTINEL", "FAILOVER", "nosuch", "COORDINATED") == .error("ERR No such master with that name"))
        #expect(
            h.one(1, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED", "x")
                == .error("ERR wrong number of arguments for 'sentinel|failover' command"))
    }

    @Test("INFO sentinel has Valkey 9's sentinel_total_tilt, after sentinel_tilt_since_seconds")
    func totalTilt() throws {
        var h = ClientCommandTests.Harness()
        h.connect(1)
        func info() throws -> [String] {
            let answer = h.one(1, "INFO", "sentinel")
            guard case .bulkString(let text)? = answer else { throw ValkeySpellingError.notBulk }
            return text.split(separator: "\r\n").map(String.init)
        }
        var lines = try info()
        let since = try #require(lines.firstIndex { $0.hasPrefix("sentinel_tilt_since_seconds:") })
        #expect(lines[since + 1] == "sentinel_total_tilt:0")
        h.sentinel.enterTilt(delta: 5000, cause: "event_loop_stall", "test")
        h.sentinel.enterTilt(delta: 5000, cause: "event_loop_stall", "test again")
        lines = try info()
        #expect(lines.contains("sentinel_total_tilt:2"), "every trigger counts, re-arming too")
    }

    @Test("coordinated_failover comes right after force_failover, before master_reboot")
    func coordinatedFlagPlace() {
        var h = ClientCommandTests.Harness()
        h.sentinel[master: "mymaster"].masterReboot = true
        // A failover is either forced or coordinated (FailoverRun.Kind), so the two flags never
        // show together: each is checked in its place.
        h.sentinel[master: "mymaster"].failover = FailoverRun(epoch: 1, kind: .forced, now: 0)
        #expect(h.sentinel.flags(h.sentinel.masters["mymaster"]!) == "master,disconnected,failover_in_progress,force_failover,master_reboot")
        h.sentinel[master: "mymaster"].failover = FailoverRun(epoch: 1, kind: .coordinated(CoordinatedRun(pause: 1000)), now: 0)
        #expect(h.sentinel.flags(h.sentinel.masters["mymaster"]!) == "master,disconnected,failover_in_progress,coordinated_failover,master_reboot")
    }
}

enum ValkeySpellingError: Error { case notBulk }
