import Foundation
import Testing

extension Integration {
    /// Issue 13: `timeout` takes effect as in redis-sentinel (it was accepted and ignored). Passes
    /// with redis-sentinel too (`SENTINEL_BIN=/usr/bin/redis-sentinel`).
    @Suite("Idle timeout")
    struct IdleTimeoutTests {
        @Test("timeout 1: an idle client is disconnected after 1-4 s, a subscriber is not", .timeLimit(.minutes(1)))
        func idleClientClosed() async throws {
            let directory = try TestDirectory.make("timeout")
            defer { TestDirectory.remove(directory) }
            let sentinel = try await SentinelProcess.start(
                name: "sentinel", binary: try Binaries.sentinelUnderTest(), in: directory, masterPort: try FreePort.next(),
                quorum: 1, extraLines: ["timeout 1"])
            defer { sentinel.stop() }
            let idle = try sentinel.client()
            defer { idle.close() }
            let subscriber = try sentinel.client()
            defer { subscriber.close() }
            #expect(try idle.send("PING") == .simpleString("PONG"))
            _ = try subscriber.send("SUBSCRIBE", "news")
            let clock = ContinuousClock()
            let started = clock.now
            #expect(try idle.waitForData(timeout: .seconds(6)), "the idle client was not disconnected")
            let elapsed = clock.now - started
            #expect(throws: (any Error).self, "the connection was closed") { _ = try idle.readReply() }
            #expect(elapsed >= .milliseconds(900) && elapsed <= .seconds(4), "closed after \(elapsed)")
            #expect(try !subscriber.waitForData(timeout: .milliseconds(10)), "the subscriber is still connected")
            print("\(sentinel.label): idle client closed \(elapsed) after its last command (timeout 1)")
        }
    }
}
