import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP connection to 127.0.0.1 that writes and reads raw bytes, for the few tests that
/// need what `RESPClient` does not offer: an HTTP GET (`HTTPGet`), or commands whose replies are
/// suppressed (`CLIENT REPLY OFF|SKIP`), where the number of replies is itself under test.
final class LoopbackSocket {
    let port: UInt16
    private var fd: Int32

    init(port: UInt16, timeout: Duration) throws {
        self.port = port
        fd = try connectToLoopback(port: port, timeout: timeout)
    }

    deinit {
        close()
    }

    func close() {
        if fd >= 0 {
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
            fd = -1
        }
    }

    func write(_ bytes: [UInt8]) throws {
        guard fd >= 0 else { throw HarnessError("connection to port \(port) is closed") }
        try sendAll(fd: fd, bytes, port: port)
    }

    /// Reads until `done(bytesSoFar)` is true or the peer closes the connection (then returns
    /// what arrived). A read timeout throws.
    func read(until done: ([UInt8]) -> Bool) throws -> [UInt8] {
        guard fd >= 0 else { throw HarnessError("connection to port \(port) is closed") }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !done(data) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                data += chunk[0..<count]
                continue
            }
            if count == 0 { break }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw HarnessError("timed out reading from port \(port) (\(data.count) bytes so far)")
            }
            throw HarnessError("read from port \(port) failed: \(String(cString: strerror(errno)))")
        }
        return data
    }
}

/// Opens a blocking TCP connection to 127.0.0.1:`port` with `timeout` as its send and receive
/// timeout, and returns the descriptor (shared by `LoopbackSocket` and `RESPClient`).
func connectToLoopback(port: UInt16, timeout: Duration) throws -> Int32 {
    #if os(Linux)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else {
        throw HarnessError("socket() failed: errno \(errno)")
    }
    let (seconds, attoseconds) = timeout.components
    var limit = timeval(tv_sec: Int(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        let code = errno
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
        throw HarnessError("connect to 127.0.0.1:\(port) failed: \(String(cString: strerror(code)))")
    }
    return fd
}

/// Writes all of `bytes` to a blocking socket, retrying after EINTR and partial writes.
func sendAll(fd: Int32, _ bytes: [UInt8], port: UInt16) throws {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { raw -> Int in
            #if os(Linux)
            return Glibc.send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            #else
            return Darwin.send(fd, raw.baseAddress, raw.count, 0)
            #endif
        }
        if written < 0 {
            if errno == EINTR { continue }
            throw HarnessError("write to port \(port) failed: \(String(cString: strerror(errno)))")
        }
        offset += written
    }
}
