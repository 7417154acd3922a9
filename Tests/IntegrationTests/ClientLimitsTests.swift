import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Integration {
    /// Issue 12, "Limits as in Redis": `maxclients`, `proto-max-bulk-len`, `client-query-buffer-limit`
    /// and `client-output-buffer-limit pubsub`, swift-sentinel next to redis-sentinel 7.0.15 with the
    /// same config lines: the same replies, the same disconnects, the same log lines.
    @Suite("Client limits")
    struct ClientLimitsTests {
        static let lines = [
            "maxclients 2", "proto-max-bulk-len 2mb", "client-query-buffer-limit 1mb",
            "client-output-buffer-limit pubsub 64kb 0 0",
        ]

        /// Reads until the peer closes (EOF or reset) or `limit` bytes; a timeout throws. Reads one
        /// chunk at a time, so the bytes that arrived before a reset are kept.
        static func readToClose(_ socket: LoopbackSocket, limit: Int = 4096) throws -> String {
            var received: [UInt8] = []
            while received.count < limit {
                let chunk: [UInt8]
                do {
                    chunk = try socket.read { !$0.isEmpty }
                } catch let error as HarnessError where error.description.contains("failed") {
                    break  // Connection reset: the sentinel closed with our input unread.
                }
                if chunk.isEmpty { break }  // EOF
                received += chunk
            }
            return String(decoding: received, as: UTF8.self)
        }

        /// Waits until the sentinel counts `first` as its only client, so that the closed
        /// connections' `maxclients` slots are free again for the next one.
        static func waitUntilOnlyClient(_ first: LoopbackSocket, _ name: String) async throws {
            try await eventually(timeout: .seconds(5), "\(name) counts one connected client") {
                try first.write(Array("INFO clients\r\n".utf8))
                let reply = try first.read { $0.count > 4 && $0.suffix(4).elementsEqual("\r\n\r\n".utf8) }
                return String(decoding: reply, as: UTF8.self).contains("connected_clients:1\r\n")
            }
        }

        @Test("maxclients, proto-max-bulk-len, client-query-buffer-limit and the pubsub output limit as redis-sentinel",
              .timeLimit(.minutes(2)))
        func sameAsRedis() async throws {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("sentinel-limits-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            for binary in [try Binaries.referenceSentinel(), try Binaries.sentinelUnderTest()] {
                let name = URL(fileURLWithPath: binary).lastPathComponent
                let sentinel = try await SentinelProcess.start(
                    name: name, binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1,
                    extraLines: Self.lines)
                defer { sentinel.stop() }
                let port = sentinel.port

                // maxclients 2: the third connection is refused with Redis's text and closed.
                let first = try LoopbackSocket(port: port, timeout: .seconds(5))
                let second = try LoopbackSocket(port: port, timeout: .seconds(5))
                for socket in [first, second] {
                    try socket.write(Array("PING\r\n".utf8))
                    #expect(try socket.read { $0.count >= 7 } == Array("+PONG\r\n".utf8), "\(name)")
                }
                let third = try LoopbackSocket(port: port, timeout: .seconds(5))
                #expect(try Self.readToClose(third) == "-ERR max number of clients reached\r\n", "\(name)")
                third.close()
                second.close()

                // proto-max-bulk-len 2mb: a longer bulk is a protocol error, then the close.
                try await Self.waitUntilOnlyClient(first, name)
                let long = try LoopbackSocket(port: port, timeout: .seconds(5))
                try long.write(Array("*1\r\n$3000000\r\n".utf8))
                #expect(try Self.readToClose(long) == "-ERR Protocol error: invalid bulk length\r\n", "\(name)")
                long.close()

                // client-query-buffer-limit 1mb: 1.2 MB of one unfinished 1.5 MB bulk closes the
                // connection, with no reply.
                try await Self.waitUntilOnlyClient(first, name)
                let big = try LoopbackSocket(port: port, timeout: .seconds(5))
                try big.write(Array("*1\r\n$1500000\r\n".utf8))
                let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
                for _ in 0..<19 {
                    do { try big.write(chunk) } catch { break }
                }
                #expect(try Self.readToClose(big) == "", "\(name)")
                big.close()
                try await eventually(timeout: .seconds(5), "\(name) logs the query buffer close") {
                    sentinel.log().contains("Closing client that reached max query buffer length: id=")
                }

                // client-output-buffer-limit pubsub 64kb: a subscriber that never reads is closed while
                // events are published (each SENTINEL SET of 500 options publishes 500 +set events).
                try await Self.waitUntilOnlyClient(first, name)
                let subscriber = try LoopbackSocket(port: port, timeout: .seconds(5))
                try subscriber.write(Array("PSUBSCRIBE *\r\n".utf8))
                _ = try subscriber.read { $0.count >= 32 }
                let command = ["SENTINEL", "SET", Cluster.masterName] + Array(repeating: ["quorum", "1"], count: 500).flatMap { $0 }
                let clock = ContinuousClock()
                let started = clock.now
                var sets = 0
                while !sentinel.log().contains("scheduled to be closed ASAP for overcoming of output buffer limits."),
                    clock.now - started < .seconds(30)
                {
                    _ = try first.write(RESPClient.encode(command))
                    _ = try first.read { $0.count >= 5 }
                    sets += 1
                }
                #expect(
                    sentinel.log().contains("scheduled to be closed ASAP for overcoming of output buffer limits."),
                    "\(name): the subscriber was not closed after \(sets) SENTINEL SETs")
                print("\(name): subscriber closed after \(sets) SENTINEL SETs of 500 options")
                subscriber.close()
                first.close()
                sentinel.stop()
            }
        }
    }
}
