/// One ACL selector (Redis's aclSelector): which commands, keys and channels it allows. Every
/// user has a root selector; `(...)` rules add more.
struct AclSelector: Hashable, Sendable {
    /// A key pattern with its permissions (`~p` both, `%R~p` read, `%W~p` write).
    struct KeyPattern: Hashable, Sendable {
        var pattern: String
        var read: Bool
        var write: Bool
    }

    var isRoot: Bool
    /// One flag per ``AclCommandIndex`` entry.
    var allowed: [Bool]
    /// Redis's reserved bit: set only by `+@all`/`allcommands`, so the description starts with
    /// `+@all` (future commands allowed) or `-@all`.
    var futureCommands = false
    /// `+cmd|firstarg` of commands without subcommands, by command id, in the order given.
    var firstArgs: [Int: [String]] = [:]
    var allKeys = false
    var keyPatterns: [KeyPattern] = []
    var allChannels = false
    var channels: [String] = []

    /// A new selector: no commands, keys or channels (`acl-pubsub-default` is resetchannels in 7.0).
    init(isRoot: Bool) {
        self.isRoot = isRoot
        self.allowed = Array(repeating: false, count: AclCommandIndex.count)
    }

    /// Whether the selector allows everything a sentinel could check (skips all checks).
    var allowsEverything: Bool {
        allChannels && allowed.allSatisfy { $0 }
    }

    /// Allows or blocks a command and, for a container, all its subcommands (ACLChangeSelectorPerm).
    mutating func change(_ id: Int, allow: Bool) {
        allowed[id] = allow
        firstArgs[id] = nil
        for child in AclCommandIndex.entries[id].children { allowed[child] = allow }
    }

    /// Applies `+@category`/`-@category`: every command in it, recursing into subcommands.
    mutating func change(categoryMask: UInt32, allow: Bool) {
        for (id, entry) in AclCommandIndex.entries.enumerated() where entry.categoryMask & categoryMask != 0 {
            change(id, allow: allow)
        }
    }

    /// Applies one selector rule (ACLSetSelector).
    mutating func apply(_ op: String) throws(AclRuleError) {
        let lower = op.asciiLowercased
        let bytes = Array(op.utf8)
        switch lower {
        case "allkeys", "~*":
            allKeys = true
            keyPatterns = []
        case "resetkeys":
            allKeys = false
            keyPatterns = []
        case "allchannels", "&*":
            allChannels = true
            channels = []
        case "resetchannels":
            allChannels = false
            channels = []
        case "allcommands", "+@all":
            allowed = Array(repeating: true, count: allowed.count)
            futureCommands = true
            firstArgs = [:]
        case "nocommands", "-@all":
            allowed = Array(repeating: false, count: allowed.count)
            futureCommands = false
            firstArgs = [:]
        default:
            guard let first = bytes.first else { throw .syntax }
            let second = bytes.count > 1 ? bytes[1] : 0
            if first == UInt8(ascii: "~") || first == UInt8(ascii: "%") {
                try addKeyPattern(bytes)
            } else if first == UInt8(ascii: "&") {
                if allChannels { throw .channelAfterAll }
                let pattern = String(decoding: bytes.dropFirst(), as: UTF8.self)
                if Self.hasSpaces(bytes.dropFirst()) { throw .syntax }
                if !channels.contains(pattern) { channels.append(pattern) }
                allChannels = false
            } else if (first == UInt8(ascii: "+") || first == UInt8(ascii: "-")) && second == UInt8(ascii: "@") {
                guard let bit = AclCommandIndex.categoryBit(String(decoding: bytes.dropFirst(2), as: UTF8.self)) else {
                    throw .unknownCommand
                }
                change(categoryMask: bit, allow: first == UInt8(ascii: "+"))
            } else if first == UInt8(ascii: "+") {
                try allowCommand(String(decoding: bytes.dropFirst(), as: UTF8.self))
            } else if first == UInt8(ascii: "-") {
                guard let id = AclCommandIndex.id(String(decoding: bytes.dropFirst(), as: UTF8.self)) else {
                    throw .unknownCommand
                }
                change(id, allow: false)
            } else {
                throw .syntax
            }
        }
    }

    /// `+cmd`, `+container|sub`, or `+cmd|firstarg` for a command without subcommands.
    private mutating func allowCommand(_ name: String) throws(AclRuleError) {
        guard let bar = name.lastIndex(of: "|") else {
            guard let id = AclCommandIndex.id(name) else { throw .unknownCommand }
            change(id, allow: true)
            return
        }
        let commandName = String(name[..<bar])
        let sub = String(name[name.index(after: bar)...])
        guard let id = AclCommandIndex.id(commandName) else { throw .unknownCommand }
        if AclCommandIndex.entries[id].parent != nil { throw .firstArgOfSubcommand }
        if sub.isEmpty { throw .syntax }
        if !AclCommandIndex.entries[id].children.isEmpty {
            guard let subID = AclCommandIndex.id(name) else { throw .unknownCommand }
            change(subID, allow: true)
        } else {
            var list = firstArgs[id] ?? []
            if !list.contains(where: { $0.asciiLowercased == sub.asciiLowercased }) { list.append(sub) }
            firstArgs[id] = list
        }
    }

    /// `~pattern`, `%R~pattern`, `%W~pattern`, `%RW~pattern`.
    private mutating func addKeyPattern(_ bytes: [UInt8]) throws(AclRuleError) {
        if allKeys { throw .keyAfterAll }
        var read = false
        var write = false
        var offset = 1
        if bytes[0] == UInt8(ascii: "%") {
            while offset < bytes.count {
                let c = bytes[offset] & 0xDF  // ASCII uppercase for letters
                if c == UInt8(ascii: "R") && !read {
                    read = true
                } else if c == UInt8(ascii: "W") && !write {
                    write = true
                } else if bytes[offset] == UInt8(ascii: "~") {
                    offset += 1
                    break
                } else {
                    throw .syntax
                }
                offset += 1
            }
            // `%` with no R/W is a syntax error; `%R` without `~` is an empty pattern, as in Redis.
            if !read && !write { throw .syntax }
        } else {
            read = true
            write = true
        }
        let rest = bytes[offset...]
        if Self.hasSpaces(rest) { throw .syntax }
        let pattern = String(decoding: rest, as: UTF8.self)
        if let existing = keyPatterns.firstIndex(where: { $0.pattern == pattern }) {
            keyPatterns[existing].read = keyPatterns[existing].read || read
            keyPatterns[existing].write = keyPatterns[existing].write || write
        } else {
            keyPatterns.append(KeyPattern(pattern: pattern, read: read, write: write))
        }
        allKeys = false
    }

    /// C isspace or NUL (ACLStringHasSpaces).
    static func hasSpaces<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.contains { $0 == 0 || $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
    }
}

/// Why an ACL rule was refused, with Redis's texts (ACLSetUserStringError).
package enum AclRuleError: Error, Hashable, Sendable {
    case unknownCommand
    case syntax
    case keyAfterAll
    case channelAfterAll
    case noSuchPassword
    case badHash
    case duplicateUser
    case firstArgOfSubcommand

    var message: String {
        switch self {
        case .unknownCommand: "Unknown command or category name in ACL"
        case .syntax: "Syntax error"
        case .keyAfterAll:
            "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
        case .channelAfterAll:
            "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
        case .noSuchPassword: "The password you are trying to remove from the user does not exist"
        case .badHash: "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
        case .duplicateUser: "Duplicate user found. A user can only be defined once in config files"
        case .firstArgOfSubcommand: "Allowing first-arg of a subcommand is not supported"
        }
    }
}
