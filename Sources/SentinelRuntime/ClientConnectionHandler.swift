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
/// (Redis: `setProtocolError` + close-after-reply).
///
/// One client cannot hold up the others, nor make the process grow without bound:
/// * at most ``Limits/commandsPerTurn`` commands go to the core per event-loop turn; the rest of the
///   input waits for the next round of ``ClientTurns``, after the loop polled the other connections
///   (Redis handles one 16 KiB read per client per loop iteration), and no more is read from the
///   socket meanwhile;
/// * while the unsent output is above the channel's high write-buffer water mark (a client that
///   pipelines and does not read its replies), its commands wait and nothing more is read, until the
///   output drains below the low mark: the client is slowed down by TCP instead of buffered without
///   end;
/// * input held for one command beyond `client-query-buffer-limit` closes the connection (Redis logs
///   "Closing client that reached max query buffer length"), a bulk longer than
///   `proto-max-bulk-len` is a protocol error;
/// * unsent output beyond `client-output-buffer-limit` for the client's class (`normal`, or `pubsub`
///   once it subscribed) closes the connection: at once past the hard limit, after more than
///   `soft-seconds` past the soft limit (Redis's checkClientOutputBufferLimits).
///
/// Its traffic goes into the runtime's shared ``ClientTrafficMeter``, as Redis counts it: every read
/// (also the one that finds the connection closed), the bytes read, every flush as one write and the
/// bytes written, and the protocol-error replies it sends itself.
package final class ClientConnectionHandler: ChannelDuplexHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    /// Where a batch of events goes (the runtime's event queue; a recorder in tests).
    package typealias EventSink = ([Event]) -> Void

    /// Why the handler closed a connection on its own; the runtime logs it.
    package enum LimitReached: Equatable, Sendable {
        /// `client-output-buffer-limit` of the client's class.
        case outputBuffer
        /// `client-query-buffer-limit`; the first bytes of the held input, quoted.
        case queryBuffer(initialBytes: String)
    }

    /// The per-connection limits (Redis's names in the comments).
    package struct Limits: Sendable {
        /// Commands handed to the core per event-loop turn before the others get their turn.
        package var commandsPerTurn = 64
        /// `client-query-buffer-limit`: most unprocessed input held at once.
        package var queryBufferLimit = 1024 * 1024 * 1024
        /// `client-output-buffer-limit`.
        package var output = ClientOutputBufferLimits()
        /// Request decoding limits (`proto-max-bulk-len` is `maxBulkLength`).
        package var decoding = RESPLimits()

        package init() {}

        /// The limits a config sets.
        package init(_ config: SentinelConfig) {
            queryBufferLimit = config.clientQueryBufferLimit
            output = config.clientOutputBufferLimits
            decoding.maxBulkLength = config.protoMaxBulkLength
        }
    }

    package let id: ClientID
    private let onEvents: EventSink
    private let onLimit: (String, LimitReached) -> Void
    private let meter: ClientTrafficMeter
    private let turns: ClientTurns
    private let limits: Limits
    /// The most input held at once since ``takeBufferUsage()`` last ran.
    private var inputPeak = 0
    private var decoder: RESPRequestDecoder
    /// Input not yet decoded (Redis's query buffer).
    private var input: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var pending: ByteBuffer?
    private var state: State = .idle
    /// `addr=... laddr=...` for log lines, set when the connection is up.
    private var addresses = ""
    /// The class whose `client-output-buffer-limit` applies.
    private var outputClass = ClientOutputClass.normal
    /// When the unsent output was first seen at or above the soft limit (nil: below it).
    private var softLimitSince: NIODeadline?
    /// The last turn stopped at `commandsPerTurn`: more complete commands may be waiting.
    private var backlog = false
    /// A turn is scheduled on the loop.
    private var turnScheduled = false
    /// The unsent output is above the high water mark.
    private var outputBlocked = false
    /// NIO asked to read while reads were held; passed on once they are released.
    private var readHeld = false

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
    ///   - limits: The per-connection limits.
    ///   - onEvents: Receives events in order; may be called from inside any handler callback.
    ///   - onLimit: Called (before the close) when the connection is closed for a limit, with the
    ///     client's `id=... addr=... laddr=...` (the start of Redis's CLIENT LIST line).
    ///   - meter: Where reads, writes and their bytes are counted (shared by the runtime's clients).
    ///   - turns: Where the next turn waits while commands are left (shared by the runtime's clients).
    package init(
        id: ClientID, limits: Limits = Limits(), onEvents: @escaping EventSink,
        onLimit: @escaping (String, LimitReached) -> Void = { _, _ in },
        meter: ClientTrafficMeter = ClientTrafficMeter(), turns: ClientTurns = ClientTurns()
    ) {
        self.turns = turns
        self.id = id
        self.limits = limits
        self.onEvents = onEvents
        self.onLimit = onLimit
        self.meter = meter
        self.decoder = RESPRequestDecoder(limits: limits.decoding)
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
        outputBlocked = !context.channel.isWritable
        let localAddress = context.channel.localAddress
        let local = localAddress.map(Self.format) ?? "?:0"
        let unixSocket = localAddress?.protocol == .unix
        // A unix socket peer has no address of its own: Redis prints the socket's path for both.
        let peer = unixSocket ? local : context.channel.remoteAddress.map(Self.format) ?? "?:0"
        addresses = "id=\(id.raw) addr=\(peer) laddr=\(local)"
        onEvents([.clientConnected(id, address: peer, localAddress: local, unixSocket: unixSocket)])
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
        input = nil
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
        if input == nil || input!.readableBytes == 0 {
            input = buffer
        } else {
            input!.writeImmutableBuffer(buffer)
        }
        let held = input!.readableBytes
        if held > inputPeak { inputPeak = held }
        if held > limits.queryBufferLimit {
            // Redis closes at once, with no reply (readQueryFromClient).
            let initial = ConfigRewriter.formatArgument(
                String(decoding: input!.readableBytesView.prefix(64), as: UTF8.self), alwaysQuote: true)
            closeForLimit(.queryBuffer(initialBytes: initial))
            return
        }
        guard !backlog, !outputBlocked else { return }
        runTurn()
    }

    /// NIO asks for more input: passed on unless commands are waiting or the output is blocked.
    package func read(context: ChannelHandlerContext) {
        if readsHeld {
            readHeld = true
        } else {
            context.read()
        }
    }

    private var readsHeld: Bool {
        backlog || outputBlocked || state != .open
    }

    /// Hands up to `commandsPerTurn` decoded commands to the core.
    private func runTurn() {
        guard case .open = state, !outputBlocked else { return }
        guard var buffer = input else {
            // The last turn was full and used up the input exactly: nothing waits, so the backlog
            // ends here and the held read is passed on (else the connection stayed silent for good).
            backlog = false
            releaseReads()
            return
        }
        input = nil
        var commands: [Event] = []
        var decoded = 0
        var failure: (any Error)?
        while decoded < limits.commandsPerTurn {
            do {
                guard let words = try decoder.decode(buffer: &buffer) else { break }
                decoded += 1
                if !words.isEmpty { commands.append(.clientCommand(id, words)) }
            } catch {
                failure = error
                break
            }
        }
        if buffer.readableBytes > 0 {
            if buffer.readerIndex > 16 * 1024 { buffer.discardReadBytes() }
            input = buffer
        }
        backlog = failure == nil && decoded == limits.commandsPerTurn
        // The core may queue replies, close this client or re-enter through the writability event.
        if !commands.isEmpty { onEvents(commands) }
        if let failure {
            // What preceded the bad bytes was delivered; now the error, then the close.
            protocolError(failure)
            return
        }
        if backlog {
            scheduleTurn()
        } else {
            releaseReads()
        }
    }

    /// Runs the next turn in the next round of ``ClientTurns``, after the other connections' ready I/O.
    private func scheduleTurn() {
        guard !turnScheduled, let context else { return }
        turnScheduled = true
        turns.enqueue(on: context.eventLoop) {
            self.turnScheduled = false
            self.runTurn()
        }
    }

    private func releaseReads() {
        guard readHeld, !readsHeld, let context else { return }
        readHeld = false
        context.read()
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Connection reset and the like: just drop the client; channelInactive reports it.
        context.close(promise: nil)
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        outputBlocked = !context.channel.isWritable
        if !outputBlocked, case .open = state {
            if backlog || (input?.readableBytes ?? 0) > 0 {
                // Commands that arrived while blocked; the turn releases the reads when done.
                scheduleTurn()
            } else {
                releaseReads()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// For `client_recent_max_input_buffer` and `client_recent_max_output_buffer` (Redis's
    /// clientsCronTrackExpansiveClients): the most input this connection held at once since the
    /// last call, and the output it has not been able to send yet (what NIO still buffers). Starts
    /// a new input peak.
    package func takeBufferUsage() -> (input: Int, output: Int) {
        defer { inputPeak = 0 }
        return (max(inputPeak, input?.readableBytes ?? 0), unsentBytes)
    }

    private var unsentBytes: Int {
        (try? context?.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }

    /// Selects the `client-output-buffer-limit` class (the core's ``Action/setClientOutputClass(_:_:)``).
    package func setOutputClass(_ kind: ClientOutputClass) {
        outputClass = kind
        softLimitSince = nil
    }

    /// Appends one reply to the output of the current batch. Dropped once the client is closing.
    package func queue(_ value: RESPValue, version: RESPVersion) {
        guard case .open = state, let context else { return }
        if pending == nil {
            pending = context.channel.allocator.buffer(capacity: 256)
        }
        pending!.writeRESPValue(value, version: version)
    }

    /// Writes and flushes everything queued since the last flush, then applies
    /// `client-output-buffer-limit`.
    package func flush() {
        guard let context, let buffer = pending else { return }
        pending = nil
        if buffer.readableBytes > 0 {
            meter.totals.writes += 1
            meter.totals.outputBytes += Int64(buffer.readableBytes)
            context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
            checkOutputLimit()
        }
    }

    /// Redis's checkClientOutputBufferLimits on what is still unsent after a write: the hard limit
    /// closes at once; the soft limit once it has held for more than `soft-seconds` (the first time
    /// it is seen only starts the clock).
    private func checkOutputLimit() {
        let limit = limits.output[outputClass]
        guard limit.isSet, case .open = state else { return }
        let unsent = unsentBytes
        var exceeded = limit.hard > 0 && unsent >= limit.hard
        if limit.soft > 0 && unsent >= limit.soft {
            let now = context?.eventLoop.now ?? .now()
            if let since = softLimitSince {
                if now - since > .seconds(Int64(limit.softSeconds)) { exceeded = true }
            } else {
                softLimitSince = now
            }
        } else {
            softLimitSince = nil
        }
        if exceeded { closeForLimit(.outputBuffer) }
    }

    /// Closes the connection at once for a limit, discarding its output (Redis: freeClientAsync).
    private func closeForLimit(_ reason: LimitReached) {
        onLimit(addresses, reason)
        closeNow()
    }

    /// Closes the connection after everything already queued has been written (Redis's
    /// CLIENT_CLOSE_AFTER_REPLY). Commands that arrive meanwhile are ignored.
    package func closeAfterFlush() {
        guard case .open = state, let context else { return }
        flush()
        state = .closing
        input = nil
        Self.closeWhenWritten(context)
    }

    /// Closes the connection at once, discarding unwritten output.
    package func closeNow() {
        guard state != .closed, let context else { return }
        state = .closing
        pending = nil
        input = nil
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
        input = nil
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
        if case .unixDomainSocket = address { return "\(address.pathname ?? ""):0" }
        return HostPort(address.ipAddress ?? "?", address.port ?? 0).description
    }
}

@available(*, unavailable)
extension ClientConnectionHandler: Sendable {}
