import Foundation

/// One `prometheus-redis-exporter` (oliver006/redis_exporter, Debian 1.45.0) process scraping one
/// sentinel, listening on a free loopback port, with `-debug` output (every command it sends and
/// every error it gets) in `exporter-<name>.log`.
///
/// The exporter connects to the sentinel on every scrape of `/metrics`, not before.
final class RedisExporter: TestProcess {
    let name: String
    let target: SentinelProcess
    private(set) var port: UInt16
    private let process: ManagedProcess

    var logURL: URL { process.logURL }
    var label: String { "exporter \(name) (:\(port) -> \(target.label))" }

    private init(name: String, target: SentinelProcess, port: UInt16, process: ManagedProcess) {
        self.name = name
        self.target = target
        self.port = port
        self.process = process
    }

    /// `$REDIS_EXPORTER_BIN`, else `prometheus-redis-exporter` on `PATH`.
    static func binary() throws -> String {
        if let path = Binaries.environment["REDIS_EXPORTER_BIN"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw HarnessError("REDIS_EXPORTER_BIN=\(path) is not an executable file")
            }
            return path
        }
        return try Binaries.onPath(
            "prometheus-redis-exporter", hint: "apt-get install -y prometheus-redis-exporter (or run ./.ci/run)")
    }

    /// Starts the exporter and waits until `/metrics` answers 200; retries on another port if
    /// the chosen one was taken in the meantime.
    static func start(name: String, scraping target: SentinelProcess, in directory: URL) async throws -> RedisExporter {
        let executable = try binary()
        var lastError: any Error = HarnessError("exporter \(name) was not started")
        for attempt in 0..<3 {
            let port = try FreePort.next()
            let arguments = [
                "-redis.addr", "redis://127.0.0.1:\(target.port)",
                "-web.listen-address", "127.0.0.1:\(port)",
                "-debug",
            ]
            let process = ManagedProcess(
                label: "exporter \(name) (:\(port))", executable: executable, arguments: arguments,
                logURL: directory.appendingPathComponent("exporter-\(name)-\(attempt).log"))
            try process.launch()
            let exporter = RedisExporter(name: name, target: target, port: port, process: process)
            do {
                try await exporter.waitUntilListening()
                return exporter
            } catch {
                process.stop()
                lastError = error
                guard process.log().contains("address already in use") else { throw error }
            }
        }
        throw lastError
    }

    /// The exporter serves `/` and `/metrics` once its listener is up. The probe is a GET of
    /// `/` (a static page), so that it does not count as a scrape.
    private func waitUntilListening(timeout: Duration = .seconds(10)) async throws {
        try await eventually(timeout: timeout, "\(label) answers HTTP", diagnostics: { self.diagnostics() }) {
            guard self.process.isRunning else {
                throw FatalPollingError("\(self.label) exited with status \(self.process.exitStatus ?? -1)")
            }
            return try HTTPGet.fetch(port: port, path: "/", timeout: .seconds(2)).status == 200
        }
    }

    /// One scrape of `/metrics`, parsed.
    func scrape() throws -> [PrometheusText.Sample] {
        let response = try HTTPGet.fetch(port: port, path: "/metrics")
        guard response.status == 200 else {
            throw HarnessError("\(label) answered /metrics with HTTP \(response.status):\n\(response.body.prefix(500))")
        }
        return try PrometheusText.parse(response.body)
    }

    var managed: ManagedProcess? { process }

    /// Starts the stopped exporter again on the same port.
    func start() async throws {
        precondition(!process.isRunning, "\(label) is still running")
        try process.launch()
        try await waitUntilListening()
    }

    func log() -> String {
        process.log()
    }

    /// Log lines of level warning or worse, with the timestamp removed and numbers masked
    /// (`level=error msg="..."`), in order of first appearance, without repeats.
    func problemLines() -> [String] {
        var seen = Set<String>()
        var lines: [String] = []
        for raw in log().split(separator: "\n") {
            guard let level = raw.range(of: "level=") else { continue }
            let rest = String(raw[level.lowerBound...])
            guard ["level=warning", "level=error", "level=fatal", "level=panic"].contains(where: rest.hasPrefix) else {
                continue
            }
            let masked = ReplyShape.mask(rest)
            if seen.insert(masked).inserted {
                lines.append(masked)
            }
        }
        return lines
    }

    func diagnostics() -> String {
        "== \(label) log (\(logURL.path)):\n\(process.logTail(lines: 40))"
    }
}
