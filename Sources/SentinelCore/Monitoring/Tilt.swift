import DequeModule
import OrderedCollections
import RESP

/// TILT mode (sentinel-behaviour §10.2) and the two clocks it watches, as a small machine: when
/// time cannot be trusted — the timer ran far too late (the event loop stalled), the monotonic
/// clock went backwards, or the system clock jumped — stop acting for `tilt-period` while still
/// monitoring, and say why. The start time of a TILT exists only while in it.
struct TiltClock: Sendable {
    enum Mode: Hashable, Sendable {
        case normal
        /// In TILT since the last trigger (each trigger re-arms the period).
        case tilted(since: Millis)
    }

    /// What a reading asks the facade to do.
    package enum Action: Hashable, Sendable {
        case none
        /// TILT entered or re-armed: `cause` is the short code INFO shows, `explanation` the log's.
        case entered(cause: String, explanation: String)
        /// The TILT period is over.
        case exited
    }

    private(set) var mode: Mode = .normal
    /// How many times TILT was entered (or re-armed) since start: Valkey 9's `sentinel_total_tilt`.
    private(set) var total = 0
    /// The last trigger, for the log and INFO: the measured delta and its cause.
    private(set) var last: (delta: Millis, cause: String)? = nil
    /// When the timer last ran (Redis's `previous_time`; the start time before the first run).
    var previousTick: Millis = 0
    /// The last (monotonic, wall clock) reading, to notice wall clock jumps.
    var lastSample: (monotonic: Millis, wallMillis: Int64)? = nil

    var active: Bool { if case .tilted = mode { true } else { false } }

    /// sentinelCheckTiltCondition, at the start of every timer tick: the monotonic time since the
    /// last tick must be under `trigger`.
    mutating func tick(now: Millis, trigger: Millis) -> Action {
        defer { previousTick = now }
        guard previousTick != 0 else { return .none }
        let delta = now - previousTick
        if delta < 0 {
            return enter(now: now, delta: delta, cause: "clock_backwards", "the clock went backwards by \(-delta) ms")
        } else if delta > trigger {
            return enter(now: now, delta: delta, cause: "event_loop_stall", "the timer ran \(delta) ms after the previous run")
        }
        return .none
    }

    /// A wall-clock reading (Unix milliseconds; 0: none): how far the wall clock moved against
    /// how far the monotonic clock moved since the last reading; more than `trigger` apart is a jump.
    mutating func wallClock(_ wall: Int64, now: Millis, trigger: Millis) -> Action {
        guard wall != 0 else { return .none }
        defer { lastSample = (now, wall) }
        guard let last = lastSample else { return .none }
        let jump = (wall - last.wallMillis) - (now - last.monotonic)
        guard abs(jump) > trigger else { return .none }
        return enter(
            now: now, delta: jump, cause: "clock_jump",
            "the system clock jumped \(jump > 0 ? "forward" : "backward") by \(abs(jump)) ms")
    }

    /// Enters (or re-arms) TILT: every trigger restarts the period and, as in Valkey 9's
    /// sentinelCheckTiltCondition, counts in `sentinel_total_tilt`.
    mutating func enter(now: Millis, delta: Millis, cause: String, _ explanation: String) -> Action {
        mode = .tilted(since: now)
        total += 1
        last = (delta, cause)
        return .entered(cause: cause, explanation: explanation)
    }

    /// Leaves TILT once `period` has passed since the last trigger.
    mutating func checkExit(now: Millis, period: Millis) -> Action {
        guard case .tilted(let since) = mode, now - since >= period else { return .none }
        mode = .normal
        return .exited
    }

    /// Seconds since TILT was (re-)entered, -1 outside it (`sentinel_tilt_since_seconds`).
    func secondsInTilt(now: Millis) -> Int64 {
        if case .tilted(let since) = mode { (now - since) / 1000 } else { -1 }
    }

    /// Wall-clock Unix milliseconds: the last reading moved on by the monotonic clock since; nil
    /// before any.
    func wallMillis(now: Millis) -> Int64? {
        lastSample.map { $0.wallMillis + (now - $0.monotonic) }
    }
}

extension Sentinel {
    /// Whether the sentinel is in TILT (no failure detection or failover).
    var tilt: Bool { clock.active }

    /// sentinelCheckTiltCondition, run at the start of every timer tick.
    mutating func checkTiltCondition() {
        performTilt(clock.tick(now: now, trigger: timing.tiltTrigger))
    }

    /// Takes a wall-clock reading (the runtime gives one with every event, and `.processStats`
    /// carries one); a jump enters TILT.
    mutating func noteWallClock(_ wall: Int64) {
        performTilt(clock.wallClock(wall, now: now, trigger: timing.tiltTrigger))
    }

    /// Enters (or re-arms) TILT for `cause` (the short code INFO shows; `explanation` is logged).
    mutating func enterTilt(delta: Millis, cause: String, _ explanation: String) {
        performTilt(clock.enter(now: now, delta: delta, cause: cause, explanation))
    }

    /// Leaves TILT once `tilt-period` has passed since the last trigger. Returns whether we are
    /// still in TILT (then the caller skips everything that acts).
    mutating func stillInTilt() -> Bool {
        guard tilt else { return false }
        performTilt(clock.checkExit(now: now, period: timing.tiltPeriod))
        return tilt
    }

    private mutating func performTilt(_ action: TiltClock.Action) {
        switch action {
        case .none:
            return
        case .entered(_, let explanation):
            output.append(.log(.warning, "TILT: \(explanation); no failure detection or failover for \(timing.tiltPeriod) ms"))
            emit(.warning, "+tilt", "#tilt mode entered")
            output.append(.observe(.tilt(entered: true)))
        case .exited:
            emit(.warning, "-tilt", "#tilt mode exited")
            output.append(.observe(.tilt(entered: false)))
        }
    }

    /// Wall-clock Unix milliseconds: the last reading moved on by the monotonic clock since; nil
    /// before any.
    func wallClockMillis() -> Int64? { clock.wallMillis(now: now) }
}
