//===----------------------------------------------------------------------===//
// swift-sentinel — the command table of a Redis 7.0.15 sentinel, and COMMAND
//===----------------------------------------------------------------------===//

import RESP

/// One documented argument of a command, as `COMMAND DOCS` shows it.
package struct CommandArgument: Hashable, Sendable {
    /// The argument's `type` in `COMMAND DOCS`.
    package enum Kind: String, Hashable, Sendable {
        case string
        case integer
        case double
        case key
        case pattern
        case unixTime = "unix-time"
        case pureToken = "pure-token"
        case oneof
        case block
    }

    package var name: String
    package var kind: Kind
    package var token: String?
    package var since: String?
    package var deprecatedSince: String?
    /// `optional`, `multiple`, `multiple_token`.
    package var flags: [String]
    /// The members of a `oneof` or `block`.
    package var arguments: [CommandArgument]

    package init(
        _ name: String,
        _ kind: Kind,
        token: String? = nil,
        since: String? = nil,
        deprecatedSince: String? = nil,
        flags: [String] = [],
        arguments: [CommandArgument] = []
    ) {
        self.name = name
        self.kind = kind
        self.token = token
        self.since = since
        self.deprecatedSince = deprecatedSince
        self.flags = flags
        self.arguments = arguments
    }

    /// The `COMMAND DOCS` map of this argument, fields in Redis's order.
    package var docsReply: RESPValue {
        var m: [RESPValue] = [.bulkString("name"), .bulkString(name), .bulkString("type"), .bulkString(kind.rawValue)]
        if let token { m += [.bulkString("token"), .bulkString(token)] }
        if let since { m += [.bulkString("since"), .bulkString(since)] }
        if let deprecatedSince { m += [.bulkString("deprecated_since"), .bulkString(deprecatedSince)] }
        if !flags.isEmpty { m += [.bulkString("flags"), .set(flags.map { .simpleString($0) })] }
        if !arguments.isEmpty { m += [.bulkString("arguments"), .array(arguments.map(\.docsReply))] }
        return .map(m)
    }
}

/// One line of a command's `history` in `COMMAND DOCS`.
package struct CommandHistoryEntry: Hashable, Sendable {
    package var version: String
    package var change: String

    package init(_ version: String, _ change: String) {
        self.version = version
        self.change = change
    }
}

/// The documentation of one command or subcommand (`COMMAND DOCS`).
package struct CommandDocs: Hashable, Sendable {
    package var summary: String
    package var since: String
    package var group: String
    package var complexity: String?
    /// `deprecated`, `syscmd`.
    package var docFlags: [String]
    package var deprecatedSince: String?
    package var replacedBy: String?
    package var history: [CommandHistoryEntry]
    package var arguments: [CommandArgument]

    package init(
        summary: String,
        since: String,
        group: String,
        complexity: String? = nil,
        docFlags: [String] = [],
        deprecatedSince: String? = nil,
        replacedBy: String? = nil,
        history: [CommandHistoryEntry] = [],
        arguments: [CommandArgument] = []
    ) {
        self.summary = summary
        self.since = since
        self.group = group
        self.complexity = complexity
        self.docFlags = docFlags
        self.deprecatedSince = deprecatedSince
        self.replacedBy = replacedBy
        self.history = history
        self.arguments = arguments
    }
}

/// One entry of the command table: a command, or a subcommand of a container command.
package struct CommandSpec: Hashable, Sendable {
    /// Lowercase full name: `ping`, or `client|list` for a subcommand.
    package var name: String
    /// Redis arity: counts every word including the command (and subcommand) name; negative
    /// means "at least".
    package var arity: Int
    /// Command flags as `COMMAND INFO` lists them (`admin`, `noscript`, `loading`, ...).
    package var flags: [String]
    package var firstKey: Int
    package var lastKey: Int
    package var step: Int
    /// ACL categories, with their `@`.
    package var aclCategories: [String]
    /// Command tips (`nondeterministic_output`, `request_policy:...`).
    package var tips: [String]
    /// Key specifications. No command available in sentinel mode has keys.
    package var keySpecs: [RESPValue]
    package var docs: CommandDocs
    package var subcommands: [CommandSpec]

    package init(
        name: String,
        arity: Int,
        flags: [String],
        firstKey: Int = 0,
        lastKey: Int = 0,
        step: Int = 0,
        aclCategories: [String],
        tips: [String] = [],
        keySpecs: [RESPValue] = [],
        docs: CommandDocs,
        subcommands: [CommandSpec] = []
    ) {
        self.name = name
        self.arity = arity
        self.flags = flags
        self.firstKey = firstKey
        self.lastKey = lastKey
        self.step = step
        self.aclCategories = aclCategories
        self.tips = tips
        self.keySpecs = keySpecs
        self.docs = docs
        self.subcommands = subcommands
    }

    /// Whether `count` words (command name included) satisfy the arity.
    package func acceptsArgumentCount(_ count: Int) -> Bool {
        Self.arityAllows(arity, count)
    }

    /// Redis's arity rule: a positive arity is the exact number of words (command name
    /// included), a negative one the least.
    package static func arityAllows(_ arity: Int, _ count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    /// The subcommand whose last name part equals `sub`, ignoring ASCII case.
    package func subcommand(named sub: String) -> CommandSpec? {
        let wanted = name + "|" + sub.asciiLowercased
        return subcommands.first { $0.name == wanted }
    }

    /// The `COMMAND INFO` entry: a 10-element array, in Redis 7.0's order and RESP3 types.
    package var infoReply: RESPValue {
        .array([
            .bulkString(name),
            .integer(arity),
            .set(flags.map { .simpleString($0) }),
            .integer(firstKey),
            .integer(lastKey),
            .integer(step),
            .set(aclCategories.map { .simpleString($0) }),
            .set(tips.map { .bulkString($0) }),
            .set(keySpecs),
            // Redis sends an empty *set* when there are no subcommands, else an array.
            subcommands.isEmpty ? .set([]) : .array(subcommands.map(\.infoReply)),
        ])
    }

    /// The `COMMAND DOCS` map of this command, fields in Redis 7.0's order.
    package var docsReply: RESPValue {
        var m: [RESPValue] = [
            .bulkString("summary"), .bulkString(docs.summary),
            .bulkString("since"), .bulkString(docs.since),
            .bulkString("group"), .bulkString(docs.group),
        ]
        if let complexity = docs.complexity { m += [.bulkString("complexity"), .bulkString(complexity)] }
        if !docs.docFlags.isEmpty { m += [.bulkString("doc_flags"), .set(docs.docFlags.map { .simpleString($0) })] }
        if let d = docs.deprecatedSince { m += [.bulkString("deprecated_since"), .bulkString(d)] }
        if let r = docs.replacedBy { m += [.bulkString("replaced_by"), .bulkString(r)] }
        if !docs.history.isEmpty {
            m += [
                .bulkString("history"),
                .set(docs.history.map { .array([.bulkString($0.version), .bulkString($0.change)]) }),
            ]
        }
        if !docs.arguments.isEmpty { m += [.bulkString("arguments"), .array(docs.arguments.map(\.docsReply))] }
        if !subcommands.isEmpty {
            var subs: [RESPValue] = []
            for s in subcommands { subs += [.bulkString(s.name), s.docsReply] }
            m += [.bulkString("subcommands"), .map(subs)]
        }
        return .map(m)
    }
}

/// The commands a Redis 7.0.15 sentinel registers, with `COMMAND` and the generic dispatch
/// errors (unknown command, unknown subcommand, wrong arity).
///
/// The data was taken from what `COMMAND` and `COMMAND DOCS` return on a running redis-sentinel
/// 7.0.15. Differences from it:
/// * `client|setinfo` is added (Redis 7.2 behaviour): clients send `CLIENT SETINFO` on connect.
/// * Commands and subcommands are listed in alphabetical order; Redis lists them in hash-table
///   order, which changes from run to run.
package enum CommandTable {
    /// Top-level commands by lowercase name.
    private static let byName: [String: CommandSpec] = {
        var d: [String: CommandSpec] = [:]
        for c in commands { d[c.name] = c }
        return d
    }()

    /// The top-level command `name` (any ASCII case), or a subcommand written `parent|sub`.
    package static func lookup(_ name: String) -> CommandSpec? {
        let parts = name.asciiLowercased.split(separator: "|", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return byName[String(parts[0])]
        case 2:
            return byName[String(parts[0])]?.subcommand(named: String(parts[1]))
        default:
            return nil
        }
    }

    /// Whether `command` is a top-level command of the sentinel table (ASCII case-insensitive).
    package static func knows(_ command: String) -> Bool {
        byName[command.asciiLowercased] != nil
    }

    /// Whether `command` is a container command (`ACL`, `CLIENT`, `COMMAND`, `SENTINEL`).
    package static func hasSubcommands(_ command: String) -> Bool {
        !(byName[command.asciiLowercased]?.subcommands.isEmpty ?? true)
    }

    /// Whether `sub` is a subcommand of `command` (both ASCII case-insensitive).
    package static func isKnownSubcommand(_ sub: String, of command: String) -> Bool {
        byName[command.asciiLowercased]?.subcommand(named: sub) != nil
    }

    /// The arity of `command`, or of its subcommand `subcommand` when `command` is a container.
    /// `subcommand` is ignored for commands without subcommands. Nil when unknown.
    package static func arity(of command: String, subcommand: String?) -> Int? {
        guard let spec = byName[command.asciiLowercased] else { return nil }
        guard let subcommand, !spec.subcommands.isEmpty else { return spec.arity }
        return spec.subcommand(named: subcommand)?.arity
    }

    /// What Redis checks before running any command, in its order: the command exists, the
    /// subcommand exists (for a container given two or more words), the arity. Returns the
    /// error reply, or nil when the command may run. `args` includes the command name.
    package static func check(_ args: [String]) -> RESPValue? {
        guard let first = args.first, let spec = byName[first.asciiLowercased] else {
            return unknownCommandError(args: args)
        }
        var target = spec
        if !spec.subcommands.isEmpty, args.count >= 2 {
            guard let sub = spec.subcommand(named: args[1]) else {
                return unknownSubcommandError(command: spec.name, sub: args[1])
            }
            target = sub
        }
        guard target.acceptsArgumentCount(args.count) else {
            return .error("ERR wrong number of arguments for '\(target.name)' command")
        }
        return nil
    }

    // MARK: - Generic errors

    /// `ERR unknown command '<cmd>', with args beginning with: '<a1>' '<a2>' ` — byte-exact with
    /// Redis: the name is cut to 128 bytes; arguments are appended, each quoted and followed by a
    /// space, while the list is shorter than 128 bytes, the last one cut so the list stays within
    /// 128 bytes (plus its closing `' `). CR and LF become spaces. `args` includes the command.
    package static func unknownCommandError(args: [String]) -> RESPValue {
        var text = Array("ERR unknown command '".utf8)
        text += cString(args.first ?? "", limit: 128)
        text += Array("', with args beginning with: ".utf8)
        var list: [UInt8] = []
        var i = 1
        while i < args.count, list.count < 128 {
            list.append(UInt8(ascii: "'"))
            list += cString(args[i], limit: 128 - list.count + 1)
            list += Array("' ".utf8)
            i += 1
        }
        return .error(sanitized(text + list))
    }

    /// `ERR unknown subcommand '<sub>'. Try <COMMAND> HELP.` The subcommand is cut to 128 bytes
    /// and the command name is uppercased.
    package static func unknownSubcommandError(command: String, sub: String) -> RESPValue {
        var text = Array("ERR unknown subcommand '".utf8)
        text += cString(sub, limit: 128)
        text += Array("'. Try \(command.asciiUppercased) HELP.".utf8)
        return .error(sanitized(text))
    }

    /// `ERR wrong number of arguments for '<cmd>' command`, or `'<cmd>|<sub>'` for a subcommand.
    /// Names are lowercased, as Redis prints the command's canonical name.
    package static func wrongArityError(command: String, sub: String?) -> RESPValue {
        var name = command.asciiLowercased
        if let sub { name += "|" + sub.asciiLowercased }
        return .error(sanitized(Array("ERR wrong number of arguments for '\(name)' command".utf8)))
    }

    /// The bytes `printf("%.*s")` would print: up to the first NUL, at most `limit` bytes.
    private static func cString(_ s: String, limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        for b in s.utf8 {
            if b == 0 || out.count >= limit { break }
            out.append(b)
        }
        return out
    }

    /// Redis replaces CR and LF in error texts with spaces so the reply stays one line.
    private static func sanitized(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { $0 == 13 || $0 == 10 ? 32 : $0 }, as: UTF8.self)
    }

    // MARK: - COMMAND

    /// The reply to `COMMAND ...`; `args` is the whole command, `COMMAND` included. Performs the
    /// subcommand and arity checks itself.
    package static func reply(for args: [String]) -> RESPValue {
        var args = args
        if args.isEmpty { args = ["command"] }
        if let error = check(args) { return error }
        if args.count == 1 { return .array(commands.map(\.infoReply)) }
        switch args[1].asciiLowercased {
        case "count":
            return .integer(commands.count)
        case "list":
            return list(args)
        case "info":
            if args.count == 2 { return .array(commands.map(\.infoReply)) }
            return .array(args[2...].map { lookup($0)?.infoReply ?? .null })
        case "docs":
            var m: [RESPValue] = []
            if args.count == 2 {
                for c in commands { m += [.bulkString(c.name), c.docsReply] }
            } else {
                for name in args[2...] {
                    if let c = lookup(name) { m += [.bulkString(c.name), c.docsReply] }
                }
            }
            return .map(m)
        case "getkeys", "getkeysandflags":
            return getKeys(Array(args[2...]))
        case "help":
            return .array(HelpTexts.command.map { .simpleString($0) })
        default:
            return unknownSubcommandError(command: "command", sub: args[1])
        }
    }

    /// `COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]`: names of commands and
    /// subcommands (`parent|sub`), each parent followed by its subcommands.
    private static func list(_ args: [String]) -> RESPValue {
        let filter: (CommandSpec) -> Bool
        if args.count == 2 {
            filter = { _ in true }
        } else if args.count == 5, args[2].asciiLowercased == "filterby" {
            let value = args[4]
            switch args[3].asciiLowercased {
            case "module":
                filter = { _ in false }  // no modules are loaded
            case "aclcat":
                let category = "@" + value.asciiLowercased
                filter = { $0.aclCategories.contains(category) }
            case "pattern":
                filter = { globMatch(value, $0.name, caseInsensitive: true) }
            default:
                return .error("ERR syntax error")
            }
        } else {
            return .error("ERR syntax error")
        }
        var names: [RESPValue] = []
        for c in commands {
            if filter(c) { names.append(.bulkString(c.name)) }
            for s in c.subcommands where filter(s) { names.append(.bulkString(s.name)) }
        }
        return .array(names)
    }

    /// `COMMAND GETKEYS` / `GETKEYSANDFLAGS` on `full` (the command being asked about, at least
    /// two words given the arity). No sentinel command takes keys, so a known command always
    /// yields Redis's "no key arguments" error.
    private static func getKeys(_ full: [String]) -> RESPValue {
        guard let first = full.first, var spec = byName[first.asciiLowercased] else {
            return .error("ERR Invalid command specified")
        }
        if !spec.subcommands.isEmpty, full.count >= 2 {
            guard let sub = spec.subcommand(named: full[1]) else {
                return .error("ERR Invalid command specified")
            }
            spec = sub
        }
        if spec.firstKey == 0 && spec.keySpecs.isEmpty {
            return .error("ERR The command has no key arguments")
        }
        // Unreachable with this table; kept so a command with keys would behave like Redis.
        guard spec.acceptsArgumentCount(full.count) else {
            return .error("ERR Invalid number of arguments specified for command")
        }
        return .error("ERR The command has no key arguments")
    }
}

extension String {
    /// Lowercases ASCII letters only, as Redis's case-insensitive command lookup (strcasecmp)
    /// does; other bytes are unchanged, and a string without capitals is returned as it is.
    var asciiLowercased: String {
        if !utf8.contains(where: { $0 >= 65 && $0 <= 90 }) { return self }
        return String(decoding: utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Uppercases ASCII letters only.
    fileprivate var asciiUppercased: String {
        String(decoding: utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
    }
}

// MARK: - Table data

extension CommandTable {
    /// Every command registered in sentinel mode, alphabetical, with subcommands nested.
    /// `COMMAND COUNT` counts these top-level entries only.
    package static let commands: [CommandSpec] = [
        CommandSpec(
            name: "acl",
            arity: -2,
            flags: [],
            aclCategories: ["@slow"],
            docs: CommandDocs(
                summary: "A container for Access List Control commands ",
                since: "6.0.0",
                group: "server",
                complexity: "Depends on subcommand."
            ),
            subcommands: [
                CommandSpec(
                    name: "acl|cat",
                    arity: -2,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow"],
                    docs: CommandDocs(
                        summary: "List the ACL categories or the commands inside a category",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(1) since the categories and commands are a fixed set.",
                        arguments: [
                            CommandArgument("categoryname", .string, flags: ["optional"])
                        ]
                    )
                ),
                CommandSpec(
                    name: "acl|deluser",
                    arity: -3,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Remove the specified ACL users and the associated rules",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(1) amortized time considering the typical user.",
                        arguments: [
                            CommandArgument("username", .string, flags: ["multiple"])
                        ]
                    )
                ),
                CommandSpec(
                    name: "acl|dryrun",
                    arity: -4,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary:
                            "Returns whether the user can execute the given command without executing the command.",
                        since: "7.0.0",
                        group: "server",
                        complexity: "O(1).",
                        arguments: [
                            CommandArgument("username", .string),
                            CommandArgument("command", .string),
                            CommandArgument("arg", .string, flags: ["optional", "multiple"]),
                        ]
                    )
                ),
                CommandSpec(
                    name: "acl|genpass",
                    arity: -2,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow"],
                    docs: CommandDocs(
                        summary: "Generate a pseudorandom secure password to use for ACL users",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument("bits", .integer, flags: ["optional"])
                        ]
                    )
                ),
                CommandSpec(
                    name: "acl|getuser",
                    arity: 3,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Get the rules for a specific ACL user",
                        since: "6.0.0",
                        group: "server",
                        complexity:
                            "O(N). Where N is the number of password, command and pattern rules that the user has.",
                        history: [
                            CommandHistoryEntry("6.2.0", "Added Pub/Sub channel patterns."),
                            CommandHistoryEntry(
                                "7.0.0",
                                "Added selectors and changed the format of key and channel patterns from a list to their rule representation."
                            ),
                        ],
                        arguments: [
                            CommandArgument("username", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "acl|help",
                    arity: 2,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow"],
                    docs: CommandDocs(
                        summary: "Show helpful text about the different subcommands",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "acl|list",
                    arity: 2,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "List the current ACL rules in ACL config file format",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(N). Where N is the number of configured users."
                    )
                ),
                CommandSpec(
                    name: "acl|load",
                    arity: 2,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Reload the ACLs from the configured ACL file",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(N). Where N is the number of configured users."
                    )
                ),
                CommandSpec(
                    name: "acl|log",
                    arity: -2,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "List latest events denied because of ACLs in place",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(N) with N being the number of entries shown.",
                        arguments: [
                            CommandArgument(
                                "operation",
                                .oneof,
                                flags: ["optional"],
                                arguments: [
                                    CommandArgument("count", .integer),
                                    CommandArgument("reset", .pureToken, token: "RESET"),
                                ]
                            )
                        ]
                    )
                ),
                CommandSpec(
                    name: "acl|save",
                    arity: 2,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Save the current ACL rules in the configured ACL file",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(N). Where N is the number of configured users."
                    )
                ),
                CommandSpec(
                    name: "acl|setuser",
                    arity: -3,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Modify or create the rules for a specific ACL user",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(N). Where N is the number of rules provided.",
                        history: [
                            CommandHistoryEntry("6.2.0", "Added Pub/Sub channel patterns."),
                            CommandHistoryEntry("7.0.0", "Added selectors and key based permissions."),
                        ],
                        arguments: [
                            CommandArgument("username", .string),
                            CommandArgument("rule", .string, flags: ["optional", "multiple"]),
                        ]
                    )
                ),
                CommandSpec(
                    name: "acl|users",
                    arity: 2,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "List the username of all the configured ACL rules",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(N). Where N is the number of configured users."
                    )
                ),
                CommandSpec(
                    name: "acl|whoami",
                    arity: 2,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow"],
                    docs: CommandDocs(
                        summary: "Return the name of the user associated to the current connection",
                        since: "6.0.0",
                        group: "server",
                        complexity: "O(1)"
                    )
                ),
            ]
        ),
        CommandSpec(
            name: "auth",
            arity: -2,
            flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
            aclCategories: ["@fast", "@connection"],
            docs: CommandDocs(
                summary: "Authenticate to the server",
                since: "1.0.0",
                group: "connection",
                complexity: "O(N) where N is the number of passwords defined for the user",
                history: [
                    CommandHistoryEntry("6.0.0", "Added ACL style (username and password).")
                ],
                arguments: [
                    CommandArgument("username", .string, since: "6.0.0", flags: ["optional"]),
                    CommandArgument("password", .string),
                ]
            )
        ),
        CommandSpec(
            name: "client",
            arity: -2,
            flags: [],
            aclCategories: ["@slow"],
            docs: CommandDocs(
                summary: "A container for client connection commands",
                since: "2.4.0",
                group: "connection",
                complexity: "Depends on subcommand."
            ),
            subcommands: [
                CommandSpec(
                    name: "client|caching",
                    arity: 3,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Instruct the server about tracking or not keys in the next request",
                        since: "6.0.0",
                        group: "connection",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument(
                                "mode",
                                .oneof,
                                arguments: [
                                    CommandArgument("yes", .pureToken, token: "YES"),
                                    CommandArgument("no", .pureToken, token: "NO"),
                                ]
                            )
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|getname",
                    arity: 2,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Get the current connection name",
                        since: "2.6.9",
                        group: "connection",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "client|getredir",
                    arity: 2,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Get tracking notifications redirection client ID if any",
                        since: "6.0.0",
                        group: "connection",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "client|help",
                    arity: 2,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Show helpful text about the different subcommands",
                        since: "5.0.0",
                        group: "connection",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "client|id",
                    arity: 2,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Returns the client ID for the current connection",
                        since: "5.0.0",
                        group: "connection",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "client|info",
                    arity: 2,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    tips: ["nondeterministic_output"],
                    docs: CommandDocs(
                        summary: "Returns information about the current client connection.",
                        since: "6.2.0",
                        group: "connection",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "client|kill",
                    arity: -3,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous", "@connection"],
                    docs: CommandDocs(
                        summary: "Kill the connection of a client",
                        since: "2.4.0",
                        group: "connection",
                        complexity: "O(N) where N is the number of client connections",
                        history: [
                            CommandHistoryEntry("2.8.12", "Added new filter format."),
                            CommandHistoryEntry("2.8.12", "`ID` option."),
                            CommandHistoryEntry("3.2.0", "Added `master` type in for `TYPE` option."),
                            CommandHistoryEntry(
                                "5.0.0",
                                "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."
                            ),
                            CommandHistoryEntry("6.2.0", "`LADDR` option."),
                        ],
                        arguments: [
                            CommandArgument(
                                "filter",
                                .oneof,
                                arguments: [
                                    CommandArgument("ip:port", .string, deprecatedSince: "2.8.12"),
                                    CommandArgument(
                                        "new-format",
                                        .oneof,
                                        flags: ["multiple"],
                                        arguments: [
                                            CommandArgument(
                                                "client-id", .integer, token: "ID", since: "2.8.12", flags: ["optional"]
                                            ),
                                            CommandArgument(
                                                "normal_master_slave_pubsub",
                                                .oneof,
                                                token: "TYPE",
                                                since: "2.8.12",
                                                flags: ["optional"],
                                                arguments: [
                                                    CommandArgument("normal", .pureToken, token: "NORMAL"),
                                                    CommandArgument(
                                                        "master", .pureToken, token: "MASTER", since: "3.2.0"),
                                                    CommandArgument("slave", .pureToken, token: "SLAVE"),
                                                    CommandArgument(
                                                        "replica", .pureToken, token: "REPLICA", since: "5.0.0"),
                                                    CommandArgument("pubsub", .pureToken, token: "PUBSUB"),
                                                ]
                                            ),
                                            CommandArgument("username", .string, token: "USER", flags: ["optional"]),
                                            CommandArgument("ip:port", .string, token: "ADDR", flags: ["optional"]),
                                            CommandArgument(
                                                "ip:port", .string, token: "LADDR", since: "6.2.0", flags: ["optional"]),
                                            CommandArgument("yes/no", .string, token: "SKIPME", flags: ["optional"]),
                                        ]
                                    ),
                                ]
                            )
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|list",
                    arity: -2,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous", "@connection"],
                    tips: ["nondeterministic_output"],
                    docs: CommandDocs(
                        summary: "Get the list of client connections",
                        since: "2.4.0",
                        group: "connection",
                        complexity: "O(N) where N is the number of client connections",
                        history: [
                            CommandHistoryEntry("2.8.12", "Added unique client `id` field."),
                            CommandHistoryEntry("5.0.0", "Added optional `TYPE` filter."),
                            CommandHistoryEntry("6.0.0", "Added `user` field."),
                            CommandHistoryEntry(
                                "6.2.0",
                                "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."),
                            CommandHistoryEntry("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."),
                            CommandHistoryEntry("7.0.3", "Added `ssub` field."),
                        ],
                        arguments: [
                            CommandArgument(
                                "normal_master_replica_pubsub",
                                .oneof,
                                token: "TYPE",
                                since: "5.0.0",
                                flags: ["optional"],
                                arguments: [
                                    CommandArgument("normal", .pureToken, token: "NORMAL"),
                                    CommandArgument("master", .pureToken, token: "MASTER"),
                                    CommandArgument("replica", .pureToken, token: "REPLICA"),
                                    CommandArgument("pubsub", .pureToken, token: "PUBSUB"),
                                ]
                            ),
                            CommandArgument(
                                "id",
                                .block,
                                token: "ID",
                                since: "6.2.0",
                                flags: ["optional"],
                                arguments: [
                                    CommandArgument("client-id", .integer, flags: ["multiple"])
                                ]
                            ),
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|no-evict",
                    arity: 3,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous", "@connection"],
                    docs: CommandDocs(
                        summary: "Set client eviction mode for the current connection",
                        since: "7.0.0",
                        group: "connection",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument(
                                "enabled",
                                .oneof,
                                arguments: [
                                    CommandArgument("on", .pureToken, token: "ON"),
                                    CommandArgument("off", .pureToken, token: "OFF"),
                                ]
                            )
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|pause",
                    arity: -3,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous", "@connection"],
                    docs: CommandDocs(
                        summary: "Stop processing commands from clients for some time",
                        since: "2.9.50",
                        group: "connection",
                        complexity: "O(1)",
                        history: [
                            CommandHistoryEntry(
                                "6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option.")
                        ],
                        arguments: [
                            CommandArgument("timeout", .integer),
                            CommandArgument(
                                "mode",
                                .oneof,
                                since: "6.2.0",
                                flags: ["optional"],
                                arguments: [
                                    CommandArgument("write", .pureToken, token: "WRITE"),
                                    CommandArgument("all", .pureToken, token: "ALL"),
                                ]
                            ),
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|reply",
                    arity: 3,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Instruct the server whether to reply to commands",
                        since: "3.2.0",
                        group: "connection",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument(
                                "on_off_skip",
                                .oneof,
                                arguments: [
                                    CommandArgument("on", .pureToken, token: "ON"),
                                    CommandArgument("off", .pureToken, token: "OFF"),
                                    CommandArgument("skip", .pureToken, token: "SKIP"),
                                ]
                            )
                        ]
                    )
                ),
                // Not in 7.0.15 (added in 7.2): clients send CLIENT SETINFO on connect.
                CommandSpec(
                    name: "client|setinfo",
                    arity: 4,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Sets information specific to the client or connection.",
                        since: "7.2.0",
                        group: "connection",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument(
                                "attr",
                                .oneof,
                                arguments: [
                                    CommandArgument("libname", .string, token: "lib-name"),
                                    CommandArgument("libver", .string, token: "lib-ver"),
                                ]
                            )
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|setname",
                    arity: 3,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Set the current connection name",
                        since: "2.6.9",
                        group: "connection",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument("connection-name", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|tracking",
                    arity: -3,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Enable or disable server assisted client side caching support",
                        since: "6.0.0",
                        group: "connection",
                        complexity: "O(1). Some options may introduce additional complexity.",
                        arguments: [
                            CommandArgument(
                                "status",
                                .oneof,
                                arguments: [
                                    CommandArgument("on", .pureToken, token: "ON"),
                                    CommandArgument("off", .pureToken, token: "OFF"),
                                ]
                            ),
                            CommandArgument("client-id", .integer, token: "REDIRECT", flags: ["optional"]),
                            CommandArgument(
                                "prefix", .string, token: "PREFIX", flags: ["optional", "multiple", "multiple_token"]),
                            CommandArgument("bcast", .pureToken, token: "BCAST", flags: ["optional"]),
                            CommandArgument("optin", .pureToken, token: "OPTIN", flags: ["optional"]),
                            CommandArgument("optout", .pureToken, token: "OPTOUT", flags: ["optional"]),
                            CommandArgument("noloop", .pureToken, token: "NOLOOP", flags: ["optional"]),
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|trackinginfo",
                    arity: 2,
                    flags: ["noscript", "loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary:
                            "Return information about server assisted client side caching for the current connection",
                        since: "6.2.0",
                        group: "connection",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "client|unblock",
                    arity: -3,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous", "@connection"],
                    docs: CommandDocs(
                        summary: "Unblock a client blocked in a blocking command from a different connection",
                        since: "5.0.0",
                        group: "connection",
                        complexity: "O(log N) where N is the number of client connections",
                        arguments: [
                            CommandArgument("client-id", .integer),
                            CommandArgument(
                                "timeout_error",
                                .oneof,
                                flags: ["optional"],
                                arguments: [
                                    CommandArgument("timeout", .pureToken, token: "TIMEOUT"),
                                    CommandArgument("error", .pureToken, token: "ERROR"),
                                ]
                            ),
                        ]
                    )
                ),
                CommandSpec(
                    name: "client|unpause",
                    arity: 2,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous", "@connection"],
                    docs: CommandDocs(
                        summary: "Resume processing of clients that were paused",
                        since: "6.2.0",
                        group: "connection",
                        complexity: "O(N) Where N is the number of paused clients"
                    )
                ),
            ]
        ),
        CommandSpec(
            name: "command",
            arity: -1,
            flags: ["loading", "stale"],
            aclCategories: ["@slow", "@connection"],
            tips: ["nondeterministic_output_order"],
            docs: CommandDocs(
                summary: "Get array of Redis command details",
                since: "2.8.13",
                group: "server",
                complexity: "O(N) where N is the total number of Redis commands"
            ),
            subcommands: [
                CommandSpec(
                    name: "command|count",
                    arity: 2,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Get total number of Redis commands",
                        since: "2.8.13",
                        group: "server",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "command|docs",
                    arity: -2,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    tips: ["nondeterministic_output_order"],
                    docs: CommandDocs(
                        summary: "Get array of specific Redis command documentation",
                        since: "7.0.0",
                        group: "server",
                        complexity: "O(N) where N is the number of commands to look up",
                        arguments: [
                            CommandArgument("command-name", .string, flags: ["optional", "multiple"])
                        ]
                    )
                ),
                CommandSpec(
                    name: "command|getkeys",
                    arity: -4,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Extract keys given a full Redis command",
                        since: "2.8.13",
                        group: "server",
                        complexity: "O(N) where N is the number of arguments to the command"
                    )
                ),
                CommandSpec(
                    name: "command|getkeysandflags",
                    arity: -4,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Extract keys and access flags given a full Redis command",
                        since: "7.0.0",
                        group: "server",
                        complexity: "O(N) where N is the number of arguments to the command"
                    )
                ),
                CommandSpec(
                    name: "command|help",
                    arity: 2,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    docs: CommandDocs(
                        summary: "Show helpful text about the different subcommands",
                        since: "5.0.0",
                        group: "server",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "command|info",
                    arity: -2,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    tips: ["nondeterministic_output_order"],
                    docs: CommandDocs(
                        summary: "Get array of specific Redis command details, or all when no argument is given.",
                        since: "2.8.13",
                        group: "server",
                        complexity: "O(N) where N is the number of commands to look up",
                        history: [
                            CommandHistoryEntry(
                                "7.0.0", "Allowed to be called with no argument to get info on all commands.")
                        ],
                        arguments: [
                            CommandArgument("command-name", .string, flags: ["optional", "multiple"])
                        ]
                    )
                ),
                CommandSpec(
                    name: "command|list",
                    arity: -2,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow", "@connection"],
                    tips: ["nondeterministic_output_order"],
                    docs: CommandDocs(
                        summary: "Get an array of Redis command names",
                        since: "7.0.0",
                        group: "server",
                        complexity: "O(N) where N is the total number of Redis commands",
                        arguments: [
                            CommandArgument(
                                "filterby",
                                .oneof,
                                token: "FILTERBY",
                                flags: ["optional"],
                                arguments: [
                                    CommandArgument("module-name", .string, token: "MODULE"),
                                    CommandArgument("category", .string, token: "ACLCAT"),
                                    CommandArgument("pattern", .pattern, token: "PATTERN"),
                                ]
                            )
                        ]
                    )
                ),
            ]
        ),
        CommandSpec(
            name: "hello",
            arity: -1,
            flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
            aclCategories: ["@fast", "@connection"],
            docs: CommandDocs(
                summary: "Handshake with Redis",
                since: "6.0.0",
                group: "connection",
                complexity: "O(1)",
                history: [
                    CommandHistoryEntry(
                        "6.2.0",
                        "`protover` made optional; when called without arguments the command reports the current connection's context."
                    )
                ],
                arguments: [
                    CommandArgument(
                        "arguments",
                        .block,
                        flags: ["optional"],
                        arguments: [
                            CommandArgument("protover", .integer),
                            CommandArgument(
                                "username_password",
                                .block,
                                token: "AUTH",
                                flags: ["optional"],
                                arguments: [
                                    CommandArgument("username", .string),
                                    CommandArgument("password", .string),
                                ]
                            ),
                            CommandArgument("clientname", .string, token: "SETNAME", flags: ["optional"]),
                        ]
                    )
                ]
            )
        ),
        CommandSpec(
            name: "info",
            arity: -1,
            flags: ["loading", "stale"],
            aclCategories: ["@slow", "@dangerous"],
            tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
            docs: CommandDocs(
                summary: "Get information and statistics about the server",
                since: "1.0.0",
                group: "server",
                complexity: "O(1)",
                history: [
                    CommandHistoryEntry("7.0.0", "Added support for taking multiple section arguments.")
                ],
                arguments: [
                    CommandArgument("section", .string, flags: ["optional", "multiple"])
                ]
            )
        ),
        CommandSpec(
            name: "ping",
            arity: -1,
            flags: ["fast"],
            aclCategories: ["@fast", "@connection"],
            tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
            docs: CommandDocs(
                summary: "Ping the server",
                since: "1.0.0",
                group: "connection",
                complexity: "O(1)",
                arguments: [
                    CommandArgument("message", .string, flags: ["optional"])
                ]
            )
        ),
        CommandSpec(
            name: "psubscribe",
            arity: -2,
            flags: ["pubsub", "noscript", "loading", "stale"],
            aclCategories: ["@pubsub", "@slow"],
            docs: CommandDocs(
                summary: "Listen for messages published to channels matching the given patterns",
                since: "2.0.0",
                group: "pubsub",
                complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
                arguments: [
                    CommandArgument(
                        "pattern",
                        .block,
                        flags: ["multiple"],
                        arguments: [
                            CommandArgument("pattern", .pattern)
                        ]
                    )
                ]
            )
        ),
        CommandSpec(
            name: "publish",
            arity: 3,
            flags: ["pubsub", "loading", "stale", "fast"],
            aclCategories: ["@pubsub", "@fast"],
            docs: CommandDocs(
                summary: "Post a message to a channel",
                since: "2.0.0",
                group: "pubsub",
                complexity:
                    "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
                arguments: [
                    CommandArgument("channel", .string),
                    CommandArgument("message", .string),
                ]
            )
        ),
        CommandSpec(
            name: "punsubscribe",
            arity: -1,
            flags: ["pubsub", "noscript", "loading", "stale"],
            aclCategories: ["@pubsub", "@slow"],
            docs: CommandDocs(
                summary: "Stop listening for messages posted to channels matching the given patterns",
                since: "2.0.0",
                group: "pubsub",
                complexity:
                    "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
                arguments: [
                    CommandArgument("pattern", .pattern, flags: ["optional", "multiple"])
                ]
            )
        ),
        CommandSpec(
            name: "role",
            arity: 1,
            flags: ["noscript", "loading", "stale", "fast"],
            aclCategories: ["@admin", "@fast", "@dangerous"],
            docs: CommandDocs(
                summary: "Return the role of the instance in the context of replication",
                since: "2.8.12",
                group: "server",
                complexity: "O(1)"
            )
        ),
        CommandSpec(
            name: "sentinel",
            arity: -2,
            flags: ["admin"],
            aclCategories: ["@admin", "@slow", "@dangerous"],
            docs: CommandDocs(
                summary: "A container for Sentinel commands",
                since: "2.8.4",
                group: "sentinel",
                complexity: "Depends on subcommand."
            ),
            subcommands: [
                CommandSpec(
                    name: "sentinel|ckquorum",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Check for a Sentinel quorum",
                        since: "2.8.4",
                        group: "sentinel",
                        arguments: [
                            CommandArgument("master-name", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|config",
                    arity: -3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Configure Sentinel",
                        since: "6.2.0",
                        group: "sentinel",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument(
                                "set_or_get",
                                .oneof,
                                arguments: [
                                    CommandArgument(
                                        "set_param_value",
                                        .block,
                                        token: "SET",
                                        flags: ["multiple"],
                                        arguments: [
                                            CommandArgument("parameter", .string),
                                            CommandArgument("value", .string),
                                        ]
                                    ),
                                    CommandArgument("parameter", .string, token: "GET", flags: ["multiple"]),
                                ]
                            )
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|debug",
                    arity: -2,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "List or update the current configurable parameters",
                        since: "7.0.0",
                        group: "sentinel",
                        complexity: "O(N) where N is the number of configurable parameters",
                        arguments: [
                            CommandArgument(
                                "parameter_value",
                                .block,
                                flags: ["multiple"],
                                arguments: [
                                    CommandArgument("parameter", .string),
                                    CommandArgument("value", .string),
                                ]
                            )
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|failover",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Force a failover",
                        since: "2.8.4",
                        group: "sentinel",
                        arguments: [
                            CommandArgument("master-name", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|flushconfig",
                    arity: 2,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Rewrite configuration file",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "sentinel|get-master-addr-by-name",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Get port and address of a master",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument("master-name", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|help",
                    arity: 2,
                    flags: ["loading", "stale"],
                    aclCategories: ["@slow"],
                    docs: CommandDocs(
                        summary: "Show helpful text about the different subcommands",
                        since: "6.2.0",
                        group: "sentinel",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "sentinel|info-cache",
                    arity: -3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Get cached INFO from the instances in the deployment",
                        since: "3.2.0",
                        group: "sentinel",
                        complexity: "O(N) where N is the number of instances",
                        arguments: [
                            CommandArgument("nodename", .string, flags: ["multiple"])
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|is-master-down-by-addr",
                    arity: 6,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Check if a master is down",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument("ip", .string),
                            CommandArgument("port", .integer),
                            CommandArgument("current-epoch", .integer),
                            CommandArgument("runid", .string),
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|master",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Shows the state of a master",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument("master-name", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|masters",
                    arity: 2,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "List the monitored masters",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(N) where N is the number of masters"
                    )
                ),
                CommandSpec(
                    name: "sentinel|monitor",
                    arity: 6,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Start monitoring",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument("name", .string),
                            CommandArgument("ip", .string),
                            CommandArgument("port", .integer),
                            CommandArgument("quorum", .integer),
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|myid",
                    arity: 2,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Get the Sentinel instance ID",
                        since: "6.2.0",
                        group: "sentinel",
                        complexity: "O(1)"
                    )
                ),
                CommandSpec(
                    name: "sentinel|pending-scripts",
                    arity: 2,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Get information about pending scripts",
                        since: "2.8.4",
                        group: "sentinel"
                    )
                ),
                CommandSpec(
                    name: "sentinel|remove",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Stop monitoring",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument("master-name", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|replicas",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "List the monitored replicas",
                        since: "5.0.0",
                        group: "sentinel",
                        complexity: "O(N) where N is the number of replicas",
                        arguments: [
                            CommandArgument("master-name", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|reset",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Reset masters by name pattern",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(N) where N is the number of monitored masters",
                        arguments: [
                            CommandArgument("pattern", .pattern)
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|sentinels",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "List the Sentinel instances",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(N) where N is the number of Sentinels",
                        arguments: [
                            CommandArgument("master-name", .string)
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|set",
                    arity: -5,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Change the configuration of a monitored master",
                        since: "2.8.4",
                        group: "sentinel",
                        complexity: "O(1)",
                        arguments: [
                            CommandArgument("master-name", .string),
                            CommandArgument(
                                "option_value",
                                .block,
                                flags: ["multiple"],
                                arguments: [
                                    CommandArgument("option", .string),
                                    CommandArgument("value", .string),
                                ]
                            ),
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|simulate-failure",
                    arity: -3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Simulate failover scenarios",
                        since: "3.2.0",
                        group: "sentinel",
                        arguments: [
                            CommandArgument(
                                "mode",
                                .oneof,
                                flags: ["optional", "multiple"],
                                arguments: [
                                    CommandArgument("crash-after-election", .pureToken),
                                    CommandArgument("crash-after-promotion", .pureToken),
                                    CommandArgument("help", .pureToken),
                                ]
                            )
                        ]
                    )
                ),
                CommandSpec(
                    name: "sentinel|slaves",
                    arity: 3,
                    flags: ["admin"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "List the monitored slaves",
                        since: "2.8.0",
                        group: "sentinel",
                        complexity: "O(N) where N is the number of slaves",
                        docFlags: ["deprecated"],
                        deprecatedSince: "5.0.0",
                        replacedBy: "`SENTINEL REPLICAS`",
                        arguments: [
                            CommandArgument("master-name", .string)
                        ]
                    )
                ),
            ]
        ),
        CommandSpec(
            name: "shutdown",
            arity: -1,
            flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
            aclCategories: ["@admin", "@slow", "@dangerous"],
            docs: CommandDocs(
                summary: "Synchronously save the dataset to disk and then shut down the server",
                since: "1.0.0",
                group: "server",
                complexity:
                    "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
                history: [
                    CommandHistoryEntry("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")
                ],
                arguments: [
                    CommandArgument(
                        "nosave_save",
                        .oneof,
                        flags: ["optional"],
                        arguments: [
                            CommandArgument("nosave", .pureToken, token: "NOSAVE"),
                            CommandArgument("save", .pureToken, token: "SAVE"),
                        ]
                    ),
                    CommandArgument("now", .pureToken, token: "NOW", since: "7.0.0", flags: ["optional"]),
                    CommandArgument("force", .pureToken, token: "FORCE", since: "7.0.0", flags: ["optional"]),
                    CommandArgument("abort", .pureToken, token: "ABORT", since: "7.0.0", flags: ["optional"]),
                ]
            )
        ),
        CommandSpec(
            name: "subscribe",
            arity: -2,
            flags: ["pubsub", "noscript", "loading", "stale"],
            aclCategories: ["@pubsub", "@slow"],
            docs: CommandDocs(
                summary: "Listen for messages published to the given channels",
                since: "2.0.0",
                group: "pubsub",
                complexity: "O(N) where N is the number of channels to subscribe to.",
                arguments: [
                    CommandArgument("channel", .string, flags: ["multiple"])
                ]
            )
        ),
        CommandSpec(
            name: "unsubscribe",
            arity: -1,
            flags: ["pubsub", "noscript", "loading", "stale"],
            aclCategories: ["@pubsub", "@slow"],
            docs: CommandDocs(
                summary: "Stop listening for messages posted to the given channels",
                since: "2.0.0",
                group: "pubsub",
                complexity: "O(N) where N is the number of clients already subscribed to a channel.",
                arguments: [
                    CommandArgument("channel", .string, flags: ["optional", "multiple"])
                ]
            )
        ),
    ]
}
