#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SentinelCore

/// A failure to read, check or write the config file.
package struct ConfigWriteError: Error, Hashable, CustomStringConvertible {
    /// The config file's path.
    package var path: String
    /// What was being done: "open", "read", "create temporary file", "write", "fsync", "fchmod",
    /// "rename", "fsync directory", "write in place", "check writable".
    package var step: String
    /// `errno` at the failure (0 when not from a system call).
    package var errorNumber: Int32
    /// `strerror(errorNumber)`.
    package var reason: String

    package init(path: String, step: String, errorNumber: Int32, reason: String? = nil) {
        self.path = path
        self.step = step
        self.errorNumber = errorNumber
        self.reason = reason ?? ConfigFile.errorText(errorNumber)
    }

    package var description: String { "config file \(path): \(step) failed: \(reason)" }
}

#if canImport(Glibc)
private let systemRename = Glibc.rename
private let systemRead = Glibc.read
#elseif canImport(Musl)
private let systemRename = Musl.rename
private let systemRead = Musl.read
#elseif canImport(Darwin)
private let systemRename = Darwin.rename
private let systemRead = Darwin.read
#endif

/// The process umask, read once (reading it means setting it, so do it only once).
private let processUmask: mode_t = {
    let mask = umask(0o022)
    umask(mask)
    return mask
}()

/// sentinel.conf on disk: reading it, checking it is writable and persisting a config into it.
package enum ConfigFile {
    /// Reads the whole file as text (invalid UTF-8 is replaced, not rejected).
    /// - Throws: ``ConfigWriteError`` with step "open" or "read".
    package static func read(path: String) throws(ConfigWriteError) -> String {
        guard let bytes = try readBytes(path: path) else {
            throw ConfigWriteError(path: path, step: "open", errorNumber: ENOENT)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads the files of an `include <path>` line for the loader (``ConfigIncludeReader``), as
    /// Redis's `loadServerConfig` does: with a wildcard (`*`, `?`, `[`) the path is a `glob(3)`
    /// pattern, its matches read in glob's (alphabetical) order and no match is no file; otherwise
    /// the file must be readable. A file that cannot be read stops loading with Redis's text,
    /// "Fatal error, can't open config file '<path>': <strerror>".
    package static func readIncluded(_ path: String) -> Result<[ConfigIncludedFile], ConfigIncludeFailure> {
        func file(_ name: String) -> Result<ConfigIncludedFile, ConfigIncludeFailure> {
            do {
                return .success(ConfigIncludedFile(name: name, text: try read(path: name)))
            } catch {
                return .failure(ConfigIncludeFailure(message: "Fatal error, can't open config file '\(name)': \(error.reason)"))
            }
        }
        guard path.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else {
            return file(path).map { [$0] }
        }
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(path, 0, nil, &matches) == 0, let names = matches.gl_pathv else { return .success([]) }
        var files: [ConfigIncludedFile] = []
        for index in 0..<Int(matches.gl_pathc) {
            guard let name = names[index] else { continue }
            switch file(String(cString: name)) {
            case .success(let read): files.append(read)
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(files)
    }

    /// Checks the file can be written, as Sentinel does at startup (it refuses to run otherwise:
    /// "Sentinel config file %s is not writable: %s. Exiting...").
    package static func checkWritable(path: String) throws(ConfigWriteError) {
        if access(path, W_OK) != 0 {
            throw ConfigWriteError(path: path, step: "check writable", errorNumber: errno)
        }
    }

    /// A configured script that cannot be run: the directive's first words (to find its line) and
    /// Redis's message.
    package struct ScriptProblem: Equatable, Sendable {
        /// `sentinel notification-script <master>` or `sentinel client-reconfig-script <master>`.
        package var directive: String
        package var message: String

        package init(directive: String, message: String) {
            self.directive = directive
            self.message = message
        }
    }

    /// The loader's script check, which the pure parser leaves to the runtime: every configured
    /// `notification-script` and `client-reconfig-script` must exist and be executable, a relative
    /// path taken from `dir` (Redis checks it after its chdir). One problem per bad script, with
    /// Redis's texts; Redis refuses to start when there is one.
    package static func scriptProblems(in config: SentinelConfig) -> [ScriptProblem] {
        var problems: [ScriptProblem] = []
        for master in config.masters {
            if let path = master.notificationScript, access(fromDir(path, config.dir), X_OK) != 0 {
                problems.append(
                    ScriptProblem(
                        directive: "sentinel notification-script \(master.name)",
                        message: "Notification script seems non existing or non executable."))
            }
            if let path = master.clientReconfigScript, access(fromDir(path, config.dir), X_OK) != 0 {
                problems.append(
                    ScriptProblem(
                        directive: "sentinel client-reconfig-script \(master.name)",
                        message: "Client reconfiguration script seems non existing or non executable."))
            }
        }
        return problems
    }

    /// `path` as the sentinel opens it once it changed into `dir`: relative paths are relative to it.
    package static func fromDir(_ path: String, _ dir: String?) -> String {
        guard !path.hasPrefix("/"), let dir, !dir.isEmpty else { return path }
        return dir.hasSuffix("/") ? dir + path : dir + "/" + path
    }

    /// Makes `path` absolute against the current directory, once at startup, so that rewrites
    /// still find the file after the process changes directory (Redis does the same with its
    /// config file path). `.` and `..` components of a relative path are resolved lexically.
    package static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") || path.isEmpty { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var components = cwd.split(separator: "/").map(String.init)
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(String(part))
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// Rewrites the file at `path` with `config` (see ``ConfigRewriter``), crash-safely.
    ///
    /// Reproduces Sentinel's config flush: read the current file (a missing file counts as empty),
    /// rewrite it in place, write the result to `<path>.tmp-XXXXXX` in the same directory, `fsync`,
    /// `fchmod` to 0644 & ~umask, `rename` over the original, `fsync` the directory; the temporary
    /// file is unlinked on any failure. A symbolic link is followed, so its target is replaced.
    ///
    /// When the file cannot be replaced by a rename (a bind-mounted file gives EBUSY, another
    /// filesystem EXDEV, a locked-down directory EPERM/EACCES, also when creating the temporary
    /// file), the content is written into the original file itself, then truncated to its length
    /// and synced; if that write fails, the old content is written back, so the file is never left
    /// truncated.
    package static func persist(_ config: SentinelConfig, path: String) throws(ConfigWriteError) {
        try persist(config, path: path, seams: Seams())
    }

    /// Test seams for ``persist(_:path:seams:)``: replace system calls to exercise failure paths.
    package struct Seams: Sendable {
        /// Called instead of `rename(2)`; returns 0 or sets errno and returns -1.
        package var rename: @Sendable (String, String) -> Int32 = { systemRename($0, $1) }
        /// Called before every in-place `write(2)` with the byte offset; returning false makes that
        /// write fail with EIO.
        package var allowInPlaceWrite: @Sendable (Int) -> Bool = { _ in true }
        /// The most bytes one in-place `write(2)` may carry (to split the write into several).
        package var inPlaceChunkSize: Int = .max
        /// Called at the start of every persist, on the thread doing it (tests block or count here).
        package var willPersist: @Sendable () -> Void = {}
        package init() {}
    }

    /// ``persist(_:path:)`` with replaceable system calls, for tests.
    package static func persist(_ config: SentinelConfig, path: String, seams: Seams) throws(ConfigWriteError) {
        seams.willPersist()
        let path = symlinkTarget(path)
        let oldBytes = try readBytes(path: path) ?? []
        let old = String(decoding: oldBytes, as: UTF8.self)
        let content = Array(ConfigRewriter.rewrite(original: old, config: config).utf8)
        do {
            try replaceAtomically(path: path, content: content, seams: seams)
        } catch let error
            where fallbackErrors.contains(error.errorNumber) && (error.step == "rename" || error.step == "create temporary file")
        {
            try writeInPlace(path: path, content: content, oldContent: oldBytes, seams: seams)
        }
    }

    /// When `path` is a symbolic link, the file it points to (so the rename replaces the target
    /// and the link survives); otherwise `path` itself.
    static func symlinkTarget(_ path: String) -> String {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// errno values that mean "the file cannot be replaced, but may be writable in place".
    static let fallbackErrors: Set<Int32> = [EBUSY, EXDEV, EPERM, EACCES]

    // MARK: - Steps

    /// Reads a file's bytes; nil when it does not exist. More than `limit` bytes is a "read" error
    /// with reason "file too large" (the TLS files are read with a limit, so a device or a huge
    /// file named by mistake cannot fill the memory).
    static func readBytes(path: String, limit: Int = .max) throws(ConfigWriteError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ConfigWriteError(path: path, step: "open", errorNumber: errno)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConfigWriteError(path: path, step: "read", errorNumber: errno)
            }
            if n == 0 { return result }
            result += chunk[0..<n]
            guard result.count <= limit else {
                throw ConfigWriteError(path: path, step: "read", errorNumber: EFBIG, reason: "file too large")
            }
        }
    }

    static func replaceAtomically(path: String, content: [UInt8], seams: Seams) throws(ConfigWriteError) {
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw ConfigWriteError(path: path, step: "create temporary file", errorNumber: errno) }
        // Close-on-exec, so script children never inherit it (mkostemp is not exported to Swift).
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let tempPath = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var fdOpen = true
        var renamed = false
        defer {
            if fdOpen { close(fd) }
            if !renamed { unlink(tempPath) }
        }
        if let failure = writeAll(fd: fd, content, offset: 0, allow: { _ in true }) {
            throw ConfigWriteError(path: path, step: "write", errorNumber: failure)
        }
        if fsync(fd) != 0 { throw ConfigWriteError(path: path, step: "fsync", errorNumber: errno) }
        if fchmod(fd, 0o644 & ~processUmask) != 0 {
            throw ConfigWriteError(path: path, step: "fchmod", errorNumber: errno)
        }
        close(fd)
        fdOpen = false
        if seams.rename(tempPath, path) != 0 {
            throw ConfigWriteError(path: path, step: "rename", errorNumber: errno)
        }
        renamed = true
        try fsyncDirectory(of: path)
    }

    /// `fsync`s the directory containing `path`, so the rename itself is durable. EINVAL/EBADF
    /// (filesystems that cannot sync a directory) are ignored, as Redis does.
    static func fsyncDirectory(of path: String) throws(ConfigWriteError) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw ConfigWriteError(path: path, step: "fsync directory", errorNumber: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL && errno != EBADF {
            throw ConfigWriteError(path: path, step: "fsync directory", errorNumber: errno)
        }
    }

    /// The fallback for files that cannot be renamed over: write the new content into the file
    /// itself from offset 0, truncate to its length, fsync. On failure, write the old content back.
    static func writeInPlace(path: String, content: [UInt8], oldContent: [UInt8], seams: Seams) throws(ConfigWriteError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 { throw ConfigWriteError(path: path, step: "write in place", errorNumber: errno) }
        defer { close(fd) }
        var failure = writeAll(fd: fd, content, offset: 0, chunkSize: seams.inPlaceChunkSize, allow: seams.allowInPlaceWrite)
        if failure == nil, ftruncate(fd, off_t(content.count)) != 0 { failure = errno }
        if failure == nil, fsync(fd) != 0 { failure = errno }
        guard let errorNumber = failure else { return }
        // Put the old content back; only grow-then-shrink, never truncate first.
        if writeAll(fd: fd, oldContent, offset: 0, allow: { _ in true }) == nil {
            _ = ftruncate(fd, off_t(oldContent.count))
            _ = fsync(fd)
        }
        throw ConfigWriteError(path: path, step: "write in place", errorNumber: errorNumber)
    }

    /// `pwrite`s all of `bytes` at `offset`, retrying short writes and EINTR. Returns errno on failure.
    static func writeAll(fd: Int32, _ bytes: [UInt8], offset: Int, chunkSize: Int = .max, allow: (Int) -> Bool) -> Int32? {
        var written = 0
        while written < bytes.count {
            guard allow(offset + written) else { return EIO }
            let n = bytes.withUnsafeBytes { buffer in
                pwrite(fd, buffer.baseAddress! + written, min(buffer.count - written, chunkSize), off_t(offset + written))
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += n
        }
        return nil
    }

    /// `strerror` text for an errno value.
    static func errorText(_ number: Int32) -> String {
        guard number != 0, let text = strerror(number) else { return "unknown error" }
        return String(cString: text)
    }
}
