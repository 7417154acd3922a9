import DequeModule
import OrderedCollections
import RESP

/// SENTINEL SET and SENTINEL CONFIG (sentinel-behaviour §9.2.1, §9.2.2).
extension Sentinel {
    /// SENTINEL SET <master> <option> <value> [...]: left to right; earlier options stay applied
    /// when a later one fails, and the config is flushed if anything changed.
    mutating func sentinelSet(_ id: ClientID, _ args: [String]) {
        let name = args[2]
        guard masters[name] != nil else { return reply(id, .error(Wire.errNoSuchMaster)) }
        var changed = false
        var index = 3
        var failure: RESPValue? = nil
        loop: while index < args.count {
            let option = args[index].lowercased()
            let remaining = args.count - index - 1
            let optionName = args[index]
            guard remaining >= 1 else {
                failure = .error("ERR Unknown option or number of arguments for SENTINEL SET '\(optionName)'")
                break
            }
            let value = args[index + 1]
            // The `+set` event names the option as the client spelled it (Redis and Valkey print
            // argv as given: `SENTINEL SET m QUORUM 1` -> `... QUORUM 1`).
            var event = "\(optionName) \(value)"
            if let row = MasterOption.named(option) {
                if let error = setMasterOption(row, value, typed: optionName, of: name) {
                    failure = error
                    break loop
                }
                if row.effect == .credential(masked: true) { event = "\(optionName) ******" }
            } else if option == "rename-command" {
                guard remaining >= 2 else {
                    failure = .error("ERR Unknown option or number of arguments for SENTINEL SET '\(optionName)'")
                    break loop
                }
                let renamed = args[index + 2]
                guard !value.isEmpty, !renamed.isEmpty else {
                    failure = Self.invalidSetArgument(value.isEmpty ? value : renamed, optionName)
                    break loop
                }
                self[master: name].config.renamedCommands.removeAll { $0.command == value.lowercased() }
                if value.lowercased() != renamed.lowercased() {
                    self[master: name].config.renamedCommands.append(RenamedCommand(command: value, renamed: renamed))
                }
                event = "\(optionName) \(value) \(renamed)"
                index += 1
            } else {
                failure = .error("ERR Unknown option or number of arguments for SENTINEL SET '\(optionName)'")
                break loop
            }
            changed = true
            emit(.warning, "+set", "\(describe(masters[name]!)) \(event)", master: name)
            index += 2
        }
        if let failure {
            if changed { persistence.changed = true }
            return reply(id, failure)
        }
        replyAfterFlush(id, .ok)
    }

    /// One option of SENTINEL SET (a ``MasterOption`` row), checked and stored as Redis's
    /// sentinelSetCommand does: a script path only when scripts may be reconfigured and the file is
    /// executable; a credential drops the links of the master and its replicas, so the next
    /// connection uses it. Returns the error to answer, or nil.
    mutating func setMasterOption(_ row: MasterOption, _ value: String, typed: String, of name: String) -> RESPValue? {
        if case .script(let notExecutable) = row.effect {
            if settings.denyScriptsReconfig {
                return .error(
                    "ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"
                )
            }
            if !value.isEmpty && !isExecutable(value) { return .error(notExecutable) }
        }
        guard row.set(value, into: &self[master: name].config) else {
            return Self.invalidSetArgument(value, typed)
        }
        if case .credential = row.effect {
            closeLink(.master(name))
            for replica in self[master: name].replicas.keys { closeLink(.replica(master: name, name: replica)) }
        }
        return nil
    }

    /// The paths a client command names whose executability the runtime must check before
    /// delivering it (``CommandFacts``): the value after any script option word
    /// (`notification-script`, `client-reconfig-script`) of a SENTINEL SET, under its
    /// server-level rename too. A value that is not really a script path is checked for nothing.
    package func executablesToCheck(_ sent: [String]) -> [String] {
        guard sent.count >= 5 else { return [] }
        let command = commandNames.map { $0[sent[0].lowercased()] } ?? sent[0]
        guard command?.lowercased() == "sentinel", sent[1].lowercased() == "set" else { return [] }
        return zip(sent.dropFirst(3), sent.dropFirst(4)).compactMap { option, value in
            guard case .script? = MasterOption.named(option)?.effect, !value.isEmpty else { return nil }
            return value
        }
    }

    /// Keeps the facts a command arrived with for when it runs (at once, or after a CLIENT PAUSE).
    /// Bounded: past 64 paths the oldest facts go.
    mutating func noteFacts(_ facts: CommandFacts) {
        guard !facts.executable.isEmpty else { return }
        if executableFacts.count + facts.executable.count > 64 { executableFacts = [:] }
        executableFacts.merge(facts.executable) { $1 }
    }

    /// Whether a script path is executable, as the runtime found it. A path it did not check
    /// (a core driven without a runtime: tests, fuzzing) is taken as executable.
    func isExecutable(_ path: String) -> Bool {
        executableFacts[path] ?? true
    }

    /// Redis's answer to a value SENTINEL SET refuses (`option` as the client typed it).
    static func invalidSetArgument(_ value: String, _ option: String) -> RESPValue {
        .error("ERR Invalid argument '\(value)' for SENTINEL SET '\(option)'")
    }

    /// SENTINEL CONFIG GET|SET. `slot` is the reply slot of a command that waited for a TLS
    /// reload (TLSConfigSet.swift); nil when it runs as it arrives.
    mutating func sentinelConfig(_ id: ClientID, _ args: [String], slot: Int? = nil) {
        if waitForTLSReload(id, args, slot: slot) { return }
        func reply(_ id: ClientID, _ value: RESPValue) {
            if let slot { fillReplySlot(id, slot, value) } else { self.reply(id, value) }
        }
        let action = args[2].lowercased()
        if action == "get" {
            var fields: [(String, String)] = []
            var seen = Set<String>()
            for pattern in args[3...] {
                for option in SentinelOption.all where option.configurable && !seen.contains(option.name) {
                    if globMatch(pattern, option.name, caseInsensitive: true) {
                        seen.insert(option.name)
                        fields.append((option.name, option.shown(settings)))
                    }
                }
                // TLS parameters (an extension): listed only for `tls-...` patterns (TLSConfigSet.swift).
                for parameter in Self.tlsConfigParameters where Self.patternListsTLS(pattern) && !seen.contains(parameter) {
                    if globMatch(pattern, parameter, caseInsensitive: true) {
                        seen.insert(parameter)
                        fields.append((parameter, settings.tls.value(of: parameter) ?? ""))
                    }
                }
            }
            return reply(id, Self.map(fields))
        }
        guard action == "set", args.count >= 5 else { return reply(id, .error(Wire.errConfigUsage)) }
        // Validate every pair first; apply only if all are good.
        var pairs: [(String, String)] = []
        var tlsCandidate = settings.tls
        var tlsChanged = false
        var index = 3
        while index < args.count {
            let option = args[index].lowercased()
            let row = SentinelOption.named(option).flatMap { $0.configurable ? $0 : nil }
            guard row != nil || TLSSettings.directiveNames.contains(option) else {
                return reply(id, .error("ERR Invalid argument '\(args[index])' to SENTINEL CONFIG SET"))
            }
            guard !pairs.contains(where: { $0.0 == option }) else {
                return reply(id, .error("ERR Duplicate argument '\(args[index])' to SENTINEL CONFIG SET"))
            }
            guard index + 1 < args.count else {
                return reply(id, .error("ERR Missing argument '\(args[index])' value"))
            }
            let value = args[index + 1]
            if option.hasPrefix("tls-") {
                if let error = checkTLSConfigPair(option, value, original: args[index], into: &tlsCandidate) {
                    return reply(id, error)
                }
                tlsChanged = true
                pairs.append((option, value))
                index += 2
                continue
            }
            guard row?.accepts(value) == true else {
                return reply(id, .error("ERR Invalid value '\(value)' to SENTINEL CONFIG SET '\(args[index])'"))
            }
            pairs.append((option, value))
            index += 2
        }
        // TLS files are loaded by the runtime first; the pairs are applied when it answers.
        if tlsChanged { return prepareTLSReload(id, slot: slot, tlsCandidate, pairs: pairs) }
        applyConfigPairs(id, slot: slot, pairs)
    }

    /// Applies the checked pairs of a SENTINEL CONFIG SET (TLS settings are already applied) and
    /// answers +OK after the flush, in `slot` when the command reserved one.
    mutating func applyConfigPairs(_ id: ClientID, slot: Int?, _ pairs: [(String, String)]) {
        var credentialsChanged = false
        for (option, value) in pairs {
            // TLS pairs are applied already; every other pair was checked by its row.
            guard let row = SentinelOption.named(option), row.configurable else { continue }
            _ = row.load(value, into: &settings)
            switch row.effect {
            case .none: break
            case .peerCredential: credentialsChanged = true
            case .logLevel: output.append(.setLogLevel(settings.logLevel))
            case .logFormat: output.append(.setLogFormat(settings.logFormat))
            }
        }
        replyAfterFlush(id, .ok, slot: slot)
        if credentialsChanged {
            for runID in peerRunIDs() { closeLink(.peer(runID: runID)) }
        }
    }
}
