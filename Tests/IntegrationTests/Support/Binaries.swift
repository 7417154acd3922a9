import Foundation

/// Where the integration tests find the programs they run.
///
/// | what | how |
/// | --- | --- |
/// | sentinel under test | `$SENTINEL_BIN`, else the `swift-sentinel` executable that `swift test` built next to the test bundle |
/// | reference sentinel | `$REFERENCE_SENTINEL_BIN`, else `redis-sentinel` on `PATH` (Debian: `/usr/bin/redis-sentinel`) |
/// | differential candidate | `$DIFF_SENTINEL_BIN`, else the built `swift-sentinel` (never `$SENTINEL_BIN`) |
/// | redis-server | `$REDIS_SERVER_BIN`, else `redis-server` on `PATH` |
/// | python | `$PYTHON`, else `<repo>/.venv/bin/python`, else `python3` on `PATH` |
/// | repository root | `$SWIFT_SENTINEL_REPO`, else three levels above this source file (symlinks resolved) |
enum Binaries {
    static let environment = ProcessInfo.processInfo.environment

    /// True when `SENTINEL_BIN` points the tests at another sentinel (e.g. Debian's
    /// redis-sentinel); timing bounds written for swift-sentinel are then relaxed.
    static var sentinelOverridden: Bool {
        !(environment["SENTINEL_BIN"] ?? "").isEmpty
    }

    /// False when `SENTINEL_BIN` is Debian's redis-sentinel, which has no
    /// `SENTINEL FAILOVER <master> COORDINATED`.
    static var sentinelUnderTestHasCoordinatedFailover: Bool {
        URL(fileURLWithPath: environment["SENTINEL_BIN"] ?? "").lastPathComponent != "redis-sentinel"
    }

    static func sentinelUnderTest() throws -> String {
        if let path = environment["SENTINEL_BIN"], !path.isEmpty {
            return try executable(path, what: "SENTINEL_BIN")
        }
        return try builtSwiftSentinel()
    }

    /// The candidate side of the differential test.
    static func differentialCandidate() throws -> String {
        if let path = environment["DIFF_SENTINEL_BIN"], !path.isEmpty {
            return try executable(path, what: "DIFF_SENTINEL_BIN")
        }
        return try builtSwiftSentinel()
    }

    static func referenceSentinel() throws -> String {
        if let path = environment["REFERENCE_SENTINEL_BIN"], !path.isEmpty {
            return try executable(path, what: "REFERENCE_SENTINEL_BIN")
        }
        return try onPath("redis-sentinel", hint: "apt-get install -y redis-sentinel (or run ./.ci/run)")
    }

    static func redisServer() throws -> String {
        if let path = environment["REDIS_SERVER_BIN"], !path.isEmpty {
            return try executable(path, what: "REDIS_SERVER_BIN")
        }
        return try onPath("redis-server", hint: "apt-get install -y redis-server (or run ./.ci/run)")
    }

    /// The `swift-sentinel` executable in the same build directory as the running test bundle.
    static func builtSwiftSentinel() throws -> String {
        var searched: [String] = []
        for start in buildDirectoryCandidates() {
            var directory = start
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("swift-sentinel").path
                searched.append(candidate)
                if FileManager.default.isExecutableFile(atPath: candidate) {
                    return candidate
                }
                directory.deleteLastPathComponent()
            }
        }
        throw HarnessError(
            """
            swift-sentinel was not found next to the test runner (looked at \(searched.joined(separator: ", "))). \
            Build it with `swift build`, or point the tests at another sentinel with \
            SENTINEL_BIN=/usr/bin/redis-sentinel (DIFF_SENTINEL_BIN for the differential test).
            """)
    }

    private static func buildDirectoryCandidates() -> [URL] {
        var result: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            result.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first, first.contains("/") {
            result.append(URL(fileURLWithPath: first).standardizedFileURL.deletingLastPathComponent())
        }
        return result
    }

    static var repositoryRoot: URL {
        if let root = environment["SWIFT_SENTINEL_REPO"], !root.isEmpty {
            return URL(fileURLWithPath: root)
        }
        // <root>/Tests/IntegrationTests/Support/Binaries.swift. The test directory may be a
        // symlink (scratch packages), so resolve it before walking up.
        let supportDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let testsDirectory = supportDirectory.deletingLastPathComponent().resolvingSymlinksInPath()
        return testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    }

    static func script(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("scripts").appendingPathComponent(name).path
    }

    static func python() throws -> String {
        if let path = environment["PYTHON"], !path.isEmpty {
            return try executable(path, what: "PYTHON")
        }
        let venv = repositoryRoot.appendingPathComponent(".venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) {
            return venv
        }
        return try onPath("python3", hint: "apt-get install -y python3 python3-venv")
    }

    private static func executable(_ path: String, what: String) throws -> String {
        let resolved = path.contains("/") ? path : (try? onPath(path, hint: "")) ?? path
        guard FileManager.default.isExecutableFile(atPath: resolved) else {
            throw HarnessError("\(what)=\(path) is not an executable file")
        }
        return resolved
    }

    static func onPath(_ name: String, hint: String) throws -> String {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        for directory in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        throw HarnessError("\(name) not found on PATH; \(hint)")
    }
}
