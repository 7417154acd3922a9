import Foundation

/// A real `redis-server` on a free loopback port, with persistence off and its files in a
/// directory of its own.
final class RedisNode {
    let name: String
    let port: UInt16
    let directory: URL
    let process: ManagedProcess

    private init(name: String, port: UInt16, directory: URL, process: ManagedProcess) {
        self.name = name
        self.port = port
        self.directory = directory
        self.process = process
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Starts the server and waits until it answers PING. Retries with another port when the
    /// chosen one was taken in the meantime.
    static func start(name: String, in parent: URL, replicaOf masterPort: UInt16? = nil) async throws -> RedisNode {
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
            let process = ManagedProcess(
                label: "\(name) (redis-server :\(port))", executable: executable, arguments: arguments,
                logURL: directory.appendingPathComponent("redis.log"))
            try process.launch()
            let node = RedisNode(name: name, port: port, directory: directory, process: process)
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
            return try RESPClient(port: port, timeout: .seconds(1)).send("PING") == .simpleString("PONG")
        }
    }

    func command(_ arguments: String...) throws -> RESPReply {
        try RESPClient(port: port).send(arguments)
    }

    /// Field values of one `INFO` section, e.g. `info("replication")["connected_slaves"]`.
    func info(_ section: String) throws -> [String: String] {
        guard let text = try command("INFO", section).string else {
            throw HarnessError("INFO \(section) on \(address) returned no text")
        }
        return INFOText.fields(text)
    }

    func stop() {
        process.stop()
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
