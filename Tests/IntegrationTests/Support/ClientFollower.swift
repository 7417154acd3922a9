import Foundation

/// A `ClientProgram` running against a fixture's sentinels: its process, and its JSON-lines log
/// read incrementally (the format of `scripts/clients/followerlog.py`).
///
/// ```
/// let follower = try ClientFollower.start(program, fixture: fixture, index: 0, stopURL: stop)
/// defer { follower.stop() }
/// follower.acks(on: port)
/// ```
final class ClientFollower {
    /// One line of the log.
    struct Event: CustomStringConvertible {
        let fields: [String: Any]

        var kind: String { string("event") ?? "?" }
        func string(_ key: String) -> String? { fields[key] as? String }
        func int(_ key: String) -> Int? { (fields[key] as? NSNumber)?.intValue }
        func bool(_ key: String) -> Bool? { (fields[key] as? NSNumber)?.boolValue }
        func strings(_ key: String) -> [String]? { fields[key] as? [String] }

        var description: String {
            let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
            return data.flatMap { String(data: $0, encoding: .utf8) } ?? "\(fields)"
        }
    }

    /// An acknowledged write: `key` was set to `value` by the server on `port`, at `t` ms of the
    /// follower's clock.
    struct Ack {
        let key: String
        let value: String
        let port: UInt16
        let t: Int
    }

    let program: ClientProgram
    let process: ManagedProcess
    let logURL: URL
    private var offset = 0
    private var parsed: [Event] = []

    private init(program: ClientProgram, process: ManagedProcess, logURL: URL) {
        self.program = program
        self.process = process
        self.logURL = logURL
    }

    var name: String { program.name }

    /// Starts `program` against `fixture`'s sentinels. Keys are `cc:<index>:<n>`; it writes
    /// until `stopURL` exists, at most `seconds`.
    static func start(
        _ program: ClientProgram, fixture: FailoverCluster, index: Int, stopURL: URL, seconds: Int = 150
    ) throws -> ClientFollower {
        let directory = fixture.cluster.directory
        let logURL = directory.appendingPathComponent("client-\(index).jsonl")
        let process = ManagedProcess(
            label: program.name, executable: program.executable,
            arguments: program.arguments + [
                "--sentinels", fixture.sentinels.map(\.address).joined(separator: ","),
                "--master-name", Cluster.masterName, "--log", logURL.path, "--stop-file", stopURL.path,
                "--seconds", String(seconds), "--prefix", "cc:\(index)",
            ],
            logURL: directory.appendingPathComponent("client-\(index).out"))
        let follower = ClientFollower(program: program, process: process, logURL: logURL)
        try process.launch()
        return follower
    }

    /// Every event logged so far (new complete lines are parsed on each call).
    var events: [Event] {
        guard let handle = try? FileHandle(forReadingFrom: logURL) else { return parsed }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(offset))
        let data = (try? handle.readToEnd()) ?? Data()
        guard let end = data.lastIndex(of: UInt8(ascii: "\n")) else { return parsed }
        for line in data[data.startIndex...end].split(separator: UInt8(ascii: "\n")) {
            let object = try? JSONSerialization.jsonObject(with: Data(line))
            parsed.append(Event(fields: object as? [String: Any] ?? ["event": "unparsable", "line": String(decoding: line, as: UTF8.self)]))
        }
        offset += end - data.startIndex + 1
        return parsed
    }

    func events(_ kind: String) -> [Event] {
        events.filter { $0.kind == kind }
    }

    var acks: [Ack] {
        events("ack").compactMap { event in
            guard let key = event.string("key"), let value = event.string("value"),
                let port = event.int("port").flatMap({ UInt16(exactly: $0) })
            else { return nil }
            return Ack(key: key, value: value, port: port, t: event.int("t") ?? 0)
        }
    }

    func acks(on port: UInt16) -> Int {
        events("ack").filter { $0.int("port") == Int(port) }.count
    }

    var isRunning: Bool { process.isRunning }

    /// The new master of every `+switch-master` the client received, as `host:port`, with the
    /// sentinel it came from ("mymaster 127.0.0.1 6379 127.0.0.1 6380" → "127.0.0.1:6380";
    /// go-redis logs only the new address).
    var switches: [(sentinel: String, from: String?, to: String)] {
        events("switch").compactMap { event in
            let sentinel = event.string("sentinel") ?? "?"
            if let newMaster = event.string("new_master") {
                return (sentinel, nil, newMaster)
            }
            let words = (event.string("message") ?? "").split(separator: " ").map(String.init)
            guard words.count == 5, words[0] == Cluster.masterName else { return nil }
            return (sentinel, "\(words[1]):\(words[2])", "\(words[3]):\(words[4])")
        }
    }

    /// The last lines of the log and of the program's output, for failure messages.
    func report(lines: Int = 12) -> String {
        let notable = events.filter { $0.kind != "ack" }.suffix(lines).map { "    \($0)" }.joined(separator: "\n")
        return "  -- \(name): exit status \(process.exitStatus.map(String.init) ?? "running"), last non-ack events:\n\(notable)\n  -- output:\n\(process.logTail(lines: lines))"
    }

    /// SIGTERM, then SIGKILL after 5 s. SIGTERM lets cli_follower.sh run its EXIT trap, which
    /// stops its background `redis-cli SUBSCRIBE` processes by pid; SIGKILL would leave them
    /// running until their sentinels close the connections.
    func stop() {
        process.stop()
    }
}
