import NIOCore
import NIOEmbedded
import RESP
import SentinelCore
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The runtime's side of `total_net_input_bytes`, `total_net_output_bytes`,
/// `total_reads_processed`, `total_writes_processed`, the protocol errors in
/// `total_error_replies`, and `client_recent_max_*_buffer`: what a client connection counts, and
/// that INFO on the real core shows exactly a client's own traffic.
@Suite("Client traffic counters", .serialized, .timeLimit(.minutes(1)))
struct ClientTrafficTests {
    /// An active embedded client connection counting into `meter`.
    private func connectedClient(meter: ClientTrafficMeter) throws -> (EmbeddedChannel, ClientConnectionHandler) {
        let handler = ClientConnectionHandler(id: ClientID(1), onEvents: { _ in }, meter: meter)
        let channel = EmbeddedChannel(handler: handler)
        channel.localAddress = try SocketAddress(ipAddress: "127.0.0.1", port: 26379)
        channel.remoteAddress = try SocketAddress(ipAddress: "127.0.0.1", port: 50000)
        try channel.connect(to: channel.remoteAddress!).wait()
        return (channel, handler)
    }

    /// Redis counts every readQueryFromClient call and the bytes it read, one write per
    /// writeToClient with the bytes written, and the read that finds the peer gone.
    @Test("every read, every flush and their bytes are counted; the read that finds the end too")
    func readsAndWrites() throws {
        let meter = ClientTrafficMeter()
        let (channel, handler) = try connectedClient(meter: meter)
        try channel.writeInbound(ByteBuffer(string: "PING\r\n"))
        try channel.writeInbound(ByteBuffer(string: "*1\r\n$4\r\nPI"))
        try channel.writeInbound(ByteBuffer(string: "NG\r\n"))
        #expect(meter.totals == ClientTraffic(inputBytes: 20, reads: 3))

        handler.flush()  // nothing queued: no write
        #expect(meter.totals.writes == 0)
        handler.queue(.simpleString("PONG"), version: .resp2)
        handler.queue(.simpleString("PONG"), version: .resp2)
        handler.flush()
        #expect(meter.totals == ClientTraffic(inputBytes: 20, outputBytes: 14, reads: 3, writes: 1))
        while try channel.readOutbound(as: ByteBuffer.self) != nil {}

        // The peer goes away: the read that sees it counts.
        try channel.close().wait()
        #expect(meter.totals.reads == 4)
    }

    /// setProtocolError answers with addReplyError (an error reply) and closes after the reply;
    /// a connection we close ourselves is not read again.
    @Test("a protocol error is an error reply and a write; our own close adds no read")
    func protocolError() throws {
        let meter = ClientTrafficMeter()
        let (channel, _) = try connectedClient(meter: meter)
        try channel.writeInbound(ByteBuffer(string: "*abc\r\n"))
        let reply = "-ERR Protocol error: invalid multibulk length\r\n"
        #expect(!channel.isActive)
        #expect(
            meter.totals
                == ClientTraffic(inputBytes: 6, outputBytes: Int64(reply.utf8.count), reads: 1, writes: 1, protocolErrors: 1)
        )
    }

    @Test("the input peak is the most one connection held at once, and restarts when taken")
    func inputPeak() throws {
        let meter = ClientTrafficMeter()
        let (channel, handler) = try connectedClient(meter: meter)
        let command = "*2\r\n$4\r\nPING\r\n$5000\r\n" + String(repeating: "x", count: 5000) + "\r\n"
        let bytes = Array(command.utf8)
        try channel.writeInbound(ByteBuffer(bytes: bytes[..<3000]))
        #expect(handler.takeBufferUsage().input == 3000)
        // Unparsed bytes still held count when nothing new arrived.
        #expect(handler.takeBufferUsage().input == 3000)
        try channel.writeInbound(ByteBuffer(bytes: bytes[3000...]))
        #expect(handler.takeBufferUsage().input == bytes.count)
        #expect(handler.takeBufferUsage().input == 0)
        try channel.writeInbound(ByteBuffer(string: "PING\r\n"))
        #expect(handler.takeBufferUsage().input == 6)
    }

    /// A real core behind the real runtime: after a baseline INFO, a client sends commands one at
    /// a time (each one read, each reply one write), some refused, some answered with errors, one
    /// error suppressed by CLIENT REPLY OFF, and three PINGs in one write; the next INFO shows
    /// exactly that client's bytes, reads, writes, commands and errors, as redis-sentinel 7.0.15
    /// does for the same exchange (Integration/TrafficStatsTests compares both).
    @Test("INFO stats on the real core counts a client's exact bytes, reads, writes, commands and errors")
    func realCoreCounts() async throws {
        var config = SentinelConfig()
        config.port = 0
        config.bind = ["127.0.0.1"]
        config.myID = String(repeating: "c", count: 40)
        config.logLevel = .nothing
        let path = "/tmp/swift-sentinel-traffic-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).conf"
        defer { unlink(path) }
        var options = RuntimeOptions(configPath: path, seed: 5)
        options.handleSignals = false
        let runtime = SentinelRuntime(config: config, options: options)
        let port = try #require(try await runtime.start().first?.port)
        let client = try TestSocket(port: port)

        let info = "*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n"
        client.send(info)
        let baselineReply = Self.readBulk(client)
        let before = Self.fields(baselineReply)
        var sent = 0
        var received = baselineReply.utf8.count
        var reads = 0
        var writes = 1  // the baseline INFO's reply
        let exchanges: [(String, String)] = [
            ("PING\r\n", "+PONG\r\n"),
            ("*2\r\n$3\r\nFOO\r\n$1\r\nx\r\n", "-ERR unknown command 'FOO', with args beginning with: 'x' \r\n"),
            ("*1\r\n$8\r\nSENTINEL\r\n", "-ERR wrong number of arguments for 'sentinel' command\r\n"),
            ("*3\r\n$4\r\nPING\r\n$1\r\na\r\n$1\r\nb\r\n", "-ERR wrong number of arguments for 'ping' command\r\n"),
            ("*3\r\n$8\r\nSENTINEL\r\n$6\r\nMASTER\r\n$1\r\nx\r\n", "-ERR No such master with that name\r\n"),
            ("*3\r\n$8\r\nSENTINEL\r\n$23\r\nGET-MASTER-ADDR-BY-NAME\r\n$1\r\nx\r\n", "*-1\r\n"),
            ("PING\r\nPING\r\nPING\r\n", "+PONG\r\n+PONG\r\n+PONG\r\n"),
            ("CLIENT REPLY OFF\r\nFOO\r\nCLIENT REPLY ON\r\n", "+OK\r\n"),
        ]
        for (request, reply) in exchanges {
            client.send(request)
            #expect(client.read(count: reply.utf8.count) == reply)
            sent += request.utf8.count
            received += reply.utf8.count
            reads += 1
            writes += 1
        }
        client.send(info)
        sent += info.utf8.count
        reads += 1
        let after = Self.fields(Self.readBulk(client))

        func delta(_ name: String) -> Int? {
            guard let a = after[name].flatMap({ Int($0) }), let b = before[name].flatMap({ Int($0) }) else { return nil }
            return a - b
        }
        #expect(delta("total_net_input_bytes") == sent)
        #expect(delta("total_net_output_bytes") == received)
        #expect(delta("total_reads_processed") == reads)
        #expect(delta("total_writes_processed") == writes)
        // The baseline INFO, PING, PING a b, SENTINEL MASTER, GET-MASTER-ADDR, 3 PINGs, REPLY OFF
        // and ON; not the unknown, the arity-refused nor this INFO.
        #expect(delta("total_commands_processed") == 10)
        // FOO x, SENTINEL, PING a b, SENTINEL MASTER x, and the FOO nobody was sent.
        #expect(delta("total_error_replies") == 5)
        try await runtime.stop()
    }

    /// The runtime samples every client's buffers with the process stats (once a second; faster
    /// here): the most input held by one connection, the output it could not send yet, and the
    /// `hz` drawn for the ticks.
    @Test("process stats carry the client buffer peaks and the current hz")
    func bufferSamples() async throws {
        let recorder = Recorder()
        var config = SentinelConfig()
        config.port = 0
        config.bind = ["127.0.0.1"]
        config.logLevel = .nothing
        var options = RuntimeOptions(configPath: "/tmp/swift-sentinel-traffic-unused-\(getpid()).conf", seed: 9)
        options.handleSignals = false
        options.statsInterval = .milliseconds(50)
        let runtime = SentinelRuntime(config: config, options: options, core: ScriptedCore(recorder: recorder, config: config))
        let port = try #require(try await runtime.start().first?.port)
        let reader = try TestSocket(port: port)
        // 3000 bytes of a command that is never completed.
        reader.send("*2\r\n$4\r\nPING\r\n$5000\r\n" + String(repeating: "x", count: 2979))
        let slow = try TestSocket(port: port)
        slow.send("BIG 16384\r\n")  // 16 MiB of replies, never read: most of it waits in NIO
        #expect(
            await eventually {
                recorder.stats.contains { $0.clientInputBufferPeak == 3000 }
                    && recorder.stats.contains { $0.clientOutputBufferPeak > 1024 * 1024 }
            }, "\(recorder.stats.map { ($0.clientInputBufferPeak, $0.clientOutputBufferPeak) })")
        #expect(recorder.stats.allSatisfy { (10...19).contains($0.hz) })
        withExtendedLifetime((reader, slow)) {}
        try await runtime.stop()
    }

    /// Reads one bulk-string reply in full and returns it as sent (header, payload, CRLF).
    static func readBulk(_ socket: TestSocket) -> String {
        var text = socket.read(count: 1)
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "$"), let end = bytes.firstIndex(of: UInt8(ascii: "\r")),
            let length = Int(String(decoding: bytes[1..<end], as: UTF8.self))
        else { return text }
        let total = end + 2 + length + 2
        if text.utf8.count < total {
            text += socket.read(count: total - text.utf8.count)
        }
        return text
    }

    /// `name:value` lines of an INFO reply.
    static func fields(_ reply: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in reply.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return result
    }
}
