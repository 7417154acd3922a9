//===----------------------------------------------------------------------===//
// swift-sentinel — one accepted client connection
//===----------------------------------------------------------------------===//

import NIOCore
import RESP
import SentinelCore

/// The pipeline handler of one client connected to the sentinel's port.
///
/// It decodes requests (multibulk or inline) and reports them, in order, as ``Event``s: one
/// `.clientConnected` when the connection is up, one `.clientCommand` per decoded command, and exactly
/// one `.clientDisconnected` when the connection is gone. It knows nothing about commands.
///
/// Replies are queued with ``queue(_:version:)`` into one buffer and written by ``flush()``, which the
/// runtime calls once per batch of actions. On a protocol error the handler answers
/// `-ERR Protocol error: ...`, stops reading and closes the connection once the error is written
/// (Redis: `setProtocolError` + close-after-reply). A connection whose unsent output exceeds the
/// channel's high write-buffer water mark is closed (Redis's client-output-buffer-limit).
///
/// Its traffic goes into the runtime's shared ``ClientTrafficMeter``, as Redis counts it: every read
/// (also the one that finds the connection closed), the bytes read, every flush as one write and the
/// bytes written, and the protocol-error replies it sends itself.
package final class ClientConnectionHandler: ChannelInboundHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    /// Where a batch of events goes (the runtime's event queue; a recorder in tests).
    package typealias EventSink = ([Event]) -> Void

    package let id: ClientID
    private let onEvents: EventSink
    private let onOutputLimit: (ClientID) -> Void
    private let meter: ClientTrafficMeter
    /// The most input held at once since ``takeBufferUsage()`` last ran: the bytes of one read plus
    /// whatever the decoder still held from earlier reads.
    private var inputPeak = 0
    private var processor: NIOSingleStepByteToMessageProcessor<RESPRequestDecoder>
    private var context: ChannelHandlerContext?
    private var pending: ByteBuffer?
    private var state: State = .idle

    private enum State {
        /// Added, not yet active.
        case idle
        /// Connected and reported.
        case open
        /// Closing after the queued output is written; input is ignored, new replies are dropped.
        case closing
        /// Gone and reported.
        case closed
    }

    /// - Parameters:
    ///   - id: The id reported with every event of this connection.
    ///   - onEvents: Receives events in order; may be called from inside any handler callback.
    ///   - onOutputLimit: Called (before the close) when the connection is closed for output overflow.
    ///   - meter: Where reads, writes and their bytes are counted (shared by the runtime's clients).
    package init(
        id: ClientID, onEvents: @escaping EventSink, onOutputLimit: @escaping (ClientID) -> Void = { _ in },
        meter: ClientTrafficMeter = ClientTrafficMeter()
    ) {
        self.id = id
        self.onEvents = onEvents
        self.onOutputLimit = onOutputLimit
        self.meter = meter
        self.processor = NIOSingleStepByteToMessageProcessor(RESPRequestDecoder())
    }

    /// True once a close was requested or the connection is gone.
    package var isClosing: Bool {
        switch state {
        case .closing, .closed: true
        case .idle, .open: false
        }
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            becameActive(context: context)
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    package func channelActive(context: ChannelHandlerContext) {
        becameActive(context: context)
        context.fireChannelActive()
    }

    private func becameActive(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        state = .open
        let peer = context.channel.remoteAddress.map(Self.format) ?? "?:0"
        let local = context.channel.localAddress.map(Self.format) ?? "?:0"
        onEvents([.clientConnected(id, address: peer, localAddress: local)])
    }

    package func channelInactive(context: ChannelHandlerContext) {
        let wasReported: Bool
        switch state {
        case .open, .closing: wasReported = true
        case .idle, .closed: wasReported = false
        }
        if case .open = state {
            // Gone without our close: a read found the end of the stream or an error, and Redis
            // counts that read too.
            meter.totals.reads += 1
        }
        state = .closed
        pending = nil
        if wasReported {
            onEvents([.clientDisconnected(id)])
        }
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        meter.totals.reads += 1
        meter.totals.inputBytes += Int64(buffer.readableBytes)
        guard case .open = state else { return }
        let held = processor.unprocessedBytes + buffer.readableBytes
        if held > inputPeak { inputPeak = held }
        var commands: [Event] = []
        do {
            try processor.process(buffer: buffer) { words in
                if !words.isEmpty {
                    commands.append(.clientCommand(id, words))
                }
            }
        } catch {
            // Deliver what preceded the bad bytes, then answer the error and close.
            if !commands.isEmpty { onEvents(commands) }
            protocolError(error)
            return
        }
        if !commands.isEmpty { onEvents(commands) }
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Connection reset and the like: just drop the client; channelInactive reports it.
        context.close(promise: nil)
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable, !isClosing {
            onOutputLimit(id)
            state = .closing
            pending = nil
            context.close(promise: nil)
        }
        context.fireChannelWritabilityChanged()
    }

    /// For `client_recent_max_input_buffer` and `client_recent_max_output_buffer` (Redis's
    /// clientsCronTrackExpansiveClients): the most input this connection held at once since the
    /// last call, and the output it has not been able to send yet (what NIO still buffers). Starts
    /// a new input peak.
    package func takeBufferUsage() -> (input: Int, output: Int) {
        defer { inputPeak = 0 }
        let unsent = (try? context?.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        return (max(inputPeak, processor.unprocessedBytes), unsent)
    }

    /// Appends one reply to the output of the current batch. Dropped once the client is closing.
    package func queue(_ value: RESPValue, version: RESPVersion) {
        guard case .open = state, let context else { return }
        if pending == nil {
            pending = context.channel.allocator.buffer(capacity: 256)
        }
        pending!.writeRESPValue(value, version: version)
    }

    /// Writes and flushes everything queued since the last flush.
    package func flush() {
        guard let context, let buffer = pending else { return }
        pending = nil
        if buffer.readableBytes > 0 {
            meter.totals.writes += 1
            meter.totals.outputBytes += Int64(buffer.readableBytes)
            context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
        }
    }

    /// Closes the connection after everything already queued has been written (Redis's
    /// CLIENT_CLOSE_AFTER_REPLY). Commands that arrive meanwhile are ignored.
    package func closeAfterFlush() {
        guard case .open = state, let context else { return }
        flush()
        state = .closing
        Self.closeWhenWritten(context)
    }

    /// Closes the connection at once, discarding unwritten output.
    package func closeNow() {
        guard state != .closed, let context else { return }
        state = .closing
        pending = nil
        context.close(promise: nil)
    }

    private func protocolError(_ error: any Error) {
        guard let context else { return }
        let message = (error as? RESPProtocolError)?.message ?? "Protocol error: \(error)"
        // Anything queued for earlier commands goes first; flush() is a no-op if nothing is.
        if pending == nil {
            pending = context.channel.allocator.buffer(capacity: message.utf8.count + 8)
        }
        pending!.writeRESPValue(.error("ERR \(message)"), version: .resp2)
        meter.totals.protocolErrors += 1
        flush()
        state = .closing
        Self.closeWhenWritten(context)
    }

    /// Writes an empty buffer and closes when its promise completes: writes complete in order, so by
    /// then everything before it is on the wire (or the connection already failed).
    private static func closeWhenWritten(_ context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: promise)
        promise.futureResult.assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// `ip:port`, or `[ip]:port` for IPv6 (Redis's `anetFormatAddr`).
    package static func format(_ address: SocketAddress) -> String {
        HostPort(address.ipAddress ?? "?", address.port ?? 0).description
    }
}

@available(*, unavailable)
extension ClientConnectionHandler: Sendable {}
