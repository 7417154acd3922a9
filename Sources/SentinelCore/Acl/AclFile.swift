/// The ACL file (`aclfile`): Redis's ACLLoadFromFile and ACLSaveToFile formats. Pure; the
/// runtime reads and writes the file (``Action/aclFile(_:token:)``).
package enum AclFile {
    /// What the runtime is asked to do with the file.
    package enum Operation: Hashable, Sendable {
        /// Read the whole file; answer with its text or the open/read error.
        case read(path: String)
        /// Replace the file atomically (temporary file + rename) with `content`.
        case write(path: String, content: String)
    }

    /// Parses an ACL file. Every line is `user <name> <rules...>` or blank; words are separated
    /// by single spaces (no quoting, as Redis's sdssplitlen). All problems are collected; on any
    /// problem nothing is loaded and the text is Redis's (ending with "WARNING: ACL errors
    /// detected, no change to the previously active ACL rules was performed").
    package static func parse(_ text: String, fileName: String) -> Result<[AclUserDefinition], AclFileError> {
        var errors = ""
        var users: [AclUserDefinition] = []
        // Lines as sentinel.conf's: split on `\n`, each sdstrim'd of " \t\r\n".
        for (index, line) in ConfigTokenizer.lines(text).enumerated() {
            let number = index + 1
            if line.isEmpty { continue }
            let argv = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard argv[0] == "user", argv.count >= 2 else {
                errors += "\(fileName):\(number) should start with user keyword followed by the username. "
                continue
            }
            if AclSelector.hasSpaces(argv[1].utf8) {
                errors += "'\(fileName):\(number): username '\(argv[1])' contains invalid characters. "
                continue
            }
            if users.contains(where: { $0.name == argv[1] }) {
                errors += "WARNING: Duplicate user '\(argv[1])' found on line \(number). "
                continue
            }
            var rules: [String] = []
            switch AclUser.mergeSelectorArguments(Array(argv.dropFirst(2))) {
            case .success(let merged): rules = merged.map { trim($0, "\t\r\n") }
            case .failure:
                errors += "\(fileName):\(number): Unmatched parenthesis in selector definition."
            }
            var user = AclUser(name: argv[1])
            for rule in rules {
                do throws(AclRuleError) { try user.apply(rule) } catch {
                    errors += "\(fileName):\(number): \(error.message). "
                }
            }
            users.append(AclUserDefinition(name: argv[1], rules: rules))
        }
        if !errors.isEmpty {
            return .failure(AclFileError(message: errors + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"))
        }
        return .success(users)
    }

    /// The file ACL SAVE writes: one `user <name> <description>` line per user, sorted by name.
    static func content(_ state: AclState) -> String {
        state.sortedNames.compactMap { state.user($0) }.map { "user \($0.name) \($0.description)\n" }.joined()
    }

    /// sdstrim: `set` characters removed from both ends.
    static func trim(_ s: String, _ set: String) -> String {
        let bytes = Array(s.utf8)
        let drop = Set(set.utf8)
        var start = 0
        var end = bytes.count
        while start < end && drop.contains(bytes[start]) { start += 1 }
        while end > start && drop.contains(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// A problem loading an ACL file, as one line of text.
package struct AclFileError: Error, Hashable, Sendable, CustomStringConvertible {
    package var message: String
    package init(message: String) { self.message = message }
    package var description: String { message }
}
