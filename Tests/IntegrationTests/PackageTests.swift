import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Integration {
    /// Issue 15 (items 4 and 6): the release tarball of `scripts/package` and the version the
    /// binaries report. The packaged binary runs with a bare environment (no toolchain on `PATH`,
    /// no `LD_LIBRARY_PATH`), as on a machine without Swift.
    @Suite("Package and version")
    struct PackageTests {
        /// What `tar -tzf` must list, below the tarball's one directory.
        static let packagedFiles: Set<String> = [
            "bin/swift-sentinel",
            "share/doc/swift-sentinel/sentinel.conf.example",
            "LICENSE",
            "lib/systemd/system/swift-sentinel.service",
            "share/man/man1/swift-sentinel.1",
        ]

        /// Lines the unit must have (hardening and readiness, issue 15 item 4).
        static let unitLines: [String] = [
            "Type=notify",
            "User=swift-sentinel",
            "Group=swift-sentinel",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ReadWritePaths=/etc/swift-sentinel",
            "UMask=0077",
            "Restart=on-failure",
            "PrivateTmp=yes",
            "ProtectHome=yes",
        ]

        @Test(
            "the tarball holds the stripped binary, unit, man page, example config and LICENSE; the binary runs without the toolchain and names its commit",
            .timeLimit(.minutes(45)))
        func packagedBinary() async throws {
            let directory = try TestDirectory.make("package")
            defer { TestDirectory.remove(directory) }
            let expected = Self.checkoutCommit()
            var tarball = try await Self.tarball(rebuild: false)
            var extracted = try Self.extract(tarball, into: directory.appendingPathComponent("first"))
            var banner = try Self.bareRun(extracted.binary, ["--version"]).output
            if !banner.contains("(git \(expected.prefix(8))") {
                // Built from another commit (a tarball left from an earlier run): build it again.
                tarball = try await Self.tarball(rebuild: true)
                extracted = try Self.extract(tarball, into: directory.appendingPathComponent("second"))
                banner = try Self.bareRun(extracted.binary, ["--version"]).output
            }

            // --version: swift-sentinel, its version, the commit, the Redis-compatible version.
            let version = try #require(tarball.lastPathComponent.firstMatch(of: /^swift-sentinel-(.+)-linux-[^-]+\.tar\.gz$/)).1
            #expect(banner.hasPrefix("swift-sentinel \(version) (git \(expected.prefix(8))"), "\(banner)")
            #expect(banner.contains("Redis Sentinel compatible 7.2.4"), "\(banner)")

            // The file list and the unit.
            let listing = try Self.run("/usr/bin/tar", ["-tzf", tarball.path]).output
            let files = Set(
                listing.split(separator: "\n").compactMap { line -> String? in
                    let parts = line.split(separator: "/", maxSplits: 1)
                    return parts.count == 2 && !line.hasSuffix("/") ? String(parts[1]) : nil
                })
            #expect(files == Self.packagedFiles, "\(listing)")
            let unit = try String(
                contentsOf: extracted.root.appendingPathComponent("lib/systemd/system/swift-sentinel.service"), encoding: .utf8)
            let unitLines = Set(unit.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
            let missing = Self.unitLines.filter { !unitLines.contains($0) }
            #expect(missing.isEmpty, "the unit lacks the lines \(missing)")
            let execStart = unitLines.first { $0.hasPrefix("ExecStart=") } ?? ""
            #expect(execStart.hasPrefix("ExecStart=/usr/local/bin/swift-sentinel /etc/swift-sentinel/sentinel.conf"))
            #expect(execStart.contains("--supervised systemd"), "Type=notify needs the sentinel to notify: \(execStart)")
            #expect(unitLines.contains { $0.hasPrefix("LimitNOFILE=") })
            let license = try String(contentsOf: extracted.root.appendingPathComponent("LICENSE"), encoding: .utf8)
            #expect(license.contains("Apache License") && license.contains("Version 2.0, January 2004"))
            let manPage = try String(
                contentsOf: extracted.root.appendingPathComponent("share/man/man1/swift-sentinel.1"), encoding: .utf8)
            #expect(manPage.hasPrefix(".TH \"SWIFT-SENTINEL\" \"1\""), "\(manPage.prefix(200))")
            #expect(manPage.contains("swift-sentinel \(version)"))

            // Stripped, and nothing of the toolchain at run time.
            let fileType = try Self.run("/usr/bin/file", [extracted.binary]).output
            #expect(fileType.contains(", stripped"), "\(fileType)")
            let dynamic = try Self.run("/usr/bin/readelf", ["-d", extracted.binary]).output
            #expect(!dynamic.contains("/opt/swift") && !dynamic.contains("lib/swift"), "\(dynamic)")
            let libraries = try Self.bareRun("/usr/bin/ldd", [extracted.binary]).output
            #expect(!libraries.contains("swift") && !libraries.contains("not found"), "\(libraries)")

            // Run it with a minimal config for a moment: INFO server over RESP.
            let port = try FreePort.next()
            let config = directory.appendingPathComponent("sentinel.conf")
            try SentinelProcess.initialConfig(
                port: port, directory: directory, masterName: "mymaster", masterPort: try FreePort.next(), quorum: 1,
                downAfterMilliseconds: 5000, extraLines: []
            ).write(to: config, atomically: true, encoding: .utf8)
            let process = ManagedProcess(
                label: "packaged swift-sentinel :\(port)", executable: "/usr/bin/env",
                arguments: ["-i", "PATH=/usr/bin:/bin", extracted.binary, config.path],
                logURL: directory.appendingPathComponent("sentinel.log"))
            defer { process.stop() }
            try process.launch()
            try await eventually(
                timeout: .seconds(10), "the packaged sentinel answers PING", diagnostics: { process.logTail() }
            ) {
                guard process.isRunning else { throw FatalPollingError("exited: \(process.logTail())") }
                return (try? RESPClient(port: port, timeout: .seconds(1)).send("PING")) == .simpleString("PONG")
            }
            let info = INFOText.fields(try RESPClient(port: port).send("INFO", "server").string ?? "")
            #expect(info["redis_version"] == "7.2.4")
            #expect(info["redis_mode"] == "sentinel")
            #expect(info["swift_sentinel_version"] == String(version))
            #expect(info["swift_sentinel_git_sha1"] == expected)
            #expect(info["redis_git_sha1"] == String(expected.prefix(8)))
            #expect(info["swift_sentinel_git_dirty"] == info["redis_git_dirty"])
            #expect(info["executable"] == extracted.binary)
            #expect(process.log().contains("commit=\(expected.prefix(8))"), "the startup line names the commit")
        }

        @Test("the debug build's --version and INFO server name swift-sentinel's version and commit", .timeLimit(.minutes(1)))
        func debugBuild() async throws {
            let binary = try Binaries.builtSwiftSentinel()
            let expected = Self.checkoutCommit()
            let banner = try Self.bareRun(binary, ["--version"])
            #expect(banner.status == 0)
            #expect(banner.output.hasPrefix("swift-sentinel 0.1.0 (git \(expected.prefix(8))"), "\(banner.output)")
            #expect(banner.output.contains("Redis Sentinel compatible 7.2.4"), "\(banner.output)")

            let directory = try TestDirectory.make("version")
            defer { TestDirectory.remove(directory) }
            let sentinel = try await SentinelProcess.start(
                name: "version", binary: binary, in: directory, masterPort: try FreePort.next(), quorum: 1)
            defer { sentinel.stop() }
            let info = INFOText.fields(try sentinel.command("INFO", "server").string ?? "")
            #expect(info["redis_version"] == "7.2.4")
            #expect(info["swift_sentinel_version"] == "0.1.0")
            #expect(info["swift_sentinel_git_sha1"] == expected)
            #expect(info["redis_git_sha1"] == String(expected.prefix(8)))
            #expect(["0", "1"].contains(info["swift_sentinel_git_dirty"] ?? ""), "\(info)")
        }

        // MARK: helpers

        /// The commit the plugin records for this checkout: `git rev-parse HEAD`, or `00000000`
        /// without a `.git` (a source tarball).
        static func checkoutCommit() -> String {
            let root = Binaries.repositoryRoot.path
            guard FileManager.default.fileExists(atPath: root + "/.git"),
                let result = try? run("/usr/bin/git", ["-c", "safe.directory=\(root)", "-C", root, "rev-parse", "HEAD"]),
                result.status == 0
            else { return "00000000" }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// The tarball `.ci/run` made (`scripts/package --out .build/package`); when there is
        /// none, or `rebuild`, this runs `scripts/package` (a release build: minutes).
        static func tarball(rebuild: Bool) async throws -> URL {
            let out = Binaries.repositoryRoot.appendingPathComponent(".build/package")
            if !rebuild, let found = existingTarball(in: out) { return found }
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("package-\(UUID().uuidString.prefix(8)).log")
            defer { try? FileManager.default.removeItem(at: log) }
            let result = try await ManagedProcess.run(
                label: "scripts/package", executable: "/bin/bash",
                arguments: [Binaries.script("package"), "--out", out.path], logURL: log, timeout: .seconds(40 * 60))
            guard result.status == 0, let found = existingTarball(in: out) else {
                throw HarnessError("scripts/package failed (status \(result.status)):\n\(result.output.suffix(3000))")
            }
            return found
        }

        static func existingTarball(in directory: URL) -> URL? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            let arch = (try? run("/usr/bin/uname", ["-m"]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? ""
            return names.filter { $0.hasPrefix("swift-sentinel-") && $0.hasSuffix("-linux-\(arch).tar.gz") }.sorted().last
                .map { directory.appendingPathComponent($0) }
        }

        /// Extracts the tarball; its one top-level directory and the binary in it.
        static func extract(_ tarball: URL, into directory: URL) throws -> (root: URL, binary: String) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let result = try run("/usr/bin/tar", ["-xzf", tarball.path, "-C", directory.path])
            guard result.status == 0 else { throw HarnessError("tar -xzf \(tarball.path): \(result.output)") }
            let name = String(tarball.lastPathComponent.dropLast(".tar.gz".count))
            let root = directory.appendingPathComponent(name)
            return (root, root.appendingPathComponent("bin/swift-sentinel").path)
        }

        /// Runs a program to its end (10 s at most).
        static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
            try Spawn.run(executable, arguments, timeout: .seconds(10))
        }

        /// Runs a program with only `PATH=/usr/bin:/bin` in its environment: no toolchain on
        /// `PATH`, no `LD_LIBRARY_PATH`.
        static func bareRun(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
            try run("/usr/bin/env", ["-i", "PATH=/usr/bin:/bin", executable] + arguments)
        }
    }
}
