import OrderedCollections
import RESP

/// The ACL command for the one user a sentinel has here: `default`, whose password is
/// `requirepass` (nopass without it). Users, selectors and the ACL log are not supported yet;
/// those subcommands answer an error that says so.
extension Sentinel {
    /// Whether the default user needs no password (`nopass`): what protected mode checks
    /// (Redis: `DefaultUser->flags & USER_FLAG_NOPASS`). Follows `requirepass`, `user default`
    /// lines and ACL SETUSER default.
    package var defaultUserIsNopass: Bool { acl.defaultUserIsNopass }

    /// Redis 7.0's command categories, in the order `ACL CAT` lists them (acl.c ACLCommandCategories).
    static let aclCategories = [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ]

    mutating func acl(_ id: ClientID, _ args: [String]) {
        switch args[1].lowercased() {
        case "whoami":
            reply(id, .bulkString(clients[id]?.user ?? "default"))
        case "users":
            reply(id, .array([.bulkString("default")]))
        case "list":
            reply(id, .array([.bulkString("user default " + defaultUserDescription())]))
        case "getuser":
            reply(id, args[2] == "default" ? defaultUserRecord() : .null)
        case "cat":
            aclCat(id, args)
        case "help":
            reply(id, .array(HelpTexts.acl.map { .simpleString($0) }))
        case "genpass":
            var bits = 256
            if args.count > 2 {
                guard let n = Int(args[2]), n > 0, n <= 4096 else {
                    return reply(id, .error(Wire.errAclGenpassBits))
                }
                bits = n
            }
            let hexDigits = (bits + 3) / 4
            var text = ""
            let digits = Array("0123456789abcdef")
            for _ in 0..<hexDigits { text.append(digits[Int(rng.next() & 15)]) }
            reply(id, .bulkString(text))
        default:
            reply(id, .error(Wire.errAclNotSupported(args[1])))
        }
    }

    /// ACL CAT: the categories; ACL CAT <category>: every command and subcommand of the sentinel's
    /// table in it (case-insensitive category name).
    private mutating func aclCat(_ id: ClientID, _ args: [String]) {
        switch args.count {
        case 2:
            reply(id, .array(Self.aclCategories.map { .bulkString($0) }))
        case 3:
            let category = args[2].lowercased()
            guard Self.aclCategories.contains(category) else {
                return reply(id, .error(Wire.errUnknownCategory(String(args[2].prefix(128)))))
            }
            var names: [RESPValue] = []
            for command in CommandTable.commands {
                for spec in [command] + command.subcommands where spec.aclCategories.contains("@" + category) {
                    names.append(.bulkString(spec.name))
                }
            }
            reply(id, .array(names))
        default:
            reply(id, .error(Wire.errSubcommandSyntax(command: "acl", sub: args[1])))
        }
    }

    /// ACLDescribeUser for `default`: `on nopass ~* &* +@all`, or `on #<sha256> ~* &* +@all`
    /// when `requirepass` is set.
    func defaultUserDescription() -> String {
        let password = settings.requirePass.map { "#" + SHA256.hex($0) } ?? "nopass"
        return "on \(password) ~* &* +@all"
    }

    /// ACL GETUSER default: flags (a set), passwords, the root selector's commands, keys and
    /// channels, and the (empty) list of extra selectors.
    func defaultUserRecord() -> RESPValue {
        let flags: [RESPValue] = settings.requirePass == nil ? [.bulkString("on"), .bulkString("nopass")] : [.bulkString("on")]
        let passwords: [RESPValue] = settings.requirePass.map { [.bulkString(SHA256.hex($0))] } ?? []
        return .map([
            .bulkString("flags"), .set(flags),
            .bulkString("passwords"), .array(passwords),
            .bulkString("commands"), .bulkString("+@all"),
            .bulkString("keys"), .bulkString("~*"),
            .bulkString("channels"), .bulkString("&*"),
            .bulkString("selectors"), .array([]),
        ])
    }
}
