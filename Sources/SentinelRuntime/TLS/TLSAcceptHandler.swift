//===----------------------------------------------------------------------===//
// swift-sentinel — a connection on the tls-port until its handshake is done
//===----------------------------------------------------------------------===//

import Logging
import NIOCore
import NIOSSL
import NIOTLS
import SentinelCore

/// Sits behind the `NIOSSLServerHandler` of a connection accepted on `tls-port` and hands the
/// connection to the sentinel only once the TLS handshake has completed, so a client that speaks
/// plain text (or presents no valid certificate under `tls-auth-clients yes`) is dropped before
/// the core ever hears of it. The failure is logged at verbose level, as Redis logs
/// `Error accepting a client connection: <reason>`.
final class TLSAcceptHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let logger: Logger
    private let accept: (any Channel) throws -> Void
    private var accepted = false

    /// - Parameters:
    ///   - logger: Where a failed handshake is reported (verbose).
    ///   - accept: Installs the client handler on the channel once the handshake is done.
    init(logger: Logger, accept: @escaping (any Channel) throws -> Void) {
        self.logger = logger
        self.accept = accept
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !accepted, let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            accepted = true
            do {
                try accept(context.channel)
                context.pipeline.syncOperations.removeHandler(self, promise: nil)
            } catch {
                context.close(promise: nil)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !accepted else {
            context.fireErrorCaught(error)
            return
        }
        let peer = context.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        logger.log(
            level: LogLevel.verbose.loggerLevel,
            "Error accepting a client connection: \(Self.describe(error)) (addr=\(peer))")
        context.close(promise: nil)
    }

    /// A short text for a handshake failure: BoringSSL's reason (`WRONG_VERSION_NUMBER`,
    /// `PEER_DID_NOT_RETURN_A_CERTIFICATE`, ...) when there is one.
    static func describe(_ error: any Error) -> String {
        var text = "\(error)"
        if let error = error as? NIOSSLError, case .handshakeFailed(let inner) = error {
            text = "\(inner)"
        }
        // BoringSSL's error stack names its source file (" at /.../tls_record.cc:127"): drop it.
        while let at = text.firstRange(of: " at /"), let end = text[at.upperBound...].firstIndex(where: { $0 == "]" || $0 == "," }) {
            text.removeSubrange(at.lowerBound..<end)
        }
        return text
    }
}

@available(*, unavailable)
extension TLSAcceptHandler: Sendable {}
