//===----------------------------------------------------------------------===//
// swift-sentinel — one getaddrinfo wrapper for binds, bind-source-addr and hostnames
//===----------------------------------------------------------------------===//

import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `getaddrinfo` for stream sockets, first result taken, as Redis's anet and hiredis call it:
/// the listener binds (`AI_PASSIVE`), the `bind-source-addr` of outgoing links and the
/// `resolve-hostnames` lookups all go through here. Blocking: callers decide where it runs.
enum AddressLookup {
    /// A lookup that failed: the `getaddrinfo`/`getnameinfo` status (0 when the call succeeded
    /// without giving an address) and its `gai_strerror` text.
    struct Failure: Error, Sendable {
        var status: Int32
        var reason: String { String(cString: gai_strerror(status)) }
    }

    /// Calls `body` with the first result of `getaddrinfo(node, service)` in `family`
    /// (`AF_UNSPEC` for any) and frees the list after. A nil `node` with `passive` is the wildcard.
    static func withFirst<T>(
        _ node: String?, service: String? = nil, family: Int32, passive: Bool = false, _ body: (addrinfo) -> T
    ) -> Result<T, Failure> {
        var hints = addrinfo()
        hints.ai_family = family
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        if passive { hints.ai_flags = AI_PASSIVE }
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(node, service, &hints, &result)
        guard status == 0, let first = result else { return .failure(Failure(status: status)) }
        defer { freeaddrinfo(first) }
        return .success(body(first.pointee))
    }

    /// The first result as a NIO address named `host`, or nil when it carries no address.
    static func socketAddress(
        _ node: String?, service: String? = nil, family: Int32, passive: Bool = false, named host: String
    ) -> Result<SocketAddress?, Failure> {
        withFirst(node, service: service, family: family, passive: passive) { info in
            guard let raw = info.ai_addr else { return nil }
            if info.ai_family == AF_INET6 {
                return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
            }
            return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
        }
    }

    /// The first result as numeric text (`getnameinfo` with `NI_NUMERICHOST`), e.g. `127.0.0.1`
    /// or `::1`.
    static func numericHost(_ node: String, family: Int32) -> Result<String, Failure> {
        withFirst(node, family: family) { info -> Result<String, Failure> in
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let named = getnameinfo(info.ai_addr, info.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
            guard named == 0 else { return .failure(Failure(status: named)) }
            let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return .success(String(decoding: text, as: UTF8.self))
        }.flatMap { $0 }
    }
}
