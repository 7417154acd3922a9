import Foundation

/// An error raised by the integration harness itself (a process that would not start, a
/// condition that never became true, a binary that cannot be found).
struct HarnessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A polled condition throws this to stop `eventually` at once instead of waiting for the
/// deadline: for example when the process being waited for has exited.
struct FatalPollingError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
