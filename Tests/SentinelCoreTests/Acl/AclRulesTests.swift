import Testing

@testable import SentinelCore

/// The ACL rule language (ACL SETUSER, `user` lines): every rule, every error text, and the
/// descriptions ACL LIST and GETUSER print, checked against what redis-sentinel 7.0.15 printed
/// for the same rules.
@Suite("ACL rules")
struct AclRulesTests {
    static func user(_ rules: String...) throws -> AclUser { try user(rules) }

    static func user(_ rules: [String]) throws -> AclUser {
        var u = AclUser(name: "u")
        for r in rules { try u.apply(r) }
        return u
    }

    static func error(_ rules: String...) -> AclRuleError? {
        var u = AclUser(name: "u")
        do throws(AclRuleError) {
            for r in rules { try u.apply(r) }
        } catch {
            return error
        }
        return nil
    }

    @Test("a new user is off with nothing allowed; the default user is on nopass ~* &* +@all")
    func newAndDefault() throws {
        #expect(AclUser(name: "x").description == "off resetchannels -@all")
        #expect(AclUser.makeDefault().description == "on nopass ~* &* +@all")
    }

    @Test("descriptions as redis-sentinel 7.0.15 prints them")
    func descriptions() throws {
        let alice = try Self.user("on", ">secret", "-@all", "+ping", "+sentinel|get-master-addr-by-name", "&__sentinel__:*", "~foo")
        #expect(
            alice.description
                == "on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~foo resetchannels &__sentinel__:* -@all +ping +sentinel|get-master-addr-by-name"
        )
        #expect(try Self.user("off", "nopass", "+@all").description == "off nopass resetchannels +@all")
        #expect(try Self.user("+ping|x").root.commandRules == "-@all +ping|x")
        #expect(try Self.user("(+ping)").description == "off resetchannels -@all (resetchannels -@all +ping)")
        #expect(try Self.user("%R", "&", "+PING", "+Sentinel|Masters", "skip-sanitize-payload").description
            == "off skip-sanitize-payload %R~ resetchannels & -@all +ping +sentinel|masters")
        #expect(try Self.user("~").root.keysDescription == "~")
        // A category that fits is named; the rest are single commands.
        #expect(try Self.user("+@all", "-@dangerous").root.commandRules == "+@all -@dangerous")
        #expect(try Self.user("+@all", "-sentinel|reset").root.commandRules == "+@all -sentinel|reset")
        // Redis's greedy fit picks @admin here; single commands follow the table order (Redis:
        // its hash order), so the words are compared as a set after the categories.
        let d1 = try Self.user("+sentinel", "-sentinel|reset").root.commandRules.split(separator: " ")
        #expect(d1.prefix(2) == ["-@all", "+@admin"])
        #expect(Set(d1.dropFirst(2)) == Set(
            "-acl|users -acl|setuser -acl|log -acl|deluser -acl|list -acl|getuser -acl|save -acl|load -acl|dryrun -shutdown -client|no-evict -client|unblock -client|unpause -client|list -client|kill -client|pause -role -sentinel|reset"
                .split(separator: " ")))
        let d4 = try Self.user("+@pubsub", "-publish", "+@admin", "-sentinel|debug", "allchannels").description
        #expect(d4 == "off &* -@all +@admin +@pubsub -publish -sentinel|debug")
        #expect(try Self.user("+@all", "-@dangerous", "+client|kill", "%R~r*", "%W~w*", "~x", "&a", "&b").description
            == "off %R~r* %W~w* ~x resetchannels &a &b +@all -@dangerous +client|kill")
    }

    @Test("every rule error has Redis's text")
    func errors() {
        #expect(Self.error("+sentinel|foo") == .unknownCommand)
        #expect(Self.error("+nosuch") == .unknownCommand)
        #expect(Self.error("+@nosuch") == .unknownCommand)
        #expect(Self.error("+") == .unknownCommand)
        #expect(Self.error("-") == .unknownCommand)
        #expect(Self.error("+@") == .unknownCommand)
        #expect(Self.error("-sentinel|nosuch") == .unknownCommand)
        #expect(Self.error("+sentinel|masters|x") == .firstArgOfSubcommand)
        #expect(Self.error("+ping|") == .syntax)
        #expect(Self.error("bogus") == .syntax)
        #expect(Self.error("%") == .syntax)
        #expect(Self.error("%RR~x") == .syntax)
        #expect(Self.error("%X~e") == .syntax)
        #expect(Self.error("~*", "~a") == .keyAfterAll)
        #expect(Self.error("&*", "&a") == .channelAfterAll)
        #expect(Self.error("<nope") == .noSuchPassword)
        #expect(Self.error("#abc") == .badHash)
        #expect(Self.error("!abc") == .badHash, "a malformed hash is refused before it is looked for")
        #expect(Self.error("(+ping +@foo)") == .unknownCommand)
        #expect(AclRuleError.keyAfterAll.message.hasPrefix("Adding a pattern after the * pattern (or the 'allkeys' flag)"))
        #expect(AclRuleError.badHash.message == "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
        #expect(Self.error("-sentinel|masters", "+ping|x", ">", "<", "()", "( )", "ON", "OFF") == nil)
    }

    @Test("a selector word ending in ')' is refused: its description would not load back (found by the acl fuzz target)")
    func selectorWordEndingInParenthesis() throws {
        #expect(Self.error("(~c:*))") == .syntax)
        #expect(Self.error("(~c:*) )") == .syntax)
        #expect(Self.error("(~foo(bar))") == .syntax)
        // A `)` inside a word is fine, and the description loads back to the same user.
        let user = try Self.user("on", "(~a)b +ping)")
        #expect(user.description == "on resetchannels -@all (~a)b resetchannels -@all +ping)")
        try Self.expectLoadsBack(user)
    }

    @Test("a read-write '*' pattern that is not allkeys is saved as %RW~*, which loads back with the patterns after it (found by the acl fuzz target)")
    func readWriteStarPattern() throws {
        // redis-sentinel 7.0.15 lists these as `~* ~plain*`, which loads as allkeys and then refuses `~plain*`.
        for rules in [["%RW~*", "~plain*"], ["%R~*", "%W~*", "~plain*"], ["~a", "%rw~*"]] {
            let user = try Self.user(rules)
            #expect(!user.root.allKeys)
            try Self.expectLoadsBack(user)
        }
        #expect(try Self.user(["%RW~*", "~plain*"]).description == "off %RW~* ~plain* resetchannels -@all")
        // `~*` and `allkeys` are still allkeys, written `~*`.
        #expect(try Self.user(["~*"]).description == "off ~* resetchannels -@all")
        #expect(Self.error("~*", "~plain*") == .keyAfterAll)
    }

    /// The user's ACL SAVE line, loaded through the ACL file parser, gives the same user.
    static func expectLoadsBack(_ user: AclUser, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard case .success(let definitions) = AclFile.parse("user u \(user.description)\n", fileName: "users.acl") else {
            Issue.record("the description does not load: \(user.description)", sourceLocation: sourceLocation)
            return
        }
        var loaded = AclUser(name: "u")
        for rule in definitions.first?.rules ?? [] { try loaded.apply(rule) }
        #expect(loaded.description == user.description, sourceLocation: sourceLocation)
    }

    @Test("passwords: > adds a SHA-256, # a hash, < and ! remove, nopass and resetpass")
    func passwords() throws {
        var u = try Self.user("on", ">a", ">b", ">a")
        #expect(u.passwords == [SHA256.hex("a"), SHA256.hex("b")])
        #expect(u.accepts(password: "b") && !u.accepts(password: "c"))
        try u.apply("<a")
        try u.apply("!" + SHA256.hex("b"))
        #expect(u.passwords.isEmpty && !u.accepts(password: "a"))
        try u.apply("nopass")
        #expect(u.nopass && u.accepts(password: "anything"))
        try u.apply("#" + SHA256.hex("z"))
        #expect(!u.nopass && u.accepts(password: "z"))
        try u.apply("resetpass")
        #expect(!u.nopass && u.passwords.isEmpty)
    }

    @Test("reset returns a user to its state at creation")
    func reset() throws {
        var u = try Self.user("on", ">p", "~a", "&b", "+@all", "(+ping)")
        try u.apply("reset")
        #expect(u.description == "off sanitize-payload resetchannels -@all")
    }

    @Test("selectors spread over several words are merged; an unmatched one names its start")
    func merge() throws {
        #expect(try AclUser.mergeSelectorArguments(["on", "(+ping", "~a)", "off"]).get() == ["on", "(+ping ~a)", "off"])
        if case .failure(let f) = AclUser.mergeSelectorArguments(["on", "(+ping", "foo"]) {
            #expect(f.index == 1)
        } else {
            Issue.record("unmatched parenthesis not reported")
        }
    }

    @Test("a printed user loads back identical (ACL LIST round trip)")
    func roundTrip() throws {
        let users = [
            try Self.user("on", ">secret", "-@all", "+ping", "+sentinel|get-master-addr-by-name", "&__sentinel__:*", "~foo"),
            try Self.user("+@all", "-@dangerous", "+client|kill", "%R~r*", "%W~w*", "~x", "&a", "&b"),
            try Self.user("+ping|x", "+ping|y", "(+sentinel ~k &c)", "nopass", "skip-sanitize-payload"),
            try Self.user("+@pubsub", "-publish", "+@admin", "-sentinel|debug", "allchannels"),
        ]
        for u in users {
            let loaded = try AclUserDefinition(name: u.name, rules: u.descriptionRules).build()
            #expect(loaded.description == u.description)
            #expect(loaded == u)
        }
    }

    @Test("user lines in sentinel.conf: loaded, and a bad rule stops loading with Redis's text")
    func configLines() throws {
        let c = try ConfigParser.parse("user alice on >p +ping\nuser default off\n", fileName: "s.conf")
        #expect(c.users == [AclUserDefinition(name: "alice", rules: ["on", ">p", "+ping"]), AclUserDefinition(name: "default", rules: ["off"])])
        func failure(_ text: String) -> String? {
            do { _ = try ConfigParser.parse(text, fileName: "s.conf") } catch { return "\(error.line): \(error.message)" }
            return nil
        }
        #expect(failure("port 1\nuser bob on bogus\n") == "2: Error in user declaration 'bob': Syntax error")
        #expect(failure("user bob on ~* ~a\n") == "1: Error in user declaration 'on': " + AclRuleError.keyAfterAll.message)
        #expect(failure("user bob\nuser bob on\n") == "2: Error in user declaration 'bob': Duplicate user found. A user can only be defined once in config files")
        #expect(failure("user\n") == "1: Bad directive or wrong number of arguments")
        #expect(failure("user bob on +nosuch\n") == "1: Error loading ACL rule '+nosuch' for the user named 'bob': Unknown command or category name in ACL")
        #expect(failure("aclfile /tmp/x.acl\nuser bob on\n")?.hasPrefix("2: Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.") == true)
    }

    @Test("requirepass is the default user's password; a user default line replaces it")
    func requirePass() throws {
        var c = SentinelConfig()
        c.requirePass = "pw"
        var state = AclState(config: c)
        #expect(!state.defaultUserIsNopass && state.checkCredentials(user: "default", password: "pw"))
        #expect(state.persistedDefinitions(requirePass: "pw").isEmpty)
        c.users = [AclUserDefinition(name: "default", rules: ["on", "nopass", "+@all", "~*", "&*"])]
        state = AclState(config: c)
        #expect(state.defaultUserIsNopass && state.newConnectionsAuthenticated)
        #expect(state.persistedDefinitions(requirePass: "pw").map(\.name) == ["default"])
    }
}
