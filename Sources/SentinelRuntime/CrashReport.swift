//===----------------------------------------------------------------------===//
// swift-sentinel — crash reports
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the process does when it crashes (a bad memory access, a failed Swift runtime check, an
/// abort): it writes a short report with a backtrace to its log and dies of the same signal within
/// milliseconds, so a supervisor can restart it at once. This is what redis-sentinel does (its
/// `sigsegvHandler` writes the "BUG REPORT" to the log, restores the default action and raises the
/// signal again).
///
/// The Swift runtime installs handlers for these signals at startup and, on a crash, runs its
/// `swift-backtrace` helper: that symbolicates every thread for tens of seconds while the process
/// waits, the helper inherited the process's sockets, and after a SIGSEGV sent with kill(2) the
/// process even went on running. ``install(logFile:)`` replaces those handlers.
/// `SWIFT_BACKTRACE=enable=yes` in the environment keeps the runtime's backtracer instead (slow; for
/// debugging).
///
/// The handler only makes async-signal-safe calls on memory prepared beforehand: `write`, `open`,
/// `close`, `clock_gettime`, `getpid`, `signal`, `raise`, and glibc's `backtrace` and
/// `backtrace_symbols_fd` (called once at install time, so that their first use in the handler does
/// not load libgcc_s).
package enum CrashReport {
    /// The signals that end the process with a report (Redis: `setupSigSegvAction`, plus SIGTRAP,
    /// which a failed Swift runtime check raises on arm64).
    static let fatalSignals: [Int32] = [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP]

    /// Replaces the Swift runtime's crash handlers with ours (unless `SWIFT_BACKTRACE` asks for the
    /// runtime's backtracer) and gives the calling thread an alternate signal stack, so that a stack
    /// overflow is reported too. Call it first thing in `main`, and again once the config is loaded;
    /// `logFile` is the `logfile` directive (empty: stdout). Returns whether our handlers are in place.
    @discardableResult
    package static func install(logFile: String) -> Bool {
        #if canImport(Glibc)
            guard !keepsSwiftBacktracer(getenv("SWIFT_BACKTRACE").map { String(cString: $0) }) else { return false }
            CrashReportState.prepare(logFile: logFile)
            if !CrashReportState.installed {
                prepareThread()
                CrashReportState.installed = true
            }
            for signal in fatalSignals {
                var action = sigaction()
                action.__sigaction_handler.sa_sigaction = crashSignalHandler
                sigemptyset(&action.sa_mask)
                action.sa_flags = SA_SIGINFO | SA_ONSTACK | Int32(bitPattern: UInt32(SA_RESETHAND))
                sigaction(signal, &action, nil)
            }
            // Redis leaves SIGQUIT alone: default action (core dump, exit), not a backtrace.
            signal(SIGQUIT, SIG_DFL)
            return true
        #else
            return false
        #endif
    }

    /// Whether `SWIFT_BACKTRACE` (its value, if set) turns the Swift runtime's backtracer on
    /// explicitly: `enable=yes` or `enable=tty` among its comma-separated settings.
    static func keepsSwiftBacktracer(_ setting: String?) -> Bool {
        guard let setting else { return false }
        return setting.split(separator: ",").contains { item in
            let parts = item.filter { $0 != " " }.lowercased().split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts[0] == "enable" && ["yes", "true", "on", "1", "tty"].contains(parts[1])
        }
    }

    /// Gives the calling thread an alternate signal stack (a handler cannot run on an overflowed
    /// stack). Each thread needs its own; the runtime calls this on its event loop thread.
    package static func prepareThread() {
        #if canImport(Glibc)
            let size = 64 * 1024
            guard let memory = malloc(size) else { return }
            var stack = stack_t()
            stack.ss_sp = memory
            stack.ss_size = size
            stack.ss_flags = 0
            if sigaltstack(&stack, nil) != 0 { free(memory) }
        #endif
    }
}

#if canImport(Glibc)
    private typealias BacktraceFunction = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int32) -> Int32
    private typealias BacktraceSymbolsFunction = @convention(c) (UnsafePointer<UnsafeMutableRawPointer?>?, Int32, Int32) -> Void

    /// Everything the handler reads, set up before any crash (the handler allocates nothing).
    private enum CrashReportState {
        static let pathCapacity = 4096
        static let frameCapacity = 128
        nonisolated(unsafe) static var logPath = UnsafeMutablePointer<CChar>.allocate(capacity: pathCapacity)
        nonisolated(unsafe) static var frames = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: frameCapacity)
        nonisolated(unsafe) static var scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        nonisolated(unsafe) static var version = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        nonisolated(unsafe) static var versionCount = 0
        nonisolated(unsafe) static var backtrace: BacktraceFunction?
        nonisolated(unsafe) static var backtraceSymbols: BacktraceSymbolsFunction?
        /// The descriptors being written to during a report: the log, and stderr when the log is a file.
        nonisolated(unsafe) static var outputs: (Int32, Int32) = (1, -1)
        /// Set by the first ``CrashReport/install(logFile:)`` (later calls only change the log path).
        nonisolated(unsafe) static var installed = false

        static func prepare(logFile: String) {
            // Touch every global now: their lazy initialisation must not happen inside the handler.
            _ = (frames, scratch, outputs)
            let bytes = Array(logFile.utf8.prefix(pathCapacity - 1))
            for (index, byte) in bytes.enumerated() { logPath[index] = CChar(bitPattern: byte) }
            logPath[bytes.count] = 0
            let text = Array("swift-sentinel \(SentinelVersion.version)".utf8.prefix(64))
            for (index, byte) in text.enumerated() { version[index] = byte }
            versionCount = text.count
            if backtrace == nil, let symbol = dlsym(nil, "backtrace") {
                backtrace = unsafeBitCast(symbol, to: BacktraceFunction.self)
            }
            if backtraceSymbols == nil, let symbol = dlsym(nil, "backtrace_symbols_fd") {
                backtraceSymbols = unsafeBitCast(symbol, to: BacktraceSymbolsFunction.self)
            }
            // The first call loads the unwinder (dlopen is not async-signal-safe).
            _ = backtrace?(frames, Int32(frameCapacity))
        }
    }

    /// The installed handler: report, then die of the same signal.
    private let crashSignalHandler: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = {
        number, info, context in
        writeCrashReport(signal: number, info: info, context: context)
        // Default action again, then the same signal: a fault re-executes its instruction and dies,
        // a signal sent with kill(2) or abort's is delivered again once this handler returns.
        signal(number, SIG_DFL)
        raise(number)
    }

    /// The report, in the shape of Redis's bug report (with its signal-handler log prefix,
    /// `<pid>:signal-handler (<unix time>) `).
    private func writeCrashReport(signal number: Int32, info: UnsafeMutablePointer<siginfo_t>?, context: UnsafeMutableRawPointer?) {
        let state = CrashReportState.self
        var logFD: Int32 = 1
        if state.logPath[0] != 0 {
            logFD = open(state.logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            state.outputs = (logFD >= 0 ? logFD : 2, logFD >= 0 ? 2 : -1)
        } else {
            state.outputs = (1, -1)
        }
        defer {
            if logFD > 2 { close(logFD) }
        }
        emit("\n\n=== SWIFT-SENTINEL BUG REPORT START: Cut & paste starting from here ===\n")
        linePrefix()
        emit(state.version, state.versionCount)
        emit(" crashed by signal: ")
        emitDecimal(Int64(number))
        emit(" (")
        emit(signalName(number))
        emit("), si_code: ")
        let code = info?.pointee.si_code ?? 0
        emitDecimal(Int64(code))
        emit("\n")
        if let info, code > 0, number == SIGSEGV || number == SIGBUS {
            linePrefix()
            emit("Accessing address: ")
            emitHex(UInt64(UInt(bitPattern: info.pointee._sifields._sigfault.si_addr)))
            emit("\n")
        }
        if let info, code == 0 {
            // SI_USER: sent with kill(2).
            linePrefix()
            emit("Killed by PID: ")
            emitDecimal(Int64(info.pointee._sifields._kill.si_pid))
            emit(", UID: ")
            emitDecimal(Int64(info.pointee._sifields._kill.si_uid))
            emit("\n")
        }
        if let address = instructionPointer(context) {
            linePrefix()
            emit("Crashed running the instruction at: ")
            emitHex(address)
            emit("\n")
        }
        if code > 0, number == SIGILL || number == SIGTRAP {
            linePrefix()
            emit("The instruction is a trap: a Swift runtime check failed (arithmetic overflow, nil unwrap, index out of range, precondition).\n")
        }
        emit("\n------ STACK TRACE ------\n")
        if let backtrace = state.backtrace, let symbols = state.backtraceSymbols {
            let count = backtrace(state.frames, Int32(state.frameCapacity))
            symbols(state.frames, count, state.outputs.0)
            if state.outputs.1 >= 0 { symbols(state.frames, count, state.outputs.1) }
        } else {
            emit("(no backtrace: glibc's backtrace() is not available)\n")
        }
        emit("\nFrames without a name are <binary>(+<offset>): `addr2line -Cfie <binary> <offset> | swift demangle` names them.\n")
        emit("\n=== SWIFT-SENTINEL BUG REPORT END. Make sure to include from START to END. ===\n\n")
    }

    private func signalName(_ number: Int32) -> StaticString {
        switch number {
        case SIGSEGV: "SIGSEGV"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGILL: "SIGILL"
        case SIGABRT: "SIGABRT"
        case SIGTRAP: "SIGTRAP"
        default: "?"
        }
    }

    private func instructionPointer(_ context: UnsafeMutableRawPointer?) -> UInt64? {
        // Read at its offset: with this toolchain ucontext_t's members are only visible through an
        // import of CDispatch, which would change how the whole module sees the C types.
        #if arch(x86_64)
            // uc_flags (8), uc_link (8), uc_stack (24), then mcontext_t's gregs; REG_RIP is 16.
            return context?.load(fromByteOffset: 40 + 16 * 8, as: UInt64.self)
        #else
            return nil
        #endif
    }

    private func linePrefix() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        emitDecimal(Int64(getpid()))
        emit(":signal-handler (")
        emitDecimal(Int64(now.tv_sec))
        emit(") ")
    }

    private func emit(_ text: StaticString) {
        emit(UnsafeRawPointer(text.utf8Start), text.utf8CodeUnitCount)
    }

    private func emit(_ bytes: UnsafeRawPointer, _ count: Int) {
        let outputs = CrashReportState.outputs
        emit(bytes, count, to: outputs.0)
        if outputs.1 >= 0 { emit(bytes, count, to: outputs.1) }
    }

    private func emit(_ bytes: UnsafeRawPointer, _ count: Int, to fd: Int32) {
        var offset = 0
        while offset < count {
            let written = write(fd, bytes + offset, count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    private func emitDecimal(_ value: Int64) {
        let buffer = CrashReportState.scratch
        var magnitude = value.magnitude
        var index = 63
        repeat {
            buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        if value < 0 {
            buffer[index] = UInt8(ascii: "-")
            index -= 1
        }
        emit(buffer + index + 1, 63 - index)
    }

    private func emitHex(_ value: UInt64) {
        let buffer = CrashReportState.scratch
        let digits: StaticString = "0123456789abcdef"
        var rest = value
        var index = 63
        repeat {
            buffer[index] = digits.utf8Start[Int(rest & 0xf)]
            rest >>= 4
            index -= 1
        } while rest > 0
        buffer[index] = UInt8(ascii: "x")
        buffer[index - 1] = UInt8(ascii: "0")
        emit(buffer + index - 1, 65 - index)
    }
#endif
