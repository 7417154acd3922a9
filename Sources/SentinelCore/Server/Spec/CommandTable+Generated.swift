//===----------------------------------------------------------------------===//
// swift-sentinel — generated from commands.json by scripts/generate-command-table — do not edit
//===----------------------------------------------------------------------===//

extension CommandTable {
    /// Every command registered in sentinel mode, alphabetical, with subcommands nested.
    /// `COMMAND COUNT` counts these top-level entries only.
    static let commands: [CommandSpec] = [
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
                            CommandArgument("categoryname", .string, flags: ["optional"]),
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
                            CommandArgument("username", .string, flags: ["multiple"]),
                        ]
                    )
                ),
                CommandSpec(
                    name: "acl|dryrun",
                    arity: -4,
                    flags: ["admin", "noscript", "loading", "stale"],
                    aclCategories: ["@admin", "@slow", "@dangerous"],
                    docs: CommandDocs(
                        summary: "Returns whether the user can execute the given command without executing the command.",
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
                            CommandArgument("bits", .integer, flags: ["optional"]),
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
                        complexity: "O(N). Where N is the number of password, command and pattern rules that the user has.",
                        history: [
                            CommandHistoryEntry("6.2.0", "Added Pub/Sub channel patterns."),
                            CommandHistoryEntry("7.0.0", "Added selectors and changed the format of key and channel patterns from a list to their rule representation."),
                        ],
                        arguments: [
                            CommandArgument("username", .string),
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
                            ),
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
                    CommandHistoryEntry("6.0.0", "Added ACL style (username and password)."),
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
                            ),
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
                            CommandHistoryEntry("5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."),
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
                                            CommandArgument("client-id", .integer, token: "ID", since: "2.8.12", flags: ["optional"]),
                                            CommandArgument(
                                                "normal_master_slave_pubsub",
                                                .oneof,
                                                token: "TYPE",
                                                since: "2.8.12",
                                                flags: ["optional"],
                                                arguments: [
                                                    CommandArgument("normal", .pureToken, token: "NORMAL"),
                                                    CommandArgument("master", .pureToken, token: "MASTER", since: "3.2.0"),
                                                    CommandArgument("slave", .pureToken, token: "SLAVE"),
                                                    CommandArgument("replica", .pureToken, token: "REPLICA", since: "5.0.0"),
                                                    CommandArgument("pubsub", .pureToken, token: "PUBSUB"),
                                                ]
                                            ),
                                            CommandArgument("username", .string, token: "USER", flags: ["optional"]),
                                            CommandArgument("ip:port", .string, token: "ADDR", flags: ["optional"]),
                                            CommandArgument("ip:port", .string, token: "LADDR", since: "6.2.0", flags: ["optional"]),
                                            CommandArgument("yes/no", .string, token: "SKIPME", flags: ["optional"]),
                                        ]
                                    ),
                                ]
                            ),
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
                            CommandHistoryEntry("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."),
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
                                    CommandArgument("client-id", .integer, flags: ["multiple"]),
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
                            ),
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
                            CommandHistoryEntry("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option."),
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
                            ),
                        ]
                    )
                ),
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
                            ),
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
                            CommandArgument("connection-name", .string),
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
                            CommandArgument("prefix", .string, token: "PREFIX", flags: ["optional", "multiple", "multiple_token"]),
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
                        summary: "Return information about server assisted client side caching for the current connection",
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
                            CommandArgument("command-name", .string, flags: ["optional", "multiple"]),
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
                            CommandHistoryEntry("7.0.0", "Allowed to be called with no argument to get info on all commands."),
                        ],
                        arguments: [
                            CommandArgument("command-name", .string, flags: ["optional", "multiple"]),
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
                            ),
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
                    CommandHistoryEntry("6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context."),
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
                    ),
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
                    CommandHistoryEntry("7.0.0", "Added support for taking multiple section arguments."),
                ],
                arguments: [
                    CommandArgument("section", .string, flags: ["optional", "multiple"]),
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
                    CommandArgument("message", .string, flags: ["optional"]),
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
                            CommandArgument("pattern", .pattern),
                        ]
                    ),
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
                complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
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
                complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
                arguments: [
                    CommandArgument("pattern", .pattern, flags: ["optional", "multiple"]),
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
                            CommandArgument("master-name", .string),
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
                            ),
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
                            ),
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
                            CommandArgument("master-name", .string),
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
                            CommandArgument("master-name", .string),
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
                            CommandArgument("nodename", .string, flags: ["multiple"]),
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
                            CommandArgument("master-name", .string),
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
                            CommandArgument("master-name", .string),
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
                            CommandArgument("master-name", .string),
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
                            CommandArgument("pattern", .pattern),
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
                            CommandArgument("master-name", .string),
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
                            ),
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
                            CommandArgument("master-name", .string),
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
                complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
                history: [
                    CommandHistoryEntry("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."),
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
                    CommandArgument("channel", .string, flags: ["multiple"]),
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
                    CommandArgument("channel", .string, flags: ["optional", "multiple"]),
                ]
            )
        ),
    ]
}
