import DequeModule
import RESP

/// All ACL users of the sentinel's own port, and the ACL log.
struct AclState: Hashable, Sendable {
    /// Users by name. Listed sorted by name bytes, as Redis's radix tree lists them.
    private(set) var users: [String: AclUser] = ["default": .makeDefault()]
    /// Newest first (Redis's ACLLog).
    var log: Deque<AclLogEntry> = []
    /// `acllog-max-len` (Redis default 128).
    var logMaxLength = 128
    /// `aclfile`: where users are loaded from and saved to (then no `user` lines are written).
    var filePath: String? = nil
    /// ACL file reads/writes in flight, by token.
    var pendingFile: [Int: AclPendingFileOperation] = [:]
    var nextFileToken = 1

    init() {}

    /// Whether the default user needs no password (protected mode and AUTH <password> look at this).
    var defaultUserIsNopass: Bool { users["default"]?.nopass ?? true }

    /// Whether a new connection starts authenticated as `default` (Redis's createClient: the
    /// default user is `nopass` and not `off`).
    var newConnectionsAuthenticated: Bool {
        guard let user = users["default"] else { return true }
        return user.nopass && user.enabled
    }

    /// User names sorted by bytes.
    var sortedNames: [String] {
        users.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    func user(_ name: String) -> AclUser? { users[name] }

    /// Stores `user` (created or replaced).
    mutating func set(_ user: AclUser) { users[user.name] = user }

    /// Removes a user; the default user cannot be removed.
    @discardableResult
    mutating func remove(_ name: String) -> Bool {
        guard name != "default" else { return false }
        return users.removeValue(forKey: name) != nil
    }

    /// Replaces every user (ACL LOAD, startup); a missing default user is created as Redis does.
    mutating func replaceAll(_ newUsers: [AclUser]) {
        var d: [String: AclUser] = [:]
        for u in newUsers { d[u.name] = u }
        if d["default"] == nil { d["default"] = .makeDefault() }
        users = d
    }

    /// Why a user/password pair does not authenticate, or nil when it does (ACLCheckUserCredentials).
    func checkCredentials(user name: String, password: String) -> Bool {
        guard let user = users[name], user.enabled else { return false }
        return user.accepts(password: password)
    }

    /// The `user` lines of ``users`` (default included), sorted by name: what ACL LIST shows,
    /// ACL SAVE writes and the config rewrite writes.
    var definitions: [AclUserDefinition] {
        sortedNames.compactMap { users[$0] }.map { AclUserDefinition(name: $0.name, rules: $0.descriptionRules) }
    }

    /// Sets the default user's password from `requirepass` (ACLUpdateDefaultUserPassword).
    mutating func applyRequirePass(_ password: String?) {
        var user = users["default"] ?? .makeDefault()
        try? user.apply("resetpass")
        if let password { try? user.apply(">" + password) } else { try? user.apply("nopass") }
        users["default"] = user
    }
}

/// A `user <name> <rules...>` line of sentinel.conf or of an ACL file.
package struct AclUserDefinition: Hashable, Sendable {
    var name: String
    package var rules: [String]
    init(name: String, rules: [String]) {
        self.name = name
        self.rules = rules
    }

    /// Builds the user from a fresh one (from `reset` for `default`, as ACLLoadConfiguredUsers).
    func build() throws(AclRuleError) -> AclUser {
        var user = AclUser(name: name)
        if name == "default" {
            user = .makeDefault()
            try user.apply("reset")
        }
        for rule in rules { try user.apply(rule) }
        return user
    }

    /// Builds the user from a new (off) user, as an ACL file line is loaded.
    func buildFresh() throws(AclRuleError) -> AclUser {
        var user = AclUser(name: name)
        for rule in rules { try user.apply(rule) }
        return user
    }
}

/// One ACL LOG entry (Redis 7.0: count, reason, context, object, username, age, client info).
struct AclLogEntry: Hashable, Sendable {
    enum Reason: String, Hashable, Sendable {
        case command, key, channel, auth
    }
    var count: Int
    var reason: Reason
    var object: String
    var username: String
    var createdAt: Millis
    var clientInfo: String
}

extension AclState {
    /// Adds an entry, or bumps a similar one among the 10 newest seen within 60 s (addACLLogEntry).
    mutating func addLogEntry(_ entry: AclLogEntry) {
        for (index, current) in log.prefix(10).enumerated() {
            if current.reason == entry.reason && current.object == entry.object && current.username == entry.username
                && abs(current.createdAt - entry.createdAt) <= 60_000
            {
                var updated = current
                updated.count += 1
                updated.createdAt = entry.createdAt
                updated.clientInfo = entry.clientInfo
                log.remove(at: index)
                log.prepend(updated)
                return
            }
        }
        log.prepend(entry)
        while log.count > logMaxLength { log.removeLast() }
    }

    mutating func resetLog() { log = [] }
}

extension AclState {
    /// The users of a loaded config: the default user gets `requirepass` first, then the `user`
    /// lines (or the ACL file's users) apply, as Redis loads them.
    init(config: SentinelConfig) {
        self.init()
        logMaxLength = config.aclLogMaxLength
        applyRequirePass(config.requirePass)
        filePath = config.aclFile
        if filePath != nil {
            // ACLLoadFromFile: every user from scratch; a file without `default` gives the
            // default user Redis creates (nopass, whatever requirepass says).
            replaceAll(config.users.compactMap { try? $0.buildFresh() })
            return
        }
        // ACLLoadConfiguredUsers resets the existing default user before its rules apply;
        // `reset` leaves nothing of what requirepass gave it, so build() starts from a fresh one.
        for definition in config.users {
            guard let user = try? definition.build() else { continue }
            users[user.name] = user
        }
    }

    /// The users to write as `user` lines: every user sorted by name, or none while only the
    /// default user exists in the state `requirepass` alone gives it (then writing it would add
    /// nothing a loader does not already do; Redis writes it anyway).
    func persistedDefinitions(requirePass: String?) -> [AclUserDefinition] {
        var implicit = AclState()
        implicit.applyRequirePass(requirePass)
        if users.count == 1, users["default"] == implicit.users["default"] { return [] }
        return definitions
    }
}

/// An ACL file operation waiting for the runtime: who gets the answer, in which reply slot.
enum AclPendingFileOperation: Hashable, Sendable {
    /// ACL LOAD.
    case load(ClientID, slot: Int)
    /// ACL SAVE, or the save after SETUSER/DELUSER: `success` on a good write.
    case save(ClientID, slot: Int, success: RESPValue)
}
