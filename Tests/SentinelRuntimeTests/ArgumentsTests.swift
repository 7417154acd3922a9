import Foundation
import SentinelCore
import Testing

@testable import SentinelRuntime

@Suite("Command line")
struct ArgumentsTests {
    @Test("--name value... arguments become override lines after the config file")
    func overrides() throws {
        let command = try LaunchArguments.parse([
            "/etc/sentinel.conf", "--port", "26380", "--sentinel", "announce-ip", "1.2.3.4",
        ])
        #expect(
            command
                == .run(configPath: "/etc/sentinel.conf", overrides: ["port 26380", "sentinel announce-ip 1.2.3.4"])
        )
    }

    @Test("--sentinel alone is the mode switch and is ignored")
    func bareSentinelFlag() throws {
        #expect(
            try LaunchArguments.parse(["s.conf", "--sentinel", "--loglevel", "verbose"])
                == .run(configPath: "s.conf", overrides: ["loglevel verbose"])
        )
        #expect(try LaunchArguments.parse(["s.conf", "--sentinel"]) == .run(configPath: "s.conf", overrides: []))
    }

    @Test("no config file: overrides only")
    func noConfigFile() throws {
        #expect(try LaunchArguments.parse(["--port", "1"]) == .run(configPath: nil, overrides: ["port 1"]))
        #expect(try LaunchArguments.parse([]) == .run(configPath: nil, overrides: []))
    }

    @Test("values that need it are quoted like Redis's sdscatrepr")
    func quoting() throws {
        #expect(
            try LaunchArguments.parse(["s.conf", "--logfile", "", "--sentinel", "auth-pass", "m", "a b\"c"])
                == .run(configPath: "s.conf", overrides: ["logfile \"\"", "sentinel auth-pass m \"a b\\\"c\""])
        )
        #expect(LaunchArguments.quoted("tab\there") == "\"tab\\there\"")
        #expect(LaunchArguments.quoted("plain-value_1.2") == "plain-value_1.2")
    }

    @Test("help, version and check-config")
    func modes() throws {
        #expect(try LaunchArguments.parse(["--help"]) == .help)
        #expect(try LaunchArguments.parse(["-h"]) == .help)
        #expect(try LaunchArguments.parse(["--version"]) == .version)
        #expect(try LaunchArguments.parse(["-v"]) == .version)
        #expect(
            try LaunchArguments.parse(["s.conf", "--check-config", "--port", "5"])
                == .checkConfig(configPath: "s.conf", overrides: ["port 5"])
        )
    }

    @Test("--version names the version, the commit (8 hex digits) and whether the tree was dirty")
    func versionBanner() {
        let sha = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
        #expect(
            SentinelVersion.banner(commit: BuildCommit(sha1: sha, dirty: true))
                == "swift-sentinel \(SentinelVersion.version) (git 1a2b3c4d, dirty) Redis Sentinel compatible 7.2.4")
        #expect(
            SentinelVersion.banner(commit: BuildCommit(sha1: sha, dirty: false))
                == "swift-sentinel \(SentinelVersion.version) (git 1a2b3c4d) Redis Sentinel compatible 7.2.4")
        #expect(SentinelVersion.banner(commit: .unknown).contains("(git 00000000)"))
    }

    @Test("INFO server carries the build's commit: redis_git_sha1 its first 8 hex digits, swift_sentinel_* in full")
    func commitInInfo() {
        let commit = BuildCommit(sha1: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", dirty: true)
        let input = HostFacts.serverInfo(configPath: "/etc/s.conf", supervision: .none, commit: commit)
        #expect(input.gitSHA1 == "1a2b3c4d")
        #expect(input.gitDirty == 1)
        #expect(input.swiftSentinelVersion == SentinelVersion.version)
        #expect(input.swiftSentinelGitSHA1 == commit.sha1)
        let unknown = HostFacts.serverInfo(configPath: "/etc/s.conf", supervision: .none, commit: .unknown)
        #expect(unknown.gitSHA1 == "00000000")
        #expect(unknown.gitDirty == 0)
    }

    @Test("config from stdin is refused")
    func stdin() {
        #expect(throws: LaunchArgumentError.self) { try LaunchArguments.parse(["-"]) }
    }

    @Test("--check-config: OK exits 0, an error exits 1 with file:line")
    func checkConfig() {
        let good = Launcher.checkConfig(
            text: "port 26380\nsentinel monitor mymaster 127.0.0.1 6379 2\n", fileName: "s.conf", overrides: []
        )
        #expect(good.status == 0)
        #expect(good.output == "configuration OK")

        let bad = Launcher.checkConfig(text: "port 26380\nsentinel bogus\n", fileName: "s.conf", overrides: [])
        #expect(bad.status == 1)
        #expect(bad.output.hasPrefix("s.conf:2:"))
        #expect(bad.output.contains("sentinel bogus"))

        let badOverride = Launcher.checkConfig(text: "port 26380\n", fileName: "s.conf", overrides: ["port x"])
        #expect(badOverride.status == 1)
    }

    /// `--check-config` stops on the same aclfile problems as startup (Redis's
    /// ACLLoadUsersAtStartup): a rule error names file:line, a missing file names the file.
    @Test("--check-config reads the aclfile: a bad rule or a missing file is an error, a good file is OK")
    func checkConfigReadsTheAclFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("acl-check-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "user alice on >pw +@all\nuser bob on >x +notacommand\n".write(
            toFile: dir + "/bad.acl", atomically: true, encoding: .utf8)
        try "user alice on >pw +@all\n".write(toFile: dir + "/good.acl", atomically: true, encoding: .utf8)

        let bad = Launcher.checkConfig(text: "dir \(dir)\naclfile bad.acl\n", fileName: "s.conf", overrides: [])
        #expect(bad.status == 1)
        #expect(bad.output.hasPrefix("Aborting Redis startup because of ACL errors: "))
        #expect(bad.output.contains("bad.acl:2: Unknown command or category name in ACL"), "\(bad.output)")

        let missing = Launcher.checkConfig(text: "dir \(dir)\naclfile none.acl\n", fileName: "s.conf", overrides: [])
        #expect(missing.status == 1)
        #expect(missing.output.contains("none.acl"), "\(missing.output)")

        let good = Launcher.checkConfig(text: "dir \(dir)\naclfile good.acl\n", fileName: "s.conf", overrides: [])
        #expect(good.status == 0, "\(good.output)")
    }

    /// Startup and `--check-config` give the same verdict, with redis-sentinel 7.0.15's messages
    /// (checked against it): a `dir` that does not exist (at its line), a `logfile` that cannot be
    /// opened (no line), a script that is missing (at its line), in that order; relative paths are
    /// taken from `dir`, as Redis takes them after its chdir.
    @Test("--check-config refuses what loading refuses: dir, logfile, scripts, relative to dir")
    func checkConfigLoadChecks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("load-check-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir + "/helpers", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "#!/bin/sh\n".write(toFile: dir + "/helpers/n.sh", atomically: true, encoding: .utf8)
        chmod(dir + "/helpers/n.sh", 0o755)
        let monitor = "sentinel monitor m 127.0.0.1 6379 2\n"
        func check(_ text: String) -> (status: Int32, output: String) {
            Launcher.checkConfig(text: text, fileName: "s.conf", overrides: [])
        }

        let noDir = check("port 26380\ndir /nonexistent/d\n" + monitor)
        #expect(noDir.status == 1)
        #expect(noDir.output == "s.conf:2: 'dir /nonexistent/d' -> No such file or directory")

        let noLog = check("logfile /nonexistent/d/x.log\n" + monitor + "sentinel notification-script m /nonexistent/n.sh\n")
        #expect(noLog.status == 1)
        #expect(noLog.output == "s.conf: Can't open the log file: No such file or directory", "the logfile comes before the scripts")

        let noScript = check(monitor + "sentinel notification-script m /nonexistent/n.sh\n")
        #expect(noScript.status == 1)
        #expect(noScript.output
            == "s.conf:2: 'sentinel notification-script m /nonexistent/n.sh' -> Notification script seems non existing or non executable.")

        // Relative to `dir`: the script and the log file.
        let relative = check("dir \(dir)\nlogfile s.log\n" + monitor + "sentinel notification-script m helpers/n.sh\n")
        #expect(relative.status == 0, "\(relative.output)")
        #expect(FileManager.default.fileExists(atPath: dir + "/s.log"), "the log file is opened in dir")
        let banner = try #require(Launcher.loadProblem(
            try ConfigParser.parse("logfile /nonexistent/d/x.log\n", fileName: "s.conf"), text: "logfile /nonexistent/d/x.log\n",
            fileName: "s.conf"))
        #expect(Launcher.fatalBanner(banner).hasSuffix("***\nCan't open the log file: No such file or directory\n"),
            "no line, as redis-sentinel prints it")
    }

    @Test("fatal config error banner")
    func fatalBanner() {
        let error = ConfigLoadError(
            file: "s.conf", line: 3, lineText: "sentinel bogus",
            message: "Unrecognized sentinel configuration statement."
        )
        #expect(
            Launcher.fatalBanner(error) == """

                *** FATAL CONFIG FILE ERROR (swift-sentinel \(SentinelVersion.version)) ***
                Reading the configuration file, at line 3
                >>> 'sentinel bogus'
                Unrecognized sentinel configuration statement.

                """
        )
    }

    @Test("startup messages")
    func messages() {
        #expect(Launcher.needsConfigFile == "Sentinel needs config file on disk to save state. Exiting...")
        #expect(
            Launcher.notWritable(path: "/x/s.conf", reason: "Permission denied")
                == "Sentinel config file /x/s.conf is not writable: Permission denied. Exiting..."
        )
    }
}
