#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SentinelCore
import SentinelRuntime
import Testing

/// A fresh temporary directory, removed at the end of the test.
private final class ConfigTestDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/config-file-tests-XXXXXX").utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard result != nil else { throw CocoaError(.fileWriteUnknown) }
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}

private func sampleConfig(port: Int = 26379) -> SentinelConfig {
    var c = SentinelConfig()
    c.port = port
    c.myID = "0123456789abcdef0123456789abcdef01234567"
    c.currentEpoch = 2
    var m = MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)
    m.configEpoch = 2
    m.knownReplicas = [HostPort("127.0.0.1", 6380)]
    c.masters = [m]
    return c
}

private func write(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: false, encoding: .utf8)
}

private func contents(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

private func inode(_ path: String) -> UInt64 {
    var st = stat()
    guard stat(path, &st) == 0 else { return 0 }
    return UInt64(st.st_ino)
}

@Suite("Config file on disk")
struct ConfigFileTests {
    @Test func persistRewritesInPlaceAndLeavesNoTemporaryFile() throws {
        let dir = try ConfigTestDirectory()
        let path = dir.file("sentinel.conf")
        let original = "# my sentinel\nport 26379\nsentinel monitor mymaster 127.0.0.1 6379 2\n"
        try write(original, to: path)
        try ConfigFile.persist(sampleConfig(), path: path)
        let text = try contents(path)
        #expect(text == ConfigRewriter.rewrite(original: original, config: sampleConfig()))
        #expect(text.hasPrefix("# my sentinel\nport 26379\nsentinel monitor mymaster 127.0.0.1 6379 2\n"))
        #expect(try ConfigParser.parse(text, fileName: path) == sampleConfig())
        #expect(try dir.entries() == ["sentinel.conf"])
        // Mode 0644 & ~umask.
        let mask = umask(0o022)
        umask(mask)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o644 & ~mask)
        // Persisting the same config again changes nothing.
        try ConfigFile.persist(sampleConfig(), path: path)
        #expect(try contents(path) == text)
    }

    /// `include`: a plain path must be readable (redis-sentinel 7.0.15's text otherwise), a
    /// pattern reads its matches in alphabetical order, a pattern with no match reads nothing.
    @Test func includeReadsFilesAndPatterns() throws {
        let dir = try ConfigTestDirectory()
        try write("hz 7\n", to: dir.file("b.conf"))
        try write("hz 8\n", to: dir.file("a.conf"))
        #expect(try ConfigFile.readIncluded(dir.file("b.conf")).get() == [ConfigIncludedFile(name: dir.file("b.conf"), text: "hz 7\n")])
        #expect(try ConfigFile.readIncluded(dir.file("*.conf")).get().map(\.name) == [dir.file("a.conf"), dir.file("b.conf")])
        #expect(try ConfigFile.readIncluded(dir.file("none-*.conf")).get() == [])
        let missing = dir.file("missing.conf")
        #expect(throws: ConfigIncludeFailure(message: "Fatal error, can't open config file '\(missing)': No such file or directory")) {
            try ConfigFile.readIncluded(missing).get()
        }
        let main = "include \(dir.file("*.conf"))\nsentinel monitor m 127.0.0.1 6399 1\n"
        let config = try ConfigParser.parse(main, fileName: "s.conf", include: ConfigFile.readIncluded)
        #expect(config.otherDirectives == [ServerDirective(name: "hz", arguments: ["7"])])
    }

    @Test func persistCreatesAMissingFile() throws {
        let dir = try ConfigTestDirectory()
        let path = dir.file("new.conf")
        try ConfigFile.persist(sampleConfig(), path: path)
        #expect(try contents(path) == ConfigRewriter.rewrite(original: "", config: sampleConfig()))
        #expect(try dir.entries() == ["new.conf"])
    }

    @Test func symlinkedConfigKeepsTheLink() throws {
        let dir = try ConfigTestDirectory()
        let target = dir.file("real.conf")
        let link = dir.file("sentinel.conf")
        try write("port 26379\n", to: target)
        #expect(symlink(target, link) == 0)
        try ConfigFile.persist(sampleConfig(port: 26400), path: link)
        var st = stat()
        #expect(lstat(link, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK)
        #expect(try contents(target).hasPrefix("port 26400\n"))
        #expect(try dir.entries() == ["real.conf", "sentinel.conf"])
    }

    @Test func scriptsMustExistAndBeExecutable() throws {
        let dir = try ConfigTestDirectory()
        let good = dir.file("notify.sh")
        let notExecutable = dir.file("plain.sh")
        try write("#!/bin/sh\n", to: good)
        try write("#!/bin/sh\n", to: notExecutable)
        chmod(good, 0o755)
        chmod(notExecutable, 0o644)
        var c = sampleConfig()
        c.masters[0].notificationScript = good
        #expect(ConfigFile.scriptProblems(in: c) == [])
        c.masters[0].clientReconfigScript = dir.file("missing.sh")
        #expect(ConfigFile.scriptProblems(in: c) == [
            ConfigFile.ScriptProblem(
                directive: "sentinel client-reconfig-script mymaster",
                message: "Client reconfiguration script seems non existing or non executable.")
        ])
        // Even root needs an execute bit.
        c.masters[0].notificationScript = notExecutable
        #expect(ConfigFile.scriptProblems(in: c).count == 2)
    }

    @Test func readReturnsTheText() throws {
        let dir = try ConfigTestDirectory()
        let path = dir.file("s.conf")
        try write("port 1\n", to: path)
        #expect(try ConfigFile.read(path: path) == "port 1\n")
        #expect(throws: ConfigWriteError.self) { try ConfigFile.read(path: dir.file("missing.conf")) }
    }

    @Test func checkWritable() throws {
        let dir = try ConfigTestDirectory()
        let path = dir.file("s.conf")
        #expect(throws: ConfigWriteError.self) { try ConfigFile.checkWritable(path: path) }
        try write("", to: path)
        try ConfigFile.checkWritable(path: path)
    }

    @Test func missingDirectoryIsAnError() throws {
        let dir = try ConfigTestDirectory()
        let path = dir.file("no/such/dir/s.conf")
        do {
            try ConfigFile.persist(sampleConfig(), path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.path == path)
            #expect(error.step == "create temporary file")
            #expect(error.errorNumber == ENOENT)
            #expect(error.description == "config file \(path): create temporary file failed: \(String(cString: strerror(ENOENT)))")
        }
    }

    @Test func failedRenameLeavesTheOriginalIntact() throws {
        let dir = try ConfigTestDirectory()
        let path = dir.file("sentinel.conf")
        let original = "port 26379\n"
        try write(original, to: path)
        var seams = ConfigFile.Seams()
        seams.rename = { _, _ in
            errno = EIO
            return -1
        }
        do {
            try ConfigFile.persist(sampleConfig(port: 26400), path: path, seams: seams)
            Issue.record("expected an error")
        } catch {
            #expect(error.step == "rename")
            #expect(error.errorNumber == EIO)
        }
        #expect(try contents(path) == original)
        #expect(try dir.entries() == ["sentinel.conf"])
    }

    @Test(arguments: [EBUSY, EXDEV, EPERM])
    func renameRefusedFallsBackToAnInPlaceWrite(_ errorNumber: Int32) throws {
        let dir = try ConfigTestDirectory()
        let path = dir.file("sentinel.conf")
        // Longer than the new content, so the in-place write must truncate.
        let original = "# " + String(repeating: "x", count: 4000) + "\nport 26379\n"
        try write(original, to: path)
        let before = inode(path)
        var seams = ConfigFile.Seams()
        seams.rename = { _, _ in
            errno = errorNumber
            return -1
        }
        try ConfigFile.persist(sampleConfig(port: 26400), path: path, seams: seams)
        #expect(try contents(path) == ConfigRewriter.rewrite(original: original, config: sampleConfig(port: 26400)))
        #expect(inode(path) == before)
        #expect(try dir.entries() == ["sentinel.conf"])
    }

    @Test func failedInPlaceWriteRestoresTheOldContent() throws {
        let dir = try ConfigTestDirectory()
        let path = dir.file("sentinel.conf")
        let original = "# old content\nport 26379\nsentinel monitor mymaster 127.0.0.1 6379 2\n"
        try write(original, to: path)
        var seams = ConfigFile.Seams()
        seams.rename = { _, _ in
            errno = EBUSY
            return -1
        }
        // Let two 16-byte chunks through, then fail: the file holds a mix until it is restored.
        seams.inPlaceChunkSize = 16
        seams.allowInPlaceWrite = { offset in offset < 32 }
        let chunked = sampleConfig(port: 26400)
        do {
            try ConfigFile.persist(chunked, path: path, seams: seams)
            Issue.record("expected an error")
        } catch {
            #expect(error.step == "write in place")
            #expect(error.errorNumber == EIO)
        }
        #expect(try contents(path) == original)
        #expect(try dir.entries() == ["sentinel.conf"])

        // A failure on the very first write also leaves the old text.
        seams.allowInPlaceWrite = { _ in false }
        #expect(throws: ConfigWriteError.self) { try ConfigFile.persist(chunked, path: path, seams: seams) }
        #expect(try contents(path) == original)
    }

    @Test func unwritableDirectoryAndFile() throws {
        // Root ignores permission bits, so this only means something for other users.
        guard getuid() != 0 else { return }
        let dir = try ConfigTestDirectory()
        let path = dir.file("sentinel.conf")
        try write("port 26379\n", to: path)
        chmod(path, 0o444)
        chmod(dir.path, 0o555)
        defer { chmod(dir.path, 0o755) }
        #expect(throws: ConfigWriteError.self) { try ConfigFile.persist(sampleConfig(port: 26400), path: path) }
        #expect(try contents(path) == "port 26379\n")
        #expect(try dir.entries() == ["sentinel.conf"])
    }

    @Test func writableFileInUnwritableDirectoryIsWrittenInPlace() throws {
        guard getuid() != 0 else { return }
        let dir = try ConfigTestDirectory()
        let path = dir.file("sentinel.conf")
        try write("port 26379\n", to: path)
        chmod(dir.path, 0o555)
        defer { chmod(dir.path, 0o755) }
        try ConfigFile.persist(sampleConfig(port: 26400), path: path)
        #expect(try contents(path).hasPrefix("port 26400\n"))
    }

    @Test func absolutePath() throws {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(ConfigFile.absolutePath("/etc/sentinel.conf") == "/etc/sentinel.conf")
        #expect(ConfigFile.absolutePath("sentinel.conf") == (cwd == "/" ? "" : cwd) + "/sentinel.conf")
        #expect(ConfigFile.absolutePath("./a/../b.conf") == (cwd == "/" ? "" : cwd) + "/b.conf")
        let parent = (cwd as NSString).deletingLastPathComponent
        #expect(ConfigFile.absolutePath("../x.conf") == (parent == "/" ? "" : parent) + "/x.conf")
    }

    /// The repository's sentinel.conf.example, found from this source file.
    static func exampleText() throws -> String {
        let me = realpath(#filePath, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        } ?? #filePath
        let root = ((me as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        return try contents(((root as NSString).deletingLastPathComponent as NSString).appendingPathComponent("sentinel.conf.example"))
    }

    static let documentedDirectives = [
        "port", "bind", "protected-mode", "requirepass", "loglevel", "logfile", "log-format", "dir", "pidfile", "daemonize",
        "user", "aclfile", "acllog-max-len", "enable-debug-command", "enable-protected-configs", "enable-module-command",
        "bind-source-addr", "tls-port", "tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file",
        "tls-client-key-file", "tls-client-key-file-pass", "tls-ca-cert-file", "tls-ca-cert-dir", "tls-dh-params-file",
        "tls-protocols", "tls-ciphers", "tls-ciphersuites", "tls-prefer-server-ciphers", "tls-session-caching",
        "tls-session-cache-size", "tls-session-cache-timeout", "tls-auth-clients", "tls-replication", "repl-diskless-sync-delay",
        "maxclients", "timeout", "tcp-keepalive", "tcp-backlog", "unixsocket", "unixsocketperm", "syslog-enabled",
        "syslog-ident", "syslog-facility", "hz", "supervised", "crash-log-enabled", "crash-memcheck-enabled", "oom-score-adj",
        "disable-thp", "locale-collate", "latency-tracking", "io-threads", "set-proc-title", "proc-title-template",
        "always-show-logo", "appendonly", "client-query-buffer-limit", "proto-max-bulk-len", "coordinated-failover-pause",
        "sentinel announce-ip", "sentinel announce-port", "sentinel resolve-hostnames", "sentinel announce-hostnames",
        "sentinel deny-scripts-reconfig", "sentinel sentinel-user", "sentinel sentinel-pass", "sentinel down-after-milliseconds",
        "sentinel failover-timeout", "sentinel parallel-syncs", "sentinel auth-pass", "sentinel auth-user",
        "sentinel master-reboot-down-after-period", "sentinel rename-command", "sentinel notification-script",
        "sentinel client-reconfig-script",
    ]

    @Test func exampleLoadsAndEveryCommentedDirectiveIsValid() throws {
        let text = try Self.exampleText()
        let config = try ConfigParser.parse(text, fileName: "sentinel.conf.example")
        var expected = SentinelConfig()
        expected.masters = [MasterConfig(name: "mymaster", address: HostPort("127.0.0.1", 6379), quorum: 2)]
        #expect(config == expected)
        // Uncommenting each documented directive line gives a loadable file.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for name in Self.documentedDirectives {
            let examples = lines.filter { $0.hasPrefix("# " + name + " ") }
            #expect(!examples.isEmpty, "sentinel.conf.example does not show \(name)")
            for line in examples {
                let uncommented = String(line.dropFirst(2))
                #expect(throws: Never.self, "\(uncommented)") {
                    try ConfigParser.parse(text + uncommented + "\n", fileName: "example")
                }
            }
        }
        // The rewrite keeps every comment of the example.
        var state = config
        state.myID = "0123456789abcdef0123456789abcdef01234567"
        let rewritten = ConfigRewriter.rewrite(original: text, config: state)
        #expect(rewritten.hasPrefix(text))
    }
}
