//===----------------------------------------------------------------------===//
// swift-sentinel — process statistics for INFO
//===----------------------------------------------------------------------===//

import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    private let rusageSelf = __rusage_who_t(RUSAGE_SELF.rawValue)
    private let rusageChildren = __rusage_who_t(RUSAGE_CHILDREN.rawValue)
#else
    private let rusageSelf = RUSAGE_SELF
    private let rusageChildren = RUSAGE_CHILDREN
#endif

/// Reads the process-level numbers the core reports in `INFO server`/`INFO cpu` (Redis: the
/// `used_cpu_*` fields from getrusage, `process_id`, `server_time_usec`, and the RSS it samples).
package enum ProcessStatsSampler {
    /// Samples CPU times, pid and resident memory; `unixTimeMicros` is the wall clock read for it.
    package static func sample(unixTimeMicros: Int64 = wallClockMicros()) -> ProcessStats {
        var own = rusage()
        var children = rusage()
        getrusage(rusageSelf, &own)
        getrusage(rusageChildren, &children)
        return ProcessStats(
            pid: Int(getpid()),
            usedCPUSys: seconds(own.ru_stime),
            usedCPUUser: seconds(own.ru_utime),
            usedCPUSysChildren: seconds(children.ru_stime),
            usedCPUUserChildren: seconds(children.ru_utime),
            unixTimeMicros: unixTimeMicros,
            residentMemory: residentMemory()
        )
    }

    /// The host's wall clock (`CLOCK_REALTIME`), Unix microseconds: Redis's `ustime()`.
    package static func wallClockMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    private static func seconds(_ t: timeval) -> Double {
        Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000
    }

    /// Resident set size in bytes: the second field of `/proc/self/statm` (pages) times the page size.
    /// Falls back to `ru_maxrss` where there is no procfs.
    private static func residentMemory() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 128)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                let fields = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: " ")
                if fields.count > 1, let pages = Int(fields[1]) {
                    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
                }
            }
        }
        var usage = rusage()
        getrusage(rusageSelf, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}

/// The static facts about the host and the binary that `INFO server` prints (Redis: `os` from
/// `uname`, `executable` and `config_file` as absolute paths, `process_supervised`).
package enum HostFacts {
    /// `os`: sysname, release and machine from `uname`, as Redis prints them.
    package static func operatingSystem() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "" }
        func field<T>(_ value: inout T) -> String {
            withUnsafeBytes(of: &value) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return "\(field(&names.sysname)) \(field(&names.release)) \(field(&names.machine))"
    }

    /// `executable`: the running binary (`/proc/self/exe`), or the absolute form of `argv[0]`.
    package static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return ConfigFile.absolutePath(CommandLine.arguments.first ?? "")
    }

    /// Whether `path` names a file this process may execute (Redis checks scripts with `access(X_OK)`).
    @Sendable package static func isExecutable(_ path: String) -> Bool {
        access(path, X_OK) == 0
    }

    /// The `INFO server` inputs that do not change while the process runs.
    ///
    /// - Parameters:
    ///   - supervision: The startup handshake, for `process_supervised`.
    ///   - commit: The build's commit, for `redis_git_sha1` and the `swift_sentinel_*` fields.
    package static func serverInfo(configPath: String, supervision: Supervision, commit: BuildCommit) -> ServerInfoInput {
        var input = ServerInfoInput()
        commit.apply(to: &input)
        input.os = operatingSystem()
        input.executablePath = executablePath()
        input.configFile = configPath
        input.processSupervised = supervision.infoName
        return input
    }
}
