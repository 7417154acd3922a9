//===----------------------------------------------------------------------===//
// swift-sentinel — the series of /metrics (docs/operations.md)
//===----------------------------------------------------------------------===//

import NIOCore
import Prometheus
import SentinelCore

/// The `/metrics` series of one runtime. Counters and histograms live in a
/// `PrometheusCollectorRegistry` this object owns (no global `MetricsSystem`: a test process runs
/// several runtimes) and are fed by the core's ``Observation``s, the config saver and the TILT
/// clock kept here. Gauges are read off a ``MetricsSnapshot`` of the core at each scrape and
/// written before the registry's output, so the series of a removed master or instance go with it.
///
/// Confined to the runtime's loop, like ``RuntimeEngine``; created only when `metrics-port` is set,
/// so a sentinel without metrics does no metrics work at all.
final class SentinelMetrics {
    let registry = PrometheusCollectorRegistry()

    /// Buckets (seconds) of a failover's duration, from `+try-failover` (the summary's `total`):
    /// 120-250 ms for a crash or coordinated failover on loopback (integration runs), seconds
    /// with slow replicas or a lost election, up to `failover-timeout` when stuck.
    static let failoverBuckets: [Duration] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 900].map(seconds)
    /// Buckets of a coordinated failover's write pause: milliseconds when it goes well.
    static let pauseBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map(seconds)
    /// Buckets of a config save (write, fsync, rename).
    static let saveBuckets: [Duration] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5].map(seconds)

    private let votesCast: Counter
    private let tiltEntered: Counter
    private let tiltSeconds: Counter
    private let configSaves: Counter
    private let configSaveErrors: Counter
    private let configSaveDuration: DurationHistogram
    private let writePause: DurationHistogram
    /// When the current TILT began, or when its seconds were last added to `tiltSeconds`; nil
    /// outside TILT.
    private var tiltAccountedUntil: NIODeadline?
    /// The text of the last scrape, reused (its capacity) by the next.
    private var buffer: [UInt8] = []

    init() {
        votesCast = registry.makeCounter(descriptor: Self.named(
            "sentinel_votes_cast", "total",
            "Votes this sentinel gave in leader elections (+vote-for-leader)"))
        tiltEntered = registry.makeCounter(descriptor: Self.named("sentinel_tilt_entered", "total", "Times the sentinel entered TILT mode"))
        tiltSeconds = registry.makeCounter(descriptor: Self.named("sentinel_tilt_seconds", "total", "Seconds spent in TILT mode"))
        configSaves = registry.makeCounter(descriptor: Self.named(
            "sentinel_config_saves", "total",
            "Background writes of the config file that succeeded"))
        configSaveErrors = registry.makeCounter(descriptor: Self.named(
            "sentinel_config_save_errors", "total",
            "Background writes of the config file that failed"))
        configSaveDuration = registry.makeDurationHistogram(
            descriptor: Self.named(
                "sentinel_config_save_duration", "seconds",
                "How long a config file write took (rewrite, fsync, rename)"), buckets: Self.saveBuckets)
        writePause = registry.makeDurationHistogram(
            descriptor: Self.named(
                "sentinel_failover_write_pause", "seconds",
                "How long a coordinated failover kept the old master's writes paused"), buckets: Self.pauseBuckets)
    }

    /// A family's name (`name` then `unit`, e.g. `sentinel_votes_cast` + `total`) and help text.
    private static func named(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: unit, helpText: help)
    }

    private static func seconds(_ value: Double) -> Duration {
        .nanoseconds(Int64((value * 1e9).rounded()))
    }

    private static func duration(_ millis: Millis) -> Duration {
        .milliseconds(millis)
    }

    // MARK: - Observations

    /// Counts or times what the core reported (``Action/observe(_:)``).
    func observe(_ observation: Observation, now: NIODeadline) {
        switch observation {
        case .subjectivelyDown(let master, let kind, let down):
            guard down else { return }
            registry.makeCounter(
                descriptor: Self.named("sentinel_sdown_entered", "total", "Times an instance entered SDOWN (+sdown), by master and instance kind"),
                labels: [("master", master), ("kind", kind.rawValue)]).increment()
        case .objectivelyDown(let master, let down):
            guard down else { return }
            registry.makeCounter(
                descriptor: Self.named("sentinel_odown_entered", "total", "Times a master entered ODOWN (+odown)"),
                labels: [("master", master), ("kind", InstanceKind.master.rawValue)]).increment()
        case .tilt(let entered):
            if entered {
                guard tiltAccountedUntil == nil else { return }  // re-armed: the same TILT
                tiltEntered.increment()
                tiltAccountedUntil = now
            } else {
                accountTilt(now: now)
                tiltAccountedUntil = nil
            }
        case .voteCast:
            votesCast.increment()
        case .failoverStarted(let master, let kind):
            registry.makeCounter(
                descriptor: Self.named(
                    "sentinel_failovers_started", "total",
                    "Failovers this sentinel started as leader candidate (+try-failover), by kind"),
                labels: [("master", master), ("kind", kind.rawValue)]).increment()
        case .election(_, let kind, let won):
            registry.makeCounter(
                descriptor: Self.named("sentinel_elections", "total", "Leader elections of failovers this sentinel started, won or lost"),
                labels: [("kind", kind.rawValue), ("result", won ? "won" : "lost")]).increment()
        case .failoverEnded(let summary):
            failoverEnded(summary)
        }
    }

    private func failoverEnded(_ summary: FailoverSummary) {
        let outcome: String
        switch summary.outcome {
        case .succeeded:
            outcome = "succeeded"
            registry.makeCounter(
                descriptor: Self.named("sentinel_failovers_succeeded", "total", "Failovers this sentinel led to the switch (+switch-master), by kind"),
                labels: [("master", summary.master), ("kind", summary.kind.rawValue)]).increment()
        case .aborted(let reason):
            outcome = "aborted"
            registry.makeCounter(
                descriptor: Self.named(
                    "sentinel_failovers_aborted", "total",
                    "Failovers that ended without switching the master, by kind and reason (the +failover-summary outcome)"),
                labels: [("master", summary.master), ("kind", summary.kind.rawValue), ("reason", reason)]).increment()
        }
        registry.makeDurationHistogram(
            descriptor: Self.named(
                "sentinel_failover_duration", "seconds",
                "How long a failover took, from +try-failover to its end"), labels: [("kind", summary.kind.rawValue), ("outcome", outcome)],
            buckets: Self.failoverBuckets).record(Self.duration(summary.totalMillis))
        if let pause = summary.writePauseMillis {
            writePause.record(Self.duration(pause))
        }
    }

    /// Adds the TILT time not yet counted.
    private func accountTilt(now: NIODeadline) {
        guard let since = tiltAccountedUntil else { return }
        let elapsed = now - since
        if elapsed.nanoseconds > 0 {
            tiltSeconds.increment(by: Double(elapsed.nanoseconds) / 1e9)
        }
        tiltAccountedUntil = now
    }

    /// A background config write finished (``ConfigSaver/onWrite``).
    func configWritten(elapsed: TimeAmount, failed: Bool) {
        (failed ? configSaveErrors : configSaves).increment()
        configSaveDuration.record(.nanoseconds(elapsed.nanoseconds))
    }

    // MARK: - Scrape

    /// The text of `/metrics` (format 0.0.4): the gauges of `snapshot`, then the registry.
    func render(_ snapshot: MetricsSnapshot, now: NIODeadline, into out: inout ByteBuffer) {
        accountTilt(now: now)
        buffer.removeAll(keepingCapacity: true)
        var text = MetricsText(bytes: buffer)
        text.snapshotSeries(snapshot)
        registry.emit(into: &text.bytes)
        out.writeBytes(text.bytes)
        buffer = text.bytes
    }
}

@available(*, unavailable)
extension SentinelMetrics: Sendable {}

/// Prometheus text format writing for the snapshot's gauges (the registry writes its own).
struct MetricsText {
    var bytes: [UInt8]

    /// `# HELP` and `# TYPE` lines of a family.
    mutating func family(_ name: String, _ type: String, _ help: String) {
        append("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n")
    }

    /// One sample: `name{l1="v1",...} value`.
    mutating func sample(_ name: String, _ value: Int) {
        append("\(name) \(value)\n")
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Int) {
        sampleStart(name, labels)
        append(" \(value)\n")
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        sampleStart(name, labels)
        append(" \(value)\n")
    }

    private mutating func sampleStart(_ name: String, _ labels: KeyValuePairs<String, String>) {
        append(name)
        guard !labels.isEmpty else { return }
        bytes.append(UInt8(ascii: "{"))
        for (index, (label, value)) in labels.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(label)
            append("=\"")
            appendEscaped(value)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A label value: `\`, `"` and newlines escaped (the exposition format's rule).
    private mutating func appendEscaped(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): append("\\\\")
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\n"): append("\\n")
            default: bytes.append(byte)
            }
        }
    }

    /// Every gauge of the snapshot. The `redis_sentinel_*` families carry redis_exporter 1.45's
    /// names, help texts, labels and values for a sentinel (ExporterTests compares them).
    mutating func snapshotSeries(_ s: MetricsSnapshot) {
        family("redis_sentinel_masters", "gauge", "The number of masters this sentinel is watching")
        sample("redis_sentinel_masters", s.masters.count)
        family("redis_sentinel_tilt", "gauge", "Sentinel is in TILT mode")
        sample("redis_sentinel_tilt", s.tilt ? 1 : 0)
        family("redis_sentinel_running_scripts", "gauge", "Number of scripts in execution right now")
        sample("redis_sentinel_running_scripts", s.runningScripts)
        family("redis_sentinel_scripts_queue_length", "gauge", "Queue of user scripts to execute")
        sample("redis_sentinel_scripts_queue_length", s.scriptsQueueLength)
        family("redis_sentinel_simulate_failure_flags", "gauge", "Failures simulations")
        sample("redis_sentinel_simulate_failure_flags", s.simulateFailureFlags)

        family("redis_sentinel_master_status", "gauge", "Master status on Sentinel")
        for m in s.masters {
            sample(
                "redis_sentinel_master_status",
                ["master_name": m.name, "master_address": m.address, "master_status": m.status], m.status == "ok" ? 1 : 0)
        }
        let perMaster: [(String, String, KeyPath<MetricsSnapshot.Master, Int>)] = [
            ("redis_sentinel_master_slaves", "The number of slaves of the master", \.replicas),
            ("redis_sentinel_master_sentinels", "The number of sentinels monitoring this master", \.sentinels),
            ("redis_sentinel_master_ok_slaves", "The number of okay slaves of the master", \.okReplicas),
            ("redis_sentinel_master_ok_sentinels", "The number of okay sentinels monitoring this master", \.okSentinels),
        ]
        for (name, help, field) in perMaster {
            family(name, "gauge", help)
            for m in s.masters {
                sample(name, ["master_name": m.name, "master_address": m.address], m[keyPath: field])
            }
        }
        family("redis_sentinel_master_ckquorum_status", "gauge", "Master ckquorum status")
        for m in s.masters {
            sample(
                "redis_sentinel_master_ckquorum_status", ["master_name": m.name, "message": m.quorumMessage],
                m.quorumReachable ? 1 : 0)
        }

        family("sentinel_current_epoch", "gauge", "The sentinel's current epoch")
        sample("sentinel_current_epoch", Int(s.currentEpoch))
        family("sentinel_link_up", "gauge", "1 when every connection to the instance is up, 0 when one is down")
        for link in s.links {
            sample(
                "sentinel_link_up", ["master": link.master, "kind": link.kind.rawValue, "address": link.address],
                link.up ? 1 : 0)
        }
        family("sentinel_link_roundtrip_seconds", "gauge", "Round trip of the last answered PING to the instance")
        for link in s.links {
            guard let millis = link.roundTripMillis else { continue }
            sample(
                "sentinel_link_roundtrip_seconds",
                ["master": link.master, "kind": link.kind.rawValue, "address": link.address], Double(millis) / 1000)
        }
        family("sentinel_connected_clients", "gauge", "Client connections open on the sentinel's ports")
        sample("sentinel_connected_clients", s.connectedClients)
        family("sentinel_connections_received_total", "counter", "Client connections accepted")
        sample("sentinel_connections_received_total", s.connectionsReceived)
        family("sentinel_commands_processed_total", "counter", "Client commands run")
        sample("sentinel_commands_processed_total", s.commandsProcessed)
    }
}
