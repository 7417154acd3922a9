//===----------------------------------------------------------------------===//
// swift-sentinel — the runtime's listeners: bind, port, tls-port, unixsocket
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
    /// The `bind` list (Binding.swift): no bind means `* -::*`; a leading `-` marks an address
    /// that is skipped when it is not available here.
    func listenAddresses() -> [BindAddress] {
        BindAddress.list(config.bind)
    }

    /// Binds the addresses in order, as Redis's listenToPort: every failure is logged as a warning;
    /// a skipped one (``ListenerBinding/isSkipped(_:optional:)``) is passed over, any other fails
    /// startup. Binding nothing at all fails too ("Configured to not listen anywhere").
    func bindListeners(
        _ remaining: ArraySlice<BindAddress>, bound: [SocketAddress],
        promise: EventLoopPromise<[SocketAddress]>, tlsPort: Int? = nil
    ) {
        guard let address = remaining.first else {
            if bound.isEmpty {
                logger.warning("\(ListenerBinding.nowhere)")
                promise.fail(RuntimeStartupError(ListenerBinding.nowhere))
            } else {
                promise.succeed(bound)
            }
            return
        }
        let port = tlsPort ?? config.port
        let failed = { (failure: BindFailure) in
            let message = ListenerBinding.failure(address, port: port, failure)
            self.logger.warning("Warning: \(message)")
            if ListenerBinding.isSkipped(failure, optional: address.optional) {
                self.bindListeners(remaining.dropFirst(), bound: bound, promise: promise, tlsPort: tlsPort)
            } else {
                promise.fail(RuntimeStartupError(message, listener: .init(port: port, tls: tlsPort != nil)))
            }
        }
        let target: SocketAddress
        switch ListenerBinding.resolve(address, port: port) {
        case .success(let resolved): target = resolved
        case .failure(let failure): return failed(failure)
        }
        let kind: ListenerKind = tlsPort != nil ? .tls(ipv6: address.isIPv6) : .tcp(ipv6: address.isIPv6)
        keepListener(makeServerBootstrap(kind).bind(to: target)) { channel in
            let local = channel.localAddress.map { [$0] } ?? []
            self.bindListeners(remaining.dropFirst(), bound: bound + local, promise: promise, tlsPort: tlsPort)
        } failed: { error in
            failed(ListenerBinding.describe(error))
        }
    }

    /// Once `binding` is bound: the listener is kept (close-on-exec, closed at shutdown) and
    /// `bound` runs; otherwise `failed` gets the error.
    func keepListener(
        _ binding: EventLoopFuture<any Channel>, bound: @escaping (any Channel) -> Void,
        failed: @escaping (any Error) -> Void
    ) {
        binding.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                CloseOnExec.mark(channel)
                self.listeners.append(channel)
                bound(channel)
            case .failure(let error):
                failed(error)
            }
        }
    }

    /// What a listener accepts: plain TCP, TLS over TCP (`tls-port`), the `unixsocket`, or the
    /// HTTP scrapes of `metrics-port` (HTTPS with `metrics-tls yes`; RuntimeEngine+Metrics).
    enum ListenerKind {
        case tcp(ipv6: Bool)
        case tls(ipv6: Bool)
        case unix
        case metrics(ipv6: Bool, tls: Bool)
    }

    /// One listener's bootstrap. Every listener has `tcp-backlog` as its backlog (Redis passes
    /// it to `listen()` for TCP and unix sockets alike); accepted TCP clients get TCP_NODELAY and
    /// the `tcp-keepalive` timers (``KeepAliveTimers``), as Redis's createClient does.
    func makeServerBootstrap(_ kind: ListenerKind) -> ServerBootstrap {
        let engine = NIOLoopBound(self, eventLoop: loop)
        let highWaterMark = options.clientOutputHighWaterMark
        var bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: Int32(clamping: config.tcpBacklog))
            // Up to 1000 accepts per readable event, as Redis's acceptTcpHandler
            // (MAX_ACCEPTS_PER_CALL): NIO's default of 4 left a reconnect storm of 5,000 clients
            // overflowing the listen queue into the kernel's 1 s SYN retries (bench/storm).
            .serverChannelOption(.maxMessagesPerRead, value: 1000)
            // Above the high mark a client's commands wait until its output drains below the low one;
            // one read per readable event, so that holding reads takes effect at once
            // (ClientConnectionHandler).
            .childChannelOption(.writeBufferWaterMark, value: .init(low: highWaterMark / 2, high: highWaterMark))
            .childChannelOption(.maxMessagesPerRead, value: 1)
        switch kind {
        case .unix:
            break
        case .tcp(let ipv6), .tls(let ipv6), .metrics(let ipv6, _):
            bootstrap = bootstrap.serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            if ipv6 {
                // Like Redis: the IPv6 listener takes IPv6 only, so it can coexist with the IPv4 one.
                bootstrap = bootstrap.serverChannelOption(
                    ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1
                )
            }
            if let keepAlive = KeepAliveTimers(interval: config.tcpKeepAlive) {
                bootstrap = bootstrap.childChannelOption(.socketOption(.so_keepalive), value: 1)
                    .childChannelOption(Self.tcpOption(TCP_KEEPIDLE), value: keepAlive.idle)
                    .childChannelOption(Self.tcpOption(TCP_KEEPINTVL), value: keepAlive.probeInterval)
                    .childChannelOption(Self.tcpOption(TCP_KEEPCNT), value: keepAlive.probeCount)
            }
        }
        return bootstrap.childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                CloseOnExec.mark(channel)
                switch kind {
                case .tcp, .unix: try engine.value.acceptClient(channel)
                case .tls: try engine.value.acceptTLSClient(channel)
                case .metrics(_, let tls): try engine.value.acceptMetricsClient(channel, tls: tls)
                }
            }
        }
    }

    /// An `IPPROTO_TCP` socket option NIO has no name for.
    static func tcpOption(_ name: Int32) -> ChannelOptions.Types.SocketOption {
        ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: name))
    }

    /// Redis's checkTcpBacklogSettings: a `tcp-backlog` above the kernel's somaxconn is silently
    /// cut by `listen()`, so it is said at startup.
    func warnIfBacklogCut() {
        guard let bytes = try? ConfigFile.readBytes(path: "/proc/sys/net/core/somaxconn", limit: 64),
            let limit = Int(String(decoding: bytes.filter { $0 > 32 }, as: UTF8.self)), limit < config.tcpBacklog
        else { return }
        logger.warning(
            "WARNING: The TCP backlog setting of \(config.tcpBacklog) cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of \(limit)."
        )
    }

    /// The `unixsocket` listener, as Redis's initListeners opens it after the TCP ones: a stale
    /// socket file is replaced, the mode is set to `unixsocketperm` (and the group to Valkey's
    /// `unixsocketgroup`), and a failure stops startup with `Failed opening Unix socket: <reason>`.
    func bindUnixSocket(bound: [SocketAddress], promise: EventLoopPromise<[SocketAddress]>) {
        // A relative path is taken from `dir`: the process has changed into it (SwiftSentinel).
        guard let path = config.unixSocket else { return promise.succeed(bound) }
        let failed = { (reason: String) in
            let message = ListenerBinding.unixFailure(reason)
            self.logger.warning("\(message)")
            promise.fail(RuntimeStartupError(message))
        }
        let binding = makeServerBootstrap(.unix).bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
        keepListener(binding) { channel in
            self.unixSocketPath = path
            if let problem = UnixSocketFile.apply(
                path: path, permissions: self.config.unixSocketPermissions, group: self.config.unixSocketGroup)
            {
                return failed(problem)
            }
            promise.succeed(bound + (channel.localAddress.map { [$0] } ?? []))
        } failed: { error in
            failed(ListenerBinding.describe(error).reason)
        }
    }

    /// Redis's closeListeningSockets at shutdown: the socket file goes with the listener.
    func removeUnixSocket() {
        guard let path = unixSocketPath else { return }
        logger.notice("Removing the unix socket file.")
        // NIO may have removed it already with the listener.
        if unlink(path) != 0, errno != ENOENT {
            logger.warning("Error removing the unix socket file: \(String(cString: strerror(errno)))")
        }
        unixSocketPath = nil
    }

    /// Builds the TLS contexts, then binds the plain listeners (on `port`, unless `port 0` with
    /// a `tls-port`, which is TLS only, as in Redis), the TLS listeners on `tls-port`, the
    /// `unixsocket` and the `/metrics` listeners on `metrics-port`.
    func bindAllListeners(promise: EventLoopPromise<[SocketAddress]>) {
        warnIfBacklogCut()
        let tcp = loop.makePromise(of: [SocketAddress].self)
        bindTCPListeners(promise: tcp)
        tcp.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let bound):
                let unix = self.loop.makePromise(of: [SocketAddress].self)
                self.bindUnixSocket(bound: bound, promise: unix)
                unix.futureResult.assumeIsolated().whenComplete { result in
                    switch result {
                    case .success(let bound): self.bindMetricsListeners(then: bound, promise: promise)
                    case .failure(let error): promise.fail(error)
                    }
                }
            case .failure(let error): promise.fail(error)
            }
        }
    }

    /// The `bind` addresses on `port`, then on `tls-port`.
    func bindTCPListeners(promise: EventLoopPromise<[SocketAddress]>) {
        let settings = config.tls
        do {
            tls = try TLSContextFactory.make(settings)
        } catch {
            logger.warning("\(error.message)")
            logger.warning("\(TLSSetupError.summary)")
            promise.fail(RuntimeStartupError(error.message))
            return
        }
        guard settings.port != 0 else {
            bindListeners(listenAddresses()[...], bound: [], promise: promise)
            return
        }
        let plain = loop.makePromise(of: [SocketAddress].self)
        if config.port != 0 {
            bindListeners(listenAddresses()[...], bound: [], promise: plain)
        } else {
            plain.succeed([])
        }
        plain.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let bound):
                self.bindListeners(self.listenAddresses()[...], bound: bound, promise: promise, tlsPort: settings.port)
            case .failure(let error):
                promise.fail(error)
            }
        }
    }

    /// A connection on `tls-port`: TLS first; the client handler is installed once the handshake
    /// is done (TLSAcceptHandler), so a failed handshake never reaches the core.
    func acceptTLSClient(_ channel: any Channel) throws {
        guard let context = tls.server else { throw ChannelError.ioOnClosedChannel }
        let engine = NIOLoopBound(self, eventLoop: loop)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLServerHandler(context: context))
        try sync.addHandler(
            TLSAcceptHandler(logger: logger) { channel in
                try engine.value.acceptClient(channel)
            })
    }
}
