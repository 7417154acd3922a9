import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import SentinelCore
@testable import SentinelRuntime

/// The runtime's side of `/metrics` (issue 15) without sockets: the HTTP answers of
/// ``MetricsHTTPHandler`` on an `EmbeddedChannel`, and what ``SentinelMetrics`` renders from
/// observations.
@Suite("Metrics runtime")
struct MetricsRuntimeTests {
    @Test("GET /metrics scrapes; other paths 404; other methods 405; a refused peer 403 whatever it asks")
    func answers() {
        #expect(MetricsHTTPHandler.answer(method: .GET, uri: "/metrics", denied: false) == .scrape)
        #expect(MetricsHTTPHandler.answer(method: .GET, uri: "/metrics?x=1", denied: false) == .scrape)
        #expect(MetricsHTTPHandler.answer(method: .GET, uri: "/", denied: false) == .notFound)
        #expect(MetricsHTTPHandler.answer(method: .POST, uri: "/other", denied: false) == .notFound)
        #expect(MetricsHTTPHandler.answer(method: .POST, uri: "/metrics", denied: false) == .methodNotAllowed)
        #expect(MetricsHTTPHandler.answer(method: .GET, uri: "/metrics", denied: true) == .forbidden)
    }

    /// Sends one request through the handler and returns the response head and body.
    static func exchange(denied: Bool, method: HTTPMethod = .GET, uri: String = "/metrics") throws -> (HTTPResponseHead, String) {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            MetricsHTTPHandler(denied: denied) { buffer in buffer.writeString("sample 1\n") })
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
        head.headers.add(name: "Host", value: "x")
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        guard case .head(let response)? = try channel.readOutbound(as: HTTPServerResponsePart.self),
            case .body(.byteBuffer(let body))? = try channel.readOutbound(as: HTTPServerResponsePart.self)
        else {
            Issue.record("no response head and body")
            return (HTTPResponseHead(version: .http1_1, status: .internalServerError), "")
        }
        _ = try channel.finish(acceptAlreadyClosed: true)
        return (response, String(buffer: body))
    }

    @Test("the scrape's headers; protected mode's 403 with its text, connection closed")
    func responses() throws {
        let (ok, body) = try Self.exchange(denied: false)
        #expect(ok.status == .ok && body == "sample 1\n")
        #expect(ok.headers["Content-Type"] == ["text/plain; version=0.0.4; charset=utf-8"])
        #expect(ok.headers["Content-Length"] == ["9"] && ok.headers["Connection"] == ["keep-alive"])
        let (denied, text) = try Self.exchange(denied: true)
        #expect(denied.status == .forbidden && text == MetricsAccess.refusal && denied.headers["Connection"] == ["close"])
        let (post, _) = try Self.exchange(denied: false, method: .POST)
        #expect(post.status == .methodNotAllowed && post.headers["Allow"] == ["GET"])
    }

    static func render(_ metrics: SentinelMetrics, now: NIODeadline) -> String {
        var buffer = ByteBuffer()
        metrics.render(.empty, now: now, into: &buffer)
        return String(buffer: buffer)
    }

    @Test("observations become counters and histograms; TILT time is counted while it lasts and after")
    func observations() {
        let metrics = SentinelMetrics()
        let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
        metrics.observe(.subjectivelyDown(master: "m", kind: .replica, down: true), now: t0)
        metrics.observe(.subjectivelyDown(master: "m", kind: .replica, down: false), now: t0)
        metrics.observe(.objectivelyDown(master: "m", down: true), now: t0)
        metrics.observe(.voteCast(master: "m", forSelf: true), now: t0)
        metrics.observe(.failoverStarted(master: "m", kind: .coordinated), now: t0)
        metrics.observe(.election(master: "m", kind: .coordinated, won: true), now: t0)
        let summary = FailoverSummary(
            master: "m", kind: .coordinated, epoch: 3, leader: "me", target: "10.0.0.2:6379", phases: [("election", 100)],
            writePauseMillis: 40, totalMillis: 1500, outcome: .succeeded)
        metrics.observe(.failoverEnded(summary), now: t0)
        var aborted = summary
        aborted.kind = .automatic
        aborted.outcome = .aborted(reason: "not-elected")
        aborted.writePauseMillis = nil
        metrics.observe(.failoverEnded(aborted), now: t0)
        metrics.observe(.tilt(entered: true), now: t0)
        metrics.observe(.tilt(entered: true), now: t0 + .seconds(1))  // re-armed: the same TILT

        let during = Self.render(metrics, now: t0 + .seconds(2))
        #expect(during.contains("sentinel_tilt_entered_total 1\n"))
        #expect(during.contains("sentinel_tilt_seconds_total 2.0\n"), "\(during)")
        metrics.observe(.tilt(entered: false), now: t0 + .seconds(5))
        let text = Self.render(metrics, now: t0 + .seconds(9))
        for line in [
            #"sentinel_sdown_entered_total{master="m",kind="replica"} 1"#,
            #"sentinel_odown_entered_total{master="m",kind="master"} 1"#,
            "sentinel_votes_cast_total 1",
            #"sentinel_failovers_started_total{master="m",kind="coordinated"} 1"#,
            #"sentinel_elections_total{kind="coordinated",result="won"} 1"#,
            #"sentinel_failovers_succeeded_total{master="m",kind="coordinated"} 1"#,
            #"sentinel_failovers_aborted_total{master="m",kind="automatic",reason="not-elected"} 1"#,
            #"sentinel_failover_duration_seconds_count{kind="coordinated",outcome="succeeded"} 1"#,
            #"sentinel_failover_duration_seconds_count{kind="automatic",outcome="aborted"} 1"#,
            "sentinel_failover_write_pause_seconds_count 1",
            #"sentinel_failover_write_pause_seconds_bucket{le="0.05"} 1"#,
            "sentinel_tilt_seconds_total 5.0",
            "redis_sentinel_masters 0",
        ] {
            #expect(text.contains(line + "\n"), "\(line) not in:\n\(text)")
        }
    }
}
