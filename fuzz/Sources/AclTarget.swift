//===----------------------------------------------------------------------===//
// swift-sentinel — fuzz target `acl`: ACL rules and the ACL file
//===----------------------------------------------------------------------===//

import RESP
import SentinelCore

/// Input: lines of ACL rules in inline-command syntax (quotes allowed), one user per line.
///
/// Each line is applied rule by rule (after the selector merge) to a new user, as ACL SETUSER
/// does. Checks: no trap; a user that takes every rule is described (ACL LIST / ACL SAVE) in
/// rules that, loaded back through the ACL file parser, give the same user; the input is also
/// parsed as an ACL file; and the rules go through the core as `ACL SETUSER`, `ACL GETUSER`,
/// `ACL DRYRUN` and `AUTH`.
enum AclTarget {
    static func run(_ data: UnsafeRawBufferPointer) {
        _ = AclFile.parse(data.text, fileName: "users.acl")
        var driver = Topology.ready
        for line in fuzzLines(data).prefix(16) {
            guard let words = fuzzWords(line) else { continue }
            check(words)
            driver.command(["ACL", "SETUSER", "fuzz"] + words)
            driver.command(["ACL", "GETUSER", "fuzz"])
            driver.command(["ACL", "DRYRUN", "fuzz", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"])
            driver.command(["AUTH", "fuzz", words.last ?? ""])
            driver.command(["ACL", "LIST"])
            driver.command(["ACL", "SAVE"])
        }
    }

    static func check(_ rules: [String]) {
        guard case .success(let merged) = AclUser.mergeSelectorArguments(rules) else { return }
        var user = AclUser(name: "fuzz")
        for rule in merged {
            do throws(AclRuleError) { try user.apply(rule) } catch { return }
        }
        let line = "user fuzz \(user.description)\n"
        switch AclFile.parse(line, fileName: "users.acl") {
        case .failure(let error):
            fuzzCheck(false, "ACL SAVE's line does not load: \(line)\(error)")
        case .success(let definitions):
            var loaded = AclUser(name: "fuzz")
            for rule in definitions.first?.rules ?? [] { try? loaded.apply(rule) }
            fuzzCheck(loaded.description == user.description, "reloaded as \(loaded.description), saved \(user.description)")
        }
    }
}
