import RESP
import Testing

@testable import SentinelCore

/// The sentinel command table and `COMMAND`, checked against replies observed on
/// redis-sentinel 7.0.15.
@Suite("CommandTable")
struct CommandTableTests {
    // MARK: Generic errors (texts observed with redis-cli against redis-sentinel 7.0.15)

    @Test(
        "unknown command error is byte-exact",
        arguments: [
            (["GET", "foo", "bar"], "ERR unknown command 'GET', with args beginning with: 'foo' 'bar' "),
            (["SELECT", "1"], "ERR unknown command 'SELECT', with args beginning with: '1' "),
            (["ECHO", "hi"], "ERR unknown command 'ECHO', with args beginning with: 'hi' "),
            (["QUIT"], "ERR unknown command 'QUIT', with args beginning with: "),
            (
                ["foo", "a", "b", "c", "d", "e"],
                "ERR unknown command 'foo', with args beginning with: 'a' 'b' 'c' 'd' 'e' "
            ),
            (["foo", "a\r\nb", "c\nd"], "ERR unknown command 'foo', with args beginning with: 'a  b' 'c d' "),
            (["foo\nbar"], "ERR unknown command 'foo bar', with args beginning with: "),
            ([""], "ERR unknown command '', with args beginning with: "),
        ]
    )
    func unknownCommand(args: [String], expected: String) {
        #expect(CommandTable.unknownCommandError(args: args) == .error(expected))
        #expect(CommandTable.check(args) == .error(expected))
    }

    @Test("unknown command error truncates like Redis")
    func unknownCommandTruncation() {
        let a200 = String(repeating: "a", count: 200)
        let a128 = String(repeating: "a", count: 128)
        let b100 = String(repeating: "b", count: 100)
        let b25 = String(repeating: "b", count: 25)
        #expect(
            CommandTable.unknownCommandError(args: [a200, "x"])
                == .error("ERR unknown command '\(a128)', with args beginning with: 'x' ")
        )
        #expect(
            CommandTable.unknownCommandError(args: ["foo", a200])
                == .error("ERR unknown command 'foo', with args beginning with: '\(a128)' ")
        )
        #expect(
            CommandTable.unknownCommandError(args: ["foo", b100, b100, b100])
                == .error("ERR unknown command 'foo', with args beginning with: '\(b100)' '\(b25)' ")
        )
        #expect(
            CommandTable.unknownCommandError(args: ["foo", "x", b100, "y"])
                == .error("ERR unknown command 'foo', with args beginning with: 'x' '\(b100)' 'y' ")
        )
    }

    @Test("unknown subcommand error is byte-exact")
    func unknownSubcommand() {
        #expect(
            CommandTable.unknownSubcommandError(command: "client", sub: "FooBar")
                == .error("ERR unknown subcommand 'FooBar'. Try CLIENT HELP.")
        )
        #expect(CommandTable.check(["cOmMaNd", "nope"]) == .error("ERR unknown subcommand 'nope'. Try COMMAND HELP."))
        #expect(
            CommandTable.check(["sentinel", "nope"]) == .error("ERR unknown subcommand 'nope'. Try SENTINEL HELP."))
        #expect(CommandTable.check(["acl", "nope"]) == .error("ERR unknown subcommand 'nope'. Try ACL HELP."))
        #expect(CommandTable.check(["client", "x\ny"]) == .error("ERR unknown subcommand 'x y'. Try CLIENT HELP."))
        // no-touch is a 7.2 subcommand that sentinel mode does not register.
        #expect(
            CommandTable.check(["CLIENT", "NO-TOUCH", "on"])
                == .error("ERR unknown subcommand 'NO-TOUCH'. Try CLIENT HELP."))
        let a200 = String(repeating: "a", count: 200)
        let a128 = String(repeating: "a", count: 128)
        #expect(CommandTable.check(["client", a200]) == .error("ERR unknown subcommand '\(a128)'. Try CLIENT HELP."))
    }

    @Test("wrong arity error is byte-exact")
    func wrongArity() {
        #expect(
            CommandTable.wrongArityError(command: "PING", sub: nil)
                == .error("ERR wrong number of arguments for 'ping' command"))
        #expect(
            CommandTable.wrongArityError(command: "sentinel", sub: "MASTERS")
                == .error("ERR wrong number of arguments for 'sentinel|masters' command")
        )
        // PING's arity is -1: the table lets `PING a b` through and PING itself must refuse it
        // with the same error, as Redis's handler does.
        #expect(CommandTable.check(["ping", "a", "b"]) == nil)
        #expect(CommandTable.check(["CLIENT"]) == .error("ERR wrong number of arguments for 'client' command"))
        #expect(CommandTable.check(["ACL"]) == .error("ERR wrong number of arguments for 'acl' command"))
        #expect(CommandTable.check(["SENTINEL"]) == .error("ERR wrong number of arguments for 'sentinel' command"))
        #expect(
            CommandTable.check(["sentinel", "Masters", "x"])
                == .error("ERR wrong number of arguments for 'sentinel|masters' command")
        )
        #expect(
            CommandTable.check(["SENTINEL", "Config"])
                == .error("ERR wrong number of arguments for 'sentinel|config' command"))
        #expect(
            CommandTable.check(["COMMAND", "GETKEYS", "ping"])
                == .error("ERR wrong number of arguments for 'command|getkeys' command"))
    }

    @Test("valid commands pass the check")
    func validCommands() {
        #expect(CommandTable.check(["PING"]) == nil)
        #expect(CommandTable.check(["ping", "hello"]) == nil)
        #expect(CommandTable.check(["SENTINEL", "get-master-addr-by-name", "mymaster"]) == nil)
        #expect(CommandTable.check(["sentinel", "SET", "m", "quorum", "2"]) == nil)
        #expect(CommandTable.check(["COMMAND"]) == nil)
        #expect(CommandTable.check(["CLIENT", "SETINFO", "LIB-NAME", "redis-py"]) == nil)
        #expect(
            CommandTable.check(["CLIENT", "SETINFO", "LIB-NAME"])
                == .error("ERR wrong number of arguments for 'client|setinfo' command"))
        #expect(CommandTable.check(["HELLO", "3", "AUTH", "u", "p"]) == nil)
    }

    // MARK: Lookups

    @Test("lookups")
    func lookups() {
        #expect(CommandTable.knows("sentinel"))
        #expect(CommandTable.knows("PuBlIsH"))
        #expect(!CommandTable.knows("get"))
        #expect(!CommandTable.knows("quit"))
        #expect(!CommandTable.knows("client|list"))
        #expect(CommandTable.hasSubcommands("CLIENT"))
        #expect(!CommandTable.hasSubcommands("ping"))
        #expect(CommandTable.isKnownSubcommand("SetInfo", of: "client"))
        #expect(CommandTable.isKnownSubcommand("is-master-down-by-addr", of: "SENTINEL"))
        #expect(!CommandTable.isKnownSubcommand("no-touch", of: "client"))
        #expect(!CommandTable.isKnownSubcommand("list", of: "ping"))
        #expect(CommandTable.arity(of: "ping", subcommand: nil) == -1)
        #expect(CommandTable.arity(of: "PING", subcommand: "x") == -1)
        #expect(CommandTable.arity(of: "sentinel", subcommand: nil) == -2)
        #expect(CommandTable.arity(of: "sentinel", subcommand: "MONITOR") == 6)
        #expect(CommandTable.arity(of: "sentinel", subcommand: "set") == -5)
        #expect(CommandTable.arity(of: "client", subcommand: "setinfo") == 4)
        #expect(CommandTable.arity(of: "command", subcommand: "getkeys") == -4)
        #expect(CommandTable.arity(of: "client", subcommand: "nope") == nil)
        #expect(CommandTable.arity(of: "get", subcommand: nil) == nil)
        #expect(CommandTable.lookup("CLIENT|LIST")?.name == "client|list")
        #expect(CommandTable.lookup("client|nope") == nil)
        #expect(CommandTable.lookup("client|list|x") == nil)
    }

    @Test("the registered commands and subcommands are those of a 7.0.15 sentinel (+ client|setinfo)")
    func registeredNames() {
        #expect(
            CommandTable.commands.map(\.name) == [
                "acl", "auth", "client", "command", "hello", "info", "ping", "psubscribe", "publish",
                "punsubscribe", "role", "sentinel", "shutdown", "subscribe", "unsubscribe",
            ]
        )
        func subs(_ name: String) -> [String] {
            CommandTable.lookup(name)!.subcommands.map { String($0.name.split(separator: "|")[1]) }
        }
        #expect(
            subs("sentinel") == [
                "ckquorum", "config", "debug", "failover", "flushconfig", "get-master-addr-by-name", "help",
                "info-cache", "is-master-down-by-addr", "master", "masters", "monitor", "myid", "pending-scripts",
                "remove", "replicas", "reset", "sentinels", "set", "simulate-failure", "slaves",
            ]
        )
        #expect(
            subs("client") == [
                "caching", "getname", "getredir", "help", "id", "info", "kill", "list", "no-evict", "pause", "reply",
                "setinfo", "setname", "tracking", "trackinginfo", "unblock", "unpause",
            ]
        )
        #expect(subs("command") == ["count", "docs", "getkeys", "getkeysandflags", "help", "info", "list"])
        #expect(
            subs("acl") == [
                "cat", "deluser", "dryrun", "genpass", "getuser", "help", "list", "load", "log", "save", "setuser",
                "users", "whoami",
            ]
        )
    }

    // MARK: COMMAND COUNT / LIST

    @Test("COMMAND COUNT equals the number of top-level entries (15)")
    func count() {
        #expect(CommandTable.reply(for: ["COMMAND", "COUNT"]) == .integer(CommandTable.commands.count))
        #expect(CommandTable.reply(for: ["command", "count"]) == .integer(15))
        #expect(
            CommandTable.reply(for: ["COMMAND", "COUNT", "x"])
                == .error("ERR wrong number of arguments for 'command|count' command"))
        guard case .array(let all) = CommandTable.reply(for: ["COMMAND"]) else {
            Issue.record("COMMAND is not an array")
            return
        }
        #expect(all.count == 15)
    }

    @Test("COMMAND LIST lists commands and parent|sub names")
    func list() {
        guard case .array(let names) = CommandTable.reply(for: ["COMMAND", "LIST"]) else {
            Issue.record("not an array")
            return
        }
        let strings = names.compactMap(\.string)
        let subcommandCount = CommandTable.commands.reduce(0) { $0 + $1.subcommands.count }
        #expect(strings.count == 15 + subcommandCount)
        #expect(strings.contains("client|setinfo"))
        #expect(strings.contains("sentinel|get-master-addr-by-name"))
        let client = strings.firstIndex(of: "client")!
        #expect(strings[client + 1].hasPrefix("client|"))
        #expect(names.allSatisfy { if case .bulkString = $0 { true } else { false } })
    }

    @Test("COMMAND LIST FILTERBY as observed on redis-sentinel 7.0.15")
    func listFilterBy() {
        func names(_ args: String...) -> Set<String> {
            Set(
                CommandTable.reply(for: ["COMMAND", "LIST"] + args).elements?.compactMap(\.string) ?? ["<not an array>"]
            )
        }
        #expect(names("FILTERBY", "PATTERN", "*list*") == ["acl|list", "client|list", "command|list"])
        #expect(names("filterby", "pattern", "*|LIST") == ["acl|list", "client|list", "command|list"])
        #expect(names("FILTERBY", "PATTERN", "CL*").count == 18)  // client + its 17 subcommands
        #expect(names("FILTERBY", "ACLCAT", "@admin") == [])
        #expect(names("FILTERBY", "ACLCAT", "nope") == [])
        #expect(names("FILTERBY", "MODULE", "x") == [])
        #expect(
            names("FILTERBY", "ACLCAT", "CONNECTION")
                == Set(
                    ["ping", "hello", "auth", "command"]
                        + CommandTable.lookup("client")!.subcommands.map(\.name)
                        + CommandTable.lookup("command")!.subcommands.map(\.name)
                )
        )
        let admin = names("FILTERBY", "ACLCAT", "admin")
        #expect(admin.count == 38)
        #expect(admin.contains("sentinel") && admin.contains("role") && admin.contains("shutdown"))
        #expect(!admin.contains("acl") && !admin.contains("sentinel|help") && admin.contains("acl|deluser"))

        let syntax = RESPValue.error("ERR syntax error")
        #expect(CommandTable.reply(for: ["COMMAND", "LIST", "FILTERBY"]) == syntax)
        #expect(CommandTable.reply(for: ["COMMAND", "LIST", "x"]) == syntax)
        #expect(CommandTable.reply(for: ["COMMAND", "LIST", "FILTERBY", "ACLCAT"]) == syntax)
        #expect(CommandTable.reply(for: ["COMMAND", "LIST", "FILTERBY", "foo", "bar"]) == syntax)
        #expect(CommandTable.reply(for: ["COMMAND", "LIST", "filterby", "pattern", "p*", "extra"]) == syntax)
    }

    // MARK: COMMAND INFO

    @Test("COMMAND INFO entries have Redis 7.0's shape and RESP3 types")
    func info() {
        let reply = CommandTable.reply(for: ["COMMAND", "INFO", "PING", "nope", "client|list"])
        let ping: RESPValue = .array([
            .bulkString("ping"), .integer(-1), .set([.simpleString("fast")]), .integer(0), .integer(0), .integer(0),
            .set([.simpleString("@fast"), .simpleString("@connection")]),
            .set([.bulkString("request_policy:all_shards"), .bulkString("response_policy:all_succeeded")]),
            .set([]), .set([]),
        ])
        let clientList: RESPValue = .array([
            .bulkString("client|list"), .integer(-2),
            .set([.simpleString("admin"), .simpleString("noscript"), .simpleString("loading"), .simpleString("stale")]),
            .integer(0), .integer(0), .integer(0),
            .set([
                .simpleString("@admin"), .simpleString("@slow"), .simpleString("@dangerous"),
                .simpleString("@connection"),
            ]),
            .set([.bulkString("nondeterministic_output")]),
            .set([]), .set([]),
        ])
        #expect(reply == .array([ping, .null, clientList]))

        // With no names: every command, like plain COMMAND.
        #expect(CommandTable.reply(for: ["COMMAND", "INFO"]) == CommandTable.reply(for: ["COMMAND"]))

        // Containers nest their subcommands as an array of entries.
        guard case .array(let sentinel)? = CommandTable.reply(for: ["COMMAND", "INFO", "sentinel"]).elements?.first
        else {
            Issue.record("no sentinel entry")
            return
        }
        #expect(sentinel.count == 10)
        #expect(sentinel[1] == .integer(-2))
        guard case .array(let subs) = sentinel[9] else {
            Issue.record("subcommands are not an array")
            return
        }
        #expect(subs.count == 21)
        #expect(subs.allSatisfy { $0.elements?.count == 10 })
        #expect(subs.allSatisfy { $0.elements?[9] == .set([]) })
    }

    // MARK: COMMAND DOCS

    @Test("COMMAND DOCS is a map; unknown names are omitted")
    func docs() {
        let reply = CommandTable.reply(for: ["COMMAND", "DOCS", "PING", "nope", "Role"])
        let expected: RESPValue = .map([
            .bulkString("ping"),
            .map([
                .bulkString("summary"), .bulkString("Ping the server"),
                .bulkString("since"), .bulkString("1.0.0"),
                .bulkString("group"), .bulkString("connection"),
                .bulkString("complexity"), .bulkString("O(1)"),
                .bulkString("arguments"),
                .array([
                    .map([
                        .bulkString("name"), .bulkString("message"),
                        .bulkString("type"), .bulkString("string"),
                        .bulkString("flags"), .set([.simpleString("optional")]),
                    ])
                ]),
            ]),
            .bulkString("role"),
            .map([
                .bulkString("summary"), .bulkString("Return the role of the instance in the context of replication"),
                .bulkString("since"), .bulkString("2.8.12"),
                .bulkString("group"), .bulkString("server"),
                .bulkString("complexity"), .bulkString("O(1)"),
            ]),
        ])
        #expect(reply == expected)
        #expect(CommandTable.reply(for: ["COMMAND", "DOCS", "nope"]) == .map([]))
        #expect(CommandTable.reply(for: ["COMMAND", "DOCS", "client|nope"]) == .map([]))
    }

    @Test("COMMAND DOCS of a deprecated subcommand and of a container")
    func docsDetails() {
        let slaves = CommandTable.reply(for: ["COMMAND", "DOCS", "sentinel|slaves"])
        #expect(
            slaves
                == .map([
                    .bulkString("sentinel|slaves"),
                    .map([
                        .bulkString("summary"), .bulkString("List the monitored slaves"),
                        .bulkString("since"), .bulkString("2.8.0"),
                        .bulkString("group"), .bulkString("sentinel"),
                        .bulkString("complexity"), .bulkString("O(N) where N is the number of slaves"),
                        .bulkString("doc_flags"), .set([.simpleString("deprecated")]),
                        .bulkString("deprecated_since"), .bulkString("5.0.0"),
                        .bulkString("replaced_by"), .bulkString("`SENTINEL REPLICAS`"),
                        .bulkString("arguments"),
                        .array([
                            .map([
                                .bulkString("name"), .bulkString("master-name"), .bulkString("type"),
                                .bulkString("string"),
                            ])
                        ]),
                    ]),
                ])
        )

        guard case .map(let all) = CommandTable.reply(for: ["COMMAND", "DOCS"]) else {
            Issue.record("not a map")
            return
        }
        #expect(all.count == 30)
        guard let i = all.firstIndex(of: .bulkString("client")), case .map(let client) = all[i + 1] else {
            Issue.record("no client docs")
            return
        }
        #expect(
            Array(client.prefix(8)) == [
                .bulkString("summary"), .bulkString("A container for client connection commands"),
                .bulkString("since"), .bulkString("2.4.0"),
                .bulkString("group"), .bulkString("connection"),
                .bulkString("complexity"), .bulkString("Depends on subcommand."),
            ])
        #expect(client[8] == .bulkString("subcommands"))
        guard case .map(let subs) = client[9] else {
            Issue.record("subcommands is not a map")
            return
        }
        #expect(subs.count == 2 * 17)
        #expect(subs.contains(.bulkString("client|setinfo")))

        // History entries are a set of [version, text] pairs.
        guard case .map(let info)? = CommandTable.reply(for: ["COMMAND", "DOCS", "info"]).elements?.last,
            let h = info.firstIndex(of: .bulkString("history"))
        else {
            Issue.record("no info history")
            return
        }
        #expect(
            info[h + 1]
                == .set([
                    .array([.bulkString("7.0.0"), .bulkString("Added support for taking multiple section arguments.")])
                ]))
    }

    // MARK: COMMAND GETKEYS / HELP

    @Test("COMMAND GETKEYS and GETKEYSANDFLAGS errors as on redis-sentinel 7.0.15")
    func getKeys() {
        for sub in ["GETKEYS", "getkeysandflags"] {
            #expect(CommandTable.reply(for: ["COMMAND", sub, "get", "a"]) == .error("ERR Invalid command specified"))
            #expect(
                CommandTable.reply(for: ["COMMAND", sub, "sentinel", "x"]) == .error("ERR Invalid command specified"))
            #expect(
                CommandTable.reply(for: ["COMMAND", sub, "client|list", "x"]) == .error("ERR Invalid command specified")
            )
            #expect(
                CommandTable.reply(for: ["COMMAND", sub, "sentinel", "masters"])
                    == .error("ERR The command has no key arguments"))
            #expect(
                CommandTable.reply(for: ["COMMAND", sub, "client", "list", "x"])
                    == .error("ERR The command has no key arguments"))
            #expect(
                CommandTable.reply(for: ["COMMAND", sub, "ping", "a", "b"])
                    == .error("ERR The command has no key arguments"))
            #expect(
                CommandTable.reply(for: ["COMMAND", sub, "publish", "a"])
                    == .error("ERR The command has no key arguments"))
            #expect(
                CommandTable.reply(for: ["COMMAND", sub, "ping"])
                    == .error("ERR wrong number of arguments for 'command|\(sub.lowercased())' command")
            )
        }
    }

    @Test("COMMAND HELP")
    func help() {
        let reply = CommandTable.reply(for: ["COMMAND", "help"])
        #expect(reply == .array(HelpTexts.command.map { .simpleString($0) }))
        #expect(
            reply.elements?.first == .simpleString("COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"))
        #expect(reply.elements?.count == 21)
        #expect(
            CommandTable.reply(for: ["COMMAND", "HELP", "x"])
                == .error("ERR wrong number of arguments for 'command|help' command"))
    }

    @Test("HELP texts have Redis's frame")
    func helpTexts() {
        for (name, lines) in [
            ("SENTINEL", HelpTexts.sentinel), ("CLIENT", HelpTexts.client), ("COMMAND", HelpTexts.command),
            ("ACL", HelpTexts.acl),
        ] {
            #expect(lines.first == "\(name) <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
            #expect(lines.suffix(2) == ["HELP", "    Prints this help."])
        }
        // redis-sentinel 7.0.15 prints 49 lines; we add one describing FAILOVER ... COORDINATED.
        #expect(HelpTexts.sentinel.count == 50)
        #expect(HelpTexts.client.count == 48)
        #expect(HelpTexts.acl.count == 29)
        let failover = HelpTexts.sentinel.firstIndex(of: "FAILOVER <master-name>")!
        #expect(HelpTexts.sentinel[failover + 3].hasPrefix("    With COORDINATED"))
        #expect(HelpTexts.sentinel[failover + 4] == "FLUSHCONFIG")
    }
}
