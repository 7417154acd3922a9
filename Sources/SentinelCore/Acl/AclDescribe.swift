import RESP

/// ACL LIST / ACL GETUSER / config-file text of users and selectors (ACLDescribeUser).
extension AclSelector {
    /// The command rules: `+@all`/`-@all`, then the categories that fit best, then single
    /// commands and first-args (ACLDescribeSelectorCommandRules). Single commands follow the
    /// table order (alphabetical); Redis follows its hash table, whose order changes per process.
    var commandRules: String {
        let additive = !futureCommands
        var rules = additive ? "-@all " : "+@all "
        var fake = AclSelector(isRoot: false)
        try? fake.apply(additive ? "-@all" : "+@all")
        var temp = AclSelector(isRoot: false)
        temp.allowed = allowed
        var applied = Array(repeating: false, count: AclCommandIndex.categories.count)
        while true {
            var best = -1
            var minDiff = Int.max
            var maxSame = 0
            for (j, _) in AclCommandIndex.categories.enumerated() where !applied[j] {
                let bit: UInt32 = 1 << UInt32(j)
                var on = 0
                var off = 0
                for (id, entry) in AclCommandIndex.entries.enumerated() where entry.categoryMask & bit != 0 {
                    if temp.allowed[id] { on += 1 } else { off += 1 }
                }
                let diff = additive ? off : on
                let same = additive ? on : off
                if same > diff && (diff < minDiff || (diff == minDiff && same > maxSame)) {
                    best = j
                    minDiff = diff
                    maxSame = same
                }
            }
            if best < 0 { break }
            let bit: UInt32 = 1 << UInt32(best)
            fake.change(categoryMask: bit, allow: additive)
            temp.change(categoryMask: bit, allow: !additive)
            rules += (additive ? "+@" : "-@") + AclCommandIndex.categories[best] + " "
            applied[best] = true
        }
        // Single commands: a command first (which also sets its subcommands), then its subcommands.
        for command in AclCommandIndex.entries.indices where AclCommandIndex.entries[command].parent == nil {
            for id in [command] + AclCommandIndex.entries[command].children {
                if allowed[id] != fake.allowed[id] {
                    rules += (allowed[id] ? "+" : "-") + AclCommandIndex.entries[id].fullName + " "
                    fake.change(id, allow: allowed[id])
                }
                if !allowed[id], let args = firstArgs[id] {
                    for arg in args { rules += "+" + AclCommandIndex.entries[id].fullName + "|" + arg + " " }
                }
            }
        }
        rules.removeLast()
        return rules
    }

    /// `%R~p`, `%W~p` or `~p`, as ACL LIST writes them; except a read-write `*` that is a
    /// pattern, not `allkeys` (from `%RW~*`, or `%R~*` and `%W~*`): Redis 7.0 writes it `~*`,
    /// which loads back as `allkeys` and makes any later pattern refuse the whole ACL file.
    /// `%RW~*` loads back as the same pattern, in Redis as here.
    static func describe(_ p: KeyPattern) -> String {
        if p.read && p.write && p.pattern == "*" { return "%RW~*" }
        return (p.read && p.write ? "~" : p.read ? "%R~" : "%W~") + p.pattern
    }

    /// The `keys` field of ACL GETUSER.
    var keysDescription: String {
        allKeys ? "~*" : keyPatterns.map(Self.describe).joined(separator: " ")
    }

    /// The `channels` field of ACL GETUSER.
    var channelsDescription: String {
        allChannels ? "&*" : channels.map { "&" + $0 }.joined(separator: " ")
    }

    /// Keys, channels and commands as ACL LIST shows them (ACLDescribeSelector).
    var description: String {
        var s = ""
        if allKeys {
            s += "~* "
        } else {
            for p in keyPatterns { s += Self.describe(p) + " " }
        }
        if allChannels {
            s += "&* "
        } else {
            s += "resetchannels "
            for c in channels { s += "&" + c + " " }
        }
        return s + commandRules
    }

    /// The commands/keys/channels map of ACL GETUSER.
    var getUserFields: [RESPValue] {
        [
            .bulkString("commands"), .bulkString(commandRules),
            .bulkString("keys"), .bulkString(keysDescription),
            .bulkString("channels"), .bulkString(channelsDescription),
        ]
    }
}

extension AclUser {
    /// The flags in Redis's order (`on`/`off`, `nopass`, sanitize flags).
    var flags: [String] {
        var f = [enabled ? "on" : "off"]
        if nopass { f.append("nopass") }
        if skipSanitizePayload { f.append("skip-sanitize-payload") }
        if sanitizePayload { f.append("sanitize-payload") }
        return f
    }

    /// Everything after `user <name> ` in ACL LIST and in config/ACL files.
    package var description: String {
        var s = flags.joined(separator: " ") + " "
        for p in passwords { s += "#" + p + " " }
        s += root.description
        for selector in selectors.dropFirst() { s += " (" + selector.description + ")" }
        return s
    }

    /// The rules of ``description`` as separate words, selectors kept whole (for `user` lines).
    var descriptionRules: [String] {
        var words = flags + passwords.map { "#" + $0 }
        words += root.description.split(separator: " ").map(String.init)
        for selector in selectors.dropFirst() { words.append("(" + selector.description + ")") }
        return words
    }

    /// ACL GETUSER (7.0): flags (a set), passwords, the root selector's commands, keys and
    /// channels, and the other selectors as maps.
    var getUserReply: RESPValue {
        var fields: [RESPValue] = [
            .bulkString("flags"), .set(flags.map { .bulkString($0) }),
            .bulkString("passwords"), .array(passwords.map { .bulkString($0) }),
        ]
        fields += root.getUserFields
        fields += [.bulkString("selectors"), .array(selectors.dropFirst().map { .map($0.getUserFields) })]
        return .map(fields)
    }
}
