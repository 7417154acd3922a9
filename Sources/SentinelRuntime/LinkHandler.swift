//===----------------------------------------------------------------------===//
// swift-sentinel — one outbound connection (to a monitored instance or a peer sentinel)
//===----------------------------------------------------------------------===//

import NIOCore
import NIOPosix
import RESP
import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The pipeline handler of one outbound link (Redis: one hiredis async context).
///
/// It reports `.linkConnected` (through `onActive`, so the runtime can match it with the dial),
/// one `.linkFrame` per decoded reply or pub/sub message, and exactly one `.linkClosed` when the
/// connection ends, unless the runtime ``silence()``d it first (`.closeLink`, shutdown). Commands are
/// queued with ``queue(_:)`` in RESP2 (what hiredis speaks) and written by ``flush()``.
package final class LinkHandler: ChannelInboundHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    package let id: LinkID
    private let onActive: (LinkHandler) -> Void
    private let onEvents: ([Event]) -> Void
    private var decoder = RESPDecoder(mode: .reply)
    /// The start of a frame that has not fully arrived, copied out of the read buffer (nil
    /// between frames, the usual case): the read buffer itself is never kept, so NIO reuses it
    /// for the next read instead of allocating another (two buffers per link otherwise, which
    /// is most of a link's memory with thousands of masters).
    private var partial: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var pending: ByteBuffer?
    private var wasActive = false
    private var finished = false

    /// - Parameters:
    ///   - id: The link id reported with every event.
    ///   - onActive: Called once when the connection is established, before any frame.
    ///   - onEvents: Receives frames and the final `.linkClosed`, in order.
    package init(id: LinkID, onActive: @escaping (LinkHandler) -> Void, onEvents: @escaping ([Event]) -> Void) {
        self.id = id
        self.onActive = onActive
        self.onEvents = onEvents
    }

    /// The local IP of the socket (getsockname), as sent in hello messages.
    package var localIP: String? {
        context?.channel.localAddress?.ipAddress
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            becameActive()
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    package func channelActive(context: ChannelHandlerContext) {
        becameActive()
        context.fireChannelActive()
    }

    private func becameActive() {
        guard !wasActive, !finished else { return }
        wasActive = true
        onActive(self)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        finish(reason: "Server closed the connection")
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var frames: [Event] = []
        var buffer = Self.unwrapInboundIn(data)
        var ours = false
        if var partial {
            self.partial = nil
            partial.writeBuffer(&buffer)
            buffer = partial
            ours = true
        }
        do {
            while let value = try decoder.decode(buffer: &buffer) {
                frames.append(.linkFrame(id, value))
            }
            if buffer.readableBytes > 0 {
                if ours && buffer.readerIndex == 0 {
                    // Still the same unfinished frame: grown in place, not copied again.
                    partial = buffer
                } else {
                    // Only the unread bytes, in a buffer of their own (the decoder's progress
                    // is relative to the reader index, so it carries over).
                    var rest = context.channel.allocator.buffer(capacity: buffer.readableBytes)
                    rest.writeBuffer(&buffer)
                    partial = rest
                }
            }
        } catch {
            if !frames.isEmpty { onEvents(frames) }
            let reason = (error as? RESPProtocolError)?.message ?? Self.describe(error)
            finish(reason: reason)
            context.close(promise: nil)
            return
        }
        if !frames.isEmpty { onEvents(frames) }
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(reason: Self.describe(error))
        context.close(promise: nil)
    }

    /// Appends one command, in RESP2, to the output of the current batch.
    package func queue(_ words: [String]) {
        guard !finished, let context else { return }
        if pending == nil {
            pending = context.channel.allocator.buffer(capacity: 128)
        }
        pending!.writeRESPValue(.command(words), version: .resp2)
    }

    /// Writes and flushes everything queued since the last flush.
    package func flush() {
        guard let context, let buffer = pending else { return }
        pending = nil
        if !finished, buffer.readableBytes > 0 {
            context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
        }
    }

    /// Stops all further events for this link (the core forgot it).
    package func silence() {
        finished = true
        pending = nil
    }

    /// Closes the connection; reports `.linkClosed` only if not silenced.
    package func close() {
        context?.close(promise: nil)
    }

    /// Reports `.linkClosed` once, and only for a connection that was established: a failed dial is
    /// reported by the runtime from the connect future instead.
    private func finish(reason: String) {
        guard !finished else { return }
        finished = true
        pending = nil
        if wasActive {
            onEvents([.linkClosed(id, reason: reason)])
        }
    }

    /// A short, hiredis-like description of a connection error (`Connection refused`, ...).
    package static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first {
                return describe(first.error)
            }
            if error.dnsAAAAError != nil || error.dnsAError != nil {
                return "Name or service not known"
            }
            return "Connection failed"
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return "Connection timed out"
            case .eof: return "Server closed the connection"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }
}

@available(*, unavailable)
extension LinkHandler: Sendable {}
