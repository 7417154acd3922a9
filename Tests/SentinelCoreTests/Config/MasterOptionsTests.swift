import OrderedCollections
import RESP
import Testing

@testable import SentinelCore

/// The per-master option rows (issue 14: one row per option): every name a row is read under
/// loads from the file and is accepted by SENTINEL SET, a default value is not written, a set
/// value is written under Redis's name and reads back the same, and the file and SENTINEL SET
/// checks are Redis's.
@Suite("Master options")
struct MasterOptionsTests {
    /// A value each row accepts that is not its default.
    static func sample(_ row: MasterOption) -> String {
        switch row.value {
        case .milliseconds: "12345"
        case .count: "3"
        case .text: "/usr/local/bin/x.sh"
        }
    }

    @Test("each row: loaded under every name, written under Redis's name, read back the same; defaults not written")
    func roundTrip() throws {
        for row in MasterOption.all where row.inFile {
            #expect(row.written(.defaults) == nil, "\(row.name) at its default is not written")
            for name in row.names {
                let text = "sentinel monitor m 127.0.0.1 6379 2\nsentinel \(name) m \(Self.sample(row))\n"
                let config = try ConfigParser.parse(text, fileName: "s.conf")
                #expect(row.written(config.masters[0]) == Self.sample(row), "\(name)")
                let upperText = "sentinel monitor m 127.0.0.1 6379 2\nsentinel \(name.uppercased()) m \(Self.sample(row))\n"
                let upper = try ConfigParser.parse(upperText, fileName: "s.conf")
                #expect(upper.masters[0] == config.masters[0], "\(name) in capitals")
                let rewritten = ConfigRewriter.rewrite(original: text, config: config)
                #expect(rewritten.contains("sentinel \(row.name) m \(Self.sample(row))\n"), "\(name): \(rewritten)")
                #expect(try ConfigParser.parse(rewritten, fileName: "s.conf").masters[0] == config.masters[0])
            }
        }
    }

    @Test("the checks of the file and of SENTINEL SET, as redis-sentinel 7.0.15 makes them")
    func checks() throws {
        func fileError(_ line: String) -> String? {
            do {
                _ = try ConfigParser.parse("sentinel monitor m 127.0.0.1 6379 2\n" + line + "\n", fileName: "s.conf")
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(fileError("sentinel down-after-milliseconds m 0")?.hasSuffix("negative or zero time parameter.") == true)
        #expect(fileError("sentinel failover-timeout m x")?.hasSuffix("negative or zero time parameter.") == true)
        #expect(fileError("sentinel master-reboot-down-after-period m -1")?.hasSuffix("negative time parameter.") == true)
        #expect(fileError("sentinel coordinated-pause-milliseconds m 0") == nil)
        #expect(fileError("sentinel parallel-syncs m 0") == nil, "the file takes any integer, as Redis's atoi")
        #expect(fileError("sentinel quorum m 2")?.hasSuffix("Unrecognized sentinel configuration statement.") == true)
        #expect(fileError("sentinel down-after-milliseconds nope 5")?.hasSuffix("No such master with specified name.") == true)

        var config = MasterConfig.defaults
        let row = { (name: String) in try #require(MasterOption.named(name)) }
        #expect(try !row("parallel-syncs").set("0", into: &config), "SENTINEL SET wants a count above 0")
        #expect(try !row("quorum").set("-1", into: &config))
        #expect(try row("quorum").set("4", into: &config) && config.quorum == 4)
        #expect(try !row("down-after-milliseconds").set("0", into: &config))
        #expect(try row("primary-reboot-down-after-period").set("0", into: &config))
        #expect(try row("auth-pass").set("", into: &config) && config.authPass == nil, "empty unsets")
    }
}

/// Script paths are checked by the runtime, which delivers the answers with the command
/// (issue 14: no I/O in the core): the core names the paths to check, and SENTINEL SET answers
/// from the facts.
@Suite("Script facts")
struct ScriptFactsTests {
    static func sentinel(_ extra: String = "") throws -> Sentinel {
        let text = "port 26379\nsentinel monitor m 127.0.0.1 6379 2\nsentinel deny-scripts-reconfig no\n" + extra
        var s = Sentinel(config: try ConfigParser.parse(text, fileName: "s.conf"), seed: 3)
        _ = s.start(now: 1000)
        _ = s.handle(.clientConnected(ClientID(1), address: "127.0.0.1:5000", localAddress: "127.0.0.1:26379"), now: 1000)
        return s
    }

    @Test("the paths a SENTINEL SET names, also under a server-level rename; none for other commands")
    func pathsToCheck() throws {
        let s = try Self.sentinel()
        #expect(
            s.executablesToCheck(["sentinel", "SET", "m", "quorum", "2", "NOTIFICATION-SCRIPT", "/a.sh", "client-reconfig-script", "b.sh"])
                == ["/a.sh", "b.sh"])
        #expect(s.executablesToCheck(["SENTINEL", "SET", "m", "notification-script", ""]) == [])
        #expect(s.executablesToCheck(["SENTINEL", "CONFIG", "SET", "notification-script", "/a.sh"]) == [])
        #expect(s.executablesToCheck(["PING"]) == [])
        let renamed = try Self.sentinel("rename-command SENTINEL watch\n")
        #expect(renamed.executablesToCheck(["watch", "set", "m", "notification-script", "/a.sh"]) == ["/a.sh"])
        #expect(renamed.executablesToCheck(["sentinel", "set", "m", "notification-script", "/a.sh"]) == [])
    }

    @Test("SENTINEL SET answers from the facts the command came with")
    func setUsesFacts() throws {
        var s = try Self.sentinel()
        let refused = s.handle(
            .clientCommand(
                ClientID(1), ["SENTINEL", "SET", "m", "notification-script", "/nope.sh"],
                facts: CommandFacts(executable: ["/nope.sh": false])), now: 1000)
        #expect(refused.contains(.reply(ClientID(1), .error("ERR Notification script seems non existing or non executable"), .resp2)))
        #expect(s.masterNamed("m")?.config.notificationScript == nil)
        _ = s.handle(
            .clientCommand(
                ClientID(1), ["SENTINEL", "SET", "m", "client-reconfig-script", "/ok.sh"],
                facts: CommandFacts(executable: ["/ok.sh": true])), now: 1000)
        #expect(s.masterNamed("m")?.config.clientReconfigScript == "/ok.sh")
    }
}
