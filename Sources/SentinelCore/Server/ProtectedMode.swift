import RESP

/// Redis's protected mode (7.0 rules): with `protected-mode yes` and no password for the default
/// user, a client connecting from a non-loopback address is answered `-DENIED ...` and closed
/// before any command is read; loopback clients are served. A sentinel defaults to
/// `protected-mode no`. Unlike Redis, the bind list plays no part in the decision (Redis 6.2 and
/// older only protected an instance without a `bind` line; 7.0 dropped that condition).
///
/// swift-sentinel adds a startup check Redis does not have (``startupProblem(_:defaultUserHasNoPassword:)``):
/// a config whose listeners reach beyond loopback while protected mode would deny every remote
/// client does not start.
package enum ProtectedMode {
    /// Whether a client from `peer` (an `ip:port` as the runtime reports it) is refused.
    static func denies(enabled: Bool, defaultUserHasNoPassword: Bool, peer: String) -> Bool {
        enabled && defaultUserHasNoPassword && !LoopbackAddress.isLoopback(peer)
    }

    /// The `bind` entries as Redis applies them: no bind line means `* -::*`.
    package static func effectiveBind(_ bind: [String]) -> [String] {
        bind.isEmpty ? ["*", "-::*"] : bind
    }

    /// True when a `bind` entry (optional `-` prefix allowed) may accept clients from other hosts:
    /// the wildcards `*`, `::*`, `0.0.0.0`, `::`, any IP literal outside 127.0.0.0/8 and `::1`, and
    /// any hostname other than `localhost` (names are not resolved for this check).
    static func isExposed(bindEntry: String) -> Bool {
        let host = bindEntry.hasPrefix("-") ? String(bindEntry.dropFirst()) : bindEntry
        if host == "*" || host == "::*" { return true }
        if host.lowercased() == "localhost" { return false }
        if IPAddressLiteral.isValid(host) { return !LoopbackAddress.isLoopback(host) }
        return true
    }

    /// Why this config must not start, or nil: protected mode is on, the default user has no
    /// password, and at least one listener address is exposed (``isExposed(bindEntry:)``). The bind
    /// list covers every listener, the TLS port included: a client certificate is not a password,
    /// and Redis's protected mode denies remote TLS clients just the same.
    package static func startupProblem(_ config: SentinelConfig, defaultUserHasNoPassword: Bool) -> String? {
        guard config.protectedMode, defaultUserHasNoPassword else { return nil }
        let exposed = effectiveBind(config.bind).filter { isExposed(bindEntry: $0) }
        guard !exposed.isEmpty else { return nil }
        return Wire.protectedModeRefusal(exposed: exposed, defaultBind: config.bind.isEmpty)
    }

    /// Whether the default user of `config` has no password (`nopass`): the users as loaded, i.e.
    /// `requirepass`, then any `user default ...` line (a line with `>password` sets one, `nopass`
    /// clears it).
    package static func defaultUserHasNoPassword(_ config: SentinelConfig) -> Bool {
        AclState(config: config).defaultUserIsNopass
    }
}

extension Sentinel {
    /// Protected mode on `.clientConnected`: a refused client gets the DENIED text and is closed,
    /// and never becomes a session. It counts in `rejected_connections`, not in
    /// `total_connections_received` (Redis increments stat_numconnections only after this check).
    /// Returns true when the client was refused.
    mutating func refuseUnprotectedClient(_ id: ClientID, address: String) -> Bool {
        // The current users: `ACL SETUSER default nopass` at runtime exposes new connections.
        guard ProtectedMode.denies(enabled: settings.protectedMode, defaultUserHasNoPassword: acl.defaultUserIsNopass, peer: address)
        else { return false }
        counters.rejectedConnections += 1
        output.append(.reply(id, .error(Wire.errProtectedModeDenied), .resp2))
        output.append(.closeClient(id))
        return true
    }
}
