import Foundation
import Testing

@testable import SentinelCore

/// `Server/Spec/commands.json` is the one source of the command table: the compiled table must be
/// what it says, and the generated Swift file must be what the generator makes of it today.
@Suite("CommandSpecFile")
struct CommandSpecFileTests {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("commands.json decodes to exactly the compiled CommandTable.commands")
    func jsonEqualsCompiledTable() throws {
        let url = Self.root.appendingPathComponent("Sources/SentinelCore/Server/Spec/commands.json")
        let decoded = try JSONDecoder().decode([CommandSpecJSON].self, from: Data(contentsOf: url))
        let fromJSON = Self.flattened(decoded.map(\.spec))
        let compiled = Self.flattened(CommandTable.commands)
        #expect(fromJSON.map(\.name) == compiled.map(\.name))
        for (a, b) in zip(fromJSON, compiled) {
            let same = a == b
            #expect(same, "\(b.name) differs between commands.json and the compiled table")
        }
    }

    /// Every command and subcommand, each without its subcommands, so a difference names its entry.
    static func flattened(_ specs: [CommandSpec]) -> [CommandSpec] {
        specs.flatMap { spec in
            var top = spec
            top.subcommands = []
            return [top] + flattened(spec.subcommands)
        }
    }

    @Test("the checked-in CommandTable+Generated.swift is what scripts/generate-command-table makes of commands.json")
    func generatedFileIsFresh() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("scripts/generate-command-table").path, "--check"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
    }
}
