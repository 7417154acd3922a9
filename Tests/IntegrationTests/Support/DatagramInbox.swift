import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A unix datagram socket that the test binds (a path, or an abstract name given as `@name`) and
/// a thread that keeps reading it, so that a sender never blocks on a full queue (a unix datagram
/// socket holds few messages; a sentinel's `syslog()` would stall). Stands in for systemd's
/// `NOTIFY_SOCKET` and for syslog's `/dev/log`. ``close()`` stops the thread and removes the path;
/// synchronous and idempotent, for `defer`.
final class DatagramInbox: Sendable {
    let name: String
    private let fd: Int32
    private let messages = Mutex<[String]>([])
    private let closed = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)

    init(name: String) throws {
        var bytes = Array(name.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw HarnessError("socket name too long: \(name)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1)
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            _ = Glibc.close(fd)
            throw HarnessError("bind \(name): \(reason)")
        }
        self.name = name
        self.fd = fd
        Thread { [self] in self.readLoop() }.start()
    }

    deinit {
        close()
    }

    /// Every datagram received so far, in order.
    var received: [String] {
        messages.withLock { $0 }
    }

    /// Stops reading, closes the socket and unlinks its path.
    func close() {
        let first = closed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        // The reader polls with a short timeout and sees `closed`.
        _ = finished.wait(timeout: .now() + 2)
        _ = Glibc.close(fd)
        if !name.hasPrefix("@") { unlink(name) }
    }

    private func readLoop() {
        defer { finished.signal() }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !closed.withLock({ $0 }) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                let text = String(decoding: buffer[0..<count], as: UTF8.self)
                messages.withLock { $0.append(text) }
            }
        }
    }
}
