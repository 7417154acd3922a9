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
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var result: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            return .failure(ResolutionError(description: reason))
        }
        defer { freeaddrinfo(result) }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let named = getnameinfo(
            first.pointee.ai_addr, first.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
        guard named == 0 else { return .failure(ResolutionError(description: String(cString: gai_strerror(named)))) }
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return .success(String(decoding: text, as: UTF8.self))
    }
}
