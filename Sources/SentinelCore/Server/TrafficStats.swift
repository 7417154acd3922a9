//===----------------------------------------------------------------------===//
// swift-sentinel — client traffic counters and rates of INFO stats and clients
//===----------------------------------------------------------------------===//

import RESP

/// The runtime's running totals of I/O on client connections of the sentinel's port (every
/// accepted connection, peer sentinels included; our own outbound links are not clients), since
/// start. The runtime hands them over as ``Event/clientTraffic(_:)`` before any event they
/// changed for, so INFO is exact when it is answered.
package struct ClientTraffic: Hashable, Sendable {
    /// Bytes read from clients (`total_net_input_bytes`; Redis counts in readQueryFromClient).
    package var inputBytes: Int64 = 0
    /// Bytes handed to client sockets (`total_net_output_bytes`; Redis: writeToClient).
    package var outputBytes: Int64 = 0
    /// Reads from client sockets, the one that finds a connection closed or reset included
    /// (`total_reads_processed`: Redis counts every readQueryFromClient call).
    package var reads: Int64 = 0
    /// Writes to client sockets: one per flush of a client's output (`total_writes_processed`:
    /// one per writeToClient call).
    package var writes: Int64 = 0
    /// `-ERR Protocol error: ...` replies the runtime sent itself; they are error replies too
    /// (`total_error_replies`).
    package var protocolErrors: Int64 = 0

    package init(
        inputBytes: Int64 = 0, outputBytes: Int64 = 0, reads: Int64 = 0, writes: Int64 = 0, protocolErrors: Int64 = 0
    ) {
        self.inputBytes = inputBytes
        self.outputBytes = outputBytes
        self.reads = reads
        self.writes = writes
        self.protocolErrors = protocolErrors
    }
}

/// One of Redis's instantaneous metrics (server.c `trackInstantaneousMetric` and
/// `getInstantaneousMetric`): every sample is the per-second rate since the previous sample
/// (integer arithmetic), kept in a ring of 16; the reported rate is the integer mean of the ring.
struct InstantaneousMetric: Hashable, Sendable {
    /// STATS_METRIC_SAMPLES.
    static let sampleCount = 16

    private var samples = [Int64](repeating: 0, count: InstantaneousMetric.sampleCount)
    private var index = 0
    private var lastSampleTime: Millis
    private var lastSampleCount: Int64 = 0

    /// A metric whose first sample measures from `now` (Redis: resetServerStats at startup).
    init(now: Millis = 0) {
        lastSampleTime = now
    }

    /// Records the rate of `reading` (a running total) since the previous sample.
    mutating func track(_ reading: Int64, now: Millis) {
        let elapsed = now - lastSampleTime
        let delta = reading - lastSampleCount
        samples[index] = elapsed > 0 ? delta * 1000 / elapsed : 0
        index = (index + 1) % Self.sampleCount
        lastSampleTime = now
        lastSampleCount = reading
    }

    /// The mean of the last 16 samples, per second.
    var perSecond: Int64 {
        samples.reduce(0, +) / Int64(Self.sampleCount)
    }
}

/// The three instantaneous metrics of INFO stats and when they were last sampled.
struct TrafficRates: Hashable, Sendable {
    /// Redis samples in serverCron's `run_with_period(100)`. Our ticks come every 53–100 ms (plus
    /// early wake-ups), so a sample is taken on the first tick at or after each 100 ms step: 100 ms
    /// apart on average, and the 16 samples span about 1.6 s as in Redis.
    static let samplePeriod: Millis = 100

    /// When the next sample is due.
    var nextSample: Millis
    /// `instantaneous_ops_per_sec`, from `total_commands_processed`.
    var commands: InstantaneousMetric
    /// `instantaneous_input_kbps` (bytes per second here; INFO divides by 1024).
    var input: InstantaneousMetric
    /// `instantaneous_output_kbps`.
    var output: InstantaneousMetric

    /// Rates whose first samples measure from `now`, the first one due a period later.
    init(now: Millis = 0) {
        nextSample = now + Self.samplePeriod
        commands = InstantaneousMetric(now: now)
        input = InstantaneousMetric(now: now)
        output = InstantaneousMetric(now: now)
    }
}

/// The largest value seen in each of the last 8 seconds (Redis's ClientsPeakMemInput and
/// ClientsPeakMemOutput, CLIENTS_PEAK_MEM_USAGE_SLOTS): INFO shows the largest of them, so a
/// big buffer is visible for 8 seconds after it was seen.
struct RecentPeak: Hashable, Sendable {
    static let slotCount = 8

    private var peaks = [Int](repeating: 0, count: RecentPeak.slotCount)
    /// The second each slot holds; a slot of an older second counts as empty.
    private var seconds = [Int64](repeating: -1, count: RecentPeak.slotCount)

    init() {}

    /// Records `value` as seen during `second` (monotonic seconds).
    mutating func record(_ value: Int, second: Int64) {
        let slot = Int(second % Int64(Self.slotCount))
        if seconds[slot] != second {
            seconds[slot] = second
            peaks[slot] = 0
        }
        peaks[slot] = max(peaks[slot], value)
    }

    /// The largest value recorded in the 8 seconds up to and including `second`.
    func value(at second: Int64) -> Int {
        var largest = 0
        for slot in 0..<Self.slotCount where seconds[slot] <= second && second - seconds[slot] < Int64(Self.slotCount) {
            largest = max(largest, peaks[slot])
        }
        return largest
    }
}

extension Sentinel {
    /// Takes a sample of the instantaneous metrics if one is due (called on every tick).
    mutating func sampleTrafficRates() {
        guard now >= trafficRates.nextSample else { return }
        trafficRates.nextSample += TrafficRates.samplePeriod
        if trafficRates.nextSample <= now {
            // The timer ran late by more than a period: step on from now.
            trafficRates.nextSample = now + TrafficRates.samplePeriod
        }
        trafficRates.commands.track(Int64(counters.commandsProcessed), now: now)
        trafficRates.input.track(traffic.inputBytes, now: now)
        trafficRates.output.track(traffic.outputBytes, now: now)
    }

    /// Keeps the client buffer peaks of a `.processStats` sample for the next 8 seconds.
    mutating func recordClientBufferPeaks(_ stats: ProcessStats) {
        recentInputBuffer.record(stats.clientInputBufferPeak, second: now / 1000)
        recentOutputBuffer.record(stats.clientOutputBufferPeak, second: now / 1000)
    }

    /// Counts an error reply given to a client (Redis's afterErrorReply). Called when the reply
    /// is produced, also when CLIENT REPLY OFF|SKIP keeps it from being sent, as in Redis.
    mutating func countErrorReply(_ value: RESPValue) {
        if case .error = value { counters.errorReplies += 1 }
    }
}
