//===----------------------------------------------------------------------===//
// swift-sentinel — daemonize, and the service-manager handshakes of `supervised`
//===----------------------------------------------------------------------===//

import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// systemd's readiness protocol as libsystemd's `sd_notify(0, message)` speaks it, which
/// redis-sentinel 7.0.15 uses: one datagram per message to the unix socket named by
/// `$NOTIFY_SOCKET` (an abstract socket when the name starts with `@`).
package struct SystemdNotifier: Sendable {
    /// `$NOTIFY_SOCKET` as read at startup; nil when unset (an empty value is set, and invalid).
    package let target: String?

    package init(socket: String?) {
        self.target = socket
    }

    /// The notifier of this process's environment.
    package static func fromEnvironment() -> SystemdNotifier {
        SystemdNotifier(socket: getenv("NOTIFY_SOCKET").map { String(cString: $0) })
    }

    /// Sends `message` (e.g. `READY=1\n`) as one datagram. Returns what `sd_notify` returns: a
    /// positive number once sent, 0 when there is no `NOTIFY_SOCKET`, a negative errno on failure
    /// (`-ENOENT` for a path nobody bound, `-ECONNREFUSED` for an unbound abstract name,
    /// `-EINVAL` for a value that is neither an absolute path nor `@name`, empty included). Never
    /// blocks: a supervisor that does not read makes it fail with `-EAGAIN`.
    package func send(_ message: String) -> Int32 {
        guard let target else { return 0 }
        guard let (socketAddress, length) = Self.address(target) else { return -EINVAL }
        var address = socketAddress
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -errno }
        defer { close(fd) }
        var bytes = Array(message.utf8)
        let sent = bytes.withUnsafeMutableBytes { buffer in
            withUnsafeMutablePointer(to: &address) { pointer in
                var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var header = msghdr()
                    header.msg_name = UnsafeMutableRawPointer(pointer)
                    header.msg_namelen = length
                    header.msg_iov = vectorPointer
                    header.msg_iovlen = 1
                    return sendmsg(fd, &header, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                }
            }
        }
        return sent < 0 ? -errno : 1
    }

    /// The socket address of a `NOTIFY_SOCKET` value and its length as libsystemd computes it: a
    /// path counts its terminating zero, an abstract name (`@name`, sent as `\0name`) does not.
    /// Nil for a value that is neither an absolute path nor `@name`, or too long.
    package static func address(_ socket: String) -> (sockaddr_un, socklen_t)? {
        var name = Array(socket.utf8)
        let abstract = name.first == UInt8(ascii: "@")
        guard abstract || name.first == UInt8(ascii: "/"), name.count >= 2 else { return nil }
        if abstract { name[0] = 0 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard name.count + (abstract ? 0 : 1) <= capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: name)
        }
        let length = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + name.count + (abstract ? 0 : 1)
        return (address, socklen_t(length))
    }

    /// The warning redis-sentinel logs when a notification could not be sent
    /// (`redisCommunicateSystemd`), or nil when it was sent.
    package static func failure(_ result: Int32) -> String? {
        if result > 0 { return nil }
        if result == 0 { return "systemd supervision error: NOTIFY_SOCKET not found!" }
        return "systemd supervision error: sd_notify: \(result)"
    }

    /// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC` (as `sd_watchdog_enabled` callers
    /// are told to), in microseconds; nil when the variable is unset or not a positive number, or
    /// when `WATCHDOG_PID` names another process. redis-sentinel 7.0.15 sends no `WATCHDOG=1` at
    /// all (a unit with `WatchdogSec=` kills it); this is swift-sentinel's addition.
    package static func watchdogInterval(usec: String?, pid watchdogPid: String?, ownPid: Int32) -> Int64? {
        guard let usec, let period = Int64(usec), period > 0 else { return nil }
        if let watchdogPid, !watchdogPid.isEmpty, Int32(watchdogPid) != ownPid { return nil }
        return max(period / 2, 1)
    }
}

/// The outcome of the `supervised` handshake at startup (Redis: `redisIsSupervised`).
package struct Supervision: Equatable, Sendable {
    /// The mode after detection: `auto` becomes `upstart` or `systemd` when a supervisor was
    /// found; an explicit mode stays as configured even when its supervisor was not found.
    package var mode: SupervisedMode
    /// Whether a supervisor was found and told (`daemonize yes` is then ignored).
    package var isSupervised: Bool

    package init(mode: SupervisedMode, isSupervised: Bool) {
        self.mode = mode
        self.isSupervised = isSupervised
    }

    /// Not supervised (`supervised no`).
    package static let none = Supervision(mode: .no, isSupervised: false)

    /// `process_supervised` in `INFO server`: the mode once supervised, else `no`.
    package var infoName: String { isSupervised ? mode.infoName : "no" }

    /// Whether readiness, `STOPPING=1` and the watchdog go to systemd: Redis sends them whenever
    /// the mode is `systemd`, so an explicit `supervised systemd` without `NOTIFY_SOCKET` logs a
    /// warning at each of them.
    package var notifiesSystemd: Bool { mode == .systemd }

    /// redis-sentinel's startup handshake, with its log lines: `auto` looks for `UPSTART_JOB`,
    /// then `NOTIFY_SOCKET`; upstart is told by stopping the process (SIGSTOP, before listening)
    /// and `UPSTART_JOB` is then removed from the environment; systemd is sent
    /// `STATUS=Redis is loading...`, and only a delivered message makes the process supervised.
    ///
    /// - Parameters:
    ///   - environment: Reads an environment variable.
    ///   - notify: Sends a message to systemd (``SystemdNotifier/send(_:)``).
    ///   - log: Writes a log line.
    ///   - signalUpstart: Stops the process until upstart continues it (tests pass a stand-in).
    package static func detect(
        _ configured: SupervisedMode, environment: (String) -> String?, notify: (String) -> Int32,
        log: (LogLevel, String) -> Void, signalUpstart: () -> Void
    ) -> Supervision {
        var mode = configured
        if mode == .auto {
            if environment("UPSTART_JOB") != nil {
                log(.verbose, "Upstart supervision detected.")
                mode = .upstart
            } else if environment("NOTIFY_SOCKET") != nil {
                log(.verbose, "Systemd supervision detected.")
                mode = .systemd
            }
        }
        let supervised: Bool
        switch mode {
        case .no, .auto:
            supervised = false
        case .upstart:
            if environment("UPSTART_JOB") == nil {
                log(.warning, "upstart supervision requested, but UPSTART_JOB not found!")
                supervised = false
            } else {
                log(.notice, "supervised by upstart, will stop to signal readiness.")
                signalUpstart()
                supervised = true
            }
        case .systemd:
            let result = notify("STATUS=Redis is loading...\n")
            if let failure = SystemdNotifier.failure(result) {
                log(.warning, failure)
                supervised = false
            } else {
                log(
                    .notice,
                    "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit."
                )
                supervised = true
            }
        }
        return Supervision(mode: supervised ? mode : configured, isSupervised: supervised)
    }

    /// What upstart waits for: the process stops itself, and forgets `UPSTART_JOB` once continued.
    package static func stopForUpstart() {
        raise(SIGSTOP)
        unsetenv("UPSTART_JOB")
    }
}

/// `daemonize yes` (Redis: `daemonize()`): the process forks, the parent exits 0 at once, and the
/// child starts a new session with stdin, stdout and stderr on `/dev/null`.
package enum Daemon {
    /// The threads of this process (the entries of `/proc/self/task`); 0 when unreadable.
    package static func threadCount() -> Int {
        guard let directory = opendir("/proc/self/task") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != 46 { count += 1 }  // not "." or ".."
        }
        return count
    }

    /// Forks into the background; returns in the child only, with the number of threads the
    /// process had at the fork (a fork keeps only the calling thread, so it must be 1: call this
    /// before the first `await`, NIO event loop, Dispatch queue or anything else that starts one).
    /// When the fork fails the process stays in the foreground and nil is returned, with `errno`
    /// set (redis-sentinel exits 0 then, without a word).
    package static func detach() -> Int? {
        let threads = threadCount()
        let child = fork()
        if child < 0 { return nil }
        if child > 0 { exit(0) }
        setsid()
        let fd = open("/dev/null", O_RDWR, 0)
        if fd >= 0 {
            dup2(fd, STDIN_FILENO)
            dup2(fd, STDOUT_FILENO)
            dup2(fd, STDERR_FILENO)
            if fd > STDERR_FILENO { close(fd) }
        }
        return threads
    }
}
