import Foundation

/// Polls `condition` until it returns `true` or `timeout` passes. Returns the time it took.
///
/// Errors thrown by the condition count as "not yet" (a process that is still starting refuses
/// connections) and the last one is reported on timeout. A `FatalPollingError` or a
/// cancellation ends the wait at once. `diagnostics` is called only on failure and its text is
/// appended to the error (typically the tail of every process log).
@discardableResult
func eventually(
    timeout: Duration,
    interval: Duration = .milliseconds(20),
    _ what: @autoclosure () -> String,
    diagnostics: () -> String = { "" },
    _ condition: () async throws -> Bool
) async throws -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start.advanced(by: timeout)
    var lastError: (any Error)?
    while true {
        try Task.checkCancellation()
        do {
            if try await condition() {
                return clock.now - start
            }
            lastError = nil
        } catch let error as FatalPollingError {
            throw HarnessError("\(what()): \(error.description)\n\(diagnostics())")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            lastError = error
        }
        if clock.now >= deadline {
            var message = "timed out after \(timeout) waiting until \(what())"
            if let lastError {
                message += " (last error: \(lastError))"
            }
            let extra = diagnostics()
            if !extra.isEmpty {
                message += "\n" + extra
            }
            throw HarnessError(message)
        }
        try await Task.sleep(for: interval)
    }
}

/// A blocking wait for a condition with a deadline, for synchronous cleanup paths (`defer`).
/// Returns whether the condition became true.
func waitSynchronously(timeout: Duration, interval: Duration = .milliseconds(10), _ condition: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while !condition() {
        if clock.now >= deadline {
            return false
        }
        let (seconds, attoseconds) = interval.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        usleep(UInt32(max(1, micros)))
    }
    return true
}

extension Duration {
    /// Seconds with millisecond precision, for printing measurements.
    var secondsText: String {
        let (seconds, attoseconds) = components
        let millis = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(format: "%.3f s", millis / 1000)
    }

    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
