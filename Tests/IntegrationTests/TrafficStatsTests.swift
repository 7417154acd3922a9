import Foundation
import Testing

extension Integration {
    /// `INFO stats` traffic counters and rates against Debian's redis-sentinel 7.0.15: both get
    /// the same client exchange, and both must show exactly the bytes, reads, writes, commands
    /// and errors the test itself sent and received (the differential test masks numbers, so it
    /// cannot see a counter stuck at 0). Each sentinel monitors the master under a name of its
    /// own, so they never become peers and the only client of each port is this test.
    /// `SENTINEL_BIN=/usr/bin/redis-sentinel` runs the candidate side against Redis too.
    @Suite("Traffic stats")
    struct TrafficStatsTests {
        /// One request written with a single `write` and the number of replies it gets.
        struct Exchange {
            var request: String
            var replies: Int
            /// Commands that run (Redis's call(); refused ones do not count).
            var commands: Int
            /// Error replies produced, sent or not.
            var errors: Int
        }

        /// The exchange: refused commands (unknown command and subcommand, arity, subscribed
        /// context), commands answering errors, an error suppressed by CLIENT REPLY OFF, and
        /// pipelined commands read in one read and answered in one write.
        static let exchanges: [Exchange] = [
            Exchange(request: "PING\r\n", replies: 1, commands: 1, errors: 0),
            Exchange(request: "*2\r\n$3\r\nFOO\r\n$1\r\nx\r\n", replies: 1, commands: 0, errors: 1),
            Exchange(request: "*1\r\n$8\r\nSENTINEL\r\n", replies: 1, commands: 0, errors: 1),
            Exchange(request: "*2\r\n$8\r\nSENTINEL\r\n$3\r\nFOO\r\n", replies: 1, commands: 0, errors: 1),
            Exchange(request: "*3\r\n$4\r\nPING\r\n$1\r\na\r\n$1\r\nb\r\n", replies: 1, commands: 1, errors: 1),
            Exchange(request: "*3\r\n$8\r\nSENTINEL\r\n$6\r\nMASTER\r\n$6\r\nnosuch\r\n", replies: 1, commands: 1, errors: 1),
            Exchange(
                request: "*3\r\n$8\r\nSENTINEL\r\n$23\r\nGET-MASTER-ADDR-BY-NAME\r\n$6\r\nnosuch\r\n", replies: 1, commands: 1,
                errors: 0),
            Exchange(request: "PING\r\nPING hello\r\nPING\r\n", replies: 3, commands: 3, errors: 0),
            Exchange(request: "CLIENT REPLY OFF\r\nFOO\r\nCLIENT REPLY ON\r\n", replies: 1, commands: 2, errors: 1),
            Exchange(request: "SUBSCRIBE x\r\nROLE\r\nUNSUBSCRIBE x\r\n", replies: 3, commands: 2, errors: 1),
        ]

        static let infoStats = "*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n"

        /// What one sentinel's counters moved by during the exchange, next to what the client
        /// itself sent and received.
        struct Measured: CustomStringConvertible {
            var deltas: [String: Int]
            var expected: [String: Int]
            var description: String {
                expected.keys.sorted().map { "\($0): \(deltas[$0].map(String.init) ?? "-") (expected \(expected[$0]!))" }
                    .joined(separator: ", ")
            }
        }

        @Test("INFO stats shows exactly the client's bytes, reads, writes, commands and errors, as redis-sentinel does", .timeLimit(.minutes(2)))
        func exactCounters() async throws {
            let cluster = try await Cluster.start(sentinels: 0)
            defer { cluster.shutdown() }
            let reference = try await SentinelProcess.start(
                name: "reference", binary: try Binaries.referenceSentinel(), in: cluster.directory,
                masterName: "reference-master", masterPort: cluster.master.port, quorum: 1)
            defer { reference.stop() }
            let candidate = try await SentinelProcess.start(
                name: "candidate", binary: try Binaries.sentinelUnderTest(), in: cluster.directory,
                masterName: "candidate-master", masterPort: cluster.master.port, quorum: 1)
            defer { candidate.stop() }

            for sentinel in [reference, candidate] {
                let measured = try Self.measure(sentinel)
                print("integration: traffic stats \(sentinel.label): \(measured)")
                for (name, value) in measured.expected.sorted(by: { $0.key < $1.key }) {
                    #expect(measured.deltas[name] == value, "\(sentinel.label) \(name): \(measured)\n\(sentinel.diagnostics())")
                }
            }
        }

        /// Baseline INFO, the exchanges one write at a time (each answered before the next), a
        /// protocol error on a second connection (answered, then closed by the server), and a
        /// final INFO; returns the counter deltas and the values the client's own traffic implies.
        static func measure(_ sentinel: SentinelProcess) throws -> Measured {
            let socket = try LoopbackSocket(port: sentinel.port, timeout: .seconds(5))
            defer { socket.close() }
            try socket.write(Array(infoStats.utf8))
            let baseline = try readReplies(socket, count: 1)
            var sent = 0
            var received = baseline.count
            var reads = 0
            var writes = 1  // the baseline INFO's reply
            var commands = 1  // the baseline INFO, counted once it has run
            var errors = 0
            for exchange in exchanges {
                try socket.write(Array(exchange.request.utf8))
                let reply = try readReplies(socket, count: exchange.replies)
                sent += exchange.request.utf8.count
                received += reply.count
                reads += 1
                writes += 1
                commands += exchange.commands
                errors += exchange.errors
            }

            // A protocol error: one read, one error reply in one write, then the server closes.
            let broken = try LoopbackSocket(port: sentinel.port, timeout: .seconds(5))
            defer { broken.close() }
            let garbage = "*abc\r\n"
            try broken.write(Array(garbage.utf8))
            let answer = try broken.read { _ in false }  // until the server closes
            #expect(String(decoding: answer, as: UTF8.self) == "-ERR Protocol error: invalid multibulk length\r\n")
            sent += garbage.utf8.count
            received += answer.count
            reads += 1
            writes += 1
            errors += 1

            try socket.write(Array(infoStats.utf8))
            sent += infoStats.utf8.count
            reads += 1
            let final = try readReplies(socket, count: 1)
            let before = fields(baseline)
            let after = fields(final)
            var deltas: [String: Int] = [:]
            for (name, value) in after {
                if let a = Int(value), let b = before[name].flatMap({ Int($0) }) { deltas[name] = a - b }
            }
            return Measured(
                deltas: deltas,
                expected: [
                    "total_net_input_bytes": sent, "total_net_output_bytes": received, "total_reads_processed": reads,
                    "total_writes_processed": writes, "total_commands_processed": commands,
                    "total_error_replies": errors, "total_connections_received": 1,
                ])
        }

        /// Over about two seconds of steady PINGs the instantaneous rates show the client's rate;
        /// once the client is idle for longer than the 16-sample window they are 0 again.
        @Test("instantaneous_ops_per_sec and the kbps rates follow the recent traffic", .timeLimit(.minutes(2)))
        func instantaneousRates() async throws {
            let cluster = try await Cluster.start(sentinels: 0)
            defer { cluster.shutdown() }
            let reference = try await SentinelProcess.start(
                name: "reference", binary: try Binaries.referenceSentinel(), in: cluster.directory,
                masterName: "reference-master", masterPort: cluster.master.port, quorum: 1)
            defer { reference.stop() }
            let candidate = try await SentinelProcess.start(
                name: "candidate", binary: try Binaries.sentinelUnderTest(), in: cluster.directory,
                masterName: "candidate-master", masterPort: cluster.master.port, quorum: 1)
            defer { candidate.stop() }

            for sentinel in [reference, candidate] {
                let socket = try LoopbackSocket(port: sentinel.port, timeout: .seconds(5))
                defer { socket.close() }
                let ping = Array("PING\r\n".utf8)
                let clock = ContinuousClock()
                let start = clock.now
                var count = 0
                // Bounded: at most 2 s and 2000 round trips, about 200 per second.
                while clock.now - start < .seconds(2), count < 2000 {
                    try socket.write(ping)
                    _ = try Self.readReplies(socket, count: 1)
                    count += 1
                    try await Task.sleep(for: .milliseconds(4))
                }
                let seconds = Double((clock.now - start).components.seconds)
                    + Double((clock.now - start).components.attoseconds) / 1e18
                let rate = Double(count) / seconds
                try socket.write(Array(Self.infoStats.utf8))
                let busy = Self.fields(try Self.readReplies(socket, count: 1))
                let ops = Double(busy["instantaneous_ops_per_sec"] ?? "") ?? -1
                let inputKbps = Double(busy["instantaneous_input_kbps"] ?? "") ?? -1
                let outputKbps = Double(busy["instantaneous_output_kbps"] ?? "") ?? -1
                let report = "\(sentinel.label): client \(Int(rate)) PINGs/s; ops \(ops), in \(inputKbps) kbps, out \(outputKbps) kbps"
                print("integration: traffic rates \(report)")
                #expect(ops >= rate * 0.5 && ops <= rate * 1.5, "\(report)")
                // 6 bytes in and 7 out per PING.
                #expect(inputKbps >= rate * 6 / 1024 * 0.5 && inputKbps <= rate * 6 / 1024 * 1.5, "\(report)")
                #expect(outputKbps >= rate * 7 / 1024 * 0.5 && outputKbps <= rate * 7 / 1024 * 1.5, "\(report)")

                // Idle: one INFO every 2.5 s, so each looks at a window without the previous one.
                try await eventually(
                    timeout: .seconds(20), interval: .milliseconds(2500), "\(sentinel.label) reports idle rates"
                ) {
                    try socket.write(Array(Self.infoStats.utf8))
                    let idle = Self.fields(try Self.readReplies(socket, count: 1))
                    return idle["instantaneous_ops_per_sec"] == "0" && idle["instantaneous_input_kbps"] == "0.00"
                        && idle["instantaneous_output_kbps"] == "0.00"
                }
            }
        }

        /// Reads until `count` complete RESP2 replies have arrived; returns their bytes.
        static func readReplies(_ socket: LoopbackSocket, count: Int) throws -> [UInt8] {
            let bytes = try socket.read { completeReplies(in: $0) >= count }
            guard completeReplies(in: bytes) == count else {
                throw HarnessError("expected \(count) replies, got: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
            return bytes
        }

        /// The number of complete RESP2 frames at the start of `bytes`.
        static func completeReplies(in bytes: [UInt8]) -> Int {
            var index = 0
            var frames = 0
            while let end = frameEnd(bytes, from: index) {
                frames += 1
                index = end
            }
            return frames
        }

        /// Where the frame starting at `start` ends, or nil if it is incomplete.
        private static func frameEnd(_ bytes: [UInt8], from start: Int) -> Int? {
            guard start < bytes.count else { return nil }
            var lineEnd = start
            while lineEnd + 1 < bytes.count, !(bytes[lineEnd] == 13 && bytes[lineEnd + 1] == 10) { lineEnd += 1 }
            guard lineEnd + 1 < bytes.count else { return nil }
            let header = String(decoding: bytes[(start + 1)..<lineEnd], as: UTF8.self)
            let next = lineEnd + 2
            switch bytes[start] {
            case UInt8(ascii: "$"):
                guard let length = Int(header) else { return nil }
                if length < 0 { return next }
                return next + length + 2 <= bytes.count ? next + length + 2 : nil
            case UInt8(ascii: "*"):
                guard let length = Int(header) else { return nil }
                var index = next
                for _ in 0..<max(length, 0) {
                    guard let end = frameEnd(bytes, from: index) else { return nil }
                    index = end
                }
                return index
            default:
                return next
            }
        }

        /// `name:value` lines of an INFO reply.
        static func fields(_ reply: [UInt8]) -> [String: String] {
            var result: [String: String] = [:]
            for line in String(decoding: reply, as: UTF8.self).split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                result[String(line[..<colon])] = String(line[line.index(after: colon)...])
            }
            return result
        }
    }
}
