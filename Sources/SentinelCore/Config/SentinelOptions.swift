/// The sentinel's global options, one row each: how the config file (`sentinel <option> <value>`)
/// and `SENTINEL CONFIG SET` check and store a value, what `SENTINEL CONFIG GET` shows, and what
/// the rewrite writes. Redis keeps each in four places (sentinelHandleConfiguration,
/// sentinelConfigSetCommand, sentinelConfigGetCommand, rewriteConfigSentinelOption); here the row
/// is the one place. Defaults are the initial values of ``SentinelConfig``'s properties: a value
/// equal to the default is not written. The per-master options are ``MasterOption``.
struct SentinelOption: Sendable {
    /// A property of ``SentinelConfig`` read and written by a row.
    struct Field<Value: Sendable>: Sendable {
        let get: @Sendable (SentinelConfig) -> Value
        let set: @Sendable (inout SentinelConfig, Value) -> Void
    }

    /// What the value is, and how it is checked (the same check in the file and in CONFIG SET).
    enum Value: Sendable {
        /// `yes` or `no` (any case); the file refuses anything else with `fileError`.
        case flag(Field<Bool>, fileError: String)
        /// A port, 0 to 65535.
        case port(Field<Int>)
        /// A string; an empty value unsets it.
        case text(Field<String?>)
        /// A log level name (`loglevel`, a server directive in the file; CONFIG SET only here).
        case logLevel(Field<LogLevel>)
        /// A log format name (`log-format`, a server directive in the file; CONFIG SET only here).
        case logFormat(Field<LogFormat>)
    }

    /// Where the rewrite writes the line: before the masters or after `current-epoch`, as
    /// redis-sentinel does; `none` for an option with no `sentinel` line.
    enum FilePlace: Sendable, Equatable {
        case beforeMasters
        case afterMasters
        case none
    }

    /// What else a change through SENTINEL CONFIG SET does.
    enum Effect: Sendable, Equatable {
        case none
        /// Our credentials for the peers: their links are dropped so the next connection uses them.
        case peerCredential
        /// The runtime's log level changes at once.
        case logLevel
        /// The runtime's log format changes at once (the next line is in the new format).
        case logFormat
    }

    let name: String
    let value: Value
    let place: FilePlace
    /// Whether SENTINEL CONFIG GET/SET know it.
    let configurable: Bool
    /// Whether the rewrite quotes the value (Redis writes `announce-ip` with sdscatrepr).
    let quoted: Bool
    let effect: Effect

    init(
        _ name: String, _ value: Value, place: FilePlace, configurable: Bool = true, quoted: Bool = false,
        effect: Effect = .none
    ) {
        self.name = name
        self.value = value
        self.place = place
        self.configurable = configurable
        self.quoted = quoted
        self.effect = effect
    }

    /// Whether it has a `sentinel <option> <value>` line in the file.
    var inFile: Bool { place != .none }

    /// A value checked and stored; the config file's error message when it is invalid.
    func load(_ text: String, into config: inout SentinelConfig) -> String? {
        switch value {
        case .flag(let field, let fileError):
            guard let flag = ConfigDirectives.parseYesNo(text) else { return fileError }
            field.set(&config, flag)
        case .port(let field):
            guard let port = ConfigDirectives.parsePort(text) else { return ConfigMessages.invalidPortNumber }
            field.set(&config, port)
        case .text(let field):
            field.set(&config, text.isEmpty ? nil : text)
        case .logLevel(let field):
            guard let level = LogLevel(name: text) else { return "Invalid log level" }
            field.set(&config, level)
        case .logFormat(let field):
            guard let format = LogFormat(name: text) else { return "Invalid log format" }
            field.set(&config, format)
        }
        return nil
    }

    /// Whether SENTINEL CONFIG SET accepts the value (checked for every pair before any is applied).
    func accepts(_ text: String) -> Bool {
        var scratch = SentinelConfig()
        return load(text, into: &scratch) == nil
    }

    /// What SENTINEL CONFIG GET shows.
    func shown(_ config: SentinelConfig) -> String {
        switch value {
        case .flag(let field, _): field.get(config) ? "yes" : "no"
        case .port(let field): String(field.get(config))
        case .text(let field): field.get(config) ?? ""
        case .logLevel(let field): field.get(config).name
        case .logFormat(let field): field.get(config).name
        }
    }

    /// The value the rewrite writes, or nil when the option is at its default (or unset).
    func written(_ config: SentinelConfig) -> String? {
        switch value {
        case .flag(let field, _):
            let flag = field.get(config)
            return flag == field.get(SentinelConfig()) ? nil : (flag ? "yes" : "no")
        case .port(let field):
            let port = field.get(config)
            return port == field.get(SentinelConfig()) ? nil : String(port)
        case .text(let field):
            return field.get(config).flatMap { $0.isEmpty ? nil : $0 }
        case .logLevel, .logFormat:
            // Server directives: ConfigRewriter.rewriteServerOptions writes them.
            return nil
        }
    }
}

extension SentinelOption {
    /// The rows: CONFIG GET lists the configurable ones in this order (Redis's), and the rewrite
    /// writes each group in this order.
    static let all: [SentinelOption] = [
        SentinelOption(
            "deny-scripts-reconfig",
            .flag(
                Field(get: { $0.denyScriptsReconfig }, set: { $0.denyScriptsReconfig = $1 }),
                fileError: ConfigMessages.denyScriptsYesNo),
            place: .beforeMasters, configurable: false),
        SentinelOption(
            "resolve-hostnames",
            .flag(
                Field(get: { $0.resolveHostnames }, set: { $0.resolveHostnames = $1 }),
                fileError: ConfigMessages.resolveHostnamesYesNo),
            place: .beforeMasters),
        SentinelOption(
            "announce-hostnames",
            .flag(
                Field(get: { $0.announceHostnames }, set: { $0.announceHostnames = $1 }),
                fileError: ConfigMessages.announceHostnamesYesNo),
            place: .beforeMasters),
        SentinelOption(
            "announce-ip", .text(Field(get: { $0.announceIP }, set: { $0.announceIP = $1 })), place: .afterMasters,
            quoted: true),
        SentinelOption(
            "announce-port", .port(Field(get: { $0.announcePort }, set: { $0.announcePort = $1 })), place: .afterMasters),
        SentinelOption(
            "sentinel-user", .text(Field(get: { $0.sentinelUser }, set: { $0.sentinelUser = $1 })), place: .afterMasters,
            effect: .peerCredential),
        SentinelOption(
            "sentinel-pass", .text(Field(get: { $0.sentinelPass }, set: { $0.sentinelPass = $1 })), place: .afterMasters,
            effect: .peerCredential),
        SentinelOption(
            "loglevel", .logLevel(Field(get: { $0.logLevel }, set: { $0.logLevel = $1 })), place: .none,
            effect: .logLevel),
        SentinelOption(
            "log-format", .logFormat(Field(get: { $0.logFormat }, set: { $0.logFormat = $1 })), place: .none,
            effect: .logFormat),
    ]

    /// The row named `name` (any case), if any.
    static func named(_ name: String) -> SentinelOption? {
        byName[name.lowercased()]
    }

    private static let byName: [String: SentinelOption] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The options SENTINEL CONFIG GET/SET know, in Redis's reply order.
    static let configurableNames: [String] = all.filter(\.configurable).map(\.name)

    /// The `sentinel <option>` names of the rows with a config-file line.
    static let fileNames: [String] = all.filter(\.inFile).map(\.name)
}
