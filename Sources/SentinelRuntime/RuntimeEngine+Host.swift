//===----------------------------------------------------------------------===//
// swift-sentinel — the runtime and its host: systemd, stats, pidfile
//===----------------------------------------------------------------------===//

import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RESP
import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension RuntimeEngine {
    /// Sends one message to systemd (``SystemdNotifier``), logging redis-sentinel's warning when
    /// it cannot be delivered.
    func notifySystemd(_ message: String) {
        if let failure = SystemdNotifier.failure(options.notifier.send(message)) {
            logger.warning("\(failure)")
        }
    }

    /// Sends `WATCHDOG=1` now and every `interval` while running (systemd's `WatchdogSec=`; half
    /// of `WATCHDOG_USEC`). From the event loop, so a stuck loop stops feeding it. redis-sentinel
    /// 7.0.15 sends none.
    func feedWatchdog(every interval: TimeAmount) {
        guard case .running = phase else { return }
        notifySystemd("WATCHDOG=1\n")
        watchdogTask = loop.assumeIsolated().scheduleTask(in: interval) {
            self.feedWatchdog(every: interval)
        }
    }

    /// Sends `.processStats` now and every `options.statsInterval` after.
    func sampleStats() {
        guard case .running = phase else { return }
        var stats = ProcessStatsSampler.sample(unixTimeMicros: options.wallClockMicros())
        stats.hz = currentHz
        for client in clients.values {
            let usage = client.takeBufferUsage()
            stats.clientInputBufferPeak = max(stats.clientInputBufferPeak, usage.input)
            stats.clientOutputBufferPeak = max(stats.clientOutputBufferPeak, usage.output)
        }
        deliver([.processStats(stats)])
        statsTask = loop.assumeIsolated().scheduleTask(in: options.statsInterval) {
            self.sampleStats()
        }
    }

    func writePidFile() {
        // A relative path is taken from `dir`: the process has changed into it (SwiftSentinel).
        guard let path = config.pidFile, !path.isEmpty else { return }
        let text = "\(getpid())\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            logger.warning("Failed to write PID file: \(String(cString: strerror(errno)))")
            return
        }
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        pidFile = path
    }

    func removePidFile() {
        guard let path = pidFile else { return }
        logger.notice("Removing the pid file.")
        unlink(path)
        pidFile = nil
    }
}
