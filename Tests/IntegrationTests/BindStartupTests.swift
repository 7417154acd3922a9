import Foundation
import Testing

extension Integration {
    /// `bind` at startup, swift-sentinel next to redis-sentinel 7.0.15 with the same config lines:
    /// the same exit (or start), and the same warning and final log lines, for an address this
    /// machine lacks (192.0.2.1, TEST-NET-1) with and without `-`, only optional missing addresses,
    /// a bracketed IPv6 literal and an optional name that does not resolve. No namespace needed.
    @Suite("Bind at startup")
    struct BindStartupTests {
        struct Case {
            var bind: String
            /// Whether the sentinel keeps running.
            var starts: Bool
            /// Log messages both must write (`<port>` is replaced by the port).
            var messages: [String]
        }

        /// The warning for 192.0.2.1 (TEST-NET-1), an address this machine lacks.
        static let unavailable =
            "Warning: Could not create server TCP listening socket 192.0.2.1:<port>: bind: Cannot assign requested address"
        static let aborting = "Failed listening on port <port> (TCP), aborting."

        static let cases: [Case] = [
            Case(
                bind: "127.0.0.1 192.0.2.1", starts: false,
                messages: [unavailable, aborting]),
            Case(
                bind: "-192.0.2.1 127.0.0.1 -::1", starts: true,
                messages: [unavailable]),
            Case(
                bind: "-192.0.2.1", starts: false,
                messages: [
                    unavailable,
                    "Configured to not listen anywhere, exiting.",
                ]),
            Case(
                bind: "[::1] 127.0.0.1", starts: false,
                messages: [
                    "Warning: Could not create server TCP listening socket [::1]:<port>: Name or service not known",
                    aborting,
                ]),
            Case(
                bind: "127.0.0.1 -nosuchhost.invalid", starts: false,
                messages: [aborting]),
        ]

        @Test("bind failures: same exit and log lines as redis-sentinel", .timeLimit(.minutes(2)))
        func sameAsRedis() async throws {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("sentinel-bind-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer {
                if ProcessInfo.processInfo.environment["KEEP_TEST_DIRS"] == nil {
                    try? FileManager.default.removeItem(at: directory)
                }
            }
            for (index, testCase) in Self.cases.enumerated() {
                for binary in [try Binaries.referenceSentinel(), try Binaries.sentinelUnderTest()] {
                    let name = URL(fileURLWithPath: binary).lastPathComponent
                    let caseDirectory = directory.appendingPathComponent("\(index)-\(name)")
                    try FileManager.default.createDirectory(at: caseDirectory, withIntermediateDirectories: true)
                    let port = try FreePort.next()
                    let config = caseDirectory.appendingPathComponent("sentinel.conf")
                    try "port \(port)\nbind \(testCase.bind)\nlogfile \"\"\ndir \"\(caseDirectory.path)\"\n"
                        .write(to: config, atomically: true, encoding: .utf8)
                    let process = ManagedProcess(
                        label: "\(name) bind \(testCase.bind)", executable: binary, arguments: [config.path],
                        logURL: caseDirectory.appendingPathComponent("sentinel.log"))
                    try process.launch()
                    defer { process.stop() }
                    if testCase.starts {
                        try await eventually(timeout: .seconds(10), "\(process.label) answers PING", diagnostics: { process.log() }) {
                            guard process.isRunning else { throw FatalPollingError("exited: \(process.log())") }
                            return try RESPClient(port: port, timeout: .seconds(1)).send("PING") == .simpleString("PONG")
                        }
                    } else {
                        try await eventually(timeout: .seconds(15), "\(process.label) exits", diagnostics: { process.log() }) {
                            !process.isRunning
                        }
                        #expect(process.exitStatus == 1, "\(process.label): \(process.log())")
                    }
                    let log = process.log()
                    for message in testCase.messages {
                        let expected = message.replacingOccurrences(of: "<port>", with: "\(port)")
                        #expect(log.contains("# \(expected)\n"), "\(process.label) should log '\(expected)':\n\(log)")
                    }
                }
            }
        }
    }
}
