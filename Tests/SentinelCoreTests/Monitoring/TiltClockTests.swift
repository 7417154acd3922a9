import Testing

@testable import SentinelCore

/// TILT as a machine on its own (Tilt.swift): readings in, `TiltClock.Action` out.
@Suite("TILT clock")
struct TiltClockTests {
    @Test("a late tick, a tick that went backwards and a wall clock jump enter TILT; each re-arms and counts")
    func triggers() {
        var clock = TiltClock()
        #expect(clock.tick(now: 1_000, trigger: 2_000) == .none, "the first tick only sets the previous time")
        #expect(clock.tick(now: 1_100, trigger: 2_000) == .none)
        #expect(
            clock.tick(now: 3_101, trigger: 2_000)
                == .entered(cause: "event_loop_stall", explanation: "the timer ran 2001 ms after the previous run"))
        #expect(clock.mode == .tilted(since: 3_101) && clock.total == 1)
        #expect(
            clock.tick(now: 3_000, trigger: 2_000)
                == .entered(cause: "clock_backwards", explanation: "the clock went backwards by 101 ms"))
        #expect(clock.mode == .tilted(since: 3_000) && clock.total == 2 && clock.last?.cause == "clock_backwards")
        #expect(clock.wallClock(1_700_000_000_000, now: 3_000, trigger: 2_000) == .none, "the first reading")
        #expect(clock.wallClock(1_700_000_000_100, now: 3_100, trigger: 2_000) == .none)
        #expect(
            clock.wallClock(1_700_000_060_100, now: 3_200, trigger: 2_000)
                == .entered(cause: "clock_jump", explanation: "the system clock jumped forward by 59900 ms"))
        #expect(clock.total == 3 && clock.wallMillis(now: 3_300) == 1_700_000_060_200)
    }

    @Test("TILT ends tilt-period after the last trigger, not before; outside it the start time does not exist")
    func exit() {
        var clock = TiltClock()
        #expect(clock.secondsInTilt(now: 0) == -1)
        _ = clock.enter(now: 10_000, delta: 5_000, cause: "test", "test")
        #expect(clock.secondsInTilt(now: 12_500) == 2)
        #expect(clock.checkExit(now: 39_999, period: 30_000) == .none && clock.active)
        #expect(clock.checkExit(now: 40_000, period: 30_000) == .exited && !clock.active)
        #expect(clock.checkExit(now: 50_000, period: 30_000) == .none)
        #expect(clock.mode == .normal && clock.secondsInTilt(now: 50_000) == -1)
    }
}
