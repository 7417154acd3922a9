import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sentinel process (swift-sentinel or redis-sentinel): a writable config file in a
/// directory of its own, started as `<binary> <config>`, with its output in `sentinel.log`.
/// It can be stopped, killed and started again with the same config file and port, by the same
/// program or by another one (`switchBinary(to:)`).
final class SentinelProcess: TestProcess {
    let name: String
    private(set) var binary: String
    let directory: URL
    private(set) var port: UInt16
    private var process: ManagedProcess?
    /// When the process was last launched (for discovery timings).
    private(set) var launchedAt: ContinuousClock.Instant?
    /// What the harness sends as `AUTH` on its own connections to this sentinel (`[password]`
    /// or `[user, password]`) when its config has `requirepass` or ACL users; nil for none.
    var clientAuth: [String]? = nil
    /// For a sentinel started with `tls`: `port 0` and `tls-port <port>` (so `port` is its TLS
    /// port, what peers and clients use), reached by the harness through this tunnel.
    private(set) var tunnel: TLSTunnel? = nil
    /// Variables added to the environment of the process at each launch (`NOTIFY_SOCKET`, ...).
    var environment: [String: String] = [:]
    /// The port of the harness's own (plain) connections: the tunnel's for a TLS sentinel.
    var harnessPort: UInt16 { tunnel?.port ?? port }

    var configURL: URL { directory.appendingPathComponent("sentinel.conf") }
    var logURL: URL { directory.appendingPathComponent("sentinel.log") }
    var address: String { "127.0.0.1:\(port)" }
    var label: String { "\(name) (\(URL(fileURLWithPath: binary).lastPathComponent) :\(port))" }
    var managed: ManagedProcess? { process }

    private init(name: String, binary: String, directory: URL, port: UInt16) {
        self.name = name
        self.binary = binary
        self.directory = directory
        self.port = port
    }

    /// The initial config of a sentinel that monitors one master, as an operator would write it.
    static func initialConfig(
        port: UInt16, directory: URL, masterName: String, masterPort: UInt16, quorum: Int,
        downAfterMilliseconds: Int, extraLines: [String]
    ) -> String {
        var lines = [
            "port \(port)",
            "bind 127.0.0.1",
            "daemonize no",
            "logfile \"\"",
            "dir \"\(directory.path)\"",
            "sentinel monitor \(masterName) 127.0.0.1 \(masterPort) \(quorum)",
            "sentinel down-after-milliseconds \(masterName) \(downAfterMilliseconds)",
        ]
        lines += extraLines
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes a fresh config and starts the sentinel; waits for PING. Retries on another port
    /// if the chosen one was taken in the meantime.
    static func start(
        name: String, binary: String, in parent: URL, masterName: String = Cluster.masterName,
        masterPort: UInt16, quorum: Int = 2, downAfterMilliseconds: Int = 5000, extraLines: [String] = [],
        clientAuth: [String]? = nil, tls: TLSFiles? = nil, environment: [String: String] = [:]
    ) async throws -> SentinelProcess {
        var lastError: any Error = HarnessError("\(name) was not started")
        for _ in 0..<3 {
            let port = try FreePort.next()
            let directory = parent.appendingPathComponent("\(name)-\(port)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let sentinel = SentinelProcess(name: name, binary: binary, directory: directory, port: port)
            sentinel.clientAuth = clientAuth
            sentinel.environment = environment
            // TLS only: the later `port 0` wins over the first `port` line.
            let tlsLines = tls.map { ["port 0"] + $0.sentinelLines(tlsPort: port) } ?? []
            if let tls {
                sentinel.tunnel = try TLSTunnel(target: port, files: tls)
            }
            let config = initialConfig(
                port: port, directory: directory, masterName: masterName, masterPort: masterPort,
                quorum: quorum, downAfterMilliseconds: downAfterMilliseconds, extraLines: tlsLines + extraLines)
            try config.write(to: sentinel.configURL, atomically: true, encoding: .utf8)
            do {
                try await sentinel.start()
                return sentinel
            } catch {
                sentinel.stop()
                lastError = error
                guard sentinel.log().contains("Address already in use") else {
                    throw error
                }
            }
        }
        throw lastError
    }

    /// Starts the process with the existing config file (first start or restart).
    func start() async throws {
        launch()
        try await waitUntilReady()
    }

    /// Starts the process without waiting for it.
    func launch() {
        let process = ManagedProcess(
            label: label, executable: binary, arguments: [configURL.path], logURL: logURL, environment: environment)
        launchedAt = ContinuousClock.now
        do {
            try process.launch()
            self.process = process
        } catch {
            self.process = nil
            // Reported by waitUntilReady through the log.
            try? "harness: could not launch \(binary): \(error)\n".write(to: logURL, atomically: false, encoding: .utf8)
        }
    }

    func waitUntilReady(timeout: Duration = .seconds(10)) async throws {
        try await eventually(timeout: timeout, "\(label) answers PING", diagnostics: { self.diagnostics() }) {
            guard let process = self.process, process.isRunning else {
                throw FatalPollingError("\(self.label) is not running (exit status \(self.process?.exitStatus ?? -1))")
            }
            return try RESPClient(port: harnessPort, timeout: .seconds(1), auth: clientAuth).send("PING") == .simpleString("PONG")
        }
    }


    /// Makes the next `start()` run `binary` on the same config file, directory and port: an
    /// operator replacing redis-sentinel by swift-sentinel (or back) in place. Only while stopped.
    func switchBinary(to binary: String) {
        precondition(!isRunning, "\(label) is still running")
        self.binary = binary
    }

    // MARK: Queries

    func client() throws -> RESPClient {
        try RESPClient(port: harnessPort, auth: clientAuth)
    }

    func command(_ arguments: String...) throws -> RESPReply {
        try RESPClient(port: harnessPort, auth: clientAuth).send(arguments)
    }

    func command(_ arguments: [String]) throws -> RESPReply {
        try RESPClient(port: harnessPort, auth: clientAuth).send(arguments)
    }

    /// `SENTINEL MASTER <name>` as a dictionary of strings.
    func masterState(_ masterName: String = Cluster.masterName) throws -> [String: String] {
        let reply = try command("SENTINEL", "MASTER", masterName)
        guard let record = reply.record else {
            throw HarnessError("SENTINEL MASTER \(masterName) on \(label) returned \(reply)")
        }
        return record
    }

    func myID() throws -> String {
        let reply = try command("SENTINEL", "MYID")
        guard let id = reply.string else {
            throw HarnessError("SENTINEL MYID on \(label) returned \(reply)")
        }
        return id
    }

    /// `SENTINEL REPLICAS|SLAVES|SENTINELS <name>` as a list of records.
    func instances(_ subcommand: String, _ masterName: String = Cluster.masterName) throws -> [[String: String]] {
        let reply = try command("SENTINEL", subcommand, masterName)
        guard let items = reply.elements else {
            throw HarnessError("SENTINEL \(subcommand) \(masterName) on \(label) returned \(reply)")
        }
        return try items.map { item in
            guard let record = item.record else {
                throw HarnessError("SENTINEL \(subcommand) entry on \(label) is not a record: \(item)")
            }
            return record
        }
    }

    /// The config file as lines of tokens (quotes removed), for checking rewritten state.
    func configDirectives() throws -> [[String]] {
        let text = try String(contentsOf: configURL, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return nil }
            return trimmed.split(separator: " ").map { token in
                var token = String(token)
                if token.count >= 2, token.hasPrefix("\""), token.hasSuffix("\"") {
                    token = String(token.dropFirst().dropLast())
                }
                return token
            }
        }
    }

    func log() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    func diagnostics() -> String {
        let tail = log().split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")
        return "== \(label) log (\(logURL.path)):\n\(tail)"
    }
}
