import Testing

@testable import SentinelCore

/// The wall clock enters with every event (issue 14: time and facts come in with events): the
/// coordinated failover's record and TILT's clock-jump check no longer wait for a
/// `.processStats` sample.
@Suite("Wall clock")
struct WallClockTests {
    static func sentinel() throws -> Sentinel {
        Sentinel(config: try ConfigParser.parse("port 26379\nsentinel monitor m 127.0.0.1 6379 2\n", fileName: "s.conf"), seed: 5)
    }

    @Test("known from start and from any event, moved on by the monotonic clock")
    func readings() throws {
        var s = try Self.sentinel()
        #expect(s.wallClockMillis() == nil)
        _ = s.start(now: 1_000, wall: 1_800_000_000_000)
        #expect(s.wallClockMillis() == 1_800_000_000_000)
        _ = s.handle(.tick, now: 1_100)
        #expect(s.wallClockMillis() == 1_800_000_000_100, "no reading: moved on by the monotonic clock")
        _ = s.handle(.tick, now: 1_200, wall: 1_800_000_000_150)
        #expect(s.wallClockMillis() == 1_800_000_000_150)
        #expect(!s.tilt)
    }

    @Test("a wall clock that jumps between two events beyond tilt-trigger enters TILT (clock_jump)")
    func jump() throws {
        var s = try Self.sentinel()
        _ = s.start(now: 1_000, wall: 1_800_000_000_000)
        _ = s.handle(.tick, now: 1_100, wall: 1_800_000_000_100)
        #expect(!s.tilt)
        _ = s.handle(.tick, now: 1_200, wall: 1_800_000_060_200)
        #expect(s.tilt, "one minute forward in 100 ms")
    }
}
