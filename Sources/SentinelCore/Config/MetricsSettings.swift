/// swift-sentinel's `/metrics` listener (docs/operations.md), not in Redis: `metrics-port`,
/// `metrics-bind` and `metrics-tls`. The directives stay in ``SentinelConfig/otherDirectives``
/// (so CONFIG REWRITE keeps them as written, like `tls-port`); these are their effective values.
extension SentinelConfig {
    /// `metrics-port`: the HTTP port of `/metrics`; 0 (the default) means no listener.
    package var metricsPort: Int {
        lastDirectiveValue("metrics-port").flatMap { ConfigDirectives.parsePort($0) } ?? 0
    }

    /// `metrics-bind`, or nil when there is no such line: then the listener takes the `bind`
    /// addresses, and protected mode refuses scrapers from other hosts (``MetricsAccess``).
    package var metricsBind: [String]? {
        otherDirectives.last { $0.name == "metrics-bind" }?.arguments
    }

    /// The addresses the `/metrics` listener binds, with `bind`'s rules (`-` optional, `*`, no
    /// line: `* -::*`).
    package var metricsListenAddresses: [String] {
        ProtectedMode.effectiveBind(metricsBind ?? bind)
    }

    /// `metrics-tls yes`: serve HTTPS with the `tls-cert-file`/`tls-key-file` of the RESP port.
    package var metricsTLS: Bool {
        lastDirectiveValue("metrics-tls").flatMap { ConfigDirectives.parseYesNo($0) } ?? false
    }
}

/// Who may scrape `/metrics`. HTTP has no password, so protected mode (``ProtectedMode``) cannot
/// be satisfied by one: with `protected-mode yes` and no `metrics-bind` line chosen by the
/// operator, only loopback scrapers are served and others get `403 Forbidden`.
package enum MetricsAccess {
    /// The body of the 403 answer.
    package static let refusal =
        "Forbidden: swift-sentinel is in protected mode and /metrics has no password. Scrape it from loopback, set an explicit metrics-bind for the addresses scrapers use, or set protected-mode no.\n"

    /// Whether a scrape from `peer` (`ip:port` or an IP) is refused.
    package static func denies(_ config: SentinelConfig, peer: String) -> Bool {
        config.protectedMode && config.metricsBind == nil && !LoopbackAddress.isLoopback(peer)
    }
}
