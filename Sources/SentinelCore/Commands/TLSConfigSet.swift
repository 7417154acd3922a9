import RESP

/// `SENTINEL CONFIG SET|GET tls-*`: an extension of swift-sentinel (redis-sentinel's SENTINEL
/// CONFIG has no TLS parameters; redis-server reloads TLS on `CONFIG SET tls-*`). The new
/// settings are checked first through ``Sentinel/tlsProblem`` (the runtime loads the files);
/// a bad file is an error reply and nothing changes. Good settings are applied, persisted, and
/// handed to the runtime with ``Action/reloadTLS(_:)`` for the connections that start afterwards.
extension Sentinel {
    /// The TLS directives `SENTINEL CONFIG SET` accepts: all but `tls-port` (the listener is bound
    /// at startup).
    static let tlsConfigParameters = TLSSettings.directiveNames.filter { $0 != "tls-port" }

    /// Whether a `SENTINEL CONFIG GET` pattern lists the TLS parameters: only a pattern that
    /// itself starts with `tls-`, so `SENTINEL CONFIG GET *` answers exactly as redis-sentinel.
    static func patternListsTLS(_ pattern: String) -> Bool {
        pattern.lowercased().hasPrefix("tls-")
    }

    /// Checks one `tls-*` pair of SENTINEL CONFIG SET against `candidate` (updated in place).
    /// Returns the error reply, or nil.
    func checkTLSConfigPair(_ option: String, _ value: String, original: String, into candidate: inout TLSSettings)
        -> RESPValue?
    {
        if option == "tls-port" {
            return .error("ERR tls-port cannot be changed while the sentinel runs: edit the config file and restart")
        }
        if candidate.set(option, to: value) != nil {
            return .error("ERR Invalid value '\(value)' to SENTINEL CONFIG SET '\(original)'")
        }
        return nil
    }

    /// After every pair was checked: loads the new settings (through the runtime's check).
    /// Returns the error reply, or nil when they can be applied.
    func checkTLSReload(_ candidate: TLSSettings) -> RESPValue? {
        guard let problem = tlsProblem(candidate) else { return nil }
        return .error("ERR Unable to update TLS configuration: \(problem)")
    }

    /// Applies checked settings: persisted with the config, reloaded by the runtime.
    mutating func applyTLSSettings(_ candidate: TLSSettings) {
        guard candidate != settings.tls else { return }
        settings.tls = candidate
        output.append(.reloadTLS(candidate))
        output.append(.log(.notice, "TLS configuration changed by SENTINEL CONFIG SET"))
    }
}
