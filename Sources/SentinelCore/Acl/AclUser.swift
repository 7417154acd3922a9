/// One ACL user (Redis's `user`): flags, password hashes, and its selectors (root first).
package struct AclUser: Hashable, Sendable {
    var name: String
    /// `on`/`off`. A new user is off.
    var enabled = false
    var nopass = false
    /// `skip-sanitize-payload` / `sanitize-payload` (accepted and shown; nothing to sanitize here).
    var skipSanitizePayload = false
    var sanitizePayload = false
    /// SHA-256 hex hashes, in the order added, without duplicates.
    var passwords: [String] = []
    /// The root selector first, then those added with `(...)`.
    var selectors: [AclSelector] = [AclSelector(isRoot: true)]

    package init(name: String) {
        self.name = name
    }

    /// The default user as Redis creates it: `on nopass ~* &* +@all`.
    static func makeDefault() -> AclUser {
        var user = AclUser(name: "default")
        for rule in ["+@all", "~*", "&*", "on", "nopass"] { try? user.apply(rule) }
        return user
    }

    var root: AclSelector {
        get { selectors[0] }
        set { selectors[0] = newValue }
    }

    /// Applies one rule (ACLSetUser). An empty rule does nothing.
    package mutating func apply(_ op: String) throws(AclRuleError) {
        let bytes = Array(op.utf8)
        guard let first = bytes.first else { return }
        switch op.asciiLowercased {
        case "on": enabled = true
        case "off": enabled = false
        case "skip-sanitize-payload":
            skipSanitizePayload = true
            sanitizePayload = false
        case "sanitize-payload":
            skipSanitizePayload = false
            sanitizePayload = true
        case "nopass":
            nopass = true
            passwords = []
        case "resetpass":
            nopass = false
            passwords = []
        case "clearselectors":
            selectors = [selectors[0]]
        case "reset":
            nopass = false
            passwords = []
            try root.apply("resetkeys")
            try root.apply("resetchannels")
            enabled = false
            skipSanitizePayload = false
            sanitizePayload = true
            selectors = [selectors[0]]
            try root.apply("-@all")
        default:
            if first == UInt8(ascii: ">") || first == UInt8(ascii: "#") {
                let hash = try Self.passwordHash(bytes, plain: first == UInt8(ascii: ">"))
                if !passwords.contains(hash) { passwords.append(hash) }
                nopass = false
            } else if first == UInt8(ascii: "<") || first == UInt8(ascii: "!") {
                let hash = try Self.passwordHash(bytes, plain: first == UInt8(ascii: "<"))
                guard let index = passwords.firstIndex(of: hash) else { throw .noSuchPassword }
                passwords.remove(at: index)
            } else if first == UInt8(ascii: "("), bytes.last == UInt8(ascii: ")") {
                var selector = AclSelector(isRoot: false)
                let inner = String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self)
                for rule in ConfigTokenizer.split(inner) ?? [] {
                    // A word ending in `)` would end the selector early when ACL LIST, ACL SAVE or
                    // CONFIG REWRITE's line is read back: refused here, while Redis takes it and
                    // then writes a line it cannot load (`(~c:*))` lists as `(~c:*) ... -@all)`).
                    guard rule.utf8.last != UInt8(ascii: ")") else { throw .syntax }
                    try selector.apply(rule)
                }
                selectors.append(selector)
            } else {
                try root.apply(op)
            }
        }
    }

    /// Whether `password` authenticates this user (not checking `on`).
    func accepts(password: String) -> Bool {
        if nopass { return true }
        let hash = SHA256.hex(password)
        return passwords.contains(hash)
    }

    /// The stored form of a password rule's argument (after its first byte): the SHA-256 hex of a
    /// plain password (`>p`, `<p`), or a hash given as is (`#h`, `!h`), which must be 64 hex digits.
    private static func passwordHash(_ rule: [UInt8], plain: Bool) throws(AclRuleError) -> String {
        let text = String(decoding: rule.dropFirst(), as: UTF8.self)
        if plain { return SHA256.hex(text) }
        guard isHash(text) else { throw .badHash }
        return text
    }

    /// 64 lowercase hex digits (ACLCheckPasswordHash).
    static func isHash(_ s: String) -> Bool {
        s.utf8.count == 64
            && s.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }

    /// Joins `(`...`)` selectors spread over several words (ACLMergeSelectorArguments). On an
    /// unmatched `(`, returns the index (in `rules`) of the word that opened it.
    package static func mergeSelectorArguments(_ rules: [String]) -> Result<[String], UnmatchedParenthesis> {
        var merged: [String] = []
        var open: (start: Int, text: String)? = nil
        for (index, rule) in rules.enumerated() {
            let bytes = rule.utf8
            if bytes.first == UInt8(ascii: "("), bytes.last != UInt8(ascii: ")") {
                open = (index, rule)
                continue
            }
            if var current = open {
                current.text += " " + rule
                if bytes.last == UInt8(ascii: ")") {
                    merged.append(current.text)
                    open = nil
                } else {
                    open = current
                }
                continue
            }
            merged.append(rule)
        }
        if let open { return .failure(UnmatchedParenthesis(index: open.start)) }
        return .success(merged)
    }

    package struct UnmatchedParenthesis: Error, Hashable {
        var index: Int
    }
}
