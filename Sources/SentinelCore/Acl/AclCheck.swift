/// Whether a user may run a command line (ACLCheckAllUserCommandPerm): the command (or the
/// subcommand, or an allowed first argument) must be allowed by one selector, and that selector
/// must allow the channels of PUBLISH, SUBSCRIBE and PSUBSCRIBE. No sentinel command has keys.
enum AclDenial: Hashable, Sendable {
    /// The command is not allowed by any selector.
    case command
    /// The channel argument at this index of the command line is not allowed.
    case channel(index: Int)
}

extension AclSelector {
    /// Redis's ACLSelectorCheckCmd for the sentinel table.
    func check(_ id: Int, _ args: [String]) -> AclDenial? {
        let entry = AclCommandIndex.entries[id]
        if !entry.noAuth && !allowed[id] {
            let argIndex = entry.parent == nil ? 1 : 2
            guard args.count > argIndex, let allowedArgs = firstArgs[id],
                allowedArgs.contains(where: { $0.asciiLowercased == args[argIndex].asciiLowercased })
            else { return .command }
        }
        if !allChannels {
            switch entry.fullName {
            case "publish":
                if args.count > 1, !channels.contains(where: { globMatch($0, args[1]) }) { return .channel(index: 1) }
            case "subscribe":
                for i in args.indices.dropFirst() where !channels.contains(where: { globMatch($0, args[i]) }) {
                    return .channel(index: i)
                }
            case "psubscribe":
                for i in args.indices.dropFirst() where !channels.contains(args[i]) { return .channel(index: i) }
            default:
                break
            }
        }
        return nil
    }
}

extension AclUser {
    /// Nil when the user may run `args` as command `id`; else the denial Redis reports (the
    /// command when no selector allows it, else the last channel no selector allows).
    func check(_ id: Int, _ args: [String]) -> AclDenial? {
        var relevant: AclDenial = .command
        var lastIndex = 0
        for selector in selectors {
            guard let denial = selector.check(id, args) else { return nil }
            if case .channel(let index) = denial {
                if case .command = relevant {
                    relevant = denial
                    lastIndex = index
                } else if index > lastIndex {
                    relevant = denial
                    lastIndex = index
                }
            }
        }
        return relevant
    }
}

extension AclUser {
    /// Whether a selector allows every command of the table and every channel: then no check
    /// can deny anything and the per-command check is skipped.
    var allowsEverything: Bool { selectors.contains(where: \.allowsEverything) }
}
