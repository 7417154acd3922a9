//===----------------------------------------------------------------------===//
// swift-sentinel — the /metrics listener: metrics-port, metrics-bind, metrics-tls
//===----------------------------------------------------------------------===//

import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SentinelCore

extension RuntimeEngine {
    /// Binds `metrics-port` on the `metrics-bind` addresses (else `bind`'s), with the RESP port's
    /// rules (Binding.swift: a failure is logged, an optional address that is not here skipped,
    /// any other failure stops startup), then completes `promise` with the RESP addresses
    /// `bound`. The metrics addresses are kept in ``metricsAddresses``. Nothing is bound with
    /// `metrics-port 0`, the default.
    func bindMetricsListeners(then bound: [SocketAddress], promise: EventLoopPromise<[SocketAddress]>) {
        let port = config.metricsPort
        guard port != 0 else { return promise.succeed(bound) }
        if config.metricsTLS, tls.server == nil {
            let message = "metrics-tls yes needs the TLS port's certificate and key (tls-cert-file, tls-key-file)"
            logger.warning("\(message)")
            return promise.fail(RuntimeStartupError(message))
        }
        let addresses = config.metricsListenAddresses.map(BindAddress.init)
        bindMetrics(addresses[...], port: port, promise: promise, then: bound)
    }

    private func bindMetrics(
        _ remaining: ArraySlice<BindAddress>, port: Int, promise: EventLoopPromise<[SocketAddress]>,
        then bound: [SocketAddress]
    ) {
        guard let address = remaining.first else {
            if metricsAddresses.isEmpty {
                let message = "metrics-port \(port): \(ListenerBinding.nowhere)"
                logger.warning("\(message)")
                promise.fail(RuntimeStartupError(message))
            } else {
                promise.succeed(bound)
            }
            return
        }
        let failed = { (failure: BindFailure) in
            let message = "metrics-port: " + ListenerBinding.failure(address, port: port, failure)
            self.logger.warning("Warning: \(message)")
            if ListenerBinding.isSkipped(failure, optional: address.optional) {
                self.bindMetrics(remaining.dropFirst(), port: port, promise: promise, then: bound)
            } else {
                promise.fail(RuntimeStartupError(message))
            }
        }
        let target: SocketAddress
        switch ListenerBinding.resolve(address, port: port) {
        case .success(let resolved): target = resolved
        case .failure(let failure): return failed(failure)
        }
        let kind = ListenerKind.metrics(ipv6: address.isIPv6, tls: config.metricsTLS)
        keepListener(makeServerBootstrap(kind).bind(to: target)) { channel in
            self.metricsAddresses += channel.localAddress.map { [$0] } ?? []
            self.bindMetrics(remaining.dropFirst(), port: port, promise: promise, then: bound)
        } failed: { error in
            failed(ListenerBinding.describe(error))
        }
    }

    /// A scraper connected: TLS first with `metrics-tls yes` (the RESP port's current server
    /// context), then NIOHTTP1's server pipeline and ``MetricsHTTPHandler``. Whether protected
    /// mode refuses it is decided here, from its address (``MetricsAccess``).
    func acceptMetricsClient(_ channel: any Channel, tls useTLS: Bool) throws {
        guard phase == .running || phase == .starting, metrics != nil else { throw ChannelError.ioOnClosedChannel }
        let peer = channel.remoteAddress?.ipAddress ?? "?"
        let denied = MetricsAccess.denies(config, peer: peer)
        let engine = NIOLoopBound(self, eventLoop: loop)
        let sync = channel.pipeline.syncOperations
        if useTLS {
            guard let context = tls.server else { throw ChannelError.ioOnClosedChannel }
            try sync.addHandler(NIOSSLServerHandler(context: context))
        }
        try sync.configureHTTPServerPipeline(withErrorHandling: true)
        try sync.addHandler(
            MetricsHTTPHandler(denied: denied) { buffer in
                engine.value.scrapeMetrics(into: &buffer)
            })
    }

    /// One scrape: the core's gauges now, then the counters and histograms.
    func scrapeMetrics(into buffer: inout ByteBuffer) {
        guard let metrics else { return }
        metrics.render(core.metricsSnapshot(), now: loop.now, into: &buffer)
    }
}
