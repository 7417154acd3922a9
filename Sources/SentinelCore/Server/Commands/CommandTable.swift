//===----------------------------------------------------------------------===//
// swift-sentinel — the command table of a Redis 7.0.15 sentinel, and COMMAND
//===----------------------------------------------------------------------===//

import RESP

/// One documented argument of a command, as `COMMAND DOCS` shows it.
struct CommandArgument: Hashable, Sendable {
    /// The argument's `type` in `COMMAND DOCS`.
    enum Kind: String, Hashable, Sendable {
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

    var name: String
    var kind: Kind
    var token: String?
    var since: String?
    var deprecatedSince: String?
    /// `optional`, `multiple`, `multiple_token`.
    var flags: [String]
    /// The members of a `oneof` or `block`.
    var arguments: [CommandArgument]

    init(
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
    var docsReply: RESPValue {
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
struct CommandHistoryEntry: Hashable, Sendable {
    var version: String
    var change: String

    init(_ version: String, _ change: String) {
        self.version = version
        self.change = change
    }
}

/// The documentation of one command or subcommand (`COMMAND DOCS`).
struct CommandDocs: Hashable, Sendable {
    var summary: String
    var since: String
    var group: String
    var complexity: String?
    /// `deprecated`, `syscmd`.
    var docFlags: [String]
    var deprecatedSince: String?
    var replacedBy: String?
    var history: [CommandHistoryEntry]
    var arguments: [CommandArgument]

    init(
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
struct CommandSpec: Hashable, Sendable {
    /// Lowercase full name: `ping`, or `client|list` for a subcommand.
    var name: String
    /// Redis arity: counts every word including the command (and subcommand) name; negative
    /// means "at least".
    var arity: Int
    /// Command flags as `COMMAND INFO` lists them (`admin`, `noscript`, `loading`, ...).
    var flags: [String]
    var firstKey: Int
    var lastKey: Int
    var step: Int
    /// ACL categories, with their `@`.
    var aclCategories: [String]
    /// Command tips (`nondeterministic_output`, `request_policy:...`).
    var tips: [String]
    /// Key specifications. No command available in sentinel mode has keys.
    var keySpecs: [RESPValue]
    var docs: CommandDocs
    var subcommands: [CommandSpec]

    init(
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
    func acceptsArgumentCount(_ count: Int) -> Bool {
        Self.arityAllows(arity, count)
    }

    /// Redis's arity rule: a positive arity is the exact number of words (command name
    /// included), a negative one the least.
    static func arityAllows(_ arity: Int, _ count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    /// The subcommand whose last name part equals `sub`, ignoring ASCII case.
    func subcommand(named sub: String) -> CommandSpec? {
        let wanted = name + "|" + sub.asciiLowercased
        return subcommands.first { $0.name == wanted }
    }

    /// The `COMMAND INFO` entry: a 10-element array, in Redis 7.0's order and RESP3 types.
    var infoReply: RESPValue {
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
    var docsReply: RESPValue {
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
/// The data (``commands``) lives in `Server/Spec/commands.json`, compiled into
/// `CommandTable+Generated.swift` by `scripts/generate-command-table`. It was taken from what
/// `COMMAND` and `COMMAND DOCS` return on a running redis-sentinel 7.0.15. Differences from it:
/// * `client|setinfo` is added (Redis 7.2 behaviour): clients send `CLIENT SETINFO` on connect.
/// * Commands and subcommands are listed in alphabetical order; Redis lists them in hash-table
///   order, which changes from run to run.
enum CommandTable {
    /// Top-level commands by lowercase name.
    private static let byName: [String: CommandSpec] = {
        var d: [String: CommandSpec] = [:]
        for c in commands { d[c.name] = c }
        return d
    }()

    /// The top-level command `name` (any ASCII case), or a subcommand written `parent|sub`.
    static func lookup(_ name: String) -> CommandSpec? {
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
    static func knows(_ command: String) -> Bool {
        byName[command.asciiLowercased] != nil
    }

    /// Whether `command` is a container command (`ACL`, `CLIENT`, `COMMAND`, `SENTINEL`).
    static func hasSubcommands(_ command: String) -> Bool {
        !(byName[command.asciiLowercased]?.subcommands.isEmpty ?? true)
    }

    /// Whether `sub` is a subcommand of `command` (both ASCII case-insensitive).
    static func isKnownSubcommand(_ sub: String, of command: String) -> Bool {
        byName[command.asciiLowercased]?.subcommand(named: sub) != nil
    }

    /// The arity of `command`, or of its subcommand `subcommand` when `command` is a container.
    /// `subcommand` is ignored for commands without subcommands. Nil when unknown.
    static func arity(of command: String, subcommand: String?) -> Int? {
        guard let spec = byName[command.asciiLowercased] else { return nil }
        guard let subcommand, !spec.subcommands.isEmpty else { return spec.arity }
        return spec.subcommand(named: subcommand)?.arity
    }

    /// What Redis checks before running any command, in its order: the command exists, the
    /// subcommand exists (for a container given two or more words), the arity. Returns the
    /// error reply, or nil when the command may run. `args` includes the command name.
    static func check(_ args: [String]) -> RESPValue? {
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
    static func unknownCommandError(args: [String]) -> RESPValue {
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
    static func unknownSubcommandError(command: String, sub: String) -> RESPValue {
        var text = Array("ERR unknown subcommand '".utf8)
        text += cString(sub, limit: 128)
        text += Array("'. Try \(command.asciiUppercased) HELP.".utf8)
        return .error(sanitized(text))
    }

    /// `ERR wrong number of arguments for '<cmd>' command`, or `'<cmd>|<sub>'` for a subcommand.
    /// Names are lowercased, as Redis prints the command's canonical name.
    static func wrongArityError(command: String, sub: String?) -> RESPValue {
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
    static func reply(for args: [String]) -> RESPValue {
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
        // Over the contiguous bytes when there are (every native string): iterating the UTF-8
        // view byte by byte cost ~400 instructions per command name.
        let hasCapital = utf8.withContiguousStorageIfAvailable { $0.contains { $0 &- 65 < 26 } }
            ?? utf8.contains { $0 &- 65 < 26 }
        if !hasCapital { return self }
        return String(decoding: utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Uppercases ASCII letters only.
    fileprivate var asciiUppercased: String {
        String(decoding: utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
    }
}
