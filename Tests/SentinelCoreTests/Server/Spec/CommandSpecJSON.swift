import Foundation
import RESP

@testable import SentinelCore

/// The shape of `Sources/SentinelCore/Server/Spec/commands.json`, decoded independently of the
/// generator so a test can compare the JSON with the compiled table. Keys are snake_case; a
/// field left out of the JSON is nil, empty or 0.
struct CommandSpecJSON: Codable, Equatable {
    struct Argument: Codable, Equatable {
        var name: String
        var type: String
        var token: String?
        var since: String?
        var deprecated_since: String?
        var flags: [String]?
        var arguments: [Argument]?
    }

    struct History: Codable, Equatable {
        var version: String
        var change: String
    }

    struct Docs: Codable, Equatable {
        var summary: String
        var since: String
        var group: String
        var complexity: String?
        var doc_flags: [String]?
        var deprecated_since: String?
        var replaced_by: String?
        var history: [History]?
        var arguments: [Argument]?
    }

    var name: String
    var arity: Int
    var flags: [String]
    var first_key: Int?
    var last_key: Int?
    var step: Int?
    var acl_categories: [String]
    var tips: [String]?
    var docs: Docs
    var subcommands: [CommandSpecJSON]?

    /// The table entry this JSON object describes.
    var spec: CommandSpec {
        CommandSpec(
            name: name, arity: arity, flags: flags, firstKey: first_key ?? 0, lastKey: last_key ?? 0,
            step: step ?? 0, aclCategories: acl_categories, tips: tips ?? [], keySpecs: [],
            docs: CommandDocs(
                summary: docs.summary, since: docs.since, group: docs.group, complexity: docs.complexity,
                docFlags: docs.doc_flags ?? [], deprecatedSince: docs.deprecated_since, replacedBy: docs.replaced_by,
                history: (docs.history ?? []).map { CommandHistoryEntry($0.version, $0.change) },
                arguments: (docs.arguments ?? []).map(\.argument)),
            subcommands: (subcommands ?? []).map(\.spec))
    }

    /// The JSON object of a table entry (used once to write commands.json from the Swift literals).
    init(_ spec: CommandSpec) {
        precondition(spec.keySpecs.isEmpty, "key specs are not represented in commands.json")
        name = spec.name
        arity = spec.arity
        flags = spec.flags
        first_key = spec.firstKey == 0 ? nil : spec.firstKey
        last_key = spec.lastKey == 0 ? nil : spec.lastKey
        step = spec.step == 0 ? nil : spec.step
        acl_categories = spec.aclCategories
        tips = spec.tips.isEmpty ? nil : spec.tips
        let d = spec.docs
        docs = Docs(
            summary: d.summary, since: d.since, group: d.group, complexity: d.complexity,
            doc_flags: d.docFlags.isEmpty ? nil : d.docFlags, deprecated_since: d.deprecatedSince,
            replaced_by: d.replacedBy,
            history: d.history.isEmpty ? nil : d.history.map { History(version: $0.version, change: $0.change) },
            arguments: d.arguments.isEmpty ? nil : d.arguments.map(Argument.init))
        subcommands = spec.subcommands.isEmpty ? nil : spec.subcommands.map(CommandSpecJSON.init)
    }
}

extension CommandSpecJSON.Argument {
    var argument: CommandArgument {
        CommandArgument(
            name, CommandArgument.Kind(rawValue: type)!, token: token, since: since,
            deprecatedSince: deprecated_since, flags: flags ?? [], arguments: (arguments ?? []).map(\.argument))
    }

    init(_ a: CommandArgument) {
        name = a.name
        type = a.kind.rawValue
        token = a.token
        since = a.since
        deprecated_since = a.deprecatedSince
        flags = a.flags.isEmpty ? nil : a.flags
        arguments = a.arguments.isEmpty ? nil : a.arguments.map(Self.init)
    }
}
