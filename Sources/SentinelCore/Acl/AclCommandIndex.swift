/// Every command and subcommand of the sentinel-mode command table with a small integer id, the
/// way Redis gives each command of `server.orig_commands` a bit in a user's command bitmap.
/// Ids follow ``CommandTable/commands`` (a command, then its subcommands), which is also the
/// order in which ACL descriptions list single commands.
enum AclCommandIndex {
    /// Redis 7.0's command categories, in the order `ACL CAT` lists them (ACLCommandCategories).
    static let categories = [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ]

    /// One entry: a command or a subcommand.
    struct Entry: Sendable {
        /// `ping`, or `sentinel|masters`.
        var fullName: String
        /// The container's id for a subcommand, nil for a top-level command.
        var parent: Int?
        /// The ids of this command's subcommands (empty for plain commands and subcommands).
        var children: [Int]
        /// Bit `i` set when the command is in `categories[i]`.
        var categoryMask: UInt32
        var arity: Int
        /// `no_auth`: runs without authentication and without an ACL check (AUTH, HELLO).
        var noAuth: Bool
    }

    static let entries: [Entry] = {
        var list: [Entry] = []
        func mask(_ spec: CommandSpec) -> UInt32 {
            var m: UInt32 = 0
            for name in spec.aclCategories {
                if let i = categories.firstIndex(of: String(name.dropFirst())) { m |= 1 << UInt32(i) }
            }
            return m
        }
        for command in CommandTable.commands {
            let id = list.count
            list.append(
                Entry(
                    fullName: command.name, parent: nil, children: [], categoryMask: mask(command),
                    arity: command.arity, noAuth: command.flags.contains("no_auth")))
            for sub in command.subcommands {
                list[id].children.append(list.count)
                list.append(
                    Entry(
                        fullName: sub.name, parent: id, children: [], categoryMask: mask(sub), arity: sub.arity,
                        noAuth: sub.flags.contains("no_auth")))
            }
        }
        return list
    }()

    /// Ids by lowercase full name.
    static let ids: [String: Int] = {
        var d: [String: Int] = [:]
        for (i, e) in entries.enumerated() { d[e.fullName] = i }
        return d
    }()

    static var count: Int { entries.count }

    /// The id of `name` (`cmd` or `cmd|sub`, any ASCII case), nil when unknown.
    static func id(_ name: String) -> Int? { ids[name.asciiLowercased] }

    /// The category bit of a category name (any ASCII case), nil when unknown.
    static func categoryBit(_ name: String) -> UInt32? {
        let lower = name.asciiLowercased
        guard let i = categories.firstIndex(of: lower) else { return nil }
        return 1 << UInt32(i)
    }

    /// The entry a command line runs as: the subcommand of a container, else the command.
    /// `name` and `sub` are lowercased. Nil when unknown.
    static func target(name: String, sub: String?) -> Int? {
        guard let id = ids[name] else { return nil }
        guard let sub, !entries[id].children.isEmpty else { return id }
        if let subID = ids[name + "|" + sub] { return subID }
        // SENTINEL subcommands beyond Redis 7.0's table (Valkey aliases, the coordinated-failover
        // exchange) are checked as the entry their registry row names.
        if name == "sentinel", let row = Sentinel.sentinelSubcommands[sub] { return ids["sentinel|" + row.entry] }
        return nil
    }
}
