/// The `tls-*` server directives as typed values (sentinel-behaviour §2.1, §10.4).
///
/// The directives themselves stay in ``SentinelConfig/otherDirectives`` in file order, so the
/// config rewriter keeps each one on its own line, in place; ``SentinelConfig/tls`` reads them
/// into this value and writes a changed value back into those lines. Defaults are Redis 7.0's
/// (`CONFIG GET tls-*` on redis-server 7.0.15). No file is read here: the runtime loads the
/// certificates and keys (SentinelRuntime/TLS).
package struct TLSSettings: Hashable, Sendable {
    /// `tls-auth-clients`: whether a TLS client must present a certificate.
    package enum ClientAuth: String, Hashable, Sendable, CaseIterable {
        /// A certificate signed by the CA is required (Redis's default).
        case yes
        /// No certificate is asked for.
        case no
        /// A certificate is asked for; one that is sent must be valid.
        case optional
    }

    /// `tls-port`: the TLS listener's port; 0 = no TLS listener.
    package var port: Int = 0
    package var certFile: String? = nil
    package var keyFile: String? = nil
    package var keyFilePass: String? = nil
    package var clientCertFile: String? = nil
    package var clientKeyFile: String? = nil
    package var clientKeyFilePass: String? = nil
    package var caCertFile: String? = nil
    package var caCertDir: String? = nil
    package var dhParamsFile: String? = nil
    package var authClients: ClientAuth = .yes
    /// `tls-protocols` as given (nil: Redis's default, TLSv1.2 and TLSv1.3).
    package var protocols: String? = nil
    /// `tls-ciphers` (TLS 1.2 and below) as given.
    package var ciphers: String? = nil
    /// `tls-ciphersuites` (TLS 1.3) as given.
    package var ciphersuites: String? = nil
    var preferServerCiphers: Bool = false
    var sessionCaching: Bool = true
    var sessionCacheSize: Int = 20480
    var sessionCacheTimeout: Int = 300
    /// `tls-replication`: every outgoing link (masters, replicas, sentinels) uses TLS.
    package var replication: Bool = false

    package init() {}

    /// Whether any TLS context is needed: a TLS listener or TLS outgoing links.
    package var isEnabled: Bool { port != 0 || replication }

    /// The directive names this value covers, lowercased.
    static let directiveNames: [String] = [
        "tls-port", "tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file",
        "tls-client-key-file", "tls-client-key-file-pass", "tls-ca-cert-file", "tls-ca-cert-dir",
        "tls-dh-params-file", "tls-auth-clients", "tls-protocols", "tls-ciphers", "tls-ciphersuites",
        "tls-prefer-server-ciphers", "tls-session-caching", "tls-session-cache-size",
        "tls-session-cache-timeout", "tls-replication",
    ]

    /// The value of one directive as Redis's CONFIG GET shows it (`""` for an unset file).
    func value(of directive: String) -> String? {
        func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }
        switch directive.lowercased() {
        case "tls-port": return String(port)
        case "tls-cert-file": return certFile ?? ""
        case "tls-key-file": return keyFile ?? ""
        case "tls-key-file-pass": return keyFilePass ?? ""
        case "tls-client-cert-file": return clientCertFile ?? ""
        case "tls-client-key-file": return clientKeyFile ?? ""
        case "tls-client-key-file-pass": return clientKeyFilePass ?? ""
        case "tls-ca-cert-file": return caCertFile ?? ""
        case "tls-ca-cert-dir": return caCertDir ?? ""
        case "tls-dh-params-file": return dhParamsFile ?? ""
        case "tls-auth-clients": return authClients.rawValue
        case "tls-protocols": return protocols ?? ""
        case "tls-ciphers": return ciphers ?? ""
        case "tls-ciphersuites": return ciphersuites ?? ""
        case "tls-prefer-server-ciphers": return yesNo(preferServerCiphers)
        case "tls-session-caching": return yesNo(sessionCaching)
        case "tls-session-cache-size": return String(sessionCacheSize)
        case "tls-session-cache-timeout": return String(sessionCacheTimeout)
        case "tls-replication": return yesNo(replication)
        default: return nil
        }
    }

    /// Sets one directive from its text. Returns an error message (the config loader's wording),
    /// or nil. Values are checked as the loader checks them; files are not looked at.
    mutating func set(_ directive: String, to text: String) -> String? {
        func string() -> String? { text.isEmpty ? nil : text }
        func yesNo() -> Bool? {
            switch text.lowercased() {
            case "yes": true
            case "no": false
            default: nil
            }
        }
        switch directive.lowercased() {
        case "tls-port":
            guard let value = Int(text), (0...65535).contains(value) else { return ConfigMessages.invalidPort }
            port = value
        case "tls-cert-file": certFile = string()
        case "tls-key-file": keyFile = string()
        case "tls-key-file-pass": keyFilePass = string()
        case "tls-client-cert-file": clientCertFile = string()
        case "tls-client-key-file": clientKeyFile = string()
        case "tls-client-key-file-pass": clientKeyFilePass = string()
        case "tls-ca-cert-file": caCertFile = string()
        case "tls-ca-cert-dir": caCertDir = string()
        case "tls-dh-params-file": dhParamsFile = string()
        case "tls-auth-clients":
            guard let value = ClientAuth(rawValue: text.lowercased()) else {
                return ConfigMessages.oneOf(ClientAuth.allCases.map(\.rawValue))
            }
            authClients = value
        case "tls-protocols": protocols = string()
        case "tls-ciphers": ciphers = string()
        case "tls-ciphersuites": ciphersuites = string()
        case "tls-prefer-server-ciphers", "tls-session-caching", "tls-replication":
            guard let value = yesNo() else { return ConfigMessages.yesNo }
            switch directive.lowercased() {
            case "tls-prefer-server-ciphers": preferServerCiphers = value
            case "tls-session-caching": sessionCaching = value
            default: replication = value
            }
        case "tls-session-cache-size", "tls-session-cache-timeout":
            guard let value = Int(text), value >= 0, value <= Int(Int32.max) else {
                return ConfigMessages.range(0, Int64(Int32.max))
            }
            if directive.lowercased() == "tls-session-cache-size" {
                sessionCacheSize = value
            } else {
                sessionCacheTimeout = value
            }
        default:
            return ConfigMessages.badDirective
        }
        return nil
    }
}

extension SentinelConfig {
    /// The `tls-*` directives as typed settings. Reading takes the last line of each directive;
    /// writing updates each directive whose value changed in place, appends a changed one that
    /// had no line, and leaves the other lines as they are.
    package var tls: TLSSettings {
        get {
            var settings = TLSSettings()
            for directive in otherDirectives where directive.name.hasPrefix("tls-") {
                guard directive.arguments.count == 1 else { continue }
                _ = settings.set(directive.name, to: directive.arguments[0])
            }
            return settings
        }
        set {
            let old = tls
            for name in TLSSettings.directiveNames {
                guard let value = newValue.value(of: name), value != old.value(of: name) else { continue }
                let directive = ServerDirective(name: name, arguments: [value])
                if let index = otherDirectives.lastIndex(where: { $0.name == name }) {
                    otherDirectives[index] = directive
                } else {
                    otherDirectives.append(directive)
                }
            }
        }
    }
}

/// One protocol version of `tls-protocols`, ordered oldest first.
package enum TLSProtocolVersion: Int, Hashable, Sendable, CaseIterable, Comparable {
    case tlsv1 = 0
    case tlsv1_1
    case tlsv1_2
    case tlsv1_3

    /// The name Redis uses (`TLSv1.2`).
    var name: String {
        switch self {
        case .tlsv1: "TLSv1"
        case .tlsv1_1: "TLSv1.1"
        case .tlsv1_2: "TLSv1.2"
        case .tlsv1_3: "TLSv1.3"
        }
    }

    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Turns `tls-protocols`, `tls-ciphers` and `tls-ciphersuites` into what BoringSSL (through
/// NIOSSL) can enforce, or an error that says why a value cannot be honoured.
package enum TLSRestrictions {
    /// Redis's message for a word it does not know in `tls-protocols`.
    package static let invalidProtocols =
        "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."

    /// The protocol range of a `tls-protocols` value: its words are `TLSv1`, `TLSv1.1`, `TLSv1.2`,
    /// `TLSv1.3` (case-insensitive, blank-separated, as Redis parses them); nil or empty means
    /// Redis's default, TLSv1.2 and TLSv1.3. BoringSSL can only set a minimum and a maximum
    /// version, so a set with a hole (`TLSv1 TLSv1.3`) is refused rather than widened.
    package static func protocolRange(_ text: String?) -> Result<ClosedRange<TLSProtocolVersion>, TLSSettingError> {
        guard let text, !text.isEmpty else { return .success(.tlsv1_2 ... .tlsv1_3) }
        var versions = Set<TLSProtocolVersion>()
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let version = TLSProtocolVersion.allCases.first(where: { $0.name.lowercased() == word.lowercased() })
            else { return .failure(TLSSettingError(directive: "tls-protocols", message: invalidProtocols)) }
            versions.insert(version)
        }
        guard let low = versions.min(), let high = versions.max() else {
            return .failure(TLSSettingError(directive: "tls-protocols", message: invalidProtocols))
        }
        let range = low ... high
        if versions.count != TLSProtocolVersion.allCases.filter({ range.contains($0) }).count {
            let names = versions.sorted().map(\.name).joined(separator: " ")
            return .failure(
                TLSSettingError(
                    directive: "tls-protocols",
                    message:
                        "tls-protocols '\(names)' leaves a gap between versions; this TLS library (BoringSSL) can only enable a contiguous range, e.g. 'TLSv1.2 TLSv1.3'."
                ))
        }
        return .success(range)
    }

    /// The TLS 1.3 cipher suites BoringSSL always enables.
    static let tls13Suites: Set<String> = [
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    ]

    /// Checks `tls-ciphersuites` (TLS 1.3 suites, `:`-separated). BoringSSL does not let TLS 1.3
    /// suites be chosen: it always offers the three in ``tls13Suites``. A value that names all
    /// three (in any order, possibly with OpenSSL-only suites such as `TLS_AES_128_CCM_SHA256`)
    /// restricts nothing and is accepted; one that leaves any of them out cannot be honoured and
    /// is refused. Unknown names are refused as OpenSSL refuses them.
    package static func checkCiphersuites(_ text: String?) -> TLSSettingError? {
        guard let text, !text.isEmpty else { return nil }
        let known = tls13Suites.union(["TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"])
        let names = text.split(separator: ":").map(String.init)
        if names.isEmpty || names.contains(where: { !known.contains($0) }) {
            return TLSSettingError(directive: "tls-ciphersuites", message: "Failed to configure ciphersuites: \(text)")
        }
        let missing = tls13Suites.subtracting(names).sorted()
        if !missing.isEmpty {
            return TLSSettingError(
                directive: "tls-ciphersuites",
                message:
                    "Failed to configure ciphersuites: \(text): this TLS library (BoringSSL) cannot restrict TLS 1.3 cipher suites; it always enables \(tls13Suites.sorted().joined(separator: ":")) (leave tls-ciphersuites unset, or list all three; to avoid TLS 1.3 use tls-protocols)"
            )
        }
        return nil
    }

    /// Checks `tls-ciphers` (TLS 1.2 and below, OpenSSL cipher-list syntax) against what BoringSSL
    /// accepts: see ``TLSCipherList``.
    package static func checkCiphers(_ text: String?) -> TLSSettingError? {
        guard let text, !text.isEmpty else { return nil }
        if let problem = TLSCipherList.problem(in: text) {
            return TLSSettingError(directive: "tls-ciphers", message: "Failed to configure ciphers: \(text): \(problem)")
        }
        return nil
    }
}

/// A `tls-*` value that cannot be used, with the directive it came from.
package struct TLSSettingError: Error, Hashable, Sendable, CustomStringConvertible {
    package var directive: String
    package var message: String
    init(directive: String, message: String) {
        self.directive = directive
        self.message = message
    }
    package var description: String { message }
}

extension SentinelConfig {
    /// The port hellos announce when `announce-port` is unset and TLS links are in use: `tls-port`
    /// when `tls-replication yes` and `tls-port` is set, else nil (the plain `port`).
    var tlsAnnouncedPort: Int? {
        let settings = tls
        return settings.replication && settings.port != 0 ? settings.port : nil
    }
}
