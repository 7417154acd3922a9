import OrderedCollections
import RESP

/// The ACL command of the sentinel's port (Redis 7.0's aclCommand) over the users of ``AclState``.
/// SETUSER and DELUSER are persisted before they answer (see ``aclPersist(_:)``).
extension Sentinel {
    mutating func acl(_ id: ClientID, _ args: [String]) {
        let sub = args[1].lowercased()
        switch sub {
        case "setuser": aclSetUser(id, args)
        case "deluser": aclDelUser(id, args)
        case "getuser":
            reply(id, acl.user(args[2])?.getUserReply ?? .null)
        case "list", "users":
            guard args.count == 2 else { return reply(id, CommandTable.wrongArityError(command: "acl", sub: sub)) }
            let names = acl.sortedNames
            reply(
                id,
                .array(
                    names.map { name in
                        sub == "users" ? .bulkString(name) : .bulkString("user \(name) " + (acl.user(name)?.description ?? ""))
                    }))
        case "whoami":
            reply(id, .bulkString(clients[id]?.user ?? "default"))
        case "cat":
            aclCat(id, args)
        case "help":
            reply(id, .array(HelpTexts.acl.map { .simpleString($0) }))
        case "genpass":
            aclGenPass(id, args)
        case "log":
            aclLog(id, args)
        case "dryrun":
            aclDryRun(id, args)
        case "load", "save":
            guard let path = acl.filePath else { return reply(id, .error(Wire.errNoACLFile)) }
            if sub == "load" {
                guard let slot = reserveReplySlot(id) else { return }
                aclFileRequest(.read(path: path), .load(id, slot: slot))
            } else {
                aclSave(id, success: .ok)
            }
        default:
            reply(id, .error(Wire.errAclNotSupported(args[1])))
        }
    }

    /// ACL SETUSER <name> <rules...>: all rules are checked on a copy first; nothing changes
    /// when one fails (Redis's temporary user).
    private mutating func aclSetUser(_ id: ClientID, _ args: [String]) {
        let name = args[2]
        if AclSelector.hasSpaces(name.utf8) { return reply(id, .error(Wire.errAclUsernameSpaces)) }
        let raw = Array(args.dropFirst(3))
        let rules: [String]
        switch AclUser.mergeSelectorArguments(raw) {
        case .success(let merged): rules = merged
        case .failure(let unmatched):
            return reply(id, .error(Wire.errAclUnmatchedParenthesis(raw[unmatched.index])))
        }
        var user = acl.user(name) ?? AclUser(name: name)
        for rule in rules {
            do throws(AclRuleError) {
                try user.apply(rule)
            } catch {
                return reply(id, .error(Wire.errAclSetUser(rule, error.message)))
            }
        }
        let previous = acl.user(name)
        acl.set(user)
        if let previous { closePubSubClientsLosingChannels(of: previous, now: user) }
        aclChanged()
        aclPersist(id)
    }

    /// ACL DELUSER <name>...: the default user cannot be removed; clients authenticated as a
    /// removed user are disconnected (the caller after its reply).
    private mutating func aclDelUser(_ id: ClientID, _ args: [String]) {
        let names = args.dropFirst(2)
        if names.contains("default") { return reply(id, .error(Wire.errAclDeleteDefault)) }
        var deleted = 0
        var closeSelf = false
        for name in names where acl.remove(name) {
            deleted += 1
            for (clientID, session) in clients where session.user == name && session.authenticated {
                clients[clientID]?.user = "default"
                clients[clientID]?.authenticated = false
                if clientID == id { closeSelf = true } else { output.append(.closeClient(clientID)) }
            }
        }
        aclChanged()
        if closeSelf || deleted == 0 {
            // Nothing to persist, or the caller is being disconnected: answer now (the write,
            // if any, still goes out with this event; nobody waits for its answer).
            if deleted > 0 {
                if let path = acl.filePath {
                    output.append(.aclFile(.write(path: path, content: AclFile.content(acl)), token: 0))
                } else {
                    persistence.changed = true
                }
            }
            reply(id, .integer(deleted))
            if closeSelf { output.append(.closeClient(id)) }
        } else {
            aclPersist(id, reply: .integer(deleted))
        }
    }

    /// Persists the users and answers after the write: the ACL file when `aclfile` is set,
    /// else the `user` lines of sentinel.conf (Redis would need ACL SAVE or CONFIG REWRITE; see
    /// docs/acl.md).
    private mutating func aclPersist(_ id: ClientID, reply value: RESPValue = .ok) {
        if acl.filePath != nil {
            aclSave(id, success: value)
        } else {
            replyAfterFlush(id, value)
        }
    }

    /// Writes the ACL file (ACLSaveToFile) and answers `success` after the write.
    private mutating func aclSave(_ id: ClientID, success: RESPValue) {
        guard let path = acl.filePath, let slot = reserveReplySlot(id) else { return }
        aclFileRequest(.write(path: path, content: AclFile.content(acl)), .save(id, slot: slot, success: success))
    }

    private mutating func aclFileRequest(_ operation: AclFile.Operation, _ pending: AclPendingFileOperation) {
        let token = acl.nextFileToken
        acl.nextFileToken += 1
        acl.pendingFile[token] = pending
        output.append(.aclFile(operation, token: token))
    }

    /// Redis's text for an ACL file that cannot be opened.
    package static func aclOpenError(_ path: String, _ reason: String) -> String {
        "Error loading ACLs, opening file '\(path)': \(reason)"
    }

    /// The runtime read or wrote the ACL file.
    mutating func aclFileDone(token: Int, text: String?, error: String?) {
        guard let pending = acl.pendingFile.removeValue(forKey: token) else { return }
        switch pending {
        case .save(let client, let slot, let success):
            if let error { output.append(.log(.warning, "Writing ACL file for ACL SAVE: \(error)")) }
            fillReplySlot(client, slot, error == nil ? success : .error(Wire.errAclSaveFailed))
        case .load(let client, let slot):
            guard let text, let path = acl.filePath else {
                return fillReplySlot(client, slot, .error("ERR " + Self.aclOpenError(acl.filePath ?? "", error ?? "")))
            }
            switch AclFile.parse(text, fileName: path) {
            case .failure(let problem):
                fillReplySlot(client, slot, .error("ERR " + problem.message))
            case .success(let definitions):
                acl.replaceAll(definitions.compactMap { try? $0.buildFresh() })
                fillReplySlot(client, slot, .ok)
                // Every user but default is a new object in Redis: their clients are freed.
                for (clientID, session) in clients where session.user != "default" {
                    clients[clientID]?.user = "default"
                    clients[clientID]?.authenticated = false
                    output.append(.closeClient(clientID))
                }
                aclChanged()
            }
        }
    }

    /// Refreshes what sessions cache about their user after any change to the users.
    mutating func aclChanged() {
        for index in clients.values.indices {
            let name = clients.values[index].user
            clients.values[index].aclUnrestricted = userAllowsEverything(name)
        }
    }

    /// Redis's ACLKillPubsubClientsIfNeeded: subscribers of a user whose new channel rules no
    /// longer cover one of their channels or patterns are disconnected.
    private mutating func closePubSubClientsLosingChannels(of old: AclUser, now new: AclUser) {
        if new.selectors.contains(where: \.allChannels) { return }
        let upcoming = new.selectors.flatMap(\.channels)
        let previous = old.selectors.flatMap(\.channels)
        if !old.selectors.contains(where: \.allChannels), previous.allSatisfy(upcoming.contains) { return }
        for (clientID, session) in clients where session.user == new.name && session.subscriptionCount > 0 {
            let lost =
                session.patterns.contains { !upcoming.contains($0) }
                || session.channels.contains { channel in !upcoming.contains { globMatch($0, channel) } }
            if lost { output.append(.closeClient(clientID)) }
        }
    }

    /// ACL CAT: the categories; ACL CAT <category>: every command and subcommand in it.
    private mutating func aclCat(_ id: ClientID, _ args: [String]) {
        switch args.count {
        case 2:
            reply(id, .array(AclCommandIndex.categories.map { .bulkString($0) }))
        case 3:
            guard let bit = AclCommandIndex.categoryBit(args[2]) else {
                return reply(id, .error(Wire.errUnknownCategory(String(args[2].prefix(128)))))
            }
            reply(
                id,
                .array(AclCommandIndex.entries.filter { $0.categoryMask & bit != 0 }.map { .bulkString($0.fullName) }))
        default:
            reply(id, .error(Wire.errSubcommandSyntax(command: "acl", sub: args[1])))
        }
    }

    /// ACL GENPASS [bits]: (bits+3)/4 random hex digits, 256 bits by default, from the sentinel's
    /// ``SecretSource`` (Redis: /dev/urandom), not from the seeded jitter generator.
    private mutating func aclGenPass(_ id: ClientID, _ args: [String]) {
        guard args.count <= 3 else { return reply(id, .error(Wire.errSubcommandSyntax(command: "acl", sub: args[1]))) }
        var bits = 256
        if args.count == 3 {
            guard let n = RedisNumbers.int64(args[2]) else { return reply(id, .error(Wire.errNotInteger)) }
            guard n > 0, n <= 4096 else { return reply(id, .error(Wire.errAclGenpassBits)) }
            bits = Int(n)
        }
        reply(id, .bulkString(randomHex(digits: (bits + 3) / 4)))
    }

    /// ACL LOG [count|RESET]: the newest entries first (10 by default), 7.0's 7-field maps.
    private mutating func aclLog(_ id: ClientID, _ args: [String]) {
        guard args.count <= 3 else { return reply(id, .error(Wire.errSubcommandSyntax(command: "acl", sub: args[1]))) }
        var count = 10
        if args.count == 3 {
            if args[2].lowercased() == "reset" {
                acl.resetLog()
                return reply(id, .ok)
            }
            guard let n = RedisNumbers.int64(args[2]) else { return reply(id, .error(Wire.errNotInteger)) }
            count = Int(max(0, min(n, Int64(Int32.max))))
        }
        let entries = acl.log.prefix(count).map { e -> RESPValue in
            .map([
                .bulkString("count"), .integer(e.count),
                .bulkString("reason"), .bulkString(e.reason.rawValue),
                .bulkString("context"), .bulkString("toplevel"),
                .bulkString("object"), .bulkString(e.object),
                .bulkString("username"), .bulkString(e.username),
                .bulkString("age-seconds"), .double(Double(now - e.createdAt) / 1000),
                .bulkString("client-info"), .bulkString(e.clientInfo),
            ])
        }
        reply(id, .array(Array(entries)))
    }

    /// ACL DRYRUN <user> <command> [args...]: OK, or a bulk string saying what is denied.
    private mutating func aclDryRun(_ id: ClientID, _ args: [String]) {
        guard let user = acl.user(args[2]) else { return reply(id, .error(Wire.errAclDryRunNoUser(args[2]))) }
        let line = Array(args.dropFirst(3))
        let name = line[0].lowercased()
        let sub = line.count > 1 ? line[1].lowercased() : nil
        guard let target = AclCommandIndex.target(name: name, sub: sub) else {
            return reply(id, .error(Wire.errAclDryRunNoCommand(line[0])))
        }
        let entry = AclCommandIndex.entries[target]
        guard CommandSpec.arityAllows(entry.arity, line.count) else {
            return reply(id, CommandTable.wrongArityError(command: entry.fullName, sub: nil))
        }
        switch user.check(target, line) {
        case nil: reply(id, .ok)
        case .command: reply(id, .bulkString("This user has no permissions to run the '\(entry.fullName)' command"))
        case .channel(let index):
            reply(id, .bulkString("This user has no permissions to access the '\(line[index])' channel"))
        }
    }

    // MARK: - Enforcement

    /// The NOPERM refusal for a command line, or nil when the client's user may run it
    /// (processCommand's ACLCheckAllPerm); every denial goes into the ACL log.
    mutating func aclRefusal(_ index: Int, name: String, sub: String?, args: [String]) -> RESPValue? {
        // Read in place first: copying the session costs more than a simple command.
        if clients.values[index].aclUnrestricted { return nil }
        let session = clients.values[index]
        guard let target = AclCommandIndex.target(name: name, sub: sub) else { return nil }
        // A user deleted meanwhile (its clients are closed) is checked as nobody: denied.
        let denial = acl.user(session.user).map { $0.check(target, args) } ?? .command
        guard let denial else { return nil }
        let fullName = sub.map { "\(name)|\($0)" } ?? name
        switch denial {
        case .command:
            aclLogDenial(session, reason: .command, object: fullName, username: session.user)
            return .error(Wire.errNoPermCommand(fullName))
        case .channel(let position):
            aclLogDenial(session, reason: .channel, object: args[position], username: session.user)
            return .error(Wire.errNoPermChannel)
        }
    }

    /// Adds an ACL LOG entry for a denial or a failed authentication.
    mutating func aclLogDenial(_ session: ClientSession, reason: AclLogEntry.Reason, object: String, username: String) {
        acl.addLogEntry(
            AclLogEntry(
                count: 1, reason: reason, object: object, username: username, createdAt: now,
                clientInfo: session.infoLine(now: now)))
    }
}
