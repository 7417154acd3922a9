//===----------------------------------------------------------------------===//
// swift-sentinel — one HTTP connection of the /metrics listener
//===----------------------------------------------------------------------===//

import NIOCore
import NIOHTTP1
import SentinelCore

/// Serves one connection of the `metrics-port` listener, behind NIOHTTP1's server pipeline (with
/// its error handler: a malformed request gets `400` and closes only its connection):
/// `GET /metrics` answers the scrape, another path `404`, another method on `/metrics` `405`, a
/// scraper refused by protected mode `403` (``MetricsAccess``). Keep-alive is honoured. A request
/// body is not expected; one larger than ``maxBodyBytes`` closes the connection.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The content type of the text exposition format 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// The largest request body read (headers are bounded by NIOHTTP1's parser).
    static let maxBodyBytes = 8 * 1024

    /// Writes the scrape's text; runs on the sentinel's loop (the channel's own).
    private let scrape: (inout ByteBuffer) -> Void
    /// Set at accept: this peer gets `403` whatever it asks.
    private let denied: Bool
    private var head: HTTPRequestHead?
    private var bodyBytes = 0

    init(denied: Bool, scrape: @escaping (inout ByteBuffer) -> Void) {
        self.denied = denied
        self.scrape = scrape
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let request):
            head = request
            bodyBytes = 0
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
            if bodyBytes > Self.maxBodyBytes {
                context.close(promise: nil)
            }
        case .end:
            guard let request = head else { return }
            head = nil
            respond(context: context, to: request)
        }
    }

    /// What a request is answered, in the order the checks are made.
    enum Answer: Equatable {
        case forbidden
        case notFound
        case methodNotAllowed
        case scrape
    }

    static func answer(method: HTTPMethod, uri: String, denied: Bool) -> Answer {
        if denied { return .forbidden }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path == "/metrics" else { return .notFound }
        guard method == .GET else { return .methodNotAllowed }
        return .scrape
    }

    private func respond(context: ChannelHandlerContext, to request: HTTPRequestHead) {
        var body = context.channel.allocator.buffer(capacity: 256)
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        switch Self.answer(method: request.method, uri: request.uri, denied: denied) {
        case .forbidden:
            status = .forbidden
            body.writeString(MetricsAccess.refusal)
        case .notFound:
            status = .notFound
            body.writeString("Not found: the only path here is /metrics\n")
        case .methodNotAllowed:
            status = .methodNotAllowed
            headers.add(name: "Allow", value: "GET")
            body.writeString("Method not allowed: /metrics answers GET\n")
        case .scrape:
            status = .ok
            scrape(&body)
        }
        headers.add(name: "Content-Type", value: status == .ok ? Self.contentType : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        let keepAlive = request.isKeepAlive && status != .forbidden
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        if keepAlive {
            context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension MetricsHTTPHandler: Sendable {}
