//===----------------------------------------------------------------------===//
// swift-sentinel — command line, version, config-check and fatal-error texts
//===----------------------------------------------------------------------===//

import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Version strings shown by `--version`, `INFO server`, the startup log and the fatal config
/// error banner.
package enum SentinelVersion {
    /// This implementation's version.
    package static let version = "0.1.0"
    /// The Redis Sentinel version whose behaviour is reproduced.
    package static let redisCompatible = "7.2.4"

    /// `swift-sentinel 0.1.0 (git 1a2b3c4d, dirty) Redis Sentinel compatible 7.2.4`: what
    /// `--version` prints (redis-sentinel prints its version, `sha=` and `bits=` there).
    package static func banner(commit: BuildCommit) -> String {
        "swift-sentinel \(version) (git \(commit.short)\(commit.dirty ? ", dirty" : "")) Redis Sentinel compatible \(redisCompatible)"
    }
}

/// The git commit a binary was built from: the executable's build records it (Plugins/
/// GitCommitPlugin), the runtime shows it in `INFO server` and at startup, as Redis shows the
/// `redis_git_sha1` and `redis_git_dirty` of its `release.h`.
package struct BuildCommit: Equatable, Sendable {
    /// The full commit id (40 hex digits), or `00000000` when built without git (a source tarball).
    package var sha1: String
    /// Whether the tree had uncommitted changes (untracked files included) at build time.
    package var dirty: Bool

    package init(sha1: String, dirty: Bool) {
        self.sha1 = sha1
        self.dirty = dirty
    }

    /// A build without a known commit (tests that start a runtime in-process).
    package static let unknown = BuildCommit(sha1: "00000000", dirty: false)

    /// The first 8 hex digits, as Redis prints `redis_git_sha1`.
    package var short: String { String(sha1.prefix(8)) }

    /// `INFO server`'s version fields: `redis_git_sha1`/`redis_git_dirty` carry this commit (Redis's
    /// form), `swift_sentinel_version`/`swift_sentinel_git_sha1`/`swift_sentinel_git_dirty` name
    /// swift-sentinel; `redis_version` stays the compatible version clients gate features on.
    package func apply(to input: inout ServerInfoInput) {
        input.gitSHA1 = short
        input.gitDirty = dirty ? 1 : 0
        input.swiftSentinelVersion = SentinelVersion.version
        input.swiftSentinelGitSHA1 = sha1
    }
}

/// What the command line asks for.
package enum LaunchCommand: Equatable, Sendable {
    /// `--help` / `-h`
    case help
    /// `--version` / `-v`
    case version
    /// `--check-config`: parse and validate the file (plus overrides), then exit.
    case checkConfig(configPath: String?, overrides: [String])
    /// Run the sentinel. `overrides` are config lines built from `--name value...` arguments and are
    /// applied after the file's lines, as in Redis.
    case run(configPath: String?, overrides: [String])
}

/// A command line that cannot be understood.
package struct LaunchArgumentError: Error, Equatable, CustomStringConvertible, Sendable {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Command-line handling in the manner of `redis-sentinel` / `redis-server --sentinel`.
package enum LaunchArguments {
    /// Parses the arguments (without the program name).
    ///
    /// `swift-sentinel /path/sentinel.conf [--port 26380] [--<directive> <value...>]`: the first
    /// argument, if it does not start with `-`, is the config file; every `--name` starts a new
    /// override line `name value...` (Redis appends these lines to the file's text). `--sentinel`
    /// on its own only selects sentinel mode in Redis and is ignored here; `--sentinel announce-ip
    /// 1.2.3.4` is the config line `sentinel announce-ip 1.2.3.4`. Values that need it are quoted
    /// (`"a b"`), as Redis quotes every value with `sdscatrepr`.
    ///
    /// - Throws: ``LaunchArgumentError`` for `-` (config from stdin, which a sentinel cannot save to).
    package static func parse(_ arguments: [String]) throws(LaunchArgumentError) -> LaunchCommand {
        if arguments.count == 1 {
            switch arguments[0] {
            case "-h", "--help": return .help
            case "-v", "--version": return .version
            default: break
            }
        }
        var rest = arguments[...]
        var configPath: String?
        if let first = rest.first, !first.hasPrefix("-") {
            configPath = first
            rest = rest.dropFirst()
        } else if rest.first == "-" {
            throw LaunchArgumentError("Sentinel config from STDIN not allowed.")
        }
        var checkOnly = false
        var lines: [[String]] = []
        for argument in rest {
            if argument == "--check-config" {
                checkOnly = true
            } else if argument == "--help" || argument == "-h" {
                return .help
            } else if argument == "--version" || argument == "-v" {
                return .version
            } else if argument.hasPrefix("--"), argument.count > 2 {
                lines.append([String(argument.dropFirst(2))])
            } else if lines.isEmpty {
                lines.append([quoted(argument)])
            } else {
                lines[lines.count - 1].append(quoted(argument))
            }
        }
        // `--sentinel` alone: the mode switch, not a directive.
        let overrides = lines.filter { !($0.count == 1 && $0[0].lowercased() == "sentinel") }
            .map { $0.joined(separator: " ") }
        return checkOnly
            ? .checkConfig(configPath: configPath, overrides: overrides)
            : .run(configPath: configPath, overrides: overrides)
    }

    /// A value as a config-line word: unchanged when plain, else double-quoted with escapes.
    package static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "'" && scalar != "\\"
            }
        if plain { return value }
        var out = "\""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\r"): out += "\\r"
            case UInt8(ascii: "\t"): out += "\\t"
            case 0x07: out += "\\a"
            case 0x08: out += "\\b"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out + "\""
    }

    /// `--help` text.
    package static let usage = """
        Usage: swift-sentinel /path/to/sentinel.conf [options] [--check-config]
               swift-sentinel -v or --version
               swift-sentinel -h or --help

        Any config directive can be given as an option: --<directive> <value...>
        (for example --port 26380 or --sentinel announce-ip 1.2.3.4). The config file
        is required and must be writable: the sentinel saves its state there.

        Examples:
               swift-sentinel /etc/sentinel.conf
               swift-sentinel /etc/sentinel.conf --port 26380 --loglevel verbose
               swift-sentinel /etc/sentinel.conf --check-config
        """
}

/// The texts and exit statuses of startup decisions, kept pure so that tests need no process.
package enum Launcher {
    /// The result of `--check-config`: `configuration OK` and status 0, or the error
    /// (`file:line: 'text' -> message`) and status 1.
    ///
    /// - Parameters:
    ///   - text: The config file's text.
    ///   - fileName: The name shown in the error (`file:line: message`).
    ///   - overrides: Lines from the command line, applied after the file.
    package static func checkConfig(text: String, fileName: String, overrides: [String]) -> (
        status: Int32, output: String
    ) {
        do {
            var config = try ConfigParser.parse(text, fileName: fileName, overrides: overrides, include: ConfigFile.readIncluded)
            if let problem = loadProblem(config, text: text, fileName: fileName) {
                return (1, problem.line > 0 ? problem.description : "\(fileName): \(problem.message)")
            }
            switch aclFileUsers(config) {
            case nil: break
            case .success(let users)?: config.users = users
            case .failure(let problem)?: return (1, aclStartupFailure(problem))
            }
            if let refusal = protectedModeRefusal(config) { return (1, refusal) }
            // Relative TLS paths are read after the chdir to `dir`, so they are checked there.
            if let problem = TLSContextFactory.problem(config.tls.resolvingRelativePaths(against: config.dir)) {
                return (1, problem + "\n" + TLSSetupError.summary)
            }
            return (0, "configuration OK")
        } catch {
            return (1, error.description)
        }
    }

    /// The checks loading makes once the file parsed, in redis-sentinel 7.0.15's order and with its
    /// messages, for startup and `--check-config` alike:
    /// 1. `dir`: Redis changes into it at the directive, so one that is missing or cannot be
    ///    entered stops loading at its line, with the system's reason;
    /// 2. `logfile`: opened for appending (created if missing), else "Can't open the log file:
    ///    <reason>" with no line, as Redis reports it;
    /// 3. the notification and client-reconfig scripts, at their lines.
    /// Relative paths are taken from `dir`, as Redis takes them after its chdir. Touches the file
    /// system (the log file may be created, as Redis's check creates it); nil when all pass.
    package static func loadProblem(_ config: SentinelConfig, text: String, fileName: String) -> ConfigLoadError? {
        // The loader's own split, so numbers and trimming are the ones its errors use.
        let lines = ConfigTokenizer.lines(text)
        /// The last line whose first words are `words` (what Redis reports for a directive it
        /// applies last), with its number; 0 and no text if it came from the command line.
        func line(startingWith words: String) -> (number: Int, text: String) {
            let wanted = words.lowercased().split(separator: " ")
            guard
                let index = lines.lastIndex(where: { line in
                    let tokens = (ConfigTokenizer.split(line) ?? []).prefix(wanted.count).map { $0.lowercased() }
                    return tokens.elementsEqual(wanted.map(String.init))
                })
            else { return (0, "") }
            return (index + 1, lines[index])
        }
        if let dir = config.dir, !dir.isEmpty, let reason = Self.cannotEnter(dir) {
            let at = line(startingWith: "dir")
            return ConfigLoadError(file: fileName, line: at.number, lineText: at.text, message: reason)
        }
        if !config.logFile.isEmpty {
            let fd = open(ConfigFile.fromDir(config.logFile, config.dir), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 {
                let reason = String(cString: strerror(errno))
                return ConfigLoadError(file: fileName, line: 0, lineText: "", message: "Can't open the log file: \(reason)")
            }
            close(fd)
        }
        if let script = ConfigFile.scriptProblems(in: config).first {
            let at = line(startingWith: script.directive)
            return ConfigLoadError(file: fileName, line: at.number, lineText: at.text, message: script.message)
        }
        return nil
    }

    /// Why the process could not change into `dir` (chdir's reason), or nil.
    private static func cannotEnter(_ dir: String) -> String? {
        var info = stat()
        if stat(dir, &info) != 0 { return String(cString: strerror(errno)) }
        if (info.st_mode & S_IFMT) != S_IFDIR { return String(cString: strerror(ENOTDIR)) }
        if access(dir, X_OK) != 0 { return String(cString: strerror(errno)) }
        return nil
    }

    /// Why the config file cannot be written by this process, in startup's words (Sentinel refuses
    /// to run then), or nil. Depends on the user: `--check-config` run as another user than the
    /// service's may answer differently.
    package static func writableProblem(path: String) -> String? {
        do {
            try ConfigFile.checkWritable(path: path)
            return nil
        } catch {
            return notWritable(path: path, reason: error.reason)
        }
    }

    /// Why the `tls-*` settings cannot be used (a missing or unreadable certificate, key or CA
    /// file, a key that does not match its certificate, a wrong passphrase, a value BoringSSL
    /// cannot honour), naming the file and directive; nil when TLS is off or fine. Reads the files.
    package static func tlsProblem(_ config: SentinelConfig) -> String? {
        TLSContextFactory.problem(config.tls)
    }

    /// Why this config must not start (protected mode on, no password for the default user, a
    /// listener beyond loopback; see docs/protected-mode.md), or nil. Checked by `--check-config` and
    /// before the sentinel starts.
    package static func protectedModeRefusal(_ config: SentinelConfig) -> String? {
        ProtectedMode.startupProblem(config, defaultUserHasNoPassword: ProtectedMode.defaultUserHasNoPassword(config))
    }

    /// The users of the config's `aclfile` (relative to `dir`, as the sentinel reads it after its
    /// chdir), for `--check-config`: nil without an aclfile, else the users or why the file cannot
    /// be read or parsed (the same reasons that stop startup).
    static func aclFileUsers(_ config: SentinelConfig) -> Result<[AclUserDefinition], AclFileError>? {
        guard let path = config.aclFile else { return nil }
        return AclFileIO.loadUsersAtStartup(path: ConfigFile.fromDir(path, config.dir))
    }

    /// Redis's ACLLoadUsersAtStartup message for an aclfile that stops startup.
    package static func aclStartupFailure(_ problem: AclFileError) -> String {
        "Aborting Redis startup because of ACL errors: \(problem.message)"
    }

    /// Redis's fatal config error report (written to stderr before exiting 1).
    package static func fatalBanner(_ error: ConfigLoadError) -> String {
        var text = "\n*** FATAL CONFIG FILE ERROR (swift-sentinel \(SentinelVersion.version)) ***\n"
        if error.line > 0 {
            text += "Reading the configuration file, at line \(error.line)\n"
            text += ">>> '\(error.lineText)'\n"
        }
        text += "\(error.message)\n"
        return text
    }

    /// Logged (then exit 1) when no config file was given.
    package static let needsConfigFile = "Sentinel needs config file on disk to save state. Exiting..."

    /// Logged (then exit 1) when the config file cannot be written.
    package static func notWritable(path: String, reason: String) -> String {
        "Sentinel config file \(path) is not writable: \(reason). Exiting..."
    }

    /// Logged (then exit 1) when the config file cannot be read.
    package static func cannotOpen(path: String, reason: String) -> String {
        "Fatal error, can't open config file '\(path)': \(reason)"
    }
}
