#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Hands out free TCP ports on 127.0.0.1: bind port 0, read the port the kernel chose, close.
///
/// A port is never handed out twice by one test process. Another process can still take a port
/// between the check and its use, so the starters in this harness retry with a new port when a
/// server reports "Address already in use".
enum FreePort {
    private static let handedOut = Mutex<Set<UInt16>>([])

    static func next() throws -> UInt16 {
        for _ in 0..<50 {
            let port = try probe()
            let fresh = handedOut.withLock { ports in ports.insert(port).inserted }
            if fresh {
                return port
            }
        }
        throw HarnessError("could not find a free loopback port")
    }

    private static func probe() throws -> UInt16 {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else {
            throw HarnessError("socket() failed: errno \(errno)")
        }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            throw HarnessError("bind(127.0.0.1:0) failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        guard named == 0 else {
            throw HarnessError("getsockname failed: errno \(errno)")
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
