import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// Valkey 8 renamed `master-reboot-down-after-period` to `primary-reboot-down-after-period`, in
/// sentinel.conf and in `SENTINEL SET`, and reads both (valkey src/sentinel.c). We read both too,
/// and write Redis's spelling, which Redis and every Valkey read, replacing a Valkey line in place.
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
        #expect(h.sentinel.masters["mymaster"]?.config.masterRebootDownAfterPeriod == 5000)
        #expect(h.one(1, "SENTINEL", "SET", "mymaster", "primary-reboot-down-after-period", "-1")?.errorText != nil)
        #expect(h.one(1, "SENTINEL", "SET", "mymaster", "master-reboot-down-after-period", "0") == .ok)
        #expect(h.sentinel.masters["mymaster"]?.config.masterRebootDownAfterPeriod == 0)
    }
}
