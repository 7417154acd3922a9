import RESP
import Testing

@testable import SentinelCore

/// The command registry (Server/Commands/CommandRegistry.swift) against the command table: every
/// command has a handler, every SENTINEL subcommand one arity, and nothing in the table falls
/// through to "unknown command/subcommand".
@Suite("CommandRegistry")
struct CommandRegistryTests {
    @Test("every top-level command of the table has exactly one handler, and no handler is for a command outside it")
    func topLevelHandlers() {
        #expect(Set(Sentinel.commandHandlers.keys) == Set(CommandTable.commands.map(\.name)))
    }

    /// The SENTINEL words and arities swift-sentinel accepts (what the former `sentinelArity` table
    /// listed): Redis 7.0's, Valkey's aliases, and `coordinated-failover`.
    static let sentinelArities: [String: Int] = [
        "help": 2, "masters": 2, "primaries": 2, "master": 3, "primary": 3, "replicas": 3, "slaves": 3,
        "sentinels": 3, "get-master-addr-by-name": 3, "get-primary-addr-by-name": 3, "reset": 3, "ckquorum": 3,
        "flushconfig": 2, "monitor": 6, "remove": 3, "set": -5, "config": -4, "is-master-down-by-addr": 6,
        "is-primary-down-by-addr": 6, "info-cache": -3, "pending-scripts": 2, "myid": 2, "debug": -2,
        "failover": -3, "simulate-failure": -3, "coordinated-failover": -8,
    ]

    @Test("every SENTINEL subcommand has one row with one arity; the table's own arity except CONFIG and FAILOVER")
    func sentinelRows() throws {
        let rows = Sentinel.sentinelSubcommands
        #expect(rows.mapValues(\.arity) == Self.sentinelArities)
        let table = try #require(CommandTable.lookup("sentinel")).subcommands
        for spec in table {
            let sub = String(spec.name.dropFirst("sentinel|".count))
            let row = try #require(rows[sub], "sentinel|\(sub) has no registry row")
            #expect(row.entry == sub)
            // The two deliberate differences, explained at their rows.
            if sub != "config" && sub != "failover" { #expect(row.arity == spec.arity, "\(spec.name)") }
        }
        // A word outside the table is an alias (or swift-sentinel's own) checked as a table entry.
        for (word, row) in rows where CommandTable.lookup("sentinel|" + word) == nil {
            #expect(CommandTable.lookup("sentinel|" + row.entry) != nil, "\(word)")
            #expect(AclCommandIndex.target(name: "sentinel", sub: word) == AclCommandIndex.id("sentinel|" + row.entry))
        }
        #expect(rows["primaries"]?.entry == "masters")
        #expect(rows["coordinated-failover"]?.entry == "failover")
    }

    /// Replies to `words` on a fresh sentinel with one master.
    static func replies(_ words: [String]) -> [RESPValue] {
        var h = ClientCommandTests.Harness()
        h.connect(1)
        return h.sentinel.handle(.clientCommand(ClientID(1), words), now: h.now).compactMap {
            if case .reply(_, let value, _) = $0 { value } else { nil }
        }
    }

    /// The shortest command line `spec`'s arity allows (`x` for each argument).
    static func minimalLine(_ spec: CommandSpec) -> [String] {
        let words = spec.name.split(separator: "|").map(String.init)
        return words + Array(repeating: "x", count: max(0, abs(spec.arity) - words.count))
    }

    @Test("every command and subcommand of the table runs a handler: none answers unknown command or subcommand")
    func nothingFallsThrough() {
        var lines = CommandTable.commands.filter { $0.name != "sentinel" }.flatMap { spec in
            spec.subcommands.isEmpty ? [Self.minimalLine(spec)] : spec.subcommands.map(Self.minimalLine)
        }
        // SENTINEL's words (sentinelRows checks they cover the table) with their registry arity.
        for (word, row) in Sentinel.sentinelSubcommands {
            lines.append(["sentinel", word] + Array(repeating: "x", count: abs(row.arity) - 2))
        }
        // 11 plain commands, 17 CLIENT + 13 ACL + 7 COMMAND subcommands, 26 SENTINEL words.
        #expect(lines.count == 11 + 17 + 13 + 7 + 26)
        for line in lines {
            for reply in Self.replies(line) {
                guard case .error(let text) = reply else { continue }
                #expect(!text.hasPrefix("ERR unknown"), "\(line): \(text)")
                #expect(!text.hasPrefix("ERR wrong number of arguments"), "\(line): \(text)")
            }
        }
    }
}
