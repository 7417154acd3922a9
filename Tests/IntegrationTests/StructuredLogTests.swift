import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Integration {
    /// Issue 15 items 3 and 5 on real processes: `log-format json|logfmt` lines on stdout and in a
    /// logfile parse line by line and carry the event's fields; text lines keep redis-sentinel's
    /// shape; a bad value stops startup; SENTINEL CONFIG SET switches a running sentinel; ACL
    /// GENPASS keeps redis-sentinel's lengths. swift-sentinel only (log-format is its option).
    @Suite("Structured logs")
    struct StructuredLogTests {
        /// What a line says, whatever its format: its fields (text lines: none).
        typealias Fields = [String: String]

        /// A `SENTINEL SET ... rename-command` value that needs every kind of escape.
        static let awkward = "x\"y\n\tz\\ \u{01} é"

        /// Whether `line` has redis-sentinel's shape: `<pid>:X 07 Dec 2026 05:30:01.123 # message`.
        static func isRedisLine(_ line: String) -> Bool {
            line.wholeMatch(of: #/\d+:X \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} [.\-*#] .*/#) != nil
        }

        /// The fields of one json or logfmt line, or nil when it does not parse.
        static func parse(_ line: String, format: String) -> Fields? {
            if format == "logfmt" {
                return LogfmtReader.parse(line).map { Dictionary($0, uniquingKeysWith: { a, _ in a }) }
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
            return object.mapValues { value in (value as? String) ?? "\(value)" }
        }

        /// The sentinel's own lines of an output (the harness's banner lines left out).
        static func lines(_ text: String) -> [String] {
            text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("---- harness") }
        }

        @Test(
            "json and logfmt, on stdout and in a logfile: every line parses, events carry event and master, timestamps their offset",
            .timeLimit(.minutes(2)))
        func structuredLines() async throws {
            let directory = try TestDirectory.make("structured-logs")
            defer { TestDirectory.remove(directory) }
            let binary = try Binaries.builtSwiftSentinel()
            for (format, toFile) in [("json", false), ("json", true), ("logfmt", false), ("logfmt", true)] {
                let label = "\(format) \(toFile ? "logfile" : "stdout")"
                let logFile = directory.appendingPathComponent("\(format)-\(toFile).log").path
                let masterPort = try FreePort.next()  // nothing listens: +sdown after 1 s
                let sentinel = try await SentinelProcess.start(
                    name: "\(format)-\(toFile)", binary: binary, in: directory, masterPort: masterPort, quorum: 2,
                    downAfterMilliseconds: 1000,
                    extraLines: ["log-format \(format)"] + (toFile ? ["logfile \"\(logFile)\""] : []),
                    environment: ["TZ": "Asia/Kolkata"])
                defer { sentinel.stop() }
                #expect(try sentinel.command("SENTINEL", "SET", Cluster.masterName, "rename-command", "CONFIG", Self.awkward) == .simpleString("OK"))
                func output() -> String { toFile ? ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "") : sentinel.log() }
                try await eventually(timeout: .seconds(10), "\(label): +sdown is logged", diagnostics: { output() }) {
                    output().contains("+sdown")
                }
                sentinel.stop()
                let lines = Self.lines(output())
                #expect(lines.count >= 8, "\(label): \(lines)")
                var parsed: [Fields] = []
                for line in lines {
                    guard let fields = Self.parse(line, format: format) else {
                        Issue.record("\(label): a line does not parse: \(line)")
                        continue
                    }
                    parsed.append(fields)
                    #expect(fields["role"] == "sentinel" && fields["pid"].flatMap(Int.init) != nil, "\(label): \(line)")
                    #expect(["debug", "info", "notice", "warning"].contains(fields["level"] ?? ""), "\(label): \(line)")
                    #expect(!(fields["message"] ?? "").isEmpty, "\(label): \(line)")
                    let stamp = fields["timestamp"] ?? ""
                    #expect(stamp.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+05:30/#) != nil, "\(label): TZ=Asia/Kolkata: \(stamp)")
                }
                let address = "127.0.0.1 \(masterPort)"
                let monitor = parsed.first { $0["event"] == "+monitor" }
                #expect(monitor?["message"] == "+monitor master \(Cluster.masterName) \(address) quorum 2", "\(label)")
                #expect(monitor?["master"] == Cluster.masterName && monitor?["epoch"] == "0", "\(label): \(String(describing: monitor))")
                let sdown = parsed.first { $0["event"] == "+sdown" }
                #expect(sdown?["message"] == "+sdown master \(Cluster.masterName) \(address)" && sdown?["master"] == Cluster.masterName, "\(label)")
                let set = parsed.first { $0["event"] == "+set" }
                #expect(
                    set?["message"] == "+set master \(Cluster.masterName) \(address) rename-command CONFIG \(Self.awkward)",
                    "\(label): escaped and read back unchanged: \(String(describing: set))")
                #expect(parsed.contains { $0["sentinel"]?.count == 40 }, "\(label): the logger's metadata (our id) is a field")
            }
        }

        @Test("text (the default) keeps redis-sentinel's line shape, as redis-sentinel writes it", .timeLimit(.minutes(1)))
        func textUnchanged() async throws {
            let directory = try TestDirectory.make("text-logs")
            defer { TestDirectory.remove(directory) }
            for binary in [try Binaries.builtSwiftSentinel(), try Binaries.referenceSentinel()] {
                let sentinel = try await SentinelProcess.start(
                    name: URL(fileURLWithPath: binary).lastPathComponent, binary: binary, in: directory,
                    masterPort: try FreePort.next(), quorum: 2, downAfterMilliseconds: 1000)
                defer { sentinel.stop() }
                try await eventually(timeout: .seconds(10), "\(sentinel.label): +sdown", diagnostics: { sentinel.log() }) {
                    sentinel.log().contains("+sdown")
                }
                let lines = Self.lines(sentinel.log()).filter { !$0.contains(":signal-handler") }
                #expect(lines.count >= 4)
                for line in lines {
                    #expect(Self.isRedisLine(line), "\(sentinel.label): \(line)")
                }
                #expect(lines.contains { $0.contains(" # +sdown master \(Cluster.masterName) 127.0.0.1 ") }, "\(sentinel.label)")
            }
        }

        @Test("a bad log-format stops startup with its line, in the file and on the command line", .timeLimit(.minutes(1)))
        func badValueRefused() throws {
            let directory = try TestDirectory.make("bad-log-format")
            defer { TestDirectory.remove(directory) }
            let binary = try Binaries.builtSwiftSentinel()
            let file = directory.appendingPathComponent("s.conf").path
            let monitor = "sentinel monitor m 127.0.0.1 \(try FreePort.next()) 1\n"
            let message = "argument(s) must be one of the following: text, json, logfmt, legacy"
            try "port \(try FreePort.next())\nbind 127.0.0.1\nlog-format xml\n\(monitor)".write(toFile: file, atomically: true, encoding: .utf8)
            let inFile = try Spawn.run(binary, [file])
            #expect(inFile.status == 1, "\(inFile.output)")
            #expect(inFile.output.contains("*** FATAL CONFIG FILE ERROR"), "\(inFile.output)")
            #expect(inFile.output.contains("Reading the configuration file, at line 3\n>>> 'log-format xml'\n\(message)\n"), "\(inFile.output)")
            try "port \(try FreePort.next())\nbind 127.0.0.1\n\(monitor)".write(toFile: file, atomically: true, encoding: .utf8)
            let onCommandLine = try Spawn.run(binary, [file, "--log-format", "yaml"])
            #expect(onCommandLine.status == 1, "\(onCommandLine.output)")
            #expect(onCommandLine.output.contains(">>> 'log-format yaml'\n\(message)\n"), "\(onCommandLine.output)")
            let checked = try Spawn.run(binary, [file, "--log-format", "yaml", "--check-config"])
            #expect(checked.status == 1 && checked.output.contains(message), "\(checked.output)")
        }

        @Test("SENTINEL CONFIG SET log-format switches a running sentinel's next line; the file keeps it", .timeLimit(.minutes(1)))
        func configSetSwitches() async throws {
            let directory = try TestDirectory.make("config-set-log-format")
            defer { TestDirectory.remove(directory) }
            let sentinel = try await SentinelProcess.start(
                name: "sentinel", binary: try Binaries.builtSwiftSentinel(), in: directory, masterPort: try FreePort.next(), quorum: 2)
            defer { sentinel.stop() }
            #expect(try sentinel.command("SENTINEL", "CONFIG", "SET", "log-format", "json") == .simpleString("OK"))
            #expect(try sentinel.command("SENTINEL", "CONFIG", "GET", "log-format") == .array([.bulkString("log-format"), .bulkString("json")]))
            #expect(try String(contentsOf: sentinel.configURL, encoding: .utf8).contains("\nlog-format json\n"))
            #expect(try sentinel.command("SENTINEL", "SET", Cluster.masterName, "quorum", "3") == .simpleString("OK"))
            try await eventually(timeout: .seconds(5), "a json +set line", diagnostics: { sentinel.log() }) {
                Self.lines(sentinel.log()).contains { Self.parse($0, format: "json")?["event"] == "+set" }
            }
            #expect(try sentinel.command("SENTINEL", "CONFIG", "SET", "log-format", "text") == .simpleString("OK"))
            let rewritten = try String(contentsOf: sentinel.configURL, encoding: .utf8)
            #expect(!rewritten.contains("\nlog-format"), "text is the default: no line: \(rewritten)")
            #expect(try sentinel.command("SENTINEL", "SET", Cluster.masterName, "quorum", "2") == .simpleString("OK"))
            try await eventually(timeout: .seconds(5), "a text +set line again", diagnostics: { sentinel.log() }) {
                Self.lines(sentinel.log()).last.map(Self.isRedisLine) == true
                    && sentinel.log().contains("# +set master \(Cluster.masterName) ")
            }
        }

        @Test("ACL GENPASS: redis-sentinel's lengths; a new myid and passwords differ between processes", .timeLimit(.minutes(1)))
        func genpassLikeRedis() async throws {
            let directory = try TestDirectory.make("genpass")
            defer { TestDirectory.remove(directory) }
            var answers: [[String]] = []
            var ids: [String] = []
            for binary in [try Binaries.builtSwiftSentinel(), try Binaries.builtSwiftSentinel(), try Binaries.referenceSentinel()] {
                let sentinel = try await SentinelProcess.start(
                    name: "genpass-\(answers.count)", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 2)
                defer { sentinel.stop() }
                var answer: [String] = []
                for bits in [nil, "1", "4", "5", "17", "4096"] {
                    let reply = try sentinel.command(["ACL", "GENPASS"] + (bits.map { [$0] } ?? []))
                    answer.append(reply.string ?? "\(reply)")
                }
                answers.append(answer)
                ids.append(try sentinel.command("SENTINEL", "MYID").string ?? "")
            }
            let lengths = answers.map { $0.map(\.count) }
            #expect(lengths[0] == lengths[2] && lengths[1] == lengths[2], "\(lengths)")
            #expect(lengths[2] == [64, 1, 1, 2, 5, 1024])
            #expect(answers.allSatisfy { $0.allSatisfy { $0.allSatisfy(\.isHexDigit) } })
            #expect(answers[0][0] != answers[1][0] && ids[0] != ids[1] && ids.allSatisfy { $0.count == 40 })
        }
    }
}
