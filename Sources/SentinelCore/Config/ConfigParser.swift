import RESP

/// An error found while loading sentinel.conf (or a command-line override), pointing at the line.
///
/// Reproduces the information Redis prints in its "FATAL CONFIG FILE ERROR" banner (line number,
/// the offending line, the reason), folded into one line an operator can act on:
/// `sentinel.conf:12: 'sentinel monitor m 1.2.3.4 x 2' -> Invalid port number.`
package struct ConfigLoadError: Error, Hashable, CustomStringConvertible {
    /// The file name as given to the parser, or `(command line)` for overrides.
    package var file: String
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

/// Splits config lines into arguments.
package enum ConfigTokenizer {
    /// Splits one line into arguments with the rules of Redis's `sdssplitargs`:
    /// arguments are separated by blanks; `"..."` understands `\n \r \t \b \a \\ \"` and `\xHH`
    /// (any other escaped character stands for itself); `'...'` understands only `\'`; a closing
    /// quote must be followed by a blank or the end of the line.
    /// - Returns: the arguments, or nil for unbalanced quotes.
    package static func split(_ line: some StringProtocol) -> [String]? {
        splitBytes(Array(line.utf8))?.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Byte-level form of ``split(_:)``.
    package static func splitBytes(_ p: [UInt8]) -> [[UInt8]]? {
        ArgumentSplitter.split(p)
    }

    /// C `isspace` in the C locale.
    static func isCSpace(_ c: UInt8) -> Bool { ArgumentSplitter.isSpace(c) }

    /// Splits a whole file into lines on `\n` (like Redis, which splits the file content on newlines
    /// only) and trims each line of ` \t\r\n` at both ends (Redis's `sdstrim(line, " \t\r\n")`).
    package static func lines(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var text = text
        // One pass over the contiguous bytes (the config is re-read at every save).
        var result: [String] = text.withUTF8 { bytes in
            func isTrim(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0d || c == 0x0a }
            var lines: [String] = []
            var start = 0
            while true {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var first = start
                var last = end
                while first < last && isTrim(bytes[first]) { first += 1 }
                while last > first && isTrim(bytes[last - 1]) { last -= 1 }
                lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[first..<last]), as: UTF8.self))
                if end >= bytes.count { return lines }
                start = end + 1
            }
        }
        if text.utf8.last == UInt8(ascii: "\n") { result.removeLast() }
        return result
    }
}

/// The table of directives a sentinel config file may contain.
enum ConfigDirectives {
    /// Server options the sentinel acts on (fields of ``SentinelConfig``), in rewrite order.
    static let actedOn: [String] = ["port", "bind", "protected-mode", "requirepass", "loglevel", "logfile", "dir", "pidfile", "daemonize"]

    /// How an accepted-but-not-acted-on server directive's arguments are checked.
    enum ArgumentKind: Sendable {
        case string
        case yesNo
        case oneOf([String])
        case integer(min: Int64, max: Int64)
        /// A memory value (`512mb`) within a range.
        case memoryRange(min: Int64, max: Int64)
        /// `client-output-buffer-limit`'s groups of `<class> <hard> <soft> <soft-seconds>`.
        case outputBufferLimits
        case octal
        case saveParams
        case variadic
        /// A memory value, or a percentage `N%` stored as `-N` (Redis's `MEMORY_CONFIG |
        /// PERCENT_CONFIG`, `maxmemory-clients`).
        case memoryOrPercent(min: Int64, max: Int64)
        /// A file or directory name without a path (`dbfilename`, `appendfilename`,
        /// `appenddirname`); `noun` names what it is in Redis's message.
        case fileName(noun: String, allowsEmpty: Bool)
        /// `shutdown-on-sigint`/`shutdown-on-sigterm`: one or more of `default save nosave now
        /// force`, not `save` with `nosave`.
        case shutdownOnSignal
        /// `latency-tracking-info-percentiles`: numbers from 0.0 to 100.0, or a single `""`.
        case percentiles
        /// `oom-score-adj-values`: three integers from -2000 to 2000.
        case oomScoreAdjValues
        /// `notify-keyspace-events`: a string of event class characters.
        case keyspaceEvents
        /// `replicaof`/`slaveof`: `<host> <port>` or `no one`.
        case replicaOf
        /// `cluster-announce-hostname`: fewer than 256 characters, letters, digits, `-` and `.`
        /// (empty allowed).
        case hostname
        /// Valkey's `cluster-announce-client-ipv4`/`-ipv6`: an address of that family, or empty.
        case ipAddress(v6: Bool)

        /// Redis's `MULTI_ARG_CONFIG` options: they take several arguments, and a single non-empty
        /// argument is split into arguments like a config line (`save "3600 1 300 100"`).
        var isMultiArgument: Bool {
            switch self {
            case .saveParams, .outputBufferLimits, .shutdownOnSignal, .percentiles, .oomScoreAdjValues, .replicaOf: true
            default: false
            }
        }
    }

    static let intMax = Int64(Int32.max)

    /// Accepted directives that may appear on several lines, each line adding to the previous ones.
    /// Every other directive keeps only its last value.
    static let multiLine: Set<String> = ["user", "save", "client-output-buffer-limit"]

    /// Every `sentinel <option>` the loader understands (the rewrite's keys are `sentinel <option>`).
    static let sentinelOptions: [String] = [
        "myid", "deny-scripts-reconfig", "resolve-hostnames", "announce-hostnames", "monitor",
        "config-epoch", "leader-epoch", "known-replica", "known-slave", "known-sentinel", "rename-command",
        "current-epoch", "announce-ip", "announce-port", "sentinel-user", "sentinel-pass", "coordinated-failover",
    ] + MasterOption.fileNames

    /// Options applied in the first ("pre-monitor") pass.
    static let preMonitor: Set<String> = [
        "announce-ip", "announce-port", "deny-scripts-reconfig", "sentinel-user", "sentinel-pass",
        "current-epoch", "myid", "resolve-hostnames", "announce-hostnames",
    ]

    /// Whether `name` (lowercased) is a server directive the loader accepts.
    /// Aliases count under their primary name; `loadmodule` is known so that the rewrite can drop
    /// its lines, `rename-command` and `include` so that it keeps them as they are.
    static func isKnownServerDirective(_ name: String) -> Bool {
        actedOn.contains(name) || accepted[primaryName(name)] != nil || keptAsWritten.contains(name) || name == "loadmodule"
    }

    /// Lines Redis's rewrite never touches.
    static let keptAsWritten: Set<String> = ["rename-command", "include"]

    /// The primary name of an option given by one of its ``aliases``, else `name`.
    static func primaryName(_ name: String) -> String { aliases[name] ?? name }
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
    package static let commandLineFileName = "(command line)"
}

/// Reads the files of an `include <path>` line, as Redis's `loadServerConfig` does: a path with a
/// wildcard (`*`, `?`, `[`) is a glob pattern whose matches are read in alphabetical order (none
/// is fine); any other path must be a readable file. Returns the files' names and texts, or the
/// reason loading stops (Redis: "Fatal error, can't open config file '<path>': <strerror>").
package typealias ConfigIncludeReader = (_ path: String) -> Result<[ConfigIncludedFile], ConfigIncludeFailure>

/// One file read for an `include` line.
package struct ConfigIncludedFile: Sendable, Hashable {
    package var name: String
    package var text: String
    package init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Why an `include` line's files could not be read.
package struct ConfigIncludeFailure: Error, Sendable, Hashable {
    package var message: String
    package init(message: String) { self.message = message }
}

// MARK: - Messages

/// Error texts. Where Redis has a text for the same error, it is Redis's text.
enum ConfigMessages {
    static let unrecognizedSentinel = "Unrecognized sentinel configuration statement."
    static let badDirective = "Bad directive or wrong number of arguments"
    static let wrongArgumentCount = "wrong number of arguments"
    static let unbalancedQuotes = "Unbalanced quotes in configuration line"
    static let quorum = "Quorum must be 1 or greater."
    static let duplicateMaster = "Duplicate master name."
    static let invalidPortNumber = "Invalid port number."
    static let cantResolve = "Can't resolve instance hostname."
    static let nonPositiveTime = "negative or zero time parameter."
    static let negativeTime = "negative time parameter."
    static let noSuchMaster = "No such master with specified name."
    static let duplicateReplica = "Duplicate hostname and port for replica."
    static let duplicateSentinel = "Duplicate runid for sentinel."
    static let renamedTwice = "Same command renamed multiple times with rename-command."
    static let malformedID = "Malformed Sentinel id in myid option."
    static let denyScriptsYesNo = "Please specify yes or no for the deny-scripts-reconfig options."
    static let resolveHostnamesYesNo = "Please specify yes or no for the resolve-hostnames option."
    static let bufferLimitArgumentCount = "Wrong number of arguments in buffer limit configuration."
    static let bufferLimitClass = "Invalid client class specified in buffer limit configuration."
    static let bufferLimitValues = "Error in hard, soft or soft_seconds setting in buffer limit configuration."
    static let announceHostnamesYesNo = "Please specify yes or no for the announce-hostnames option."
    static let invalidMasterName = "Master name can't be empty or contain spaces or commas."
    static let invalidNumber = "Invalid numeric argument."
    /// redis-sentinel 7.0.15 takes any text here (`strtoull`: `-1` is 2^64-1, garbage is 0); an
    /// epoch outside the signed 64-bit range would stop every failover, so it is refused.
    static let invalidEpoch = "Invalid epoch: it must be an integer from 0 to \(Epoch.max) (see docs/security.md)."
    static let yesNo = "argument must be 'yes' or 'no'"
    static let invalidPort = "Invalid port"
    static let tooManyBind = "Too many bind addresses specified."
    static let notAnInteger = "argument couldn't be parsed into an integer"
    static let notMemory = "argument must be a memory value"
    static let invalidSave = "Invalid save parameters"
    static let usersAndAclFile =
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both."
    static let notOctal = "argument couldn't be parsed as an octal number"
    static let notMemoryOrPercent = "argument must be a memory or percent value"
    static let saveAndNosave = "shutdown options SAVE and NOSAVE can't be used simultaneously"
    static let invalidPercentiles = "Invalid latency-tracking-info-percentiles parameters"
    static let percentilesRange = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
    static let oomScoreAdjValues = "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
    static let keyspaceEvents = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
    static let invalidMasterPort = "Invalid master port"
    static let hostnameLength = "Hostnames must be less than 256 characters"
    static let hostnameCharacters = "Hostnames may only contain alphanumeric characters, hyphens or dots"
    static let moduleConfigWithoutValue = "Module config specified without value"
    /// `include` with no file reader (a caller that reads no file).
    static let includeUnsupported = "include is not supported here: no file reader"
    static let includeTooDeep = "include files nested more than 16 deep"
    static func percentAtMost(_ max: Int64) -> String { "percentage argument must be less or equal to \(max)" }
    static func oneOf(_ values: [String]) -> String {
        "argument(s) must be one of the following: " + values.joined(separator: ", ")
    }
    static func range(_ min: Int64, _ max: Int64) -> String {
        "argument must be between \(min) and \(max) inclusive"
    }
}

// MARK: - Loader

/// A `sentinel` line waiting for its pass.
private struct ConfigQueuedSentinelLine {
    var arguments: [String]
    var file: String
    var number: Int
    var text: String
}

private struct ConfigLoader {
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
        case .variadic, .saveParams, .outputBufferLimits, .shutdownOnSignal, .percentiles, .oomScoreAdjValues, .replicaOf:
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

    // MARK: Sentinel directives

    /// Applies one `sentinel` line (without the `sentinel` word). Returns an error message, or nil.
    ///
    /// Reproduces Redis's `sentinel` config handler: the argument count must match exactly
    /// ("Unrecognized sentinel configuration statement."), a per-master option names an existing
    /// master ("No such master with specified name."), then the values are checked.
    mutating func applySentinel(_ args: [String]) -> String? {
        let option = args[0].lowercased()
        let a = Array(args.dropFirst())
        if a.count == 2, let row = MasterOption.named(option), row.inFile {
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            return row.load(a[1], into: &config.masters[index])
        }
        switch (option, a.count) {
        case ("monitor", 4):
            return monitor(name: a[0], host: a[1], port: a[2], quorum: a[3])
        case ("coordinated-failover", 8):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            guard let deadline = Int64(a[7]) else { return ConfigMessages.invalidNumber }
            guard let epoch = ConfigDirectives.parseEpoch(a[1]) else { return ConfigDirectives.epochError(a[1]) }
            let old: HostPort
            let target: HostPort
            switch (makeAddress(host: a[3], port: a[4]), makeAddress(host: a[5], port: a[6])) {
            case (.success(let o), .success(let t)):
                old = o
                target = t
            case (.failure(let error), _), (_, .failure(let error)):
                return error.message
            }
            config.masters[index].coordinatedRecord = CoordinatedRecord(
                epoch: epoch, leader: a[2], old: old, target: target, pauseEndsUnixMillis: deadline)
        case ("config-epoch", 2):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            guard let epoch = ConfigDirectives.parseEpoch(a[1]) else { return ConfigDirectives.epochError(a[1]) }
            config.masters[index].configEpoch = epoch
            config.currentEpoch = max(config.currentEpoch, epoch)
        case ("leader-epoch", 2):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            guard let epoch = ConfigDirectives.parseEpoch(a[1]) else { return ConfigDirectives.epochError(a[1]) }
            config.masters[index].leaderEpoch = epoch
        case ("known-replica", 3), ("known-slave", 3):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            let address: HostPort
            switch makeAddress(host: a[1], port: a[2]) {
            case .success(let value): address = value
            case .failure(let error): return error.message
            }
            let key = HostPort(address.host.lowercased(), address.port)
            guard knownReplicaKeys[a[0], default: []].insert(key).inserted else {
                return ConfigMessages.duplicateReplica
            }
            config.masters[index].knownReplicas.append(address)
        case ("known-sentinel", 3):
            // The old form without a run id: silently ignored, as in Redis.
            break
        case ("known-sentinel", 4):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            let address: HostPort
            switch makeAddress(host: a[1], port: a[2]) {
            case .success(let value): address = value
            case .failure(let error): return error.message
            }
            guard knownSentinelIDs[a[0], default: []].insert(a[3]).inserted else {
                return ConfigMessages.duplicateSentinel
            }
            config.masters[index].knownSentinels.append(KnownSentinel(address: address, runID: a[3]))
        case ("rename-command", 3):
            guard let index = masterIndex[a[0]] else { return ConfigMessages.noSuchMaster }
            let command = a[1].lowercased()
            guard !config.masters[index].renamedCommands.contains(where: { $0.command == command }) else {
                return ConfigMessages.renamedTwice
            }
            config.masters[index].renamedCommands.append(RenamedCommand(command: command, renamed: a[2]))
        case ("current-epoch", 1):
            guard let epoch = ConfigDirectives.parseEpoch(a[0]) else { return ConfigDirectives.epochError(a[0]) }
            config.currentEpoch = max(config.currentEpoch, epoch)
        case ("myid", 1):
            guard a[0].utf8.count == 40 else { return ConfigMessages.malformedID }
            config.myID = a[0]
        case ("announce-ip", 1):
            config.announceIP = a[0].isEmpty ? nil : a[0]
        case ("announce-port", 1):
            guard let port = ConfigDirectives.parsePort(a[0]) else { return ConfigMessages.invalidPortNumber }
            config.announcePort = port
        case ("deny-scripts-reconfig", 1):
            guard let value = ConfigDirectives.parseYesNo(a[0]) else { return ConfigMessages.denyScriptsYesNo }
            config.denyScriptsReconfig = value
        case ("sentinel-user", 1):
            config.sentinelUser = a[0].isEmpty ? nil : a[0]
        case ("sentinel-pass", 1):
            config.sentinelPass = a[0].isEmpty ? nil : a[0]
        case ("resolve-hostnames", 1):
            guard let value = ConfigDirectives.parseYesNo(a[0]) else { return ConfigMessages.resolveHostnamesYesNo }
            config.resolveHostnames = value
        case ("announce-hostnames", 1):
            guard let value = ConfigDirectives.parseYesNo(a[0]) else { return ConfigMessages.announceHostnamesYesNo }
            config.announceHostnames = value
        default:
            return ConfigMessages.unrecognizedSentinel
        }
        return nil
    }

    /// `sentinel monitor <name> <host> <port> <quorum>`: Redis checks the quorum first, then
    /// creates the instance (address, then the duplicate-name check).
    mutating func monitor(name: String, host: String, port: String, quorum quorumText: String) -> String? {
        guard let quorum = Int(quorumText), quorum > 0 else { return ConfigMessages.quorum }
        guard ConfigDirectives.isValidMasterName(name) else { return ConfigMessages.invalidMasterName }
        let address: HostPort
        switch makeAddress(host: host, port: port) {
        case .success(let value): address = value
        case .failure(let error): return error.message
        }
        guard masterIndex[name] == nil else { return ConfigMessages.duplicateMaster }
        masterIndex[name] = config.masters.count
        config.masters.append(MasterConfig(name: name, address: address, quorum: quorum))
        return nil
    }

    struct AddressError: Error { var message: String }

    /// Builds an instance address as Redis's `createSentinelAddr` does, without resolving: the
    /// port must be 0...65535; the host must be an IP literal unless `resolve-hostnames` is on
    /// (pass 1 has already applied it).
    func makeAddress(host: String, port portText: String) -> Result<HostPort, AddressError> {
        guard let port = ConfigDirectives.parsePort(portText) else { return .failure(AddressError(message: ConfigMessages.invalidPortNumber)) }
        guard !host.isEmpty, config.resolveHostnames || IPAddressLiteral.isValid(host) else {
            return .failure(AddressError(message: ConfigMessages.cantResolve))
        }
        return .success(HostPort(host, port))
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
