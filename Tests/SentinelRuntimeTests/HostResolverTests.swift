import NIOCore
import NIOPosix
import Testing

@testable import SentinelRuntime

/// The runtime's name lookups (Redis's anetResolve with resolve-hostnames yes): IP literals come
/// back as they are, `localhost` resolves to a loopback address (the first result of any family),
/// and a name that does not exist is an error with getaddrinfo's reason, never a crash.
@Suite("Host resolver")
struct HostResolverTests {
    @Test("literals, localhost and a missing name")
    func lookups() throws {
        #expect(try HostResolver.resolveNow("127.0.0.1").get() == "127.0.0.1")
        #expect(try HostResolver.resolveNow("::1").get() == "::1")
        let local = try HostResolver.resolveNow("localhost").get()
        #expect(local == "127.0.0.1" || local == "::1")
        guard case .failure(let error) = HostResolver.resolveNow("no-such-host.invalid") else {
            Issue.record("a .invalid name resolved")
            return
        }
        #expect(!error.description.isEmpty)
    }

    @Test("lookups run off the loop and complete on it")
    func offLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let resolver = HostResolver()
        let loop = group.next()
        let (result, resultOnLoop) = try await resolver.resolve("localhost", on: loop).map { ($0, loop.inEventLoop) }.get()
        let (missing, missingOnLoop) = try await resolver.resolve("no-such-host.invalid", on: loop).map { ($0, loop.inEventLoop) }.get()
        resolver.shutdown()
        try await group.shutdownGracefully()
        #expect((try? result.get()) != nil)
        #expect((try? missing.get()) == nil)
        #expect(resultOnLoop && missingOnLoop, "both futures complete on the given loop")
    }
}
