import NIOCore
import NIOPosix
import Testing

@testable import SentinelRuntime

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Crash report and close-on-exec")
struct CrashReportTests {
    @Test("SWIFT_BACKTRACE keeps the runtime's backtracer only when it turns it on explicitly")
    func swiftBacktraceSetting() {
        #expect(!CrashReport.keepsSwiftBacktracer(nil))
        #expect(!CrashReport.keepsSwiftBacktracer("enable=no"))
        #expect(!CrashReport.keepsSwiftBacktracer("symbolicate=fast"))
        #expect(CrashReport.keepsSwiftBacktracer("enable=yes"))
        #expect(CrashReport.keepsSwiftBacktracer("interactive=no, enable=Yes"))
        #expect(CrashReport.keepsSwiftBacktracer("enable=tty"))
    }

    @Test("the descriptor of a SwiftNIO channel is read from its description and marked close-on-exec")
    func channelDescriptor() async throws {
        #expect(CloseOnExec.descriptor(in: "SocketChannel { BaseSocket { fd=23 }, active = true }") == 23)
        #expect(CloseOnExec.descriptor(in: "EmbeddedChannel") == nil)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let fd = try #require(CloseOnExec.descriptor(in: String(describing: channel)))
        CloseOnExec.mark(channel)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        try await channel.close()
        try await group.shutdownGracefully()
    }
}
