//===----------------------------------------------------------------------===//
// swift-sentinel — close-on-exec descriptors
//===----------------------------------------------------------------------===//

import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps every descriptor of the process close-on-exec, as Redis does (`anetCloexec` on its listeners,
/// accepted and outgoing sockets; `O_CLOEXEC` on its files), so that no program the process starts
/// (a script, a crash helper) holds on to the port or a connection after the sentinel is gone.
///
/// Our own files are opened with `O_CLOEXEC`. SwiftNIO creates its epoll descriptor and its sockets
/// (listeners, accepted connections, outgoing links) without the flag and has no public accessor for
/// a channel's descriptor, so the runtime marks them here: every descriptor once the listeners are
/// bound (``markAll()``), then each new channel's socket (``mark(_:)``).
package enum CloseOnExec {
    /// Marks every open descriptor from 3 up, found in `/proc/self/fd` (stdin, stdout and stderr stay
    /// inheritable).
    package static func markAll() {
        guard let directory = opendir("/proc/self/fd") else { return }
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd >= 3 { descriptors.append(fd) }
        }
        closedir(directory)
        for fd in descriptors { set(fd) }
    }

    /// Marks the socket of a SwiftNIO channel, read from its description (`... fd=12 ...`). Does
    /// nothing when the description names no descriptor.
    package static func mark(_ channel: any Channel) {
        if let fd = descriptor(in: String(describing: channel)) { set(fd) }
    }

    /// The number after the first `fd=` in a SwiftNIO channel description.
    static func descriptor(in description: String) -> Int32? {
        let bytes = Array(description.utf8)
        let marker = Array("fd=".utf8)
        guard bytes.count >= marker.count,
            let start = (0...(bytes.count - marker.count)).first(where: { bytes[$0..<$0 + marker.count].elementsEqual(marker) })
        else { return nil }
        let digits = bytes[(start + marker.count)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return Int32(String(decoding: digits, as: UTF8.self))
    }

    /// Sets `FD_CLOEXEC` on `fd` unless it is set already.
    package static func set(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }
}
