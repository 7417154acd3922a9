/// The tunable options of one monitored master, one row each: the names it is read under, how
/// the config file (`sentinel <option> <master> <value>`) and `SENTINEL SET <master> <option>
/// <value>` check and store a value, and what the rewrite writes. Redis keeps each of them in
/// three places (sentinelHandleConfiguration, sentinelSetCommand, rewriteConfigSentinelOption);
/// here the row is the one place. Defaults are the initial values of ``MasterConfig``'s
/// properties: a value equal to ``MasterConfig/defaults``' is not written.
struct MasterOption: Sendable {
    /// A property of ``MasterConfig`` read and written by a row.
    struct Field<Value: Sendable>: Sendable {
        let get: @Sendable (MasterConfig) -> Value
        let set: @Sendable (inout MasterConfig, Value) -> Void
    }

    /// What the value is, and how the config file and SENTINEL SET check it.
    enum Value: Sendable {
        /// Milliseconds, at least `minimum` (1 or 0). The file refuses a smaller value with
        /// "negative or zero time parameter." (minimum 1) or "negative time parameter." (minimum 0).
        case milliseconds(minimum: Int64, Field<Int64>)
        /// A count: the file takes any integer (Redis's atoi), SENTINEL SET only one above 0.
        case count(Field<Int>)
        /// A path or a credential; an empty value unsets it.
        case text(Field<String?>)
    }

    /// What else SENTINEL SET does with the option.
    enum Effect: Sendable, Equatable {
        case none
        /// A script path: refused under `deny-scripts-reconfig yes`, and unless it is executable
        /// (with `notExecutable` as the error).
        case script(notExecutable: String)
        /// A credential for the master and its replicas: their links are dropped so the next
        /// connection uses it; `masked` hides the value in the `+set` event.
        case credential(masked: Bool)
    }

    /// The name the rewrite writes (Redis's).
    let name: String
    /// Other names read in the file and by SENTINEL SET (Valkey's).
    let aliases: [String]
    let value: Value
    let effect: Effect
    /// Whether the option has a `sentinel <option> <master> <value>` line (`quorum` has none: it is
    /// on the `monitor` line).
    let inFile: Bool

    init(_ name: String, aliases: [String] = [], _ value: Value, effect: Effect = .none, inFile: Bool = true) {
        self.name = name
        self.aliases = aliases
        self.value = value
        self.effect = effect
        self.inFile = inFile
    }

    /// Every name the option is read under, lowercased.
    var names: [String] { [name] + aliases }

    /// A config-file value checked as Redis's loader checks it and stored; the error message
    /// otherwise.
    func load(_ text: String, into config: inout MasterConfig) -> String? {
        switch value {
        case .milliseconds(let minimum, let field):
            guard let ms = Int64(text) else {
                return minimum > 0 ? ConfigMessages.nonPositiveTime : ConfigMessages.invalidNumber
            }
            guard ms >= minimum else { return minimum > 0 ? ConfigMessages.nonPositiveTime : ConfigMessages.negativeTime }
            field.set(&config, ms)
        case .count(let field):
            guard let n = Int(text) else { return ConfigMessages.invalidNumber }
            field.set(&config, n)
        case .text(let field):
            field.set(&config, text.isEmpty ? nil : text)
        }
        return nil
    }

    /// A SENTINEL SET value checked as Redis's sentinelSetCommand checks it and stored; false
    /// when it is invalid (the caller answers `Invalid argument`). Script checks are the
    /// caller's (``Effect/script(notExecutable:)``).
    func set(_ text: String, into config: inout MasterConfig) -> Bool {
        switch value {
        case .milliseconds(let minimum, let field):
            guard let ms = Int64(text), ms >= minimum else { return false }
            field.set(&config, ms)
        case .count(let field):
            guard let n = Int(text), n > 0 else { return false }
            field.set(&config, n)
        case .text(let field):
            field.set(&config, text.isEmpty ? nil : text)
        }
        return true
    }

    /// The value the rewrite writes, or nil when the option is at its default (or unset).
    func written(_ config: MasterConfig) -> String? {
        switch value {
        case .milliseconds(_, let field):
            let ms = field.get(config)
            return ms == field.get(.defaults) ? nil : String(ms)
        case .count(let field):
            let n = field.get(config)
            return n == field.get(.defaults) ? nil : String(n)
        case .text(let field):
            return field.get(config).flatMap { $0.isEmpty ? nil : $0 }
        }
    }
}

extension MasterOption {
    /// The rows, in the order the rewrite writes them (Redis's rewriteConfigSentinelOption order;
    /// `coordinated-pause-milliseconds` is ours and comes last).
    static let all: [MasterOption] = [
        MasterOption(
            "down-after-milliseconds",
            .milliseconds(minimum: 1, Field(get: { $0.downAfterMilliseconds }, set: { $0.downAfterMilliseconds = $1 }))),
        MasterOption(
            "failover-timeout", .milliseconds(minimum: 1, Field(get: { $0.failoverTimeout }, set: { $0.failoverTimeout = $1 }))),
        MasterOption("parallel-syncs", .count(Field(get: { $0.parallelSyncs }, set: { $0.parallelSyncs = $1 }))),
        MasterOption(
            "notification-script", .text(Field(get: { $0.notificationScript }, set: { $0.notificationScript = $1 })),
            effect: .script(notExecutable: "ERR Notification script seems non existing or non executable")),
        MasterOption(
            "client-reconfig-script", .text(Field(get: { $0.clientReconfigScript }, set: { $0.clientReconfigScript = $1 })),
            effect: .script(notExecutable: "ERR Client reconfiguration script seems non existing or non executable")),
        MasterOption(
            "auth-pass", .text(Field(get: { $0.authPass }, set: { $0.authPass = $1 })), effect: .credential(masked: true)),
        MasterOption(
            "auth-user", .text(Field(get: { $0.authUser }, set: { $0.authUser = $1 })), effect: .credential(masked: false)),
        // Valkey 8 spells it `primary-reboot-down-after-period` and reads both; Redis's name is
        // written, which every Redis and Valkey reads.
        MasterOption(
            "master-reboot-down-after-period", aliases: ["primary-reboot-down-after-period"],
            .milliseconds(
                minimum: 0, Field(get: { $0.masterRebootDownAfterPeriod }, set: { $0.masterRebootDownAfterPeriod = $1 }))),
        MasterOption("quorum", .count(Field(get: { $0.quorum }, set: { $0.quorum = $1 })), inFile: false),
        // Ours (redis-sentinel refuses the line): written only while set.
        MasterOption(
            "coordinated-pause-milliseconds",
            .milliseconds(
                minimum: 0, Field(get: { $0.coordinatedPauseMilliseconds }, set: { $0.coordinatedPauseMilliseconds = $1 }))),
    ]

    /// The row read under `name` (any case), if any.
    static func named(_ name: String) -> MasterOption? {
        let key = name.lowercased()
        return byName[key]
    }

    private static let byName: [String: MasterOption] = Dictionary(
        uniqueKeysWithValues: all.flatMap { row in row.names.map { ($0, row) } })

    /// The `sentinel <option>` names of the rows with a config-file line.
    static let fileNames: [String] = all.filter(\.inFile).flatMap(\.names)
}
