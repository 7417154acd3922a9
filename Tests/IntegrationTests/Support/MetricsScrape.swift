import Foundation
import Synchronization

/// One scrape of a swift-sentinel's `/metrics`, parsed by PyPI prometheus-client's own parser
/// (`scripts/parse_metrics.py`), so the text is checked by a real Prometheus client library.
struct MetricsScrape: Sendable {
    struct Sample: Decodable, Sendable, CustomStringConvertible {
        let family: String
        let type: String
        let help: String
        let name: String
        let labels: [String: String]
        let value: Double

        var description: String {
            "\(name){\(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ","))} \(value)"
        }
    }

    let response: HTTPGet.Response
    let samples: [Sample]

    /// `GET /metrics` on 127.0.0.1:`port`; anything but a 200 throws.
    static func fetch(port: UInt16) throws -> MetricsScrape {
        let response = try HTTPGet.fetch(port: port, path: "/metrics")
        guard response.status == 200 else {
            throw HarnessError("/metrics on :\(port) answered HTTP \(response.status): \(response.body.prefix(300))")
        }
        return MetricsScrape(response: response, samples: try parse(response.body))
    }

    /// The samples of `text`, as prometheus-client parses them (it throws on what it rejects).
    static func parse(_ text: String) throws -> [Sample] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString.prefix(8)).txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let result = try Spawn.run(
            try Binaries.python(), [Binaries.script("parse_metrics.py"), path], timeout: .seconds(30))
        guard result.status == 0 else {
            throw HarnessError("prometheus-client's parser failed (status \(result.status); install it with ./.ci/run or .venv/bin/pip install prometheus-client):\n\(result.output.prefix(2000))")
        }
        let decoder = JSONDecoder()
        return try result.output.split(separator: "\n").map { line in
            try decoder.decode(Sample.self, from: Data(line.utf8))
        }
    }

    /// The samples named `name` whose labels include `labels`.
    func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The sum of those samples' values (0 when there is none).
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples(name, labels).reduce(0) { $0 + $1.value }
    }

    var text: String { samples.map(\.description).joined(separator: "\n") }
}

/// Gives each sentinel of a cluster a `metrics-port` of its own (for `linesOfSentinel:`).
final class MetricsPorts: Sendable {
    private let ports = Mutex<[String: UInt16]>([:])

    func lines(_ sentinel: String) throws -> [String] {
        let port = try FreePort.next()
        ports.withLock { $0[sentinel] = port }
        return ["metrics-port \(port)"]
    }

    func port(of sentinel: SentinelProcess) throws -> UInt16 {
        guard let port = ports.withLock({ $0[sentinel.name] }) else {
            throw HarnessError("\(sentinel.label) has no metrics-port")
        }
        return port
    }
}

/// The TCP ports a process listens on, read from /proc: its socket descriptors matched with the
/// LISTEN entries of /proc/net/tcp and tcp6.
enum ListeningPorts {
    static func of(pid: Int32) throws -> Set<UInt16> {
        let fdDirectory = "/proc/\(pid)/fd"
        var inodes = Set<String>()
        for entry in try FileManager.default.contentsOfDirectory(atPath: fdDirectory) {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(entry)"),
                target.hasPrefix("socket:[")
            else { continue }
            inodes.insert(String(target.dropFirst("socket:[".count).dropLast()))
        }
        var ports = Set<UInt16>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                guard fields.count > 9, fields[3] == "0A", inodes.contains(String(fields[9])),
                    let portText = fields[1].split(separator: ":").last, let port = UInt16(portText, radix: 16)
                else { continue }
                ports.insert(port)
            }
        }
        return ports
    }
}
