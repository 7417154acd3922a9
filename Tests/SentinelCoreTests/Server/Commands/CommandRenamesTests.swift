import RESP
import Testing

@testable import SentinelCore

/// Server-level `rename-command` (Redis renames the sentinel's own commands).
@Suite("Server-level rename-command")
struct CommandRenamesTests {
    /// A started sentinel loaded from `text`, with client 1 connected.
    static func sentinel(_ text: String) throws -> Sentinel {
        let config = try ConfigParser.parse("sentinel myid \(ConfigTestIDs.sample)\n" + text, fileName: "s.conf")
        var sentinel = Sentinel(config: config, seed: 1)
        _ = sentinel.start(now: 1_000)
        _ = sentinel.handle(.clientConnected(ClientID(1), address: "127.0.0.1:50001", localAddress: "127.0.0.1:26379"), now: 1_000)
        return sentinel
    }

    static func reply(_ sentinel: inout Sentinel, _ words: String...) -> RESPValue? {
        for case .reply(ClientID(1), let value, _) in sentinel.handle(.clientCommand(ClientID(1), words), now: 1_000) {
            return value
        }
        return nil
    }

    /// What redis-sentinel 7.0.15 answered with `rename-command PING x`, `rename-command x y`,
    /// `rename-command info ""`: PING and x unknown, y is PONG, INFO unknown.
    @Test func renamedCommandsAnswerToTheirNewNameOnly() throws {
        var s = try Self.sentinel("rename-command PING x\nrename-command x y\nrename-command info \"\"\n")
        #expect(Self.reply(&s, "PING") == .error("ERR unknown command 'PING', with args beginning with: "))
        #expect(Self.reply(&s, "x") == .error("ERR unknown command 'x', with args beginning with: "))
        #expect(Self.reply(&s, "Y") == .simpleString("PONG"))
        #expect(Self.reply(&s, "info", "server") == .error("ERR unknown command 'info', with args beginning with: 'server' "))
        #expect(Self.reply(&s, "role").map { if case .array = $0 { true } else { false } } == true)
    }

    /// redis-sentinel 7.0.15: `user alice on nopass +ping` with `rename-command PING x` loads,
    /// and alice may run `x` (ACL rules name the command by its table name).
    @Test func aclRulesKeepTheTableName() throws {
        var s = try Self.sentinel("rename-command PING x\nuser default on nopass -@all +auth\nuser alice on nopass +ping\n")
        #expect(Self.reply(&s, "AUTH", "alice", "any") == .simpleString("OK"))
        #expect(Self.reply(&s, "x") == .simpleString("PONG"))
    }

    @Test func withoutRenamesNothingChanges() throws {
        var s = try Self.sentinel("")
        #expect(s.commandNames == nil)
        #expect(Self.reply(&s, "PING") == .simpleString("PONG"))
    }

    /// redis-sentinel 7.0.15: a command renamed once is no longer found under its old name.
    @Test func renamingAnOldNameAgainFails() {
        #expect(throws: ConfigLoadError(file: "s.conf", line: 2, lineText: "rename-command PING z", message: "No such command in rename-command")) {
            try ConfigParser.parse("rename-command PING x\nrename-command PING z\n", fileName: "s.conf")
        }
    }

    @Test func theRewriteKeepsTheLinesAsWritten() throws {
        let text = "port 26379\nrename-command  PING   x\nrename-command x y\n"
        let config = try ConfigParser.parse(text, fileName: "s.conf")
        #expect(config.commandRenames == [RenamedCommand(command: "ping", renamed: "x"), RenamedCommand(command: "x", renamed: "y")])
        let lines = ConfigTokenizer.lines(ConfigRewriter.rewrite(original: text, config: config))
        #expect(Array(lines.prefix(3)) == ["port 26379", "rename-command  PING   x", "rename-command x y"])
    }
}
