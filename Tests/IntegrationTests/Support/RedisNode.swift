import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `redis-server` on a free loopback port, with persistence off and its files in a
/// directory of its own.
final class RedisNode: TestProcess {
    let name: String
    let port: UInt16
    let directory: URL
    let process: ManagedProcess
    /// What the harness sends as `AUTH` on each of its own connections (`[password]` or
    /// `[user, password]`), for a node started with `requirepass` or ACL users; nil for none.
    let auth: [String]?
    /// For a node started with `tls`: it listens on TLS only (`--port 0 --tls-port <port>`, so
    /// `port` is its TLS port) and the harness reaches it through this plain-to-TLS tunnel
    /// (TLSSupport.swift).
    let tunnel: TLSTunnel?
    /// The port of the harness's own (plain) connections: the tunnel's for a TLS node.
    var harnessPort: UInt16 { tunnel?.port ?? port }

    private init(
        name: String, port: UInt16, directory: URL, process: ManagedProcess, auth: [String]? = nil,
        tunnel: TLSTunnel? = nil
    ) {
        self.name = name
        self.port = port
        self.directory = directory
        self.process = process
        self.auth = auth
        self.tunnel = tunnel
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Starts the server and waits until it answers PING. Retries with another port when the
    /// chosen one was taken in the meantime. `extraArguments` go to redis-server's command line
    /// (e.g. `--requirepass pw --masterauth pw`, or `--user sentinel-user on >pw +ping ...`); `auth`
    /// is what the harness then AUTHs with on its own connections.
    static func start(
        name: String, in parent: URL, replicaOf masterPort: UInt16? = nil, extraArguments: [String] = [],
        auth: [String]? = nil, tls: TLSFiles? = nil
    ) async throws -> RedisNode {
        let executable = try Binaries.redisServer()
        var lastError: any Error = HarnessError("\(name) was not started")
        for _ in 0..<3 {
            let port = try FreePort.next()
            let directory = parent.appendingPathComponent("\(name)-\(port)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var arguments = [
                "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path, "--daemonize", "no", "--logfile", "",
                // No 5 s wait for more replicas before a full sync.
                "--repl-diskless-sync-delay", "0",
            ]
            if let masterPort {
                arguments += ["--replicaof", "127.0.0.1", "\(masterPort)"]
            }
            if let tls {
                // TLS only: the later `--port 0` wins over the first `--port`.
                arguments += tls.redisArguments(tlsPort: port)
            }
            arguments += extraArguments
            // The tunnel first: should it fail, no redis-server has been launched that nothing stops.
            let tunnel = try tls.map { try TLSTunnel(target: port, files: $0) }
            let process = ManagedProcess(
                label: "\(name) (redis-server :\(port))", executable: executable, arguments: arguments,
                logURL: directory.appendingPathComponent("redis.log"))
            try process.launch()
            let node = RedisNode(
                name: name, port: port, directory: directory, process: process, auth: auth, tunnel: tunnel)
            do {
                try await node.waitUntilReady()
                return node
            } catch {
                process.stop()
                lastError = error
                guard process.log().contains("Address already in use") else {
                    throw error
                }
            }
        }
        throw lastError
    }

    func waitUntilReady(timeout: Duration = .seconds(10)) async throws {
        try await eventually(timeout: timeout, "\(process.label) answers PING", diagnostics: { self.diagnostics() }) {
            guard self.process.isRunning else {
                throw FatalPollingError("\(self.process.label) exited with status \(self.process.exitStatus ?? -1)")
            }
            return try RESPClient(port: harnessPort, timeout: .seconds(1), auth: auth).send("PING") == .simpleString("PONG")
        }
    }

    func command(_ arguments: String...) throws -> RESPReply {
        try RESPClient(port: harnessPort, auth: auth).send(arguments)
    }

    func command(_ arguments: [String]) throws -> RESPReply {
        try RESPClient(port: harnessPort, auth: auth).send(arguments)
    }

    /// Field values of one `INFO` section, e.g. `info("replication")["connected_slaves"]`.
    func info(_ section: String) throws -> [String: String] {
        guard let text = try command("INFO", section).string else {
            throw HarnessError("INFO \(section) on \(address) returned no text")
        }
        return INFOText.fields(text)
    }

    var managed: ManagedProcess? { process }
    var label: String { process.label }

    /// Starts the stopped or killed server again with its original arguments: the same port,
    /// the same directory and, for a node started as a replica, the same `--replicaof`. It comes
    /// back with an empty dataset (persistence is off).
    func start() async throws {
        precondition(!process.isRunning, "\(process.label) is still running")
        try process.launch()
        try await waitUntilReady()
    }

    /// `INFO replication` fields `role`, `master_port`, `master_link_status` in one line, for
    /// failure messages.
    func replicationSummary() -> String {
        guard let info = try? info("replication") else {
            return "\(address): no answer"
        }
        var text = "\(address): role:\(info["role"] ?? "?")"
        if info["role"] == "slave" {
            text += " master_port:\(info["master_port"] ?? "?") master_link_status:\(info["master_link_status"] ?? "?")"
        } else {
            text += " connected_slaves:\(info["connected_slaves"] ?? "?")"
        }
        return text
    }

    func diagnostics() -> String {
        "== \(process.label) log (\(process.logURL.path)):\n\(process.logTail())"
    }
}

enum INFOText {
    /// `key:value` lines of an INFO reply; section headers and blank lines are skipped.
    static func fields(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return result
    }
}
