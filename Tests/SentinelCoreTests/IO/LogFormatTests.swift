import RESP
import Testing

@testable import SentinelCore

/// `log-format text|json|logfmt` (issue 15): a server directive like `loglevel` (file, command
/// line, rewrite), a SENTINEL CONFIG GET/SET parameter like `loglevel`, and the fields an
/// event's log line carries when the format prints them.
@Suite("log-format and event fields")
struct LogFormatTests {
    static let myID = String(repeating: "b", count: 40)
    static let admin = ClientID(1)

    static func sentinel(_ directives: String) throws -> (Sentinel, [Action]) {
        let text = directives + "sentinel myid \(myID)\nsentinel monitor m 127.0.0.1 6379 2\nsentinel current-epoch 7\n"
        var s = Sentinel(config: try ConfigParser.parse(text, fileName: "s.conf"), seed: 1)
        var actions = s.start(now: 1000)
        for case .persistConfig(_, let token) in actions {
            actions += s.handle(.configPersisted(token: token, error: nil), now: 1000)
        }
        actions += s.handle(.clientConnected(admin, address: "127.0.0.1:5001", localAddress: "127.0.0.1:26379"), now: 1000)
        return (s, actions)
    }

    static func command(_ s: inout Sentinel, _ words: String...) -> [Action] {
        var actions = s.handle(.clientCommand(admin, words), now: 2000)
        for case .persistConfig(_, let token) in actions {
            actions += s.handle(.configPersisted(token: token, error: nil), now: 2000)
        }
        return actions
    }

    static func replies(_ actions: [Action]) -> [RESPValue] {
        actions.compactMap { if case .reply(admin, let value, _) = $0 { value } else { nil } }
    }

    static func persisted(_ actions: [Action]) -> [SentinelConfig] {
        actions.compactMap { if case .persistConfig(let config, _) = $0 { config } else { nil } }
    }

    @Test("the directive: text by default, json/logfmt in the file or on the command line, any case; the rewrite writes it unless text")
    func directive() throws {
        #expect(try ConfigParser.parse("port 26379\n", fileName: "s.conf").logFormat == .text)
        #expect(try ConfigParser.parse("log-format JSON\n", fileName: "s.conf").logFormat == .json)
        let overridden = try ConfigParser.parse("log-format json\n", fileName: "s.conf", overrides: ["log-format logfmt"])
        #expect(overridden.logFormat == .logfmt)
        do {
            _ = try ConfigParser.parse("port 26379\n", fileName: "s.conf", overrides: ["log-format yaml"])
            Issue.record("log-format yaml was accepted")
        } catch {
            #expect(error.description == "(command line):1: 'log-format yaml' -> argument(s) must be one of the following: text, json, logfmt, legacy")
        }
        var config = SentinelConfig()
        config.myID = Self.myID
        #expect(!ConfigRewriter.rewrite(original: "", config: config).contains("log-format"))
        config.logFormat = .logfmt
        let written = ConfigRewriter.rewrite(original: "port 26379\n", config: config)
        #expect(written.contains("\nlog-format logfmt\n"))
        #expect(try ConfigParser.parse(written, fileName: "s.conf").logFormat == .logfmt, "read back the same")
        config.logFormat = .text
        for old in ["log-format json\n", "log-format legacy\n", "log-format text\n"] {
            #expect(
                !ConfigRewriter.rewrite(original: old, config: config).contains("log-format"),
                "text is the default, written as no line, which Valkey 8.1 loads too: \(old)")
        }
        #expect(try ConfigParser.parse("log-format legacy\n", fileName: "s.conf").logFormat == .text, "Valkey 8.1's name of the text format")
    }

    @Test("an event's line carries event, master and epoch under json and logfmt; under text it carries none")
    func eventFields() throws {
        let expectedLine = "+monitor master m 127.0.0.1 6379 quorum 2"
        let (_, text) = try Self.sentinel("")
        #expect(text.contains(.log(.warning, expectedLine, nil)))
        for format in ["json", "logfmt"] {
            let (_, structured) = try Self.sentinel("log-format \(format)\n")
            #expect(structured.contains(.log(.warning, expectedLine, EventFields(event: "+monitor", master: "m", epoch: 7))), "\(format)")
        }
    }

    @Test("SENTINEL CONFIG GET/SET log-format, like loglevel: the runtime is told, the file keeps it, later events carry fields")
    func configSet() throws {
        var (s, _) = try Self.sentinel("")
        #expect(Self.replies(Self.command(&s, "SENTINEL", "CONFIG", "GET", "log-format")) == [.map([.bulkString("log-format"), .bulkString("text")])])
        #expect(
            Self.replies(Self.command(&s, "SENTINEL", "CONFIG", "SET", "log-format", "xml"))
                == [.error("ERR Invalid value 'xml' to SENTINEL CONFIG SET 'log-format'")])
        let set = Self.command(&s, "SENTINEL", "CONFIG", "SET", "LOG-FORMAT", "json")
        #expect(set.contains(.setLogFormat(.json)))
        #expect(Self.replies(set) == [.ok])
        #expect(Self.persisted(set).last?.logFormat == .json)
        #expect(Self.replies(Self.command(&s, "SENTINEL", "CONFIG", "GET", "log-format")) == [.map([.bulkString("log-format"), .bulkString("json")])])
        let removed = Self.command(&s, "SENTINEL", "REMOVE", "m")
        #expect(removed.contains(.log(.warning, "-monitor master m 127.0.0.1 6379", EventFields(event: "-monitor", master: "m", epoch: 7))))
    }
}
