/// The names the sentinel's own commands answer to after server-level `rename-command` lines.
///
/// Reproduces Redis's loader (redis-sentinel 7.0.15, checked by running it): each line looks its
/// first name up among the current names of the command table (case-insensitively), else "No such
/// command in rename-command"; removes that name; then, unless the new name is empty, adds the
/// new name for the same command, else "Target command name already exists". So a command renamed
/// once no longer answers to its old name (a second `rename-command PING z` fails), and renames
/// chain (`PING x` then `x y`). The command keeps its table name for everything else (COMMAND
/// INFO, ACL rules, CLIENT LIST), as in Redis, where the command keeps its full name.
enum CommandRenames {
    struct Failure: Error, Equatable {
        /// Which line of the list failed.
        var index: Int
        var message: String
    }

    static let noSuchCommand = "No such command in rename-command"
    static let targetExists = "Target command name already exists"

    /// Applies `renames` in order to the command table. Returns the map from every name a client
    /// may send (lowercased) to the command's table name.
    static func names(applying renames: [RenamedCommand]) -> Result<[String: String], Failure> {
        var names: [String: String] = [:]
        for spec in CommandTable.commands { names[spec.name] = spec.name }
        for (index, rename) in renames.enumerated() {
            guard let command = names.removeValue(forKey: rename.command) else {
                return .failure(Failure(index: index, message: noSuchCommand))
            }
            let target = rename.renamed.lowercased()
            if target.isEmpty { continue }
            guard names[target] == nil else { return .failure(Failure(index: index, message: targetExists)) }
            names[target] = command
        }
        return .success(names)
    }
}
