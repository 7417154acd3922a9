import DequeModule
import OrderedCollections
import RESP

/// The commands of the sentinel's own port other than SENTINEL (sentinel-behaviour §9.4):
/// PING, INFO, ROLE, AUTH, HELLO, CLIENT, COMMAND, (P)(UN)SUBSCRIBE, PUBLISH, SHUTDOWN.
extension Sentinel {
    /// Commands allowed while a RESP2 client is in subscribed mode.
    static let subscribedContextCommands: Set<String> = [
        "subscribe", "psubscribe", "unsubscribe", "punsubscribe", "ping", "quit", "reset",
    ]

    /// A command from a client. While earlier commands of the same client wait for a CLIENT
    /// PAUSE to end, this one queues behind them.
    mutating func clientCommand(_ id: ClientID, _ args: [String]) {
        guard let index = clientIndex(id), !args.isEmpty else { return }
        if !clients.values[index].postponed.isEmpty {
            clients.values[index].postponed.append(args)
            return
        }
        runCommand(id, args)
    }

    /// Checks and runs one command (Redis's processCommand and call). Returns false when the
    /// command was postponed by CLIENT PAUSE instead.
    @discardableResult
    mutating func runCommand(_ id: ClientID, _ sent: [String]) -> Bool {
        guard let index = clientIndex(id), !sent.isEmpty else { return true }
        // Server-level rename-command: the name sent stands for its command; a command's old name
        // is unknown (Redis looks the name up in its renamed command table).
        var args = sent
        var renamedAway = false
        if let names = commandNames {
            if let command = names[sent[0].asciiLowercased] { args[0] = command } else { renamedAway = true }
        }
        let name = args[0].asciiLowercased
        let row = Self.commandRows[name]
        // The subcommand of a container, lowercased once for every use below.
        let sub = args.count > 1 && row?.hasSubcommands == true ? args[1].asciiLowercased : nil
        // Redis records the command as the client's last one when it looks it up, before any
        // check (a postponed command shows in CLIENT LIST as `cmd=`). Updated in place: copying
        // the session out and back costs more than the rest of a simple command.
        clients.values[index].noteCommand(name, sub: sub, now: now)

        // Redis checks the command, the subcommand and the argument count before authentication.
        let refusal: RESPValue?
        // SENTINEL's subcommand row, found once by the check and run below.
        var sentinelRow: SentinelSubcommand?
        let checkError: RESPValue?
        if name == "sentinel" {
            switch Self.sentinelSubcommand(args, sub: sub) {
            case .success(let row): sentinelRow = row; checkError = nil
            case .failure(let refusal): checkError = refusal.reply
            }
        } else {
            checkError = CommandTable.check(args)
        }
        if renamedAway {
            refusal = CommandTable.unknownCommandError(args: sent)
        } else if let checkError {
            refusal = checkError
        } else if !clients.values[index].authenticated && name != "auth" && name != "hello" {
            refusal = .error(Wire.errNoAuth)
        } else if let denied = aclRefusal(index, name: name, sub: sub, args: args) {
            refusal = denied
        } else if clients.values[index].proto == .resp2 && clients.values[index].subscriptionCount > 0
            && !Self.subscribedContextCommands.contains(name)
        {
            refusal = .error(Wire.errSubscribedContext(name))
        } else {
            refusal = nil
        }
        // The command table is consulted only while a CLIENT PAUSE is in force (mustPostpone is
        // false without one).
        if refusal == nil, clientPause != nil {
            let spec = CommandTable.lookup(args.count > 1 && CommandTable.hasSubcommands(name) ? "\(name)|\(args[1])" : name)
            if mustPostpone(spec) {
                postpone(id, sent)
                return false
            }
        }

        if let refusal {
            reply(id, refusal)
        } else {
            if let sentinelRow { sentinelRow.run(&self, id, args) } else { execute(id, row, args, sub: sub) }
            // After the command, as Redis's call() does: INFO does not count itself.
            counters.commandsProcessed += 1
        }
        commandFinished(id, command: name)
        return true
    }

    /// Runs a checked command through its ``CommandRow``. `sub` is the lowercased subcommand of a
    /// container command.
    private mutating func execute(_ id: ClientID, _ row: CommandRow?, _ args: [String], sub: String?) {
        guard let row else { return reply(id, CommandTable.unknownCommandError(args: args)) }
        row.run(&self, id, args, sub)
    }

    /// PUBLISH: only hellos on the hello channel are accepted (processed as if received from a
    /// peer's link); anything else is refused.
    mutating func publish(_ id: ClientID, _ args: [String]) {
        if args[1] == Wire.helloChannel {
            processHello(args[2], from: nil)
            reply(id, .integer(1))
        } else {
            reply(id, .error(Wire.errOnlyHello))
        }
    }

    /// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: any other word, ABORT with another
    /// option, or NOSAVE with SAVE is a syntax error and the sentinel keeps running. ABORT has
    /// nothing to abort (a sentinel shuts down at once); every valid form shuts down.
    mutating func shutdown(_ id: ClientID, _ args: [String]) {
        var abort = false
        var options = Set<String>()
        for word in args.dropFirst() {
            let option = word.lowercased()
            switch option {
            case "nosave", "save", "now", "force": options.insert(option)
            case "abort": abort = true
            default: return reply(id, .error(Wire.errSyntax))
            }
        }
        if (abort && !options.isEmpty) || (options.contains("nosave") && options.contains("save")) {
            return reply(id, .error(Wire.errSyntax))
        }
        if abort {
            return reply(id, .error(Wire.errNoShutdownInProgress))
        }
        // The runtime logs "User requested shutdown..." as it shuts down (for signals too).
        output.append(.shutdown)
    }

    mutating func ping(_ id: ClientID, _ args: [String]) {
        guard let session = clients[id] else { return }
        guard args.count <= 2 else { return reply(id, CommandTable.wrongArityError(command: "ping", sub: nil)) }
        if session.proto == .resp2 && session.subscriptionCount > 0 {
            reply(id, .array([.bulkString("pong"), .bulkString(args.count > 1 ? args[1] : "")]))
        } else if args.count > 1 {
            reply(id, .bulkString(args[1]))
        } else {
            reply(id, .simpleString("PONG"))
        }
    }

    /// Whether the ACL user `name` allows every command and channel (what a session caches in
    /// ``ClientSession/aclUnrestricted``); false for a user that does not exist.
    func userAllowsEverything(_ name: String) -> Bool {
        acl.user(name)?.allowsEverything ?? false
    }

    /// Checks a user/password pair against the ACL users (a disabled user never authenticates).
    private func credentialsValid(user: String, password: String) -> Bool {
        acl.checkCredentials(user: user, password: password)
    }

    mutating func auth(_ id: ClientID, _ args: [String]) {
        if args.count == 2 && acl.defaultUserIsNopass {
            reply(
                id,
                .error(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
                ))
            return
        }
        guard args.count == 2 || args.count == 3 else {
            reply(id, .error(Wire.errSyntax))
            return
        }
        let user = args.count == 3 ? args[1] : "default"
        let password = args.count == 3 ? args[2] : args[1]
        if credentialsValid(user: user, password: password) {
            let unrestricted = userAllowsEverything(user)
            clients[id]?.logIn(as: user, unrestricted: unrestricted)
            reply(id, .ok)
        } else {
            if let session = clients[id] { aclLogDenial(session, reason: .auth, object: args[0], username: user) }
            reply(id, .error(Wire.errWrongPass))
        }
    }

    /// HELLO [protover [AUTH user pass] [SETNAME name]]: the 6-field sentinel-mode map.
    mutating func hello(_ id: ClientID, _ args: [String]) {
        guard var session = clients[id] else { return }
        var proto = session.proto
        var index = 1
        if args.count > 1 {
            guard let version = Int(args[1]) else {
                reply(id, .error("ERR Protocol version is not an integer or out of range"))
                return
            }
            guard version == 2 || version == 3 else {
                reply(id, .error(Wire.errNoProto))
                return
            }
            proto = version == 3 ? .resp3 : .resp2
            index = 2
        }
        var newName: String? = nil
        while index < args.count {
            let option = args[index].lowercased()
            let remaining = args.count - index - 1
            if option == "auth" && remaining >= 2 {
                guard credentialsValid(user: args[index + 1], password: args[index + 2]) else {
                    aclLogDenial(session, reason: .auth, object: args[0], username: args[index + 1])
                    reply(id, .error(Wire.errWrongPass))
                    return
                }
                session.logIn(as: args[index + 1], unrestricted: userAllowsEverything(args[index + 1]))
                index += 3
            } else if option == "setname" && remaining >= 1 {
                guard Self.validClientName(args[index + 1]) else {
                    reply(id, .error(Self.errClientName))
                    return
                }
                newName = args[index + 1]
                index += 2
            } else {
                reply(id, .error("ERR Syntax error in HELLO option '\(args[index])'"))
                return
            }
        }
        guard session.authenticated else {
            reply(
                id,
                .error(
                    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
                ))
            return
        }
        if let newName { session.name = newName }
        session.proto = proto
        clients[id] = session
        reply(
            id,
            .map([
                .bulkString("server"), .bulkString("redis"),
                .bulkString("version"), .bulkString(redisCompatibleVersion),
                .bulkString("proto"), .integer(proto.rawValue),
                .bulkString("id"), .integer(id.raw),
                .bulkString("mode"), .bulkString("sentinel"),
                .bulkString("modules"), .array([]),
            ]))
    }

    static let errClientName = "ERR Client names cannot contain spaces, newlines or special characters."

    /// Client names may not contain spaces or characters outside `!`...`~` (Redis's validation).
    static func validClientName(_ name: String) -> Bool {
        name.utf8.allSatisfy { $0 >= 33 && $0 <= 126 }
    }

    // MARK: - CLIENT

    mutating func client(_ id: ClientID, _ args: [String]) {
        let sub = args[1].lowercased()
        switch sub {
        case "id":
            reply(id, .integer(id.raw))
        case "getname":
            let name = clients[id]?.name ?? ""
            reply(id, name.isEmpty ? .null : .bulkString(name))
        case "setname":
            guard Self.validClientName(args[2]) || args[2].isEmpty else {
                reply(id, .error(Self.errClientName))
                return
            }
            clients[id]?.name = args[2]
            reply(id, .ok)
        case "setinfo":
            let attribute = args[2].lowercased()
            guard attribute == "lib-name" || attribute == "lib-ver" else {
                reply(id, .error("ERR Unrecognized option '\(args[2])'"))
                return
            }
            guard args[3].utf8.allSatisfy({ $0 >= 33 && $0 <= 126 }) else {
                reply(
                    id,
                    .error(
                        "ERR \(attribute) cannot contain spaces, newlines or special characters."))
                return
            }
            if attribute == "lib-name" { clients[id]?.libName = args[3] } else { clients[id]?.libVersion = args[3] }
            reply(id, .ok)
        case "info":
            reply(id, .verbatimString(format: "txt", text: (clients[id]?.infoLine(now: now) ?? "") + "\n"))
        case "list":
            clientList(id, args)
        case "kill":
            clientKill(id, args)
        case "getredir":
            reply(id, .integer(clients[id]?.tracking?.redirect ?? -1))
        case "tracking":
            clientTracking(id, args)
        case "trackinginfo":
            reply(id, trackingInfo(id))
        case "caching":
            clientCaching(id, args[2])
        case "reply":
            clientReply(id, args[2])
        case "pause":
            clientPauseCommand(id, args)
        case "unpause":
            clientUnpauseCommand(id)
        case "no-evict":
            switch args[2].lowercased() {
            case "on": clients[id]?.noEvict = true
            case "off": clients[id]?.noEvict = false
            default:
                reply(id, .error(Wire.errSyntax))
                return
            }
            reply(id, .ok)
        case "unblock":
            clientUnblock(id, args)
        case "help":
            reply(id, .array(HelpTexts.client.map { .simpleString($0) }))
        default:
            reply(id, CommandTable.unknownSubcommandError(command: "client", sub: args[1]))
        }
    }

    /// CLIENT UNBLOCK <id> [TIMEOUT|ERROR]: the reason is checked before the id. No sentinel
    /// command blocks (a client waiting for CLIENT PAUSE is not unblockable), so a valid call
    /// unblocks nobody and answers 0.
    private mutating func clientUnblock(_ id: ClientID, _ args: [String]) {
        guard args.count == 3 || args.count == 4 else {
            return reply(id, .error(Wire.errSubcommandSyntax(command: "client", sub: args[1])))
        }
        if args.count == 4 {
            guard ["timeout", "error"].contains(args[3].lowercased()) else {
                return reply(id, .error(Wire.errUnblockReason))
            }
        }
        guard RedisNumbers.int64(args[2]) != nil else { return reply(id, .error(Wire.errNotInteger)) }
        reply(id, .integer(0))
    }

    private mutating func clientList(_ id: ClientID, _ args: [String]) {
        // In connection order, as Redis lists them: ids grow with every connection.
        var selected = clients.values.sorted { $0.id.raw < $1.id.raw }
        var index = 2
        while index < args.count {
            let option = args[index].lowercased()
            if option == "type", index + 1 < args.count {
                let type = args[index + 1].lowercased()
                switch type {
                case "normal": selected = selected.filter { $0.subscriptionCount == 0 }
                case "pubsub": selected = selected.filter { $0.subscriptionCount > 0 }
                case "master", "replica", "slave": selected = []
                default:
                    reply(id, .error("ERR Unknown client type '\(args[index + 1])'"))
                    return
                }
                index += 2
            } else if option == "id", index + 1 < args.count {
                var ids = Set<Int>()
                for word in args[(index + 1)...] {
                    guard let n = Int(word), n > 0 else {
                        reply(id, .error("ERR Invalid client ID"))
                        return
                    }
                    ids.insert(n)
                }
                selected = selected.filter { ids.contains($0.id.raw) }
                index = args.count
            } else {
                reply(id, .error(Wire.errSyntax))
                return
            }
        }
        let text = selected.map { $0.infoLine(now: now) + "\n" }.joined()
        reply(id, .verbatimString(format: "txt", text: text))
    }

    /// CLIENT KILL <ip:port> (old form) or CLIENT KILL <filter> <value> ... (new form).
    private mutating func clientKill(_ id: ClientID, _ args: [String]) {
        if args.count == 3 {
            guard let victim = clients.values.first(where: { $0.address == args[2] }) else {
                reply(id, .error(Wire.errNoSuchClient))
                return
            }
            reply(id, .ok)
            output.append(.closeClient(victim.id))
            return
        }
        guard args.count % 2 == 0 else {
            reply(id, .error(Wire.errSyntax))
            return
        }
        var candidates = Array(clients.values)
        var skipMe = true
        var index = 2
        while index + 1 < args.count {
            let option = args[index].lowercased()
            let value = args[index + 1]
            switch option {
            case "id":
                guard let n = Int(value), n > 0 else {
                    reply(id, .error(Wire.errClientIDNotPositive))
                    return
                }
                candidates = candidates.filter { $0.id.raw == n }
            case "addr": candidates = candidates.filter { $0.address == value }
            case "laddr": candidates = candidates.filter { $0.localAddress == value }
            case "user":
                // Redis refuses unknown user names.
                guard acl.user(value) != nil else {
                    reply(id, .error(Wire.errNoSuchUser(value)))
                    return
                }
                candidates = candidates.filter { $0.user == value }
            case "type":
                switch value.lowercased() {
                case "normal": candidates = candidates.filter { $0.subscriptionCount == 0 }
                case "pubsub": candidates = candidates.filter { $0.subscriptionCount > 0 }
                case "master", "replica", "slave": candidates = []
                default:
                    reply(id, .error("ERR Unknown client type '\(value)'"))
                    return
                }
            case "skipme":
                switch value.lowercased() {
                case "yes": skipMe = true
                case "no": skipMe = false
                default:
                    reply(id, .error(Wire.errSyntax))
                    return
                }
            case "maxage":
                guard let seconds = Int64(value) else {
                    reply(id, .error(Wire.errNotInteger))
                    return
                }
                candidates = candidates.filter { (now - $0.createdAt) / 1000 >= seconds }
            default:
                reply(id, .error(Wire.errSyntax))
                return
            }
            index += 2
        }
        if skipMe { candidates.removeAll { $0.id == id } }
        reply(id, .integer(candidates.count))
        for victim in candidates { output.append(.closeClient(victim.id)) }
    }

    // MARK: - Pub/Sub

    mutating func subscribe(_ id: ClientID, _ names: [String], pattern: Bool) {
        for name in names {
            guard var session = clients[id] else { return }
            if pattern { session.patterns.append(name) } else { session.channels.append(name) }
            clients[id] = session
            reply(
                id,
                session.pushFrame([
                    .bulkString(pattern ? "psubscribe" : "subscribe"), .bulkString(name),
                    .integer(session.subscriptionCount),
                ]))
        }
    }

    mutating func unsubscribe(_ id: ClientID, _ names: [String], pattern: Bool) {
        guard let initial = clients[id] else { return }
        let kind = pattern ? "punsubscribe" : "unsubscribe"
        let targets = names.isEmpty ? Array(pattern ? initial.patterns : initial.channels) : names
        if targets.isEmpty {
            reply(id, initial.pushFrame([.bulkString(kind), .null, .integer(initial.subscriptionCount)]))
            return
        }
        for name in targets {
            guard var session = clients[id] else { return }
            if pattern { session.patterns.remove(name) } else { session.channels.remove(name) }
            clients[id] = session
            reply(id, session.pushFrame([.bulkString(kind), .bulkString(name), .integer(session.subscriptionCount)]))
        }
    }
}
