import NIOCore
import NIOEmbedded
import RESP
import SentinelCore
import Testing

@testable import SentinelRuntime

/// Collects what a handler reports (all on the embedded loop's thread).
final class EventLog {
    var events: [Event] = []
    var descriptions: [String] { events.map { "\($0)" } }
}

@Suite("Client connection handler")
struct ClientConnectionHandlerTests {
    /// An active embedded client connection with its event log.
    private func connectedClient(
        id: Int, peerPort: Int = 50000, limits: ClientConnectionHandler.Limits = .init(),
        onLimit: @escaping (String, ClientConnectionHandler.LimitReached) -> Void = { _, _ in }
    ) throws -> (
        EmbeddedChannel, ClientConnectionHandler, EventLog
    ) {
        let log = EventLog()
        let handler = ClientConnectionHandler(id: ClientID(id), limits: limits, onEvents: { log.events += $0 }, onLimit: onLimit)
        let channel = EmbeddedChannel(handler: handler)
        channel.localAddress = try SocketAddress(ipAddress: "127.0.0.1", port: 26379)
        channel.remoteAddress = try SocketAddress(ipAddress: "127.0.0.1", port: peerPort)
        try channel.connect(to: channel.remoteAddress!).wait()
        return (channel, handler, log)
    }

    private func outbound(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text
    }

    @Test("reports the connection with ip:port addresses")
    func connected() throws {
        let (_, _, log) = try connectedClient(id: 7, peerPort: 41000)
        #expect(
            log.descriptions == [
                "\(Event.clientConnected(ClientID(7), address: "127.0.0.1:41000", localAddress: "127.0.0.1:26379"))"
            ])
    }

    @Test("IPv6 addresses are bracketed")
    func ipv6Format() throws {
        #expect(ClientConnectionHandler.format(try SocketAddress(ipAddress: "::1", port: 5)) == "[::1]:5")
    }

    @Test("commands are decoded across TCP segment boundaries, in order")
    func segmented() throws {
        let (channel, _, log) = try connectedClient(id: 1)
        let wire = "*3\r\n$8\r\nSENTINEL\r\n$7\r\nmasters\r\n$0\r\n\r\nPING\r\n*1\r\n$4\r\nINFO\r\n"
        for byte in wire.utf8 {
            var buffer = channel.allocator.buffer(capacity: 1)
            buffer.writeInteger(byte)
            try channel.writeInbound(buffer)
        }
        let commands = log.events.compactMap { event -> [String]? in
            if case .clientCommand(_, let words, _) = event { return words }
            return nil
        }
        #expect(commands == [["SENTINEL", "masters", ""], ["PING"], ["INFO"]])
        #expect(channel.isActive)
    }

    @Test("a protocol error answers -ERR, closes that connection only and reports the disconnect")
    func protocolError() throws {
        let (bad, _, badLog) = try connectedClient(id: 1)
        let (good, goodHandler, goodLog) = try connectedClient(id: 2)

        try bad.writeInbound(ByteBuffer(string: "PING\r\n*abc\r\nPING\r\n"))

        // The exact text the decoder produces, as Redis sends it: `-ERR Protocol error: ...`.
        var decoder = RESPDecoder(mode: .request)
        var probe = ByteBuffer(string: "*abc\r\n")
        let expected: String
        do {
            _ = try decoder.decode(buffer: &probe)
            Issue.record("the decoder accepted a malformed multibulk length")
            return
        } catch let error as RESPProtocolError {
            expected = "-ERR \(error.message)\r\n"
        }
        #expect(expected == "-ERR Protocol error: invalid multibulk length\r\n")
        #expect(try outbound(bad) == expected)
        #expect(!bad.isActive)
        #expect(
            badLog.descriptions == [
                "\(Event.clientConnected(ClientID(1), address: "127.0.0.1:50000", localAddress: "127.0.0.1:26379"))",
                "\(Event.clientCommand(ClientID(1), ["PING"]))",
                "\(Event.clientDisconnected(ClientID(1)))",
            ]
        )

        // The other connection is untouched.
        #expect(good.isActive)
        try good.writeInbound(ByteBuffer(string: "PING\r\n"))
        goodHandler.queue(.simpleString("PONG"), version: .resp2)
        goodHandler.flush()
        #expect(try outbound(good) == "+PONG\r\n")
        #expect(goodLog.events.count == 2)
        #expect(try good.finish().isClean)
    }

    @Test("replies queued in one batch go out in one write")
    func batching() throws {
        let (channel, handler, _) = try connectedClient(id: 1)
        handler.queue(.simpleString("OK"), version: .resp2)
        handler.queue(.integer(3), version: .resp2)
        handler.queue(.null, version: .resp2)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        handler.flush()
        let first = try channel.readOutbound(as: ByteBuffer.self)
        #expect(first.map { String(buffer: $0) } == "+OK\r\n:3\r\n$-1\r\n")
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test("closeAfterFlush writes what is queued, then closes; later input is ignored")
    func closeAfterReply() throws {
        let (channel, handler, log) = try connectedClient(id: 1)
        handler.queue(.ok, version: .resp2)
        handler.closeAfterFlush()
        #expect(try outbound(channel) == "+OK\r\n")
        #expect(!channel.isActive)
        #expect(log.events.count == 2)
        if case .clientDisconnected(let id) = log.events.last {
            #expect(id == ClientID(1))
        } else {
            Issue.record("expected clientDisconnected, got \(log.events)")
        }
        handler.queue(.ok, version: .resp2)
        handler.flush()
        #expect(try outbound(channel) == "")
    }

    @Test("a peer close reports exactly one disconnect")
    func peerClose() throws {
        let (channel, _, log) = try connectedClient(id: 4)
        try channel.close().wait()
        #expect(log.events.count == 2)
        if case .clientDisconnected = log.events.last {} else { Issue.record("no disconnect: \(log.events)") }
    }

    private func commandCount(_ log: EventLog) -> Int {
        log.events.filter { if case .clientCommand = $0 { true } else { false } }.count
    }

    @Test("at most commandsPerTurn commands reach the core per loop turn; the rest follow in later turns, in order")
    func boundedTurns() throws {
        var limits = ClientConnectionHandler.Limits()
        limits.commandsPerTurn = 10
        let (channel, _, log) = try connectedClient(id: 1, limits: limits)
        let wire = (0..<25).map { "PING \($0)\r\n" }.joined()
        try channel.writeInbound(ByteBuffer(string: wire))
        #expect(commandCount(log) == 10)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        // Each round schedules the next one after the other connections' I/O; 1 ms runs them all.
        #expect(commandCount(log) == 25)
        let numbers = log.events.compactMap { event -> String? in
            if case .clientCommand(_, let words, _) = event { return words.last }
            return nil
        }
        #expect(numbers == (0..<25).map { "\($0)" })
    }

    @Test("pipelining clients get one turn each per loop iteration, not their whole input at once")
    func oneTurnPerRound() throws {
        var limits = ClientConnectionHandler.Limits()
        limits.commandsPerTurn = 10
        let loop = EmbeddedEventLoop()
        let turns = ClientTurns()
        let log = EventLog()
        var channels: [EmbeddedChannel] = []
        for id in 1...2 {
            let handler = ClientConnectionHandler(
                id: ClientID(id), limits: limits, onEvents: { log.events += $0 }, turns: turns)
            let channel = EmbeddedChannel(handler: handler, loop: loop)
            channel.remoteAddress = try SocketAddress(ipAddress: "127.0.0.1", port: 50000 + id)
            try channel.connect(to: channel.remoteAddress!).wait()
            channels.append(channel)
        }
        func handled(_ id: Int) -> [String] {
            log.events.compactMap { event -> String? in
                if case .clientCommand(let client, let words, _) = event, client == ClientID(id) { return words.last }
                return nil
            }
        }
        let wire = (0..<100).map { "PING \($0)\r\n" }.joined()
        for channel in channels { try channel.writeInbound(ByteBuffer(string: wire)) }
        #expect(handled(1).count == 10 && handled(2).count == 10)
        // Tasks due now run; the next round is not one of them (an `execute` was, and ran all 100).
        loop.run()
        #expect(handled(1).count == 10 && handled(2).count == 10)
        // One round: one turn for each client, and the next round is not due before the next poll.
        loop.advanceTime(by: ClientTurns.pause)
        #expect(handled(1).count == 20 && handled(2).count == 20)
        loop.advanceTime(by: .milliseconds(1))
        #expect(handled(1) == (0..<100).map { "\($0)" })
        #expect(handled(2) == (0..<100).map { "\($0)" })
        for channel in channels { _ = try channel.finish() }
    }

    @Test("reads are held while commands wait and while the output is above the high water mark")
    func readsHeld() throws {
        var limits = ClientConnectionHandler.Limits()
        limits.commandsPerTurn = 2
        let (channel, handler, log) = try connectedClient(id: 1, limits: limits)
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(reads, position: .first)
        try channel.writeInbound(ByteBuffer(string: "PING\r\nPING\r\nPING\r\n"))
        channel.read()
        #expect(reads.count == 0, "a read passed while a command was waiting")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(commandCount(log) == 3)
        #expect(reads.count == 1, "the held read was not released once the commands were handled")

        // Unsent output above the high mark: commands wait, reads are held, until it drains.
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        try channel.writeInbound(ByteBuffer(string: "PING\r\n"))
        channel.read()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(commandCount(log) == 3, "a command was handled while the output was blocked")
        #expect(reads.count == 1)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(commandCount(log) == 4)
        #expect(reads.count == 2)
        _ = handler
    }

    @Test("input that ends exactly at a full turn releases the reads once handled")
    func inputEndingAtFullTurn() throws {
        // 1,000 hellos from a peer arrive in one burst; when the bytes read end exactly after a
        // multiple of commandsPerTurn commands, the turn that finds no input left must still end
        // the backlog and pass the held read on (a peer's link went silent until it was dropped).
        var limits = ClientConnectionHandler.Limits()
        limits.commandsPerTurn = 2
        let (channel, _, log) = try connectedClient(id: 1, limits: limits)
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(reads, position: .first)
        try channel.writeInbound(ByteBuffer(string: "PING\r\nPING\r\n"))
        channel.read()
        #expect(reads.count == 0, "a read passed while the turn was full")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(reads.count == 1, "the held read was not released once the input was handled")
        try channel.writeInbound(ByteBuffer(string: "PING\r\n"))
        #expect(commandCount(log) == 3, "the next command waited behind a turn that never ran")
    }

    @Test("input held beyond client-query-buffer-limit closes the connection without a reply")
    func queryBufferLimit() throws {
        var limits = ClientConnectionHandler.Limits()
        limits.queryBufferLimit = 1024
        var reported: [ClientConnectionHandler.LimitReached] = []
        let (channel, _, log) = try connectedClient(id: 1, limits: limits) { _, reason in reported.append(reason) }
        try channel.writeInbound(ByteBuffer(string: "*1\r\n$4000\r\n" + String(repeating: "a", count: 1000)))
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(string: String(repeating: "a", count: 1000)))
        #expect(!channel.isActive)
        #expect(try outbound(channel) == "")
        #expect(reported == [.queryBuffer(initialBytes: "\"*1\\r\\n$4000\\r\\n" + String(repeating: "a", count: 53) + "\"")])
        #expect(commandCount(log) == 0)
    }

    @Test("a bulk longer than proto-max-bulk-len is a protocol error")
    func protoMaxBulkLength() throws {
        var limits = ClientConnectionHandler.Limits()
        limits.decoding.maxBulkLength = 1024 * 1024
        let (channel, _, _) = try connectedClient(id: 1, limits: limits)
        try channel.writeInbound(ByteBuffer(string: "*1\r\n$1048577\r\n"))
        #expect(try outbound(channel) == "-ERR Protocol error: invalid bulk length\r\n")
        #expect(!channel.isActive)
    }
}

/// Counts the reads that reach the channel's head.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Never
    var count = 0
    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}
