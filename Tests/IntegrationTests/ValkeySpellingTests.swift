import Foundation
import Testing

extension Integration {
    /// Issue 13: Valkey's spellings work on a real process, beside Redis's: a sentinel.conf with
    /// Valkey 8's `primary-reboot-down-after-period`, the `PRIMARY*` subcommands, `SENTINEL SET`
    /// with the Valkey option name, and Valkey 9's `sentinel_total_tilt`. redis-sentinel 7.0.15
    /// knows none of them, so with `SENTINEL_BIN=/usr/bin/redis-sentinel` the test only says so.
    @Suite("Valkey spellings")
    struct ValkeySpellingTests {
        @Test("Valkey's config line, PRIMARY* subcommands, SENTINEL SET name and INFO field on a real sentinel", .timeLimit(.minutes(1)))
        func valkeySpellings() async throws {
            let binary = try Binaries.sentinelUnderTest()
            guard !binary.hasSuffix("redis-sentinel") else {
                print("integration: Valkey spellings: skipped for redis-sentinel 7.0.15, which has none of them")
                return
            }
            let directory = try TestDirectory.make("valkey")
            defer { TestDirectory.remove(directory) }
            let master = try await RedisNode.start(name: "master", in: directory)
            defer { master.stop() }
            let name = Cluster.masterName
            let sentinel = try await SentinelProcess.start(
                name: "sentinel", binary: binary, in: directory, masterPort: master.port, quorum: 1,
                extraLines: ["sentinel primary-reboot-down-after-period \(name) 5000"])
            defer { sentinel.stop() }
            let client = try sentinel.client()
            defer { client.close() }

            // The startup rewrite (it writes `sentinel myid`) puts the value under Redis's name,
            // which every Redis and Valkey reads, in the Valkey line's place.
            #expect(try Self.rebootLines(sentinel) == [["sentinel", "master-reboot-down-after-period", name, "5000"]])
            let primary = try client.send("SENTINEL", "PRIMARY", name)
            #expect(primary.record?["name"] == name, "\(primary)")
            let primaries = try client.send("SENTINEL", "PRIMARIES").elements ?? []
            #expect(primaries.count == 1 && primaries.first?.record?["name"] == name, "\(primaries)")
            #expect(
                try client.send("SENTINEL", "GET-PRIMARY-ADDR-BY-NAME", name)
                    == .array([.bulkString("127.0.0.1"), .bulkString("\(master.port)")]))
            guard case .array(let vote) = try client.send("SENTINEL", "IS-PRIMARY-DOWN-BY-ADDR", "127.0.0.1", "\(master.port)", "0", "*")
            else {
                Issue.record("IS-PRIMARY-DOWN-BY-ADDR is not an array")
                return
            }
            #expect(vote.count == 3 && vote[0] == .integer(0))

            #expect(try client.send("SENTINEL", "SET", name, "primary-reboot-down-after-period", "7000") == .simpleString("OK"))
            #expect(try Self.rebootLines(sentinel) == [["sentinel", "master-reboot-down-after-period", name, "7000"]])

            guard case .bulkString(let info) = try client.send("INFO", "sentinel") else {
                Issue.record("INFO sentinel is not a bulk string")
                return
            }
            #expect(info.contains("sentinel_total_tilt:0\r\n"), "\(info)")
        }

        /// The `sentinel *-reboot-down-after-period` lines of the sentinel's file (SENTINEL MASTER
        /// does not show the value, in Redis as here).
        private static func rebootLines(_ sentinel: SentinelProcess) throws -> [[String]] {
            try sentinel.configDirectives().filter { $0.count > 1 && $0[1].hasSuffix("reboot-down-after-period") }
        }
    }
}
