//===----------------------------------------------------------------------===//
// swift-sentinel — the runtime's outbound links: dial, resolve, connect
//===----------------------------------------------------------------------===//

import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RESP
import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension RuntimeEngine {
    func dial(_ id: LinkID, host: String, port: Int) {
        guard links[id] == nil, !dialing.contains(id) else { return }
        dialing.insert(id)
        if let address = try? SocketAddress(ipAddress: host, port: port) {
            return connect(id, to: address)
        }
        // A hostname is resolved again on every connect (Redis re-resolves in
        // sentinelReconnectInstance); the core hears the outcome first. A name that does not
        // resolve fails only this link, which the core retries on its reconnect schedule.
        resolve(host) { engine, ip, reason in
            engine.deliver([.hostResolved(host: host, ip: ip, error: reason)])
            guard engine.dialing.contains(id) else { return }
            if let ip, let address = try? SocketAddress(ipAddress: ip, port: port) {
                engine.connect(id, to: address)
            } else {
                engine.dialing.remove(id)
                engine.deliver([.linkClosed(id, reason: "Failed to resolve hostname '\(host)': \(reason ?? "bad address")")])
            }
        }
    }

    /// Resolves `host` off the loop and calls `done` on the loop with the first IP, or nil and the
    /// reason; not called once the runtime stopped.
    func resolve(_ host: String, _ done: @escaping (RuntimeEngine, String?, String?) -> Void) {
        let resolver = self.resolver ?? HostResolver()
        self.resolver = resolver
        whileRunning(resolver.resolve(host, on: loop)) { engine, outcome in
            switch outcome {
            case .success(.success(let ip)): done(engine, ip, nil)
            case .success(.failure(let error)): done(engine, nil, error.description)
            case .failure(let error): done(engine, nil, "\(error)")
            }
        }
    }

    func connect(_ id: LinkID, to address: SocketAddress) {
        let engine = NIOLoopBound(self, eventLoop: loop)
        // tls-replication: every outgoing link speaks TLS, with the context current at the dial.
        let tlsClient = tls.client
        var bootstrap = ClientBootstrap(group: loop)
        if let source = outgoingSource {
            switch source.address(for: address) {
            case .success(let local):
                bootstrap = bootstrap.bind(to: local)
            case .failure(let failure):
                dialing.remove(id)
                deliver([.linkClosed(id, reason: failure.reason)])
                return
            }
        }
        bootstrap =
            bootstrap
            .connectTimeout(options.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    CloseOnExec.mark(channel)
                    if let tlsClient {
                        // No SNI and no host name check, as Redis (the chain is still verified).
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tlsClient, serverHostname: nil))
                    }
                    let handler = LinkHandler(
                        id: id,
                        onActive: { [weak engine = engine.value] handler in engine?.linkActive(handler) },
                        onEvents: { [weak engine = engine.value] events in engine?.linkEvents(id, events) }
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        bootstrap.connect(to: address).assumeIsolated().whenFailure { error in
            // Still wanted and never came up: report the failed attempt.
            if self.dialing.remove(id) != nil {
                let reason = OutgoingSource.bindFailure(error) ?? LinkHandler.describe(error)
                self.deliver([.linkClosed(id, reason: reason)])
            }
        }
    }

    func linkActive(_ handler: LinkHandler) {
        let id = handler.id
        guard case .running = phase, dialing.remove(id) != nil else {
            // Closed by the core while dialling, or a duplicate: drop it without a word.
            handler.silence()
            handler.close()
            return
        }
        links[id] = handler
        deliver([.linkConnected(id, localAddress: handler.localIP)])
    }

    func linkEvents(_ id: LinkID, _ events: [Event]) {
        if case .linkClosed = events.last {
            links[id] = nil
        }
        deliver(events)
    }
}
