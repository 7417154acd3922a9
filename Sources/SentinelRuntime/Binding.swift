//===----------------------------------------------------------------------===//
// swift-sentinel — the `bind` list as Redis 7.0 applies it
//===----------------------------------------------------------------------===//

import NIOCore
import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One `bind` entry (Redis's listenToPort): `-` marks it optional; an entry containing `:` is IPv6
/// (an IPv6-only listener, so it coexists with the IPv4 one), any other is IPv4; `*` is every IPv4
/// address and `::*` every IPv6 address. Hostnames are resolved in the entry's family
/// (`localhost` is 127.0.0.1). No `bind` line means `* -::*`.
package struct BindAddress: Equatable, Sendable {
    /// The address as written, without the `-`.
    package var host: String
    package var optional: Bool
    package var isIPv6: Bool { host.contains(":") }

    package init(_ entry: String) {
        optional = entry.hasPrefix("-")
        host = optional ? String(entry.dropFirst()) : entry
    }

    /// The listener addresses of a config's `bind` list.
    package static func list(_ bind: [String]) -> [BindAddress] {
        ProtectedMode.effectiveBind(bind).map(BindAddress.init)
    }
}

/// A bind attempt that failed: the errno Redis decides on (nil for a name that did not resolve) and
/// its `server.neterr` text.
package struct BindFailure: Error, Equatable, Sendable {
    package var errno: Int32?
    package var reason: String
}

/// Resolving, describing and judging listener binds like Redis's anetTcpServer/anetTcp6Server and
/// listenToPort.
package enum ListenerBinding {
    /// Redis's log line for a failed listener (without the `Warning: ` prefix it is logged with):
    /// `Could not create server TCP listening socket <addr>:<port>: <reason>`, the address as
    /// written (IPv6 without brackets).
    package static func failure(_ address: BindAddress, port: Int, _ failure: BindFailure) -> String {
        "Could not create server TCP listening socket \(address.host):\(port): \(failure.reason)"
    }

    /// Logged (then exit 1) when the `unixsocket` listener cannot be opened (Redis 7.0's text).
    package static func unixFailure(_ reason: String) -> String {
        "Failed opening Unix socket: \(reason)"
    }

    /// Logged (then exit 1) when every listener was skipped.
    package static let nowhere = "Configured to not listen anywhere, exiting."

    /// Logged (then exit 1) when a listener could not be bound: `(TCP)` for `port`, `(TLS)` for
    /// `tls-port`.
    package static func aborting(port: Int, tls: Bool = false) -> String {
        "Failed listening on port \(port) (\(tls ? "TLS" : "TCP")), aborting."
    }

    /// Whether startup goes on without this listener: an optional address that is not available
    /// here (EADDRNOTAVAIL), or, optional or not, an address family or protocol the machine lacks.
    /// Anything else (in use, permission, a name that does not resolve, EINVAL) stops startup.
    package static func isSkipped(_ failure: BindFailure, optional: Bool) -> Bool {
        guard let code = failure.errno else { return false }
        if code == EADDRNOTAVAIL { return optional }
        return [ENOPROTOOPT, EPROTONOSUPPORT, ESOCKTNOSUPPORT, EPFNOSUPPORT, EAFNOSUPPORT].contains(code)
    }

    /// The socket address to bind: `getaddrinfo` in the entry's family with `AI_PASSIVE` (`*` and
    /// `::*` are the wildcard), first result.
    package static func resolve(_ address: BindAddress, port: Int) -> Result<SocketAddress, BindFailure> {
        let wildcard = address.host == "*" || address.host == "::*"
        let lookup = AddressLookup.socketAddress(
            wildcard ? nil : address.host, service: "\(port)", family: address.isIPv6 ? AF_INET6 : AF_INET,
            passive: true, named: address.host)
        switch lookup {
        case .success(let socketAddress?): return .success(socketAddress)
        case .success(nil): return .failure(BindFailure(errno: nil, reason: "unable to bind socket, errno: 0"))
        case .failure(let failure): return .failure(BindFailure(errno: nil, reason: failure.reason))
        }
    }

    /// Redis's `neterr` for an error NIO raised while creating, configuring or binding the socket:
    /// `bind: <strerror>`, `listen: <strerror>`, `setsockopt: <strerror>`, or `unable to bind
    /// socket, errno: N` when the socket could not even be created.
    package static func describe(_ error: any Error) -> BindFailure {
        if let failure = error as? BindFailure { return failure }
        guard let io = error as? IOError else {
            return BindFailure(errno: nil, reason: "\(error)")
        }
        let code = io.errnoCode
        let text = String(cString: strerror(code))
        let what = "\(io)"
        if what.hasPrefix("socket") { return BindFailure(errno: code, reason: "unable to bind socket, errno: \(code)") }
        if what.hasPrefix("listen") { return BindFailure(errno: code, reason: "listen: \(text)") }
        if what.hasPrefix("setsockopt") || what.hasPrefix("setOption") {
            return BindFailure(errno: code, reason: "setsockopt: \(text)")
        }
        return BindFailure(errno: code, reason: "bind: \(text)")
    }
}

/// `bind-source-addr` as hiredis's redisContextConnectBindTcp applies it to every outgoing link
/// (Redis 7.0: `redisAsyncConnectBind(ip, port, server.bind_source_addr)`): the source is resolved
/// with getaddrinfo in the family of the address being connected to (so a host name works), and the
/// socket is bound to it (any port) before the connect. A source that does not resolve fails the
/// link with `Can't get addr: <reason>`, one that cannot be bound with `Can't bind socket:
/// <strerror>` — the texts of Redis's `-cmd-link-reconnection` events. Results are cached per
/// family, so a name is looked up once, not on every reconnect of the event loop.
package final class OutgoingSource {
    package let text: String
    private var cache: [Int32: Result<SocketAddress, BindFailure>] = [:]

    /// The configured source (the last `bind-source-addr` line), or nil when unset or empty.
    package init?(_ config: SentinelConfig) {
        guard let text = config.lastDirectiveValue("bind-source-addr"), !text.isEmpty else { return nil }
        self.text = text
    }

    /// The address to bind before connecting to `target`.
    package func address(for target: SocketAddress) -> Result<SocketAddress, BindFailure> {
        let family: Int32
        switch target {
        case .v6: family = AF_INET6
        default: family = AF_INET
        }
        if let known = cache[family] { return known }
        let result = Self.resolve(text, family: family)
        cache[family] = result
        return result
    }

    static func resolve(_ text: String, family: Int32) -> Result<SocketAddress, BindFailure> {
        switch AddressLookup.socketAddress(text, family: family, named: text) {
        case .success(let socketAddress?): return .success(socketAddress)
        case .success(nil): return .failure(BindFailure(errno: nil, reason: "Can't get addr: \(AddressLookup.Failure(status: 0).reason)"))
        case .failure(let failure): return .failure(BindFailure(errno: nil, reason: "Can't get addr: \(failure.reason)"))
        }
    }

    /// Redis's reason for a link whose socket could not be bound to the source, or nil for any
    /// other connect failure.
    package static func bindFailure(_ error: any Error) -> String? {
        guard let io = error as? IOError, "\(io)".hasPrefix("bind") else { return nil }
        return "Can't bind socket: \(String(cString: strerror(io.errnoCode)))"
    }
}

/// The socket file of the `unixsocket` listener once bound: Redis's `chmod(unixsocket,
/// unixsocketperm)` and Valkey's `unixsocketgroup` (`chown` to the group, the owner unchanged).
package enum UnixSocketFile {
    /// Applies the mode (0 leaves what `bind` gave under the umask) and the group; returns the
    /// reason it could not, or nil.
    package static func apply(path: String, permissions: Int, group: String?) -> String? {
        if let group {
            guard let entry = getgrnam(group) else { return "unixsocketgroup: no such group '\(group)'" }
            guard chown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
                return "chown: \(String(cString: strerror(errno)))"
            }
        }
        if permissions != 0, chmod(path, mode_t(permissions)) != 0 {
            return "chmod: \(String(cString: strerror(errno)))"
        }
        return nil
    }
}
