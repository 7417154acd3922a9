import DequeModule
import OrderedCollections
import RESP

/// TILT mode (sentinel-behaviour §10.2): when time cannot be trusted — the timer ran far too late
/// (the event loop stalled) or the system clock jumped — stop acting for `tilt-period` while still
/// monitoring, and say why.
extension Sentinel {
    /// sentinelCheckTiltCondition, run at the start of every timer tick: the monotonic time since
    /// the last tick must be under `tilt-trigger`.
    mutating func checkTiltCondition() {
        defer { previousTime = now }
        guard previousTime != 0 else { return }
        let delta = now - previousTime
        if delta < 0 {
            enterTilt(delta: delta, cause: "clock_backwards", "the clock went backwards by \(-delta) ms")
        } else if delta > timing.tiltTrigger {
            enterTilt(delta: delta, cause: "event_loop_stall", "the timer ran \(delta) ms after the previous run")
        }
    }

    /// Takes a wall-clock reading (Unix milliseconds; the runtime gives one with every event, and
    /// `.processStats` carries one) and compares how far the wall clock moved with how far the
    /// monotonic clock moved since the last reading: a difference above `tilt-trigger` is a clock
    /// jump. 0 means no reading.
    mutating func noteWallClock(_ wall: Int64) {
        guard wall != 0 else { return }
        defer { lastClockSample = (now, wall) }
        guard let last = lastClockSample else { return }
        let jump = (wall - last.wallMillis) - (now - last.monotonic)
        if abs(jump) > timing.tiltTrigger {
            enterTilt(
                delta: jump, cause: "clock_jump",
                "the system clock jumped \(jump > 0 ? "forward" : "backward") by \(abs(jump)) ms")
        }
    }

    /// Enters (or re-arms) TILT: every trigger restarts the TILT period and, as in Valkey 9's
    /// sentinelCheckTiltCondition, counts in `sentinel_total_tilt`. `cause` is the short code
    /// INFO shows; `explanation` goes to the log.
    mutating func enterTilt(delta: Millis, cause: String, _ explanation: String) {
        tilt = true
        tiltStartTime = now
        totalTilt += 1
        lastTilt = (delta, cause)
        output.append(.log(.warning, "TILT: \(explanation); no failure detection or failover for \(timing.tiltPeriod) ms"))
        emit(.warning, "+tilt", "#tilt mode entered")
    }

    /// Leaves TILT once `tilt-period` has passed since the last trigger. Returns whether we are
    /// still in TILT (then the caller skips everything that acts).
    mutating func stillInTilt() -> Bool {
        guard tilt else { return false }
        if now - tiltStartTime < timing.tiltPeriod { return true }
        tilt = false
        emit(.warning, "-tilt", "#tilt mode exited")
        return false
    }

    /// Wall-clock Unix milliseconds: the last reading (``noteWallClock(_:)``) moved on by the
    /// monotonic clock since; nil before any.
    func wallClockMillis() -> Int64? {
        guard let sample = lastClockSample else { return nil }
        return sample.wallMillis + (now - sample.monotonic)
    }
}
