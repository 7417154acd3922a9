import NIOCore
import NIOEmbedded
import SentinelCore
import Testing

@testable import SentinelRuntime

/// A core that records every event with the `now` it was handed (``Recorder/timeline``) and
/// answers from a script: `onStart` at start, `answer(event, now)` for each event.
struct TimedCore: SentinelMachine {
    let recorder: Recorder
    var onStart: [Action] = []
    var answer: @Sendable (Event, Millis) -> [Action] = { _, _ in [] }
    /// The `now` handed to `start`.
    var startedAt: Millis?
    /// Both clocks as handed to `start` and to every event.
    var clocks: [(now: Millis, wall: Int64?)] = []
    var unsavedConfig: SentinelConfig? { nil }

    func executablesToCheck(_ words: [String]) -> [String] { [] }
    func metricsSnapshot() -> MetricsSnapshot { .empty }

    mutating func start(now: Millis, wall: Int64?) -> [Action] {
        startedAt = now
        clocks.append((now, wall))
        return onStart
    }

    mutating func handle(_ event: Event, now: Millis, wall: Int64?) -> [Action] {
        recorder.record(event, now: now)
        clocks.append((now, wall))
        return answer(event, now)
    }
}

extension Recorder {
    /// The `now` of every `.tick`, in order.
    var tickTimes: [Millis] {
        timeline.compactMap { entry in
            guard case .tick = entry.event else { return nil }
            return entry.now
        }
    }

    /// Every `.processStats` with its `now`, in order.
    var statsTimes: [(stats: ProcessStats, now: Millis)] {
        timeline.compactMap { entry in
            guard case .processStats(let stats) = entry.event else { return nil }
            return (stats, entry.now)
        }
    }
}

/// A ``RuntimeEngine`` started with ``RuntimeEngine/startCore()`` (no listeners) on its own
/// `EmbeddedEventLoop`, driving a ``TimedCore``: the loop's clock is virtual, so the timers (tick,
/// wake-ups, stats) fire only when the test advances time, and an hour passes in milliseconds.
/// Confined to the thread that made it, as the loop is.
struct VirtualRuntime {
    let loop = EmbeddedEventLoop()
    let recorder = Recorder()
    let engine: RuntimeEngine

    /// - Parameters:
    ///   - hz: The range `hz` is drawn from after every tick (``RuntimeOptions/hz``).
    ///   - seed: Seeds the tick jitter (``RuntimeOptions/seed``).
    ///   - wallAtZero: When given, the wall clock follows virtual time from this Unix µs reading
    ///     (``RuntimeOptions/wallClockMicros``); else it is the host's.
    ///   - onStart: What the core answers to `start`.
    ///   - answer: What the core answers to each event, given its `now`.
    init(
        hz: ClosedRange<Int> = 10...19, seed: UInt64 = 42, wallAtZero: Int64? = nil, onStart: [Action] = [],
        answer: @escaping @Sendable (Event, Millis) -> [Action] = { _, _ in [] }
    ) {
        var options = RuntimeOptions(configPath: "/nonexistent/virtual-time.conf", seed: seed)
        options.hz = hz
        options.watchdogInterval = nil
        if let wallAtZero {
            options.wallClockMicros = { [loop] in wallAtZero + Int64(loop.now.uptimeNanoseconds / 1000) }
        }
        let core = TimedCore(recorder: recorder, onStart: onStart, answer: answer)
        engine = RuntimeEngine(
            loop: loop, core: core, config: SentinelConfig(), options: options, sink: LogSink(level: .nothing),
            stopped: loop.makePromise()
        )
        engine.startCore()
    }

    func advance(by amount: TimeAmount) {
        loop.advanceTime(by: amount)
    }

    /// Stops the engine (if the core has not) and the loop, dropping the timers still scheduled.
    func finish() throws {
        engine.shutdown()
        try loop.syncShutdownGracefully()
    }
}

/// The runtime's timers in virtual time: the tick at the core's `hz`, jittered as Redis does;
/// `.wakeUp`; the stats sampling; nothing after shutdown; background work coming back only while
/// running.
@Suite struct RuntimeEngineVirtualTimeTests {
    /// Every tick period Redis can draw: `1000 / hz` ms for `hz` in `10 + rand() % 10`.
    static let tickPeriods = Set((10...19).map { Millis(1000 / $0) })

    /// The tick times of Redis's rule from time 0 up to `until`: after each tick `hz` is redrawn
    /// (`10 + rand() % 10`, from the runtime's seeded generator) and the next tick comes `1000 / hz` ms later.
    static func jitteredTicks(seed: UInt64, until: Millis) -> [Millis] {
        var random = SplitMix64(seed: seed)
        var times: [Millis] = []
        var time: Millis = 0
        while true {
            time += Millis(1000 / Int.random(in: 10...19, using: &random))
            guard time <= until else { return times }
            times.append(time)
        }
    }

    @Test func ticksAtFixedHzFollowTheVirtualClockForAnHour() throws {
        let runtime = VirtualRuntime(hz: 10...10)
        let recorder = runtime.recorder
        #expect((runtime.engine.core as? TimedCore)?.startedAt == 0)
        #expect(recorder.tickTimes.isEmpty)

        runtime.advance(by: .seconds(1))
        #expect(recorder.tickTimes == (1...10).map { Millis($0 * 100) })

        runtime.advance(by: .hours(1) - .seconds(1))
        let ticks = recorder.tickTimes
        #expect(ticks.count == 36_000)
        #expect(ticks == (1...36_000).map { Millis($0 * 100) })
        // Every event came with the virtual time it was scheduled for, never the host's clock.
        #expect(recorder.timeline.last?.now == 3_600_000)
        #expect(recorder.timeline.allSatisfy { $0.now % 100 == 0 })
        try runtime.finish()
    }

    @Test func ticksAreJitteredAsRedisRedrawsHz() throws {
        let runtime = VirtualRuntime(seed: 42)
        runtime.advance(by: .seconds(1))
        let expected = Self.jitteredTicks(seed: 42, until: 1000)
        #expect(runtime.recorder.tickTimes == expected)
        #expect((10...19).contains(expected.count))

        runtime.advance(by: .seconds(59))
        let ticks = runtime.recorder.tickTimes
        #expect(ticks == Self.jitteredTicks(seed: 42, until: 60_000))
        let periods = zip(ticks.dropFirst(), ticks).map { $0 - $1 }
        // Every period Redis can draw occurs, and no other.
        #expect(Set(periods) == Self.tickPeriods)
        try runtime.finish()

        // Sentinels started together with other seeds drift apart.
        let other = VirtualRuntime(seed: 43)
        other.advance(by: .seconds(1))
        #expect(other.recorder.tickTimes != expected)
        try other.finish()
    }

    @Test func wakeUpAddsATickAtExactlyThatTime() throws {
        // A negative delay is due at once; 250 ms falls between two periodic ticks.
        let runtime = VirtualRuntime(hz: 10...10, onStart: [.wakeUp(afterMillis: -5), .wakeUp(afterMillis: 250)]) {
            event, now in
            guard case .tick = event, now == 300 else { return [] }
            return [.wakeUp(afterMillis: 5)]
        }
        runtime.advance(by: .seconds(1))
        // The extra ticks leave the periodic ones where they were.
        #expect(runtime.recorder.tickTimes == [0, 100, 200, 250, 300, 305, 400, 500, 600, 700, 800, 900, 1000])
        try runtime.finish()
    }

    @Test func processStatsEverySecondReportTheHzOfTheScheduledTick() throws {
        let runtime = VirtualRuntime(seed: 7)
        // A tick period past the tenth second, so every sample has a tick after it.
        runtime.advance(by: .milliseconds(10_100))
        let samples = runtime.recorder.statsTimes
        #expect(samples.map(\.now) == (0...10).map { Millis($0 * 1000) })

        // INFO's `hz` is the one drawn for the tick pending when the sample was taken: the time
        // from the tick before the sample (or the start) to the tick after it is 1000 / hz.
        let timeline = runtime.recorder.timeline
        for sample in samples {
            guard let index = timeline.firstIndex(where: { $0.now == sample.now && $0.event.isStats }) else {
                Issue.record("sample at \(sample.now) not in the timeline")
                continue
            }
            let before = timeline[..<index].last { $0.event.isTick }?.now ?? 0
            let after = timeline[index...].first { $0.event.isTick }?.now
            #expect(after.map { $0 - before } == Millis(1000 / sample.stats.hz), "sample at \(sample.now)")
        }
        try runtime.finish()
    }

    @Test func nothingReachesTheCoreAfterShutdown() throws {
        let runtime = VirtualRuntime(hz: 10...10, onStart: [.wakeUp(afterMillis: 500)]) { event, now in
            guard case .tick = event, now == 300 else { return [] }
            return [.shutdown]
        }
        runtime.advance(by: .hours(1))
        #expect(runtime.engine.phase == .stopped)
        // The wake-up due at 500, the periodic ticks and the stats timer all stayed silent.
        #expect(runtime.recorder.timeline.map(\.now) == [0, 100, 200, 300])
        #expect(runtime.recorder.tickTimes == [100, 200, 300])
        try runtime.finish()
    }

    @Test func theWallClockIsTheHostsUnlessATestFollowsVirtualTime() throws {
        let before = ProcessStatsSampler.wallClockMicros() / 1000
        let host = VirtualRuntime(hz: 10...10)
        host.advance(by: .seconds(2))
        let after = ProcessStatsSampler.wallClockMicros() / 1000
        let hostClocks = (host.engine.core as? TimedCore)?.clocks ?? []
        #expect(hostClocks.count > 20)
        #expect(hostClocks.allSatisfy { ($0.wall ?? 0) >= before && ($0.wall ?? 0) <= after })
        #expect(host.recorder.statsTimes.allSatisfy { (before...after).contains($0.stats.unixTimeMicros / 1000) })
        try host.finish()

        // 2026-12-07 00:00 UTC at virtual time 0: the wall moves with the monotonic clock, for the
        // events and for the stats' `server_time_usec` alike.
        let zero: Int64 = 1_796_601_600_000_000
        let virtual = VirtualRuntime(hz: 10...10, wallAtZero: zero)
        virtual.advance(by: .hours(1))
        let clocks = (virtual.engine.core as? TimedCore)?.clocks ?? []
        #expect(clocks.count > 36_000)
        #expect(clocks.allSatisfy { $0.wall == zero / 1000 + $0.now })
        let samples = virtual.recorder.statsTimes
        #expect(samples.count == 3601)
        #expect(samples.allSatisfy { $0.stats.unixTimeMicros == zero + $0.now * 1000 })
        try virtual.finish()
    }

    @Test func backgroundWorkComesBackOnTheLoopOnlyWhileRunning() throws {
        let runtime = VirtualRuntime(hz: 10...10)
        var returns: [Millis] = []
        // Stand-ins for work finishing off the loop at 2 s and at 5 s.
        for seconds: Int64 in [2, 5] {
            runtime.engine.whileRunning(runtime.loop.scheduleTask(in: .seconds(seconds)) {}.futureResult) { engine, _ in
                returns.append(engine.now())
            }
        }
        runtime.advance(by: .seconds(3))
        #expect(returns == [2000])
        runtime.engine.shutdown()
        runtime.advance(by: .seconds(3))
        #expect(returns == [2000])
        try runtime.finish()
    }
}

extension Event {
    fileprivate var isTick: Bool {
        if case .tick = self { true } else { false }
    }

    fileprivate var isStats: Bool {
        if case .processStats = self { true } else { false }
    }
}
