import RESP

/// An error found while loading sentinel.conf (or a command-line override), pointing at the line.
///
/// Reproduces the information Redis prints in its "FATAL CONFIG FILE ERROR" banner (line number,
/// the offending line, the reason), folded into one line an operator can act on:
/// `sentinel.conf:12: 'sentinel monitor m 1.2.3.4 x 2' -> Invalid port number.`
package struct ConfigLoadError: Error, Hashable, CustomStringConvertible {
    /// The file name as given to the parser, or `(command line)` for overrides.
    var file: String
    /// 1-based line number inside `file` (for overrides: the position among the override lines).
    package var line: Int
    /// The offending line, trimmed.
    package var lineText: String
    /// The reason, using Redis's wording where Redis has one.
    package var message: String

    package init(file: String, line: Int, lineText: String, message: String) {
        self.file = file
        self.line = line
        self.lineText = lineText
        self.message = message
    }

    package var description: String { "\(file):\(line): '\(lineText)' -> \(message)" }
}

/// Loads sentinel.conf text into a ``SentinelConfig``.
package enum ConfigParser {
    /// Parses a sentinel config file plus command-line override lines.
    ///
    /// Reproduces Redis's loader in sentinel mode:
    /// * lines are split on `\n`, trimmed; blank lines and lines starting with `#` are skipped;
    ///   arguments are split like `sdssplitargs` (see ``ConfigTokenizer``); directive names are
    ///   case-insensitive;
    /// * server directives are applied in file order (the last value wins);
    /// * `sentinel ...` lines are queued and applied in three passes (pre-monitor options,
    ///   then `monitor` lines, then everything else), so their order in the file does not matter;
    /// * the first error stops loading (Redis exits with "FATAL CONFIG FILE ERROR").
    ///
    /// The core does no I/O: script paths (`notification-script`, `client-reconfig-script`) are
    /// recorded without the "exists and is executable" check, `dir`/`logfile` are not opened and
    /// hostnames are not resolved. The runtime does those checks.
    ///
    /// - Parameters:
    ///   - text: the file's content.
    ///   - fileName: the name used in error messages.
    ///   - overrides: extra directive lines from the command line, applied after the file; their
    ///     errors are reported with the file name `(command line)`.
    ///   - include: reads the files an `include` line names (the runtime's I/O); without it,
    ///     `include` lines are refused.
    package static func parse(
        _ text: String, fileName: String, overrides: [String] = [], include: ConfigIncludeReader? = nil
    ) throws(ConfigLoadError) -> SentinelConfig {
        var loader = ConfigLoader()
        loader.includeReader = include
        for (index, line) in ConfigTokenizer.lines(text).enumerated() {
            try loader.load(line: line, file: fileName, number: index + 1)
        }
        let overrideLines = overrides.flatMap { ConfigTokenizer.lines($0) }
        for (index, line) in overrideLines.enumerated() {
            try loader.load(line: line, file: commandLineFileName, number: index + 1)
        }
        try loader.applySentinelDirectives()
        if loader.config.aclFile != nil, let userLine = loader.firstUserLine {
            throw ConfigLoadError(
                file: userLine.file, line: userLine.number, lineText: userLine.text,
                message: ConfigMessages.usersAndAclFile)
        }
        return loader.config
    }

    /// The file name used for errors in command-line overrides.
    static let commandLineFileName = "(command line)"
}

/// Reads the files of an `include <path>` line, as Redis's `loadServerConfig` does: a path with a
/// wildcard (`*`, `?`, `[`) is a glob pattern whose matches are read in alphabetical order (none
/// is fine); any other path must be a readable file. Returns the files' names and texts, or the
/// reason loading stops (Redis: "Fatal error, can't open config file '<path>': <strerror>").
package typealias ConfigIncludeReader = (_ path: String) -> Result<[ConfigIncludedFile], ConfigIncludeFailure>

/// One file read for an `include` line.
package struct ConfigIncludedFile: Sendable, Hashable {
    package var name: String
    var text: String
    package init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Why an `include` line's files could not be read.
package struct ConfigIncludeFailure: Error, Sendable, Hashable {
    var message: String
    package init(message: String) { self.message = message }
}

// MARK: - Loader

/// A `sentinel` line waiting for its pass.
struct ConfigQueuedSentinelLine {
    var arguments: [String]
    var file: String
    var number: Int
    var text: String
}

struct ConfigLoader {
    var config = SentinelConfig()
    var queued: [ConfigQueuedSentinelLine] = []
    var masterIndex: [String: Int] = [:]
    var knownReplicaKeys: [String: Set<HostPort>] = [:]
    var knownSentinelIDs: [String: Set<String>] = [:]
    /// Where the first `user` line is (users and `aclfile` together are an error).
    var firstUserLine: (file: String, number: Int, text: String)? = nil
    /// Reads `include` files; nil refuses `include` lines.
    var includeReader: ConfigIncludeReader? = nil
    /// How many `include` lines are being loaded inside each other.
    var includeDepth = 0
    /// Redis has no limit (a file that includes itself crashes redis-sentinel 7.0.15); this one
    /// stops at this depth.
    static let maxIncludeDepth = 16

    /// Handles one trimmed line: comments and blanks are skipped, server directives applied,
    /// sentinel directives queued.
    mutating func load(line: String, file: String, number: Int) throws(ConfigLoadError) {
        if line.isEmpty || line.utf8.first == UInt8(ascii: "#") { return }
        func fail(_ message: String) -> ConfigLoadError {
            ConfigLoadError(file: file, line: number, lineText: line, message: message)
        }
        guard let args = ConfigTokenizer.split(line) else { throw fail(ConfigMessages.unbalancedQuotes) }
        guard let first = args.first else { return }
        let name = first.lowercased()
        if name == "sentinel" {
            // A bare `sentinel` line is ignored, as in Redis.
            if args.count > 1 {
                queued.append(ConfigQueuedSentinelLine(arguments: Array(args.dropFirst()), file: file, number: number, text: line))
            }
            return
        }
        if name == "include", args.count == 2 {
            // Redis loads the named files in place of the line; their errors name their own lines.
            guard let reader = includeReader else { throw fail(ConfigMessages.includeUnsupported) }
            guard includeDepth < Self.maxIncludeDepth else { throw fail(ConfigMessages.includeTooDeep) }
            let files: [ConfigIncludedFile]
            switch reader(args[1]) {
            case .success(let read): files = read
            case .failure(let failure): throw fail(failure.message)
            }
            includeDepth += 1
            defer { includeDepth -= 1 }
            for included in files {
                for (index, includedLine) in ConfigTokenizer.lines(included.text).enumerated() {
                    try load(line: includedLine, file: included.name, number: index + 1)
                }
            }
            return
        }
        if let message = applyServerDirective(name: name, arguments: Array(args.dropFirst())) {
            throw fail(message)
        }
        if name == "user", firstUserLine == nil { firstUserLine = (file, number, line) }
    }

    /// Applies the queued sentinel lines in Redis's three passes.
    mutating func applySentinelDirectives() throws(ConfigLoadError) {
        for pass in 1...3 {
            for entry in queued {
                let option = entry.arguments[0].lowercased()
                let entryPass = ConfigDirectives.preMonitor.contains(option) ? 1 : (option == "monitor" ? 2 : 3)
                guard entryPass == pass else { continue }
                if let message = applySentinel(entry.arguments) {
                    throw ConfigLoadError(file: entry.file, line: entry.number, lineText: entry.text, message: message)
                }
            }
        }
    }

    // MARK: Server directives

    /// Applies a non-`sentinel` directive. Returns an error message, or nil.
    mutating func applyServerDirective(name: String, arguments a: [String]) -> String? {
        switch name {
        case "port":
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            // An int config from 0 to 65535 (redis-sentinel 7.0.15: `port 65536` -> "argument must be
            // between 0 and 65535 inclusive").
            if let message = Self.validate(name: name, kind: .integer(min: 0, max: 65535), value: a[0]) { return message }
            config.port = ConfigDirectives.parsePort(a[0]) ?? 0
        case "bind":
            guard !a.isEmpty else { return ConfigMessages.wrongArgumentCount }
            guard a.count <= 16 else { return ConfigMessages.tooManyBind }
            config.bind = a
        case "protected-mode", "daemonize":
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            guard let value = ConfigDirectives.parseYesNo(a[0]) else { return ConfigMessages.yesNo }
            if name == "daemonize" { config.daemonize = value } else { config.protectedMode = value }
        case "requirepass":
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            config.requirePass = a[0].isEmpty ? nil : a[0]
        case "loglevel":
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            guard let level = LogLevel(name: a[0]) else {
                return ConfigMessages.oneOf(["debug", "verbose", "notice", "warning", "nothing"])
            }
            config.logLevel = level
        case "logfile":
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            config.logFile = a[0]
        case "log-format":
            // Not a Redis directive (Valkey 8.1 has it: `legacy` or `logfmt`); checked like
            // Redis's enum configs (`loglevel`).
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            guard let format = LogFormat(name: a[0]) else { return ConfigMessages.oneOf(LogFormat.spellings) }
            config.logFormat = format
        case "dir":
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            config.dir = a[0]
        case "pidfile":
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            config.pidFile = a[0].isEmpty ? nil : a[0]
        case "user":
            return loadUser(a)
        case "rename-command" where a.count == 2:
            let renames = config.commandRenames + [RenamedCommand(command: a[0], renamed: a[1])]
            if case .failure(let failure) = CommandRenames.names(applying: renames) { return failure.message }
            config.commandRenames = renames
        default:
            let name = ConfigDirectives.primaryName(name)
            guard let kind = ConfigDirectives.accepted[name] else { return Self.loadSpecialDirective(name: name, arguments: a) }
            if let message = Self.validate(name: name, kind: kind, arguments: a) { return message }
            let directive = ServerDirective(name: name, arguments: a)
            if !ConfigDirectives.multiLine.contains(name),
                let existing = config.otherDirectives.firstIndex(where: { $0.name == name })
            {
                config.otherDirectives[existing] = directive
            } else {
                config.otherDirectives.append(directive)
            }
        }
        return nil
    }

    /// `user <name> <rules...>` (ACLAppendUserForLoading, then ACLLoadConfiguredUsers): the rules
    /// must apply to a fresh user, a name may appear once. Errors use Redis's texts; Redis names
    /// `argv[j]` for the j-th failing rule (an off-by-two it has), reproduced here.
    mutating func loadUser(_ a: [String]) -> String? {
        guard let name = a.first else { return ConfigMessages.badDirective }
        let argv = ["user"] + a
        if config.users.contains(where: { $0.name == name }) {
            return "Error in user declaration '\(argv[1])': " + AclRuleError.duplicateUser.message
        }
        let rules: [String]
        switch AclUser.mergeSelectorArguments(Array(a.dropFirst())) {
        case .success(let merged): rules = merged
        case .failure(let unmatched):
            return "Error in user declaration '\(argv[unmatched.index])': Unmatched parenthesis in acl selector starting at '\(a[unmatched.index + 1])'"
        }
        if AclSelector.hasSpaces(name.utf8) { return "Spaces not allowed in ACL usernames" }
        var user = AclUser(name: name)
        for (j, rule) in rules.enumerated() {
            do throws(AclRuleError) {
                try user.apply(rule)
            } catch .unknownCommand {
                return "Error loading ACL rule '\(rule)' for the user named '\(name)': " + AclRuleError.unknownCommand.message
            } catch {
                return "Error in user declaration '\(argv[min(j, argv.count - 1)])': " + error.message
            }
        }
        config.users.append(AclUserDefinition(name: name, rules: rules))
        return nil
    }

    /// A directive that is not in the option table, as Redis's loader handles it after the table
    /// lookup (`loadServerConfigFromString`). Returns an error message, or nil to accept the line
    /// without keeping it.
    ///
    /// * A deprecated option with one value is ignored.
    /// * `loadmodule <path> [args...]` is accepted and ignored: redis-sentinel 7.0.15 queues the
    ///   module but never loads it in sentinel mode, and its rewrite drops the line.
    /// * A module option (a name with a dot, `foo.bar 1`) needs a value ("Module config specified
    ///   without value") and is otherwise ignored; redis-sentinel 7.0.15's rewrite comments it out
    ///   (`# ??? foo.bar 1`).
    static func loadSpecialDirective(name: String, arguments a: [String]) -> String? {
        if ConfigDirectives.deprecated.contains(name) {
            return a.count == 1 ? nil : ConfigMessages.badDirective
        }
        switch (name, a.count) {
        case ("loadmodule", 1...):
            return nil
        case _ where name.utf8.contains(UInt8(ascii: ".")):
            return a.isEmpty ? ConfigMessages.moduleConfigWithoutValue : nil
        default:
            return ConfigMessages.badDirective
        }
    }

    /// Checks the arguments of an accepted server directive the way Redis checks that config type:
    /// a multi-argument option (``ConfigDirectives/ArgumentKind/isMultiArgument``) checks its own
    /// shape, after splitting a single non-empty argument; every other one takes exactly one value.
    static func validate(name: String, kind: ConfigDirectives.ArgumentKind, arguments given: [String]) -> String? {
        var a = given
        if kind.isMultiArgument, a.count == 1, !a[0].isEmpty {
            a = ConfigTokenizer.split(a[0]) ?? []
        }
        switch kind {
        case .variadic:
            return a.isEmpty ? ConfigMessages.badDirective : nil
        case .bindList:
            guard !a.isEmpty else { return ConfigMessages.wrongArgumentCount }
            return a.count > 16 ? ConfigMessages.tooManyBind : nil
        case .saveParams:
            guard !a.isEmpty else { return ConfigMessages.wrongArgumentCount }
            if a.count == 1 && a[0].isEmpty { return nil }
            guard a.count % 2 == 0, a.allSatisfy({ Int64($0).map { $0 >= 0 } ?? false }) else {
                return ConfigMessages.invalidSave
            }
            return nil
        case .outputBufferLimits:
            var limits = ClientOutputBufferLimits()
            return limits.apply(a)
        case .shutdownOnSignal:
            let values = ["default", "save", "nosave", "now", "force"]
            let flags = a.map { $0.lowercased() }
            guard !flags.isEmpty, flags.allSatisfy(values.contains) else { return ConfigMessages.oneOf(values) }
            return flags.contains("save") && flags.contains("nosave") ? ConfigMessages.saveAndNosave : nil
        case .percentiles:
            if a.count == 1 && a[0].isEmpty { return nil }
            for value in a {
                guard let first = value.utf8.first, !ConfigTokenizer.isCSpace(first), let p = Double(value), !p.isNaN else {
                    return ConfigMessages.invalidPercentiles
                }
                guard (0.0...100.0).contains(p) else { return ConfigMessages.percentilesRange }
            }
            return nil
        case .oomScoreAdjValues:
            guard a.count == 3 else { return ConfigMessages.wrongArgumentCount }
            // strtoll: an empty value reads as 0.
            let valid = a.allSatisfy { ($0.isEmpty ? 0 : Int64($0)).map { (-2000...2000).contains($0) } ?? false }
            return valid ? nil : ConfigMessages.oomScoreAdjValues
        case .replicaOf:
            guard a.count == 2 else { return ConfigMessages.wrongArgumentCount }
            if a[0].lowercased() == "no" && a[1].lowercased() == "one" { return nil }
            return ConfigDirectives.parsePort(a[1]) == nil ? ConfigMessages.invalidMasterPort : nil
        case .string, .yesNo, .oneOf, .integer, .memoryRange, .memoryOrPercent, .octal, .fileName, .keyspaceEvents, .hostname, .ipAddress:
            guard a.count == 1 else { return ConfigMessages.wrongArgumentCount }
            return validate(name: name, kind: kind, value: a[0])
        }
    }

    /// Checks the value of a single-argument server directive.
    static func validate(name: String, kind: ConfigDirectives.ArgumentKind, value: String) -> String? {
        switch kind {
        case .string:
            return nil
        case .variadic, .bindList, .saveParams, .outputBufferLimits, .shutdownOnSignal, .percentiles, .oomScoreAdjValues,
            .replicaOf:
            return validate(name: name, kind: kind, arguments: [value])
        case .yesNo:
            return ConfigDirectives.parseYesNo(value) == nil ? ConfigMessages.yesNo : nil
        case .oneOf(let values):
            return values.contains(value.lowercased()) ? nil : ConfigMessages.oneOf(values)
        case .integer(let min, let max):
            guard let number = ConfigDirectives.parseStrictInteger(value) else { return ConfigMessages.notAnInteger }
            return (min...max).contains(number) ? nil : ConfigMessages.range(min, max)
        case .memoryRange(let min, let max):
            guard let bytes = ConfigDirectives.parseMemory(value) else { return ConfigMessages.notMemory }
            return (min...max).contains(bytes) ? nil : ConfigMessages.range(min, max)
        case .memoryOrPercent(let min, let max):
            if let bytes = ConfigDirectives.parseMemory(value) {
                return (min...max).contains(bytes) ? nil : ConfigMessages.range(min, max)
            }
            guard value.utf8.count > 1, value.hasSuffix("%"), let percent = ConfigDirectives.parseStrictInteger(String(value.dropLast())),
                percent >= 0
            else {
                return ConfigMessages.notMemoryOrPercent
            }
            return -percent >= min ? nil : ConfigMessages.percentAtMost(-min)
        case .octal:
            guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }),
                let number = Int64(value, radix: 8)
            else { return ConfigMessages.notOctal }
            // Redis prints the bounds in octal ("between 0 and 777").
            return number <= 0o777 ? nil : ConfigMessages.range(0, 777)
        case .fileName(let noun, let allowsEmpty):
            if value.isEmpty && !allowsEmpty { return "\(name) can't be empty" }
            let isPath = value.utf8.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }
            return isPath ? "\(name) can't be a path, just a \(noun)" : nil
        case .hostname:
            guard value.utf8.count < 256 else { return ConfigMessages.hostnameLength }
            let valid = value.utf8.allSatisfy { c in
                (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                    || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
            }
            return valid ? nil : ConfigMessages.hostnameCharacters
        case .ipAddress(let v6):
            // inet_pton: no `%zone` for IPv6.
            if value.isEmpty { return nil }
            if v6 {
                return IPAddressLiteral.isIPv6(value) && !value.contains("%") ? nil : "Invalid IPv6 address"
            }
            return IPAddressLiteral.isIPv4(value) ? nil : "Invalid IPv4 address"
        case .keyspaceEvents:
            let classes = Set("Ag$lshzxeKEtmdn".utf8)
            return value.utf8.allSatisfy(classes.contains) ? nil : ConfigMessages.keyspaceEvents
        }
    }

}

extension ConfigDirectives {
    /// Master names end up in space- and comma-separated protocol fields (hello messages, events),
    /// so names that are empty or contain blanks or commas are refused.
    static func isValidMasterName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains(where: { $0 == UInt8(ascii: ",") || ConfigTokenizer.isCSpace($0) })
    }

    /// A decimal port number 0...65535.
    static func parsePort(_ text: String) -> Int? {
        guard let port = Int(text), (0...65535).contains(port) else { return nil }
        return port
    }

    /// An epoch (`current-epoch`, `config-epoch`, `leader-epoch`, a coordinated-failover record):
    /// a decimal integer from 0 to `Int64.max`.
    static func parseEpoch(_ text: String) -> Epoch? {
        guard let epoch = Epoch(text), epoch >= 0 else { return nil }
        return epoch
    }

    /// Why ``parseEpoch(_:)`` refused `text`: not a number, or a number out of range.
    static func epochError(_ text: String) -> String {
        EpochBounds.check(text[...], current: 0) == .malformed ? ConfigMessages.invalidNumber : ConfigMessages.invalidEpoch
    }

    /// A decimal integer as Redis's `string2ll` reads it: `0`, or an optional `-` and digits not
    /// starting with 0, within `Int64` (redis-sentinel 7.0.15 refuses `hz +5`, `hz 05`, `hz -0`).
    static func parseStrictInteger(_ text: String) -> Int64? {
        let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        guard let first = digits.first, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            first != UInt8(ascii: "0") || text == "0"
        else { return nil }
        return Int64(text)
    }

    /// `yes`/`no`, case-insensitive, like Redis's `yesnotoi`.
    static func parseYesNo(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes": true
        case "no": false
        default: nil
        }
    }

    /// A Redis memory value: digits with an optional `b k kb m mb g gb` unit (case-insensitive;
    /// `k` = 1000, `kb` = 1024 and so on); a sign is refused, as by Redis's `memtoull`.
    static func parseMemory(_ text: String) -> Int64? {
        let lower = text.lowercased()
        let units: [(String, Int64)] = [
            ("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024 * 1024 * 1024),
            ("k", 1000), ("m", 1000 * 1000), ("g", 1000 * 1000 * 1000), ("b", 1),
        ]
        // memtoull: the number is digits only (no sign, no blank), then the unit.
        func digits(_ part: Substring) -> Int64? {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int64(part)
        }
        for (suffix, multiplier) in units where lower.hasSuffix(suffix) {
            guard let number = digits(lower.dropLast(suffix.count)) else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : product
        }
        return digits(lower[...])
    }
}
