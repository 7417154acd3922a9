import Foundation

/// `scripts/demo_writer.py` run as a child process: a redis-py client writing fresh keys through
/// `Sentinel.master_for`, each acknowledged write logged with the port of the server that
/// acknowledged it. Used to prove that a failover loses no acknowledged write.
///
/// ```
/// let writer = try DemoWriter.start(fixture)
/// defer { writer.kill() }
/// try await writer.waitForAcks(50, on: oldPort)
/// ...
/// try await writer.stop()
/// let missing = try writer.missing(on: newPort)
/// ```
final class DemoWriter {
    struct Ack {
        let sequence: Int
        let key: String
        let port: UInt16
    }

    let process: ManagedProcess
    let acksURL: URL
    let stopURL: URL
    /// What `missing(on:)` AUTHs with on the data node it checks.
    var dataNodeAuth: [String]? = nil
    private let diagnostics: () -> String

    private init(process: ManagedProcess, acksURL: URL, stopURL: URL, diagnostics: @escaping () -> String) {
        self.process = process
        self.acksURL = acksURL
        self.stopURL = stopURL
        self.diagnostics = diagnostics
    }

    /// Starts the writer against the fixture's sentinels; one write every `interval` seconds,
    /// bounded at 120 s and 30,000 writes. With `auth` (`[password]` or `[user, password]`,
    /// default: the fixture's `dataNodeAuth`) redis-py AUTHs to the data nodes, with
    /// `sentinelAuth` (default: the fixture's `sentinelAuth`) to the sentinels.
    static func start(
        _ fixture: FailoverCluster, interval: Double = 0.005, auth: [String]?? = nil, sentinelAuth: [String]?? = nil
    ) throws -> DemoWriter {
        let python = try Binaries.python()
        let script = Binaries.script("demo_writer.py")
        guard FileManager.default.fileExists(atPath: script) else { throw HarnessError("missing \(script)") }
        let directory = fixture.cluster.directory
        let acksURL = directory.appendingPathComponent("writer-acks.tsv")
        let stopURL = directory.appendingPathComponent("writer-stop")
        let process = ManagedProcess(
            label: "demo_writer.py", executable: python,
            arguments: [
                script, "--sentinels", fixture.sentinels.map(\.address).joined(separator: ","),
                "--master-name", Cluster.masterName, "--seconds", "120", "--max-writes", "30000",
                "--interval", String(interval), "--acks-file", acksURL.path, "--stop-file", stopURL.path,
            ] + credentialArguments(auth ?? fixture.cluster.dataNodeAuth, prefix: "")
                + credentialArguments(sentinelAuth ?? fixture.cluster.sentinelAuth, prefix: "sentinel-"),
            logURL: directory.appendingPathComponent("writer.log"))
        let writer = DemoWriter(process: process, acksURL: acksURL, stopURL: stopURL, diagnostics: fixture.diagnostics)
        writer.dataNodeAuth = fixture.cluster.dataNodeAuth
        try process.launch()
        return writer
    }

    /// `--<prefix>password p [--<prefix>username u]` for `[p]` or `[u, p]`.
    static func credentialArguments(_ auth: [String]?, prefix: String) -> [String] {
        guard let auth, let password = auth.last else { return [] }
        var arguments = ["--\(prefix)password", password]
        if auth.count == 2 { arguments += ["--\(prefix)username", auth[0]] }
        return arguments
    }

    /// The writer's output followed by the fixture's diagnostics.
    func report() -> String {
        "== writer output:\n\(process.log())\n\(diagnostics())"
    }

    /// Every write acknowledged so far, in order.
    func acks() -> [Ack] {
        let text = (try? String(contentsOf: acksURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            guard fields.count >= 3, let sequence = Int(fields[0]), let port = UInt16(fields[2]) else { return nil }
            return Ack(sequence: sequence, key: String(fields[1]), port: port)
        }
    }

    /// Waits until `count` writes were acknowledged by the server on `port`.
    func waitForAcks(_ count: Int, on port: UInt16, timeout: Duration = .seconds(30)) async throws {
        try await eventually(timeout: timeout, "the writer has \(count) writes acknowledged by \(port)", diagnostics: report) {
            guard process.isRunning else { throw FatalPollingError("the writer exited: \(process.log())") }
            return acks().filter { $0.port == port }.count >= count
        }
    }

    /// Asks the writer to stop, waits for its exit and returns its summary line
    /// (`writes acknowledged=N errors=M ... longest-stall=S.SSSs error-kinds=...`).
    @discardableResult
    func stop() async throws -> String {
        try Data().write(to: stopURL)
        try await eventually(timeout: .seconds(15), "the writer exits after the stop file appears", diagnostics: report) {
            !process.isRunning
        }
        guard process.exitStatus == 0 else { throw HarnessError("writer exit status \(process.exitStatus ?? -1)\n\(report())") }
        return summary
    }

    /// The writer's last summary line, or "?".
    var summary: String {
        process.log().split(separator: "\n").last { $0.hasPrefix("writes acknowledged=") }.map(String.init) ?? "?"
    }

    /// The acknowledged writes (of `acks`, all by default) whose key does not hold the written
    /// value on the server at `port`, as `key=reply` strings.
    func missing(on port: UInt16, among acks: [Ack]? = nil) throws -> [String] {
        let client = try RESPClient(port: port, auth: dataNodeAuth)
        var missing: [String] = []
        for ack in acks ?? self.acks() {
            let value = try client.send("GET", ack.key)
            if value != .bulkString(String(ack.sequence)) {
                missing.append("\(ack.key)=\(value)")
            }
        }
        return missing
    }

    func kill() {
        process.kill()
    }
}
