import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Integration {
    /// Issue 13: `unixsocket`, `unixsocketperm`, `tcp-backlog` and `tcp-keepalive` take effect as in
    /// redis-sentinel 7.0.15 (they were accepted and ignored). Passes with redis-sentinel too
    /// (`SENTINEL_BIN=/usr/bin/redis-sentinel`).
    @Suite("Listener settings")
    struct ListenerSettingsTests {
        @Test(
            "unixsocket answers redis-cli -s with mode unixsocketperm and flag U; tcp-backlog and tcp-keepalive reach the sockets; Redis's defaults otherwise",
            .timeLimit(.minutes(1)))
        func listenerSettings() async throws {
            let directory = try TestDirectory.make("listen")
            defer { TestDirectory.remove(directory) }
            let binary = try Binaries.sentinelUnderTest()
            let socket = directory.appendingPathComponent("s.sock").path
            let set = try await SentinelProcess.start(
                name: "set", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1,
                extraLines: ["unixsocket \(socket)", "unixsocketperm 700", "tcp-backlog 17", "tcp-keepalive 7"])
            defer { set.stop() }
            let defaults = try await SentinelProcess.start(
                name: "defaults", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1)
            defer { defaults.stop() }

            // The unix socket: its mode, redis-cli -s, and how the client shows in CLIENT INFO.
            var info = stat()
            #expect(stat(socket, &info) == 0, "no socket file at \(socket)")
            #expect(info.st_mode & S_IFMT == S_IFSOCK)
            #expect(info.st_mode & 0o777 == 0o700, "mode \(String(info.st_mode & 0o777, radix: 8))")
            #expect(try Spawn.run("/usr/bin/redis-cli", ["-s", socket, "PING"]).output == "PONG\n")
            let client = try Spawn.run("/usr/bin/redis-cli", ["-s", socket, "CLIENT", "INFO"]).output
            #expect(client.contains("addr=\(socket):0 laddr=\(socket):0 "), "\(client)")
            #expect(client.contains(" flags=U "), "\(client)")

            // Backlogs, as ss shows them (Send-Q of a listening socket).
            #expect(try Self.listenBacklog(tcpPort: set.port) == 17)
            #expect(try Self.listenBacklog(unixPath: socket) == 17)
            #expect(try Self.listenBacklog(tcpPort: defaults.port) == 511)

            // Keepalive: an accepted client's keepalive timer fires after tcp-keepalive seconds
            // (300 by default).
            let first = try set.client()
            defer { first.close() }
            let second = try defaults.client()
            defer { second.close() }
            _ = try first.send("PING")
            _ = try second.send("PING")
            let setTimers = try Self.keepaliveTimers(localPort: set.port)
            let defaultTimers = try Self.keepaliveTimers(localPort: defaults.port)
            #expect(!setTimers.isEmpty && setTimers.allSatisfy { $0 > 0 && $0 <= 7 }, "\(setTimers)")
            #expect(!defaultTimers.isEmpty && defaultTimers.allSatisfy { $0 > 200 && $0 <= 300 }, "\(defaultTimers)")
            print(
                "\(set.label): unix socket mode 700, backlog 17, keepalive timers \(setTimers) s; "
                    + "\(defaults.label): backlog 511, keepalive timers \(defaultTimers) s")

            // The socket file goes with the process, as Redis removes it at shutdown.
            set.stop()
            #expect(access(socket, F_OK) != 0, "the socket file is still there after SHUTDOWN")
        }

        @Test("a unixsocket that cannot be opened stops startup with Redis's message", .timeLimit(.minutes(1)))
        func unixSocketFailure() throws {
            let directory = try TestDirectory.make("unix")
            defer { TestDirectory.remove(directory) }
            let file = directory.appendingPathComponent("s.conf").path
            let lines = [
                "port \(try FreePort.next())", "bind 127.0.0.1", "unixsocket \(directory.path)/missing/s.sock",
                "sentinel monitor m 127.0.0.1 \(try FreePort.next()) 1",
            ]
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let started = try Spawn.run(try Binaries.sentinelUnderTest(), [file])
            #expect(started.status == 1, "\(started.output)")
            #expect(started.output.contains("Failed opening Unix socket: bind: No such file or directory\n"), "\(started.output)")
        }

        /// The Send-Q column of `ss -l` for a listener: its backlog.
        private static func listenBacklog(tcpPort: UInt16) throws -> Int? {
            let lines = try Spawn.run("/usr/bin/ss", ["-Hltn", "sport = :\(tcpPort)"]).output.split(separator: "\n")
            return lines.first.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[2]) }
        }

        private static func listenBacklog(unixPath: String) throws -> Int? {
            let lines = try Spawn.run("/usr/bin/ss", ["-Hlx"]).output.split(separator: "\n")
            let line = lines.first { $0.split(separator: " ", omittingEmptySubsequences: true).contains { $0 == unixPath } }
            return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[3]) }
        }

        /// Seconds until the keepalive timer of each established connection accepted on `localPort`
        /// fires, from /proc/net/tcp (`tr` 2 is the keepalive timer; `tm->when` is in clock ticks).
        /// A connection without one counts as -1.
        private static func keepaliveTimers(localPort: UInt16) throws -> [Int] {
            // Read to the end: a single read of a /proc table stops after about 4 KB.
            guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else { throw HarnessError("cannot open /proc/net/tcp") }
            defer { try? file.close() }
            let table = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
            let ticks = sysconf(Int32(_SC_CLK_TCK))
            var timers: [Int] = []
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 5, fields[1].hasSuffix(":" + String(format: "%04X", localPort)), fields[3] == "01" else {
                    continue
                }
                let timer = fields[5].split(separator: ":")
                guard timer.count == 2, timer[0] == "02", let when = Int(timer[1], radix: 16) else {
                    timers.append(-1)
                    continue
                }
                timers.append((when + ticks - 1) / ticks)
            }
            return timers
        }
    }
}
