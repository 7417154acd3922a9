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

@Suite("Link handler")
struct LinkHandlerTests {
    private func connectedLink(id: Int = 9) throws -> (EmbeddedChannel, LinkHandler, EventLog) {
        let log = EventLog()
        let handler = LinkHandler(id: LinkID(id), onActive: { _ in }, onEvents: { log.events += $0 })
        let channel = EmbeddedChannel(handler: handler)
        channel.localAddress = try SocketAddress(ipAddress: "10.0.0.5", port: 40001)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
        return (channel, handler, log)
    }

    @Test("reports activation once, with the socket's local IP")
    func activation() throws {
        let log = EventLog()
        var activated: [String?] = []
        let handler = LinkHandler(
            id: LinkID(1), onActive: { activated.append($0.localIP) }, onEvents: { log.events += $0 })
        let channel = EmbeddedChannel(handler: handler)
        channel.localAddress = try SocketAddress(ipAddress: "10.0.0.5", port: 40001)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
        #expect(activated == ["10.0.0.5"])
        #expect(log.events.isEmpty)
    }

    @Test("replies and pushes are decoded across segment boundaries")
    func frames() throws {
        let (channel, _, log) = try connectedLink()
        let wire = "+PONG\r\n$5\r\nhello\r\n*3\r\n$7\r\nmessage\r\n$18\r\n__sentinel__:hello\r\n$1\r\nx\r\n"
        for chunk in stride(from: 0, to: wire.utf8.count, by: 3) {
            let bytes = Array(wire.utf8)[chunk..<min(chunk + 3, wire.utf8.count)]
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }
        let values = log.events.compactMap { event -> RESPValue? in
            if case .linkFrame(let id, let value) = event, id == LinkID(9) { return value }
            return nil
        }
        #expect(
            values == [
                .simpleString("PONG"), .bulkString("hello"),
                .array([.bulkString("message"), .bulkString("__sentinel__:hello"), .bulkString("x")]),
            ]
        )
    }

    @Test("the read buffer is never kept, also when a frame is cut (NIO reuses it for the next read)")
    func readBufferReleased() throws {
        let (channel, _, log) = try connectedLink()
        var whole = ByteBuffer(string: "+PONG\r\n")
        try channel.writeInbound(whole)
        #expect(whole.modifyIfUniquelyOwned { _ in true } == true)
        var cut = ByteBuffer(string: "+PONG\r\n$5\r\nhel")
        try channel.writeInbound(cut)
        #expect(cut.modifyIfUniquelyOwned { _ in true } == true)
        var rest = ByteBuffer(string: "lo\r\n")
        try channel.writeInbound(rest)
        #expect(rest.modifyIfUniquelyOwned { _ in true } == true)
        let values = log.events.compactMap { event -> RESPValue? in
            if case .linkFrame(_, let value) = event { return value }
            return nil
        }
        #expect(values == [.simpleString("PONG"), .simpleString("PONG"), .bulkString("hello")])
    }

    @Test("commands are written as RESP2 multibulk, flushed once")
    func send() throws {
        let (channel, handler, _) = try connectedLink()
        handler.queue(["PING"])
        handler.queue(["CLIENT", "SETNAME", "sentinel-1234abcd-cmd"])
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        handler.flush()
        let written = try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
        #expect(
            written == "*1\r\n$4\r\nPING\r\n*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$21\r\nsentinel-1234abcd-cmd\r\n")
    }

    @Test("a decode error closes the link and reports its message exactly once")
    func decodeError() throws {
        let (channel, _, log) = try connectedLink()
        try channel.writeInbound(ByteBuffer(string: "+OK\r\n$abc\r\n"))
        #expect(!channel.isActive)
        #expect(log.events.count == 2)
        guard case .linkClosed(let id, let reason) = log.events.last else {
            Issue.record("expected linkClosed, got \(log.events)")
            return
        }
        #expect(id == LinkID(9))
        #expect(reason.hasPrefix("Protocol error"))
    }

    @Test("a peer close reports linkClosed once")
    func peerClose() throws {
        let (channel, _, log) = try connectedLink()
        try channel.close().wait()
        #expect(log.descriptions == ["\(Event.linkClosed(LinkID(9), reason: "Server closed the connection"))"])
    }

    @Test("a silenced link reports nothing more")
    func silenced() throws {
        let (channel, handler, log) = try connectedLink()
        handler.silence()
        try channel.writeInbound(ByteBuffer(string: "+PONG\r\n"))
        handler.close()
        #expect(!channel.isActive)
        #expect(log.events.isEmpty)
    }

    @Test("connection errors read like hiredis's")
    func errorText() {
        #expect(LinkHandler.describe(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == "Connection refused")
        #expect(LinkHandler.describe(ChannelError.connectTimeout(.seconds(1))) == "Connection timed out")
    }
}
