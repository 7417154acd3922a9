import RESP
import Testing

@testable import SentinelCore

/// The core's side of `/metrics` (issue 15): the `metrics-*` options as the config loader takes
/// them, who protected mode lets scrape, and the gauges read off the state.
@Suite("Metrics snapshot and options")
struct MetricsSnapshotTests {
    static func config(_ lines: String) throws -> SentinelConfig {
        try ConfigParser.parse(lines, fileName: "sentinel.conf")
    }

    static func error(_ text: String) -> ConfigLoadError? {
        do {
            _ = try config(text)
            return nil
        } catch {
            return error as? ConfigLoadError
        }
    }

    @Test("metrics-port, metrics-bind, metrics-tls: defaults, values, and bad values stop loading at file:line")
    func options() throws {
        let none = try Self.config("port 26379\n")
        #expect(none.metricsPort == 0 && none.metricsBind == nil && !none.metricsTLS)
        #expect(none.metricsListenAddresses == ["*", "-::*"])
        let bound = try Self.config("bind 127.0.0.1\nmetrics-port 9355\n")
        #expect(bound.metricsPort == 9355 && bound.metricsListenAddresses == ["127.0.0.1"])
        let own = try Self.config("bind 127.0.0.1\nmetrics-port 9355\nmetrics-bind 10.0.0.1 -::1\nmetrics-tls yes\n")
        #expect(own.metricsBind == ["10.0.0.1", "-::1"] && own.metricsListenAddresses == ["10.0.0.1", "-::1"] && own.metricsTLS)

        let port = try #require(Self.error("port 26379\nmetrics-port 70000\n"))
        #expect(port.line == 2 && port.message == "argument must be between 0 and 65535 inclusive")
        let tls = try #require(Self.error("metrics-tls maybe\n"))
        #expect(tls.line == 1 && tls.message == "argument must be 'yes' or 'no'")
        let many = try #require(Self.error("metrics-bind " + (1...17).map { "127.0.0.\($0)" }.joined(separator: " ") + "\n"))
        #expect(many.message == "Too many bind addresses specified.")
    }

    @Test("CONFIG REWRITE keeps the metrics lines as written")
    func rewriteKeepsThem() throws {
        let file = "port 26379\nmetrics-port 9355\nmetrics-bind 127.0.0.1 ::1\nmetrics-tls no\n"
        let config = try Self.config(file)
        let rewritten = ConfigRewriter.rewrite(original: file, config: config)
        for line in ["metrics-port 9355", "metrics-bind 127.0.0.1 ::1", "metrics-tls no"] {
            #expect(ConfigTokenizer.lines(rewritten).contains(line), "\(rewritten)")
        }
        #expect(try Self.config(rewritten).metricsPort == 9355)
    }

    @Test("protected mode without an explicit metrics-bind refuses non-loopback scrapers; with one, or off, serves them")
    func protectedMode() throws {
        let on = try Self.config("protected-mode yes\nmetrics-port 9355\n")
        #expect(MetricsAccess.denies(on, peer: "10.1.2.3:5000"))
        #expect(MetricsAccess.denies(on, peer: "::ffff:10.1.2.3"))
        #expect(!MetricsAccess.denies(on, peer: "127.0.0.1:5000"))
        #expect(!MetricsAccess.denies(on, peer: "127.0.0.2"))
        #expect(!MetricsAccess.denies(on, peer: "::1"))
        let explicit = try Self.config("protected-mode yes\nmetrics-port 9355\nmetrics-bind 10.1.2.1\n")
        #expect(!MetricsAccess.denies(explicit, peer: "10.1.2.3:5000"))
        let off = try Self.config("metrics-port 9355\n")
        #expect(!MetricsAccess.denies(off, peer: "10.1.2.3:5000"))
    }

    @Test("the snapshot has INFO sentinel's master line, CKQUORUM's answer and one link per instance")
    func snapshot() throws {
        var s = Sentinel(
            config: try Self.config("sentinel monitor m 10.0.0.1 6379 2\nsentinel monitor n 10.0.0.2 6379 1\n"), seed: 3)
        _ = s.start(now: 1)
        let snapshot = s.metricsSnapshot()
        #expect(snapshot.masters.map(\.name) == ["m", "n"])
        let m = try #require(snapshot.masters.first)
        #expect(m.address == "10.0.0.1:6379" && m.status == "ok" && m.replicas == 0 && m.sentinels == 1)
        #expect(m.okSentinels == 1 && m.okReplicas == 0)
        #expect(!m.quorumReachable && m.quorumMessage.hasPrefix("NOQUORUM 1 usable Sentinels."))
        let n = try #require(snapshot.masters.last)
        #expect(n.quorumReachable && n.quorumMessage == "OK 1 usable Sentinels. Quorum and failover authorization can be reached")
        #expect(snapshot.links.map(\.address) == ["10.0.0.1:6379", "10.0.0.2:6379"])
        #expect(snapshot.links.allSatisfy { !$0.up && $0.roundTripMillis == nil && $0.kind == .master })
        #expect(snapshot.currentEpoch == 0 && !snapshot.tilt)
    }
}
