//===----------------------------------------------------------------------===//
// swift-sentinel — hostname resolution off the event loop
//===----------------------------------------------------------------------===//

import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves hostnames as Redis's anetResolve does with `resolve-hostnames yes`: `getaddrinfo`
/// with any address family, the **first** result taken (so `localhost` may give `::1`). Lookups
/// block (DNS, `/etc/hosts`), so they run on a small thread pool of their own and complete on the
/// engine's loop. Nothing is cached: every connect to a name resolves it again, so a changed
/// `/etc/hosts` or DNS record is seen on the next reconnect.
final class HostResolver: Sendable {
    private let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    /// The first IP of `host`, or the reason it does not resolve.
    func resolve(_ host: String, on loop: any EventLoop) -> EventLoopFuture<Result<String, ResolutionError>> {
        pool.runIfActive(eventLoop: loop) { Self.resolveNow(host) }
    }

    func shutdown() {
        pool.shutdownGracefully { _ in }
    }

    struct ResolutionError: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The blocking lookup.
    static func resolveNow(_ host: String) -> Result<String, ResolutionError> {
        AddressLookup.numericHost(host, family: AF_UNSPEC).mapError {
            ResolutionError(description: $0.status == 0 ? "no address" : $0.reason)
        }
    }
}
