import Foundation
import SentinelCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Integration {
    /// The native `/metrics` listener (`metrics-port`, docs/operations.md) of real swift-sentinel
    /// processes, every scrape parsed by PyPI prometheus-client's parser: off by default, the
    /// HTTP rules, and the failover counters and histograms during a crash failover and a
    /// coordinated failover. Each sentinel gets a metrics port of its own.
    @Suite(
        "Metrics",
        .enabled(if: Binaries.sentinelUnderTestHasCoordinatedFailover, "redis-sentinel has no /metrics"))
    struct MetricsTests {
        static let masterName = Cluster.masterName

        /// The scrapes of every sentinel of `fixture`, as `label: samples` for failure messages.
        static func scrapeAll(_ sentinels: [SentinelProcess], _ ports: MetricsPorts) throws -> [MetricsScrape] {
            try sentinels.map { try MetricsScrape.fetch(port: try ports.port(of: $0)) }
        }

        static func describe(_ scrapes: [MetricsScrape], matching prefix: String = "sentinel_") -> String {
            scrapes.enumerated().map { index, scrape in
                "sentinel\(index + 1):\n" + scrape.samples.filter { $0.name.hasPrefix(prefix) && !$0.name.contains("_bucket") }
                    .map { "  \($0)" }.joined(separator: "\n")
            }.joined(separator: "\n")
        }

        // MARK: off by default, HTTP rules

        @Test("no listener without metrics-port; GET /metrics 200 with the 0.0.4 content type; 404, 405, 400, keep-alive",
              .timeLimit(.minutes(2)))
        func listenerAndHTTPRules() async throws {
            let binary = try Binaries.sentinelUnderTest()
            let ports = MetricsPorts()
            let cluster = try await Cluster.start(sentinels: 0)
            defer { cluster.shutdown() }
            let plain = try await cluster.addSentinel(name: "plain", binary: binary)
            let scraped = try await cluster.addSentinel(name: "scraped", binary: binary, extraLines: try ports.lines("scraped"))
            let metricsPort = try ports.port(of: scraped)

            // Off by default: the plain sentinel listens on its RESP port only.
            let plainPID = try #require(plain.managed?.pid)
            #expect(try ListeningPorts.of(pid: plainPID) == [plain.port], "a sentinel without metrics-port listens on more than its port")
            let scrapedPID = try #require(scraped.managed?.pid)
            #expect(try ListeningPorts.of(pid: scrapedPID) == [scraped.port, metricsPort])

            // The links are up and a PING answered: the per-instance series are there.
            try await eventually(timeout: .seconds(20), "the master's link is up with a round trip", diagnostics: cluster.diagnostics) {
                let scrape = try MetricsScrape.fetch(port: metricsPort)
                return scrape.sum("sentinel_link_up", ["kind": "master", "master": Self.masterName]) == 1
                    && !scrape.samples("sentinel_link_roundtrip_seconds", ["kind": "master"]).isEmpty
                    && scrape.samples("sentinel_link_up", ["kind": "replica"]).count == 2
            }

            let scrape = try MetricsScrape.fetch(port: metricsPort)
            #expect(scrape.response.headers.lowercased().contains("content-type: text/plain; version=0.0.4; charset=utf-8"), "\(scrape.response.headers)")
            let undocumented = Set(scrape.samples.filter { $0.help.isEmpty }.map(\.family))
            #expect(undocumented.isEmpty, "families without HELP: \(undocumented)")
            let names = Set(scrape.samples.map(\.name))
            let missing = ExporterTests.requiredMetrics.filter { !names.contains($0) }
            #expect(missing.isEmpty, "missing exporter-compatible series \(missing)")
            for name in ["sentinel_current_epoch", "sentinel_votes_cast_total", "sentinel_tilt_entered_total", "sentinel_tilt_seconds_total",
                         "sentinel_config_saves_total", "sentinel_connected_clients", "sentinel_connections_received_total",
                         "sentinel_commands_processed_total", "sentinel_failover_write_pause_seconds_count"] {
                #expect(names.contains(name), "no \(name) in\n\(scrape.text)")
            }
            // The startup's config save (a new myid) was timed.
            #expect(scrape.sum("sentinel_config_saves_total") >= 1 && scrape.sum("sentinel_config_save_duration_seconds_count") >= 1)
            #expect(scrape.sum("redis_sentinel_master_status", ["master_name": Self.masterName, "master_status": "ok"]) == 1)

            let notFound = try HTTPGet.fetch(port: metricsPort, path: "/other")
            #expect(notFound.status == 404)
            let notAllowed = try HTTPGet.fetch(port: metricsPort, path: "/metrics", method: "POST")
            #expect(notAllowed.status == 405 && notAllowed.headers.lowercased().contains("allow: get"), "\(notAllowed.headers)")

            // A malformed request closes its own connection (after a 400), not the listener.
            let bad = try LoopbackSocket(port: metricsPort, timeout: .seconds(5))
            try bad.write(Array("NOT HTTP AT ALL\r\n\r\n".utf8))
            let badAnswer = String(decoding: try bad.read { _ in false }, as: UTF8.self)
            bad.close()
            #expect(badAnswer.isEmpty || badAnswer.hasPrefix("HTTP/1.1 400"), "\(badAnswer.prefix(200))")

            // Keep-alive: two requests on one HTTP/1.1 connection.
            let kept = try LoopbackSocket(port: metricsPort, timeout: .seconds(5))
            defer { kept.close() }
            let request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            try kept.write(Array((request + request).utf8))
            let both = try kept.read { Self.completeResponses(in: $0) >= 2 }
            #expect(Self.completeResponses(in: both) == 2, "two answers on one connection: \(String(decoding: both.prefix(300), as: UTF8.self))")

            #expect(try scraped.command("PING") == .simpleString("PONG"))
            let after = try MetricsScrape.fetch(port: metricsPort)
            #expect(after.sum("sentinel_commands_processed_total") >= 1)
        }

        /// An HTTPS scrape with the test CA and client certificate (the RESP port's `tls-auth-clients yes`).
        static let httpsScript = """
            import http.client, ssl, sys
            port, ca, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
            context = ssl.create_default_context(cafile=ca)
            context.load_cert_chain(cert, key)
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
            connection.request("GET", "/metrics")
            response = connection.getresponse()
            body = response.read().decode()
            print(response.status, response.getheader("Content-Type"))
            print("\\n".join(line for line in body.splitlines() if line.startswith("redis_sentinel_masters")))
            """

        @Test("metrics-tls yes: HTTPS with the RESP port's certificate; without one, startup stops", .timeLimit(.minutes(2)))
        func metricsOverTLS() async throws {
            let certificates = try await TLSFixture.make()
            defer { certificates.stop() }
            let files = certificates.files
            let cluster = try await Cluster.start(sentinels: 0, tls: files)
            defer { cluster.shutdown() }
            let binary = try Binaries.sentinelUnderTest()
            let port = try FreePort.next()
            _ = try await cluster.addSentinel(name: "https", binary: binary, extraLines: ["metrics-port \(port)", "metrics-tls yes"])
            let script = cluster.directory.appendingPathComponent("https_scrape.py")
            try Self.httpsScript.write(to: script, atomically: true, encoding: .utf8)
            let scrape = try Spawn.run(
                try Binaries.python(), [script.path, "\(port)", files.ca, files.clientCert, files.clientKey], timeout: .seconds(20))
            #expect(scrape.status == 0, "\(scrape.output)")
            #expect(scrape.output.contains("200 text/plain; version=0.0.4; charset=utf-8"), "\(scrape.output)")
            #expect(scrape.output.contains("redis_sentinel_masters 1"), "\(scrape.output)")
            // Plain HTTP on the HTTPS port gets no HTTP answer.
            #expect((try? HTTPGet.fetch(port: port, path: "/metrics", timeout: .seconds(3)))?.status == nil)

            // metrics-tls yes with no certificate to serve: startup stops and says why.
            let directory = cluster.directory.appendingPathComponent("no-cert")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("sentinel.conf")
            try SentinelProcess.initialConfig(
                port: try FreePort.next(), directory: directory, masterName: Cluster.masterName, masterPort: cluster.master.port,
                quorum: 2, downAfterMilliseconds: 5000, extraLines: ["metrics-port \(try FreePort.next())", "metrics-tls yes"]
            ).write(to: config, atomically: true, encoding: .utf8)
            let run = try await ManagedProcess.run(
                label: "swift-sentinel (metrics-tls without a certificate)", executable: binary, arguments: [config.path],
                logURL: directory.appendingPathComponent("run.log"), timeout: .seconds(20))
            #expect(run.status == 1 && run.output.contains("metrics-tls yes needs"), "\(run.output)")
        }

        /// How many complete `200` answers (head and `Content-Length` body) `bytes` holds.
        static func completeResponses(in bytes: [UInt8]) -> Int {
            var rest = bytes[...]
            var count = 0
            let end = Array("\r\n\r\n".utf8)
            while let headEnd = rest.firstRange(of: end) {
                let head = String(decoding: rest[..<headEnd.lowerBound], as: UTF8.self).lowercased()
                guard head.hasPrefix("http/1.1 200"),
                    let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                    let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)),
                    rest[headEnd.upperBound...].count >= length
                else { break }
                count += 1
                rest = rest[(headEnd.upperBound + length)...]
            }
            return count
        }

        // MARK: crash failover

        @Test("crash failover: automatic failover started/succeeded, ODOWN, duration histogram", .timeLimit(.minutes(3)))
        func crashFailover() async throws {
            let ports = MetricsPorts()
            let fixture = try await FailoverCluster.start(linesOfSentinel: ports.lines)
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let before = try Self.scrapeAll(fixture.sentinels, ports)
            for scrape in before {
                #expect(scrape.samples("sentinel_failovers_started_total").isEmpty)
                #expect(scrape.sum("sentinel_link_up", ["kind": "sentinel"]) == 2)
            }

            let crash = try await FailoverTests.crashMaster(fixture)
            let oldAddress = "127.0.0.1:\(crash.switched.oldPort)"
            var scrapes = before
            let settled = try? await eventually(timeout: .seconds(15), "the failover's series settle") {
                scrapes = try Self.scrapeAll(fixture.sentinels, ports)
                return scrapes.map { $0.sum("sentinel_failovers_succeeded_total", ["kind": "automatic"]) }.reduce(0, +) == 1
            }
            if settled == nil { scrapes = try Self.scrapeAll(fixture.sentinels, ports) }
            let all = Self.describe(scrapes)
            func total(_ name: String, _ labels: [String: String] = [:]) -> Double {
                scrapes.map { $0.sum(name, labels) }.reduce(0, +)
            }
            #expect(total("sentinel_failovers_started_total", ["kind": "automatic", "master": Self.masterName]) >= 1, "\(all)")
            #expect(total("sentinel_failovers_succeeded_total", ["kind": "automatic", "master": Self.masterName]) == 1, "\(all)")
            #expect(total("sentinel_elections_total", ["kind": "automatic", "result": "won"]) >= 1, "\(all)")
            #expect(total("sentinel_failover_duration_seconds_count", ["kind": "automatic", "outcome": "succeeded"]) == 1, "\(all)")
            #expect(total("sentinel_odown_entered_total", ["master": Self.masterName]) >= 1, "\(all)")
            #expect(total("sentinel_votes_cast_total") >= 2, "\(all)")
            // ODOWN needs the quorum (2) to have seen the master down; the third sentinel may learn
            // the new master from the leader's hello before its own down-after runs out.
            #expect(total("sentinel_sdown_entered_total", ["master": Self.masterName, "kind": "master"]) >= 2, "\(all)")
            for scrape in scrapes {
                #expect(scrape.sum("sentinel_current_epoch") >= 1, "\(all)")
                // The master is now the promoted replica; the crashed one is a replica whose link is down.
                #expect(
                    scrape.samples("redis_sentinel_master_status", ["master_name": Self.masterName])
                        .first?.labels["master_address"] == "127.0.0.1:\(crash.switched.newPort)", "\(all)")
                #expect(scrape.sum("sentinel_link_up", ["kind": "replica", "address": oldAddress]) == 0, "\(all)")
            }
            #expect(total("sentinel_failover_write_pause_seconds_count") == 0, "an automatic failover pauses no writes\n\(all)")
        }

        // MARK: coordinated failover

        @Test("coordinated failover: coordinated started/succeeded, write-pause histogram", .timeLimit(.minutes(3)))
        func coordinatedFailover() async throws {
            let ports = MetricsPorts()
            let fixture = try await FailoverCluster.start(linesOfSentinel: ports.lines)
            defer { fixture.shutdown() }
            try await fixture.waitUntilSettled()
            let oldMaster = try #require(fixture.cluster.master)
            let leader = fixture.sentinels[0]
            let accepted = try leader.command("SENTINEL", "FAILOVER", Self.masterName, "COORDINATED")
            try #require(accepted == .simpleString("OK"), "SENTINEL FAILOVER COORDINATED: \(accepted)\n\(fixture.diagnostics())")
            _ = try await fixture.waitForSwitchMaster(from: oldMaster.port, timeout: .seconds(30))

            let port = try ports.port(of: leader)
            var scrape = try MetricsScrape.fetch(port: port)
            _ = try? await eventually(timeout: .seconds(15), "the leader counts the coordinated failover") {
                scrape = try MetricsScrape.fetch(port: port)
                return scrape.sum("sentinel_failovers_succeeded_total", ["kind": "coordinated"]) == 1
            }
            let shown = Self.describe([scrape])
            #expect(scrape.sum("sentinel_failovers_started_total", ["kind": "coordinated", "master": Self.masterName]) == 1, "\(shown)")
            #expect(scrape.sum("sentinel_failovers_succeeded_total", ["kind": "coordinated", "master": Self.masterName]) == 1, "\(shown)")
            #expect(scrape.sum("sentinel_failover_write_pause_seconds_count") == 1, "\(shown)")
            #expect(scrape.sum("sentinel_failover_write_pause_seconds_sum") > 0, "\(shown)")
            #expect(scrape.sum("sentinel_failover_duration_seconds_count", ["kind": "coordinated", "outcome": "succeeded"]) == 1, "\(shown)")
            #expect(scrape.samples("sentinel_failovers_aborted_total").isEmpty, "\(shown)")
        }
    }
}

extension Integration.ProtectedModeTests {
    /// `/metrics` under protected mode, from a real non-loopback scraper in the network
    /// namespace: with `protected-mode yes` (and a password, so the sentinel starts on
    /// 10.213.0.1) and no `metrics-bind`, the remote scrape gets `403` with the reason while a
    /// loopback scrape gets `200`; with an explicit `metrics-bind`, the remote scrape is served.
    @Test("metrics: protected mode answers remote scrapers 403 unless metrics-bind is explicit", .timeLimit(.minutes(2)))
    func metricsUnderProtectedMode() async throws {
        let cluster = try await Cluster.start(sentinels: 0)
        defer { cluster.shutdown() }
        let context = try Context.open(cluster)
        defer { context.close() }
        let binary = try Binaries.sentinelUnderTest()
        let scrape = "GET /metrics HTTP/1.0\\r\\n\\r\\n"

        for explicit in [false, true] {
            let port = try FreePort.next()
            let lines =
                [Self.bindLine, "protected-mode yes", "requirepass \(Self.password)", "metrics-port \(port)"]
                + (explicit ? ["metrics-bind 127.0.0.1 \(NetworkNamespace.hostAddress)"] : [])
            let sentinel = try await SentinelProcess.start(
                name: explicit ? "metrics-bind" : "metrics-default", binary: binary, in: cluster.directory,
                masterPort: cluster.master.port, extraLines: lines, clientAuth: [Self.password])
            defer { sentinel.stop() }
            let remote = try await context.remote(port, scrape)
            let local = try await context.local(port, scrape)
            #expect(local.bytes.hasPrefix("HTTP/1.0 200 OK"), "loopback scrape: \(local)")
            if explicit {
                #expect(remote.bytes.hasPrefix("HTTP/1.0 200 OK"), "remote scrape with metrics-bind: \(remote)")
            } else {
                #expect(remote.bytes.hasPrefix("HTTP/1.0 403 Forbidden"), "remote scrape: \(remote)")
                #expect(remote.bytes.hasSuffix(MetricsAccess.refusal) && remote.closed, "remote scrape: \(remote)")
            }
        }
    }
}
