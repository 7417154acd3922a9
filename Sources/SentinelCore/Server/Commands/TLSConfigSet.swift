import DequeModule
import OrderedCollections
import RESP

/// A `SENTINEL CONFIG SET` with `tls-*` pairs, its syntax checked, whose files the runtime is
/// loading (``Action/prepareTLS(_:token:)``), and the SENTINEL CONFIG commands that arrived
/// meanwhile and run after it, in order.
struct TLSReloadState: Sendable {
    struct Reload: Sendable {
        var token: Int
        var client: ClientID
        /// The reply slot the command reserved (ClientReplies.swift).
        var slot: Int
        /// The TLS settings the runtime is building.
        var candidate: TLSSettings
        /// Every pair of the command (the non-TLS ones are applied with the TLS ones).
        var pairs: [(String, String)]
    }

    struct Waiting: Sendable {
        var client: ClientID
        var slot: Int
        var arguments: [String]
    }

    var inFlight: Reload? = nil
    var waiting: Deque<Waiting> = []
    var nextToken = 1
}

/// `SENTINEL CONFIG SET|GET tls-*`: an extension of swift-sentinel (redis-sentinel's SENTINEL
/// CONFIG has no TLS parameters; redis-server reloads TLS on `CONFIG SET tls-*`).
///
/// The core reads no files, so a SET with `tls-*` pairs is a round trip: once the syntax of every
/// pair is good, the new settings go to the runtime with ``Action/prepareTLS(_:token:)``, which
/// builds the contexts off the event loop and answers ``Event/tlsPrepared(token:error:)``. The
/// command's reply keeps its place (a reply slot, like `SENTINEL MONITOR <hostname>`), so later
/// replies to the same client wait behind it. A problem is the error reply and nothing changes;
/// otherwise every pair of the command (TLS or not) is applied, the runtime switches to the new
/// contexts (``Action/activateTLS(token:)``), the config is persisted and +OK follows the flush.
///
/// While the files load, further SENTINEL CONFIG commands (GET or SET, from any client) wait and
/// then run in arrival order, so they see the outcome, as if the SET had run at once.
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

    /// Whether a SENTINEL CONFIG command must wait for the TLS files being loaded; if so it is
    /// parked with its reply slot (reserved now unless it has one already).
    mutating func waitForTLSReload(_ id: ClientID, _ args: [String], slot: Int?) -> Bool {
        guard tlsReload.inFlight != nil else { return false }
        if let slot = slot ?? reserveReplySlot(id) {
            tlsReload.waiting.append(TLSReloadState.Waiting(client: id, slot: slot, arguments: args))
        }
        return true
    }

    /// After every pair was checked: asks the runtime to load `candidate`; the command's reply
    /// waits in a slot for ``tlsPrepared(token:error:)``.
    mutating func prepareTLSReload(_ id: ClientID, slot: Int?, _ candidate: TLSSettings, pairs: [(String, String)]) {
        guard let slot = slot ?? reserveReplySlot(id) else { return }
        let token = tlsReload.nextToken
        tlsReload.nextToken += 1
        tlsReload.inFlight = TLSReloadState.Reload(token: token, client: id, slot: slot, candidate: candidate, pairs: pairs)
        output.append(.prepareTLS(candidate, token: token))
    }

    /// The runtime loaded (or failed to load) the files of the pending SET: error reply and
    /// nothing changed, or every pair applied, the new contexts activated, +OK after the flush.
    /// Then the SENTINEL CONFIG commands that waited run, in order.
    mutating func tlsPrepared(token: Int, error: String?) {
        guard let reload = tlsReload.inFlight, reload.token == token else { return }
        tlsReload.inFlight = nil
        if let error {
            fillReplySlot(reload.client, reload.slot, .error("ERR Unable to update TLS configuration: \(error)"))
        } else {
            if reload.candidate != settings.tls {
                settings.tls = reload.candidate
                output.append(.log(.notice, "TLS configuration changed by SENTINEL CONFIG SET"))
            }
            // Always switched, even to equal settings: the files were read again (renewed ones).
            output.append(.activateTLS(token: token))
            applyConfigPairs(reload.client, slot: reload.slot, reload.pairs)
        }
        while tlsReload.inFlight == nil, let next = tlsReload.waiting.popFirst() {
            // A client that left meanwhile is not answered, and its command does not run.
            guard clients[next.client] != nil else { continue }
            sentinelConfig(next.client, next.arguments, slot: next.slot)
        }
    }
}
