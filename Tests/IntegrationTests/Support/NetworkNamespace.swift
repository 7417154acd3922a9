import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A network namespace with a veth pair to the host, so that a test can be a *non-loopback*
/// client of a process on this machine without sending anything beyond it: the host side has
/// 10.213.0.1/24, the namespace side 10.213.0.2/24, and programs run inside with `ip netns exec`.
///
/// Named after the test process (`sspm-<pid>`, veth `sspm<pid>h`/`sspm<pid>n`), so a namespace
/// left behind by a test process that was killed is recognised and removed by the next
/// ``create(in:)``. ``remove()`` is synchronous and idempotent, for `defer`.
final class NetworkNamespace {
    static let hostAddress = "10.213.0.1"
    static let peerAddress = "10.213.0.2"

    let name: String
    let hostInterface: String
    let peerInterface: String
    private let logDirectory: URL
    private var removed = false

    private init(pid: Int32, logDirectory: URL) {
        name = "sspm-\(pid)"
        hostInterface = "sspm\(pid)h"
        peerInterface = "sspm\(pid)n"
        self.logDirectory = logDirectory
    }

    /// Why namespaces cannot be used here (not root, no `ip`, not permitted in this container), or
    /// nil. Creates and deletes a probe namespace once per test process.
    static let unavailableReason: String? = {
        guard let ip = ipPath else { return "no 'ip' command (iproute2)" }
        let probe = "sspm-probe-\(getpid())"
        let added = runSync(ip, ["netns", "add", probe])
        guard added.status == 0 else {
            return "'ip netns add' is not permitted here: \(added.output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        _ = runSync(ip, ["netns", "del", probe])
        return nil
    }()

    static var ipPath: String? {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Creates the namespace and the veth pair, addresses them and brings them up; waits until the
    /// host address answers from inside. Removes whatever it made if a step fails.
    static func create(in directory: URL) throws -> NetworkNamespace {
        guard let ip = ipPath else { throw HarnessError("no 'ip' command") }
        removeStale(ip: ip)
        let namespace = NetworkNamespace(pid: getpid(), logDirectory: directory)
        let steps: [[String]] = [
            ["netns", "add", namespace.name],
            ["link", "add", namespace.hostInterface, "type", "veth", "peer", "name", namespace.peerInterface],
            ["link", "set", namespace.peerInterface, "netns", namespace.name],
            ["addr", "add", "\(hostAddress)/24", "dev", namespace.hostInterface],
            ["link", "set", namespace.hostInterface, "up"],
            ["netns", "exec", namespace.name, ip, "addr", "add", "\(peerAddress)/24", "dev", namespace.peerInterface],
            ["netns", "exec", namespace.name, ip, "link", "set", namespace.peerInterface, "up"],
            ["netns", "exec", namespace.name, ip, "link", "set", "lo", "up"],
        ]
        for step in steps {
            let result = runSync(ip, step)
            guard result.status == 0 else {
                namespace.remove()
                throw HarnessError("ip \(step.joined(separator: " ")) failed (\(result.status)): \(result.output)")
            }
        }
        // The host address must be usable (no longer "tentative") before anything binds it.
        let ready = waitSynchronously(timeout: .seconds(5), interval: .milliseconds(50)) {
            runSync(ip, ["-4", "addr", "show", "dev", namespace.hostInterface]).output.contains(hostAddress)
        }
        guard ready else {
            namespace.remove()
            throw HarnessError("\(hostAddress) did not appear on \(namespace.hostInterface)")
        }
        return namespace
    }

    /// Runs `executable arguments...` inside the namespace to completion (killed after `timeout`).
    func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(20)) async throws -> (
        status: Int32, output: String
    ) {
        guard let ip = Self.ipPath else { throw HarnessError("no 'ip' command") }
        return try await ManagedProcess.run(
            label: "\(name): \(URL(fileURLWithPath: executable).lastPathComponent)", executable: ip,
            arguments: ["netns", "exec", name, executable] + arguments,
            logURL: logDirectory.appendingPathComponent("netns-\(UUID().uuidString.prefix(8)).log"), timeout: timeout)
    }

    /// Deletes the veth pair (both ends go with either) and the namespace. Idempotent.
    func remove() {
        guard !removed, let ip = Self.ipPath else { return }
        removed = true
        _ = Self.runSync(ip, ["link", "del", hostInterface])
        _ = Self.runSync(ip, ["netns", "del", name])
    }

    deinit { remove() }

    /// Removes `sspm-<pid>` namespaces (and their veth) whose test process no longer exists.
    private static func removeStale(ip: String) {
        let listed = runSync(ip, ["netns", "list"]).output
        for line in listed.split(separator: "\n") {
            guard let word = line.split(separator: " ").first, word.hasPrefix("sspm-") else { continue }
            let suffix = word.dropFirst("sspm-".count)
            let pid = Int32(suffix.split(separator: "-").last ?? "") ?? 0
            if pid > 0, pid != getpid(), kill(pid, 0) == 0 { continue }
            if let owner = Int32(suffix) {
                _ = runSync(ip, ["link", "del", "sspm\(owner)h"])
            }
            _ = runSync(ip, ["netns", "del", String(word)])
        }
    }

    /// Runs a short command synchronously (for cleanup in `defer`), killed after 10 s.
    static func runSync(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sspm-ip-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = ManagedProcess(
            label: "ip \(arguments.joined(separator: " "))", executable: executable, arguments: arguments, logURL: log)
        do {
            try process.launch()
        } catch {
            return (-1, "\(error)")
        }
        if !waitSynchronously(timeout: .seconds(10), { !process.isRunning }) {
            process.kill()
        }
        // Drop the harness banner line that launch() writes first.
        let output = process.log().split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("---- harness:") }.joined(separator: "\n")
        return (process.exitStatus ?? -1, output)
    }
}
