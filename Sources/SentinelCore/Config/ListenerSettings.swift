/// The listener settings of the server part of the sentinel, as redis-sentinel 7.0 applies them:
/// `tcp-backlog`, `tcp-keepalive`, `unixsocket`, `unixsocketperm` and Valkey's `unixsocketgroup`.
/// The directives stay in ``SentinelConfig/otherDirectives`` (so the rewrite keeps them as
/// written); these are their effective values.
extension SentinelConfig {
    /// `tcp-backlog` (Redis default 511): the `listen()` backlog of every TCP listener and of the
    /// unix socket.
    package var tcpBacklog: Int {
        lastDirectiveValue("tcp-backlog").flatMap { Int($0) } ?? 511
    }

    /// `tcp-keepalive` in seconds (Redis default 300; 0 turns keepalive off) for accepted TCP
    /// clients.
    package var tcpKeepAlive: Int {
        lastDirectiveValue("tcp-keepalive").flatMap { Int($0) } ?? 300
    }

    /// `unixsocket`: the path of a unix socket listener, or nil (an empty value means none).
    package var unixSocket: String? {
        lastDirectiveValue("unixsocket").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `unixsocketperm` (octal, Redis default 0: the mode `bind` gives under the umask).
    package var unixSocketPermissions: Int {
        lastDirectiveValue("unixsocketperm").flatMap { Int($0, radix: 8) } ?? 0
    }

    /// Valkey's `unixsocketgroup`: the group the socket is handed to, or nil.
    package var unixSocketGroup: String? {
        lastDirectiveValue("unixsocketgroup").flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// The TCP keepalive timers Redis's `anetKeepAlive` sets for `tcp-keepalive <interval>`: the
/// first probe after `interval` idle seconds, then one every `interval / 3` seconds (at least 1),
/// and the peer is dropped after 3 unanswered probes.
package struct KeepAliveTimers: Equatable, Sendable {
    package var idle: Int
    package var probeInterval: Int
    package var probeCount: Int

    /// nil when `interval` is 0 (keepalive off).
    package init?(interval: Int) {
        guard interval > 0 else { return nil }
        idle = interval
        probeInterval = max(interval / 3, 1)
        probeCount = 3
    }
}
